"""Each step validated on its own, saved server-side, resumable, harmless to re-post."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from ketaclinic.accounts.models import Role
from ketaclinic.intake.models import IntakeSubmission
from ketaclinic.intake.steps import steps_for
from ketaclinic.intake.tests.base import VALID, IntakeCase, rows
from ketaclinic.patients.tests.base import make_patient


class StepValidationTests(IntakeCase):
    def setUp(self) -> None:
        super().setUp()
        self.token = self.send_link()

    def submission(self) -> IntakeSubmission:
        return IntakeSubmission.objects.get(patient=self.patient)

    def test_a_malformed_phone_is_marked_at_its_field_and_the_rest_is_kept(self) -> None:
        data = {**VALID["contact"], "s-phone_mobile": "555-01", "s-email": "not-an-email"}
        response = self.post_step(self.token, "contact", data)
        assert response.status_code == 200
        text = response.content.decode()
        assert 'id="id_s-phone_mobile_error"' in text
        assert 'aria-describedby="id_s-phone_mobile_error"' in text
        assert 'id="id_s-email_error"' in text
        assert 'value="Bo Testperson"' in text  # what was typed is kept
        assert "contact" not in self.submission().answers  # nothing half-saved

    def test_phones_are_stored_in_e164(self) -> None:
        self.post_step(self.token, "contact")
        saved = self.submission().answers["contact"]
        assert saved["phone_mobile"] == "+14155550123"
        assert saved["emergency_contact_phone"] == "+14155550124"
        assert saved["escort_phone"] == "+14155550124"

    def test_an_emergency_contact_needs_a_phone(self) -> None:
        data = {**VALID["contact"], "s-emergency_contact_phone": ""}
        response = self.post_step(self.token, "contact", data)
        assert 'id="id_s-emergency_contact_phone_error"' in response.content.decode()

    def test_heights_and_weights_outside_human_ranges_are_refused_at_the_field(self) -> None:
        data = {
            "s-height_unit": "cm",
            "s-height_cm": "300",
            "s-weight_value": "70",
            "s-weight_unit": "kg",
        }
        text = self.post_step(self.token, "body", data).content.decode()
        assert 'id="id_s-height_cm_error"' in text
        assert "300" in text and 'value="70"' in text
        data = {**VALID["body"], "s-weight_value": "1000", "s-weight_unit": "kg"}
        text = self.post_step(self.token, "body", data).content.decode()
        assert 'id="id_s-weight_value_error"' in text
        assert 'value="5"' in text  # the feet typed are kept
        assert "body" not in self.submission().answers

    def test_reported_imperial_height_and_weight_are_converted(self) -> None:
        self.post_step(self.token, "body")
        saved = self.submission().answers["body"]
        # 5 ft 6 in = 66 in x 2.54 = 167.64 cm; 150 lb x 0.45359237 = 68.04 kg
        assert saved["height_cm_total"] == "167.6"
        assert saved["weight_kg_total"] == "68.0"

    def test_a_benzodiazepine_needs_its_dose(self) -> None:
        data = rows("row", [{"name": "Lorazepam", "flag": "benzodiazepine"}])
        text = self.post_step(self.token, "medications", data).content.decode()
        assert 'id="id_row-0-dose_text_error"' in text
        data = rows(
            "row",
            [
                {
                    "name": "Lorazepam",
                    "flag": "benzodiazepine",
                    "lorazepam_equivalent_mg_per_day": "2",
                }
            ],
        )
        assert self.post_step(self.token, "medications", data).status_code == 302
        (row,) = self.submission().answers["medications"]["rows"]
        assert row["lorazepam_equivalent_mg_per_day"] == "2"

    def test_medicines_must_be_listed_or_none_ticked(self) -> None:
        text = self.post_step(self.token, "medications", rows("row", [])).content.decode()
        assert 'id="id_s-takes_none_error"' in text
        data = {"s-takes_none": "on", **rows("row", [{"name": "Sertraline"}])}
        text = self.post_step(self.token, "medications", data).content.decode()
        assert "untick this, or clear them" in text
        data = {"s-takes_none": "on", **rows("row", [])}
        assert self.post_step(self.token, "medications", data).status_code == 302

    def test_every_medical_question_needs_an_answer(self) -> None:
        data = {k: v for k, v in VALID["medical"].items() if k != "s-stroke"}
        text = self.post_step(self.token, "medical", data).content.decode()
        assert 'id="id_s-stroke_error"' in text
        assert "medical" not in self.submission().answers

    def test_antidepressant_trials_are_a_count(self) -> None:
        data = {"s-adequate_antidepressant_trials": "-1"}
        text = self.post_step(self.token, "psychiatric", data).content.decode()
        assert 'id="id_s-adequate_antidepressant_trials_error"' in text


class SaveAndResumeTests(IntakeCase):
    def test_saved_steps_survive_closing_the_page_and_reopening_the_link(self) -> None:
        token = self.send_link()
        assert self.post_step(token, "about")["Location"] == self.step_url(token, "contact")
        assert self.post_step(token, "contact")["Location"] == self.step_url(token, "body")
        self.client.logout()  # a fresh browser: nothing but the link
        start = self.client.get(reverse("intake:start", args=[token]))
        text = start.content.decode()
        assert "Welcome back" in text
        assert "You have done 2 of 9 steps" in text
        assert self.step_url(token, "body") in text
        about = self.client.get(self.step_url(token, "about")).content.decode()
        assert 'value="Addie"' in about
        body = self.client.get(self.step_url(token, "body")).content.decode()
        assert f'href="{self.step_url(token, "contact")}"' in body  # Back

    def test_the_first_steps_show_what_the_record_already_holds(self) -> None:
        token = self.send_link()
        text = self.client.get(self.step_url(token, "contact")).content.decode()
        assert 'value="ada@example.com"' in text
        assert 'value="+14155550100"' in text

    def test_re_posting_a_step_is_harmless(self) -> None:
        token = self.send_link()
        self.post_step(token, "about")
        self.post_step(token, "about")
        submission = IntakeSubmission.objects.get(patient=self.patient)
        assert submission.revisions == {"about": 1}
        self.post_step(token, "about", {**VALID["about"], "s-pronouns": "they/them"})
        submission.refresh_from_db()
        assert submission.revisions == {"about": 2}
        assert submission.answers["about"]["pronouns"] == "they/them"

    def test_save_and_add_more_rows_stays_on_the_step_with_the_rows_kept(self) -> None:
        token = self.send_link()
        data = {**VALID["medications"], "add_rows": "1"}
        response = self.post_step(token, "medications", data)
        assert response["Location"] == self.step_url(token, "medications")
        text = self.client.get(self.step_url(token, "medications")).content.decode()
        assert 'value="Sertraline"' in text and 'value="Clonazepam"' in text
        assert 'name="row-TOTAL_FORMS" value="4"' in text  # two saved, two empty


class StepsForWhomTests(IntakeCase):
    def test_pregnancy_is_asked_unless_the_sex_at_birth_is_male(self) -> None:
        assert "pregnancy" in [s.key for s in steps_for(self.patient)]
        for sex in ("intersex", "unknown"):
            patient = make_patient(self.clinic, self.users[Role.COORDINATOR], sex_at_birth=sex)
            assert "pregnancy" in [s.key for s in steps_for(patient)]
        male = make_patient(self.clinic, self.users[Role.COORDINATOR], sex_at_birth="male")
        assert "pregnancy" not in [s.key for s in steps_for(male)]

    def test_a_step_that_does_not_apply_moves_on(self) -> None:
        self.patient.sex_at_birth = "male"
        self.patient.save(update_fields=["sex_at_birth"])
        token = self.send_link()
        response = self.client.get(self.step_url(token, "pregnancy"))
        assert response.status_code == 302
        assert response["Location"] == self.step_url(token, "about")

    def test_measurements_are_converted_exactly(self) -> None:
        from ketaclinic.intake.forms import KG_PER_LB

        assert Decimal(150) * KG_PER_LB == Decimal("68.0388555")


class NullOriginFormTests(IntakeCase):
    def test_a_step_posts_even_with_a_null_origin(self) -> None:
        """The link's pages send ``Referrer-Policy: same-origin`` (the token never reaches
        another site); a browser or privacy tool that still sends ``Origin: null`` can post a
        step, because the token in the path is what a forged form could not know."""
        from django.test import Client

        token = self.send_link()
        browser = Client(enforce_csrf_checks=True)
        response = browser.post(self.step_url(token, "about"), VALID["about"], HTTP_ORIGIN="null")
        assert response.status_code == 302
        assert response["Referrer-Policy"] == "same-origin"
