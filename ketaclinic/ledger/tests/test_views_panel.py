"""The controlled-substance panel at the session: draw, administer, witnessed waste, return."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse

from ketaclinic.accounts.models import Role
from ketaclinic.ledger.models import Kind, Transaction
from ketaclinic.ledger.reconcile import reconciliations
from ketaclinic.ledger.tests.base import (
    LedgerCase,
    add_patient,
    add_session,
    token_for,
    wrong_token,
)
from ketaclinic.scheduling.models import Chair
from ketaclinic.testing import TEST_PASSWORD

D = Decimal


class SessionPanelTests(LedgerCase):
    def url(self, name: str) -> str:
        return reverse(f"ledger:session_{name}", args=[self.session.pk])

    def draw(self, mg: str = "50", key: str = "d" * 32) -> Any:
        return self.client.post(
            self.url("draw"), {"idempotency_key": key, "container": self.vials[0].pk, "mg": mg}
        )

    def waste(self, **values: str) -> Any:
        data = {
            "idempotency_key": "w" * 32,
            "container": str(self.vials[0].pk),
            "mg": "10",
            "method": "Sink with a witness",
            "witness_email": self.second_nurse.email,
            "witness_password": TEST_PASSWORD,
            "witness_otp": token_for(self.second_nurse),
        }
        data.update(values)
        return self.client.post(self.url("waste"), data)

    def test_the_panel_suggests_the_first_expiring_vial(self) -> None:
        self.login(Role.NURSE)
        response = self.client.get(reverse("infusions:session", args=[self.session.pk]))
        body = response.content.decode()
        assert "Controlled substance" in body and "Record the draw" in body
        assert f"Suggested: vial {self.vials[0].label}" in body

    def test_draw_administer_and_witnessed_waste_reconcile(self) -> None:
        self.login(Role.NURSE)
        assert self.draw().status_code == 302
        assert self.draw().status_code == 302  # the same form twice: stored once
        assert Transaction.objects.filter(session=self.session, kind=Kind.DRAW).count() == 1
        response = self.client.post(
            self.url("administer"),
            {"idempotency_key": "a" * 32, "container": self.vials[0].pk, "mg": "40"},
        )
        assert response.status_code == 302
        assert self.waste().status_code == 302
        (rec,) = reconciliations(self.session)
        # 50 drawn = 40 administered + 10 wasted
        assert (rec.drawn_mg, rec.administered_mg, rec.wasted_mg, rec.ok) == (
            D("50.000"),
            D("40.000"),
            D("10.000"),
            True,
        )
        waste = Transaction.objects.get(session=self.session, kind=Kind.WASTE)
        assert waste.witness_1 == self.second_nurse
        page = self.client.get(reverse("infusions:session", args=[self.session.pk]))
        assert "all accounted for" in page.content.decode()

    def test_a_wrong_code_is_refused_at_the_field_with_the_values_kept(self) -> None:
        self.login(Role.NURSE)
        self.draw()
        response = self.waste(witness_otp=wrong_token(self.second_nurse), method="Sink B")
        assert response.status_code == 200
        body = response.content.decode()
        # The error at the code field (the waste form's ids, among the screen's other forms).
        assert 'id="ledger-waste-witness_otp_error"' in body
        assert "password or authenticator code is not right" in body
        assert 'value="Sink B"' in body  # what was typed is kept
        assert not Transaction.objects.filter(kind=Kind.WASTE).exists()

    def test_the_person_wasting_cannot_witness(self) -> None:
        nurse = self.login(Role.NURSE)
        self.draw()
        response = self.waste(witness_email=nurse.email, witness_otp=token_for(nurse))
        assert response.status_code == 200
        assert "The witness must be a different person." in response.content.decode()
        assert not Transaction.objects.filter(kind=Kind.WASTE).exists()

    def test_overdrawing_is_refused_at_the_amount(self) -> None:
        self.login(Role.PHYSICIAN)
        response = self.draw(mg="250")
        assert response.status_code == 200
        assert "cannot be drawn" in response.content.decode()

    def test_return_to_stock(self) -> None:
        self.login(Role.NURSE)
        self.draw()
        response = self.client.post(
            self.url("return"),
            {
                "idempotency_key": "r" * 32,
                "container": self.vials[0].pk,
                "mg": "50",
                "reason": "Session stopped",
            },
        )
        assert response.status_code == 302
        assert self.balance(self.vial(0)) == (D("200.000"), D("20.000"))

    def test_other_roles_and_clinics_are_refused(self) -> None:
        for role in self.roles_except(Role.NURSE, Role.PHYSICIAN):
            self.login(role)
            self.assert_denied(self.draw(), 403)
        chair = Chair.objects.create(clinic=self.other, name="Other chair")
        theirs = add_session(self.other, add_patient(self.other), chair)
        self.login(Role.NURSE)
        url = reverse("ledger:session_draw", args=[theirs.pk])
        self.assert_denied(self.client.post(url, {}), 404)

    def test_after_a_draw_the_forms_offer_its_vial_and_have_ids_of_their_own(self) -> None:
        self.login(Role.NURSE)
        vial = self.vials[1]
        self.client.post(
            self.url("draw"), {"idempotency_key": "e" * 32, "container": vial.pk, "mg": "20"}
        )
        body = self.client.get(reverse("infusions:session", args=[self.session.pk])).content
        page = body.decode()
        for form in ("administer", "waste", "return"):
            start = page.index(f'id="ledger-{form}-container"')
            select = page[start : page.index("</select>", start)]
            assert f'value="{vial.pk}" selected' in select, form
        # Four forms, one "Amount (mg)"-style field each, and no id twice.
        for name in ("ledger-draw-mg", "ledger-administer-mg", "ledger-waste-mg"):
            assert page.count(f'id="{name}"') == 1, name
        assert 'id="id_mg"' not in page
