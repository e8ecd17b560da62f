"""The site operator's commands: createclinic and grantrole."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from ketaclinic.accounts.models import Membership, Role, User
from ketaclinic.audit.models import AuditEntry
from ketaclinic.clinics.models import Clinic
from ketaclinic.testing import BaseTestCase

BASE = "https://clinic.example.org"


def run(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


class CreateClinicTests(BaseTestCase):
    def test_it_creates_the_clinic_and_a_first_admin_with_a_set_password_link(self) -> None:
        out = run(
            "createclinic",
            "--name=Lakeside Ketamine",
            "--slug=lakeside",
            "--time-zone=America/Chicago",
            "--admin-email=Maria.Admin@Lakeside.example",
            "--admin-name=Maria Admin",
            f"--base-url={BASE}",
        )
        clinic = Clinic.objects.get(slug="lakeside")
        admin = User.objects.get(email="maria.admin@lakeside.example")
        assert Membership.objects.get(user=admin, clinic=clinic).role == Role.CLINIC_ADMIN
        assert not admin.has_usable_password()
        assert f"{BASE}/accounts/password-reset/" in out
        actions = list(AuditEntry.objects.filter(clinic=clinic).values_list("action", flat=True))
        assert actions == ["operator.clinic.create", "operator.membership.grant"]

    def test_the_link_lets_the_admin_choose_a_password_then_asks_for_two_factor(self) -> None:
        out = run(
            "createclinic",
            "--name=Lakeside",
            "--slug=lakeside",
            "--time-zone=America/Chicago",
            "--admin-email=maria@lakeside.example",
            "--admin-name=Maria Admin",
            f"--base-url={BASE}",
        )
        link = out.strip().splitlines()[-1].strip().removeprefix(BASE)
        form_page = self.client.get(link, follow=True)
        assert form_page.status_code == 200
        pw = "a long new pass phrase 2026"
        done = self.client.post(
            form_page.redirect_chain[-1][0] if form_page.redirect_chain else link,
            {"new_password1": pw, "new_password2": pw},
        )
        assert done.status_code == 302
        admin = User.objects.get(email="maria@lakeside.example")
        admin.refresh_from_db()
        assert admin.check_password(pw)
        # Signing in ends at the second-factor step (enrolment), never around it.
        response = self.client.post(
            reverse("accounts:login"), {"username": admin.email, "password": pw}
        )
        assert response["Location"] == reverse("accounts:two_factor")

    def test_it_reports_bad_input_and_creates_nothing(self) -> None:
        with pytest.raises(CommandError, match="time_zone"):
            run(
                "createclinic",
                "--name=X",
                "--slug=x-clinic",
                "--time-zone=Mars/Olympus",
                "--admin-email=a@x.example",
                "--admin-name=A",
                f"--base-url={BASE}",
            )
        with pytest.raises(CommandError, match="slug"):
            run(
                "createclinic",
                "--name=Dup",
                f"--slug={self.clinic.slug}",
                "--time-zone=America/Chicago",
                "--admin-email=b@x.example",
                "--admin-name=B",
                f"--base-url={BASE}",
            )
        assert not Clinic.objects.filter(slug="x-clinic").exists()
        assert not User.objects.filter(email__in=["a@x.example", "b@x.example"]).exists()


class GrantRoleTests(BaseTestCase):
    def test_it_gives_an_existing_account_a_role_in_a_second_clinic(self) -> None:
        nurse = self.users["nurse"]
        out = run(
            "grantrole",
            f"--email={nurse.email.upper()}",
            f"--clinic={self.other.slug}",
            "--role=physician",
            f"--base-url={BASE}",
        )
        assert "is now Physician at Other Clinic" in out
        assert "link" not in out  # an existing account keeps its password
        assert Membership.objects.get(user=nurse, clinic=self.other).role == Role.PHYSICIAN
        entry = AuditEntry.objects.get(action="operator.membership.grant")
        assert entry.clinic_id == self.other.pk
        assert entry.after == {"user_id": nurse.pk, "role": "physician", "new_account": False}

    def test_it_refuses_a_second_role_in_the_same_clinic_and_unknown_names(self) -> None:
        nurse = self.users["nurse"]
        with pytest.raises(CommandError, match="already has a role"):
            run(
                "grantrole",
                f"--email={nurse.email}",
                f"--clinic={self.clinic.slug}",
                "--role=physician",
                f"--base-url={BASE}",
            )
        with pytest.raises(CommandError, match="no clinic with slug"):
            run(
                "grantrole",
                "--email=x@example.org",
                "--clinic=nowhere",
                "--role=nurse",
                f"--base-url={BASE}",
            )
        with pytest.raises(CommandError, match="name"):
            run(
                "grantrole",
                "--email=new.person@example.org",
                f"--clinic={self.clinic.slug}",
                "--role=nurse",
                f"--base-url={BASE}",
            )
