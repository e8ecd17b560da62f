"""The final submit: everything reaches the record once through patients.actions, the patient
moves on to screening, the link is used up; on the patient's behalf the same, by staff."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core import mail
from django.urls import reverse

from ketaclinic.accounts.models import Role
from ketaclinic.audit.models import AuditEntry
from ketaclinic.intake.apply import apply_intake
from ketaclinic.intake.models import IntakeSubmission
from ketaclinic.intake.tests.base import STEP_KEYS, VALID, IntakeCase
from ketaclinic.lib.messaging import sms
from ketaclinic.patients.models import (
    Allergy,
    BodyMeasurement,
    MedicalHistoryAnswer,
    Medication,
    Patient,
    PsychiatricHistory,
    ReproductiveStatus,
    SubstanceUse,
)
from ketaclinic.securelinks.models import SecureLink


class SubmitTests(IntakeCase):
    def submit(self, token: str) -> Any:
        return self.client.post(reverse("intake:review", args=[token]), {"s-confirm": "on"})

    def test_it_applies_everything_and_thanks_the_patient(self) -> None:
        token = self.send_link()
        self.fill_all(token)
        review = self.client.get(reverse("intake:review", args=[token])).content.decode()
        assert "Sertraline" in review and "Send my answers" in review
        response = self.submit(token)
        assert response["Location"] == reverse("intake:thanks", args=[token])
        thanks = self.client.get(response["Location"])
        assert thanks.status_code == 200
        assert "What happens next" in thanks.content.decode()

        patient = Patient.objects.get(pk=self.patient.pk)
        assert patient.status == "screening"
        assert patient.preferred_name == "Addie"
        assert patient.phone_mobile == "+14155550123"
        assert patient.escort_name == "Bo Testperson"
        (measure,) = BodyMeasurement.objects.filter(patient=patient)
        assert (measure.height_cm, measure.weight_kg) == (Decimal("167.6"), Decimal("68.0"))
        assert measure.method == "reported" and measure.source == "intake"
        meds = Medication.objects.filter(patient=patient).order_by("name")
        assert [(m.name, m.flag, m.source) for m in meds] == [
            ("Clonazepam", "benzodiazepine", "intake"),
            ("Sertraline", "", "intake"),
        ]
        assert Allergy.objects.get(patient=patient).no_known_allergies
        answers = dict(
            MedicalHistoryAnswer.objects.filter(patient=patient).values_list("condition", "answer")
        )
        assert answers["arrhythmia"] == "unknown" and answers["stroke"] == "no"
        history = PsychiatricHistory.objects.get(patient=patient)
        assert (history.adequate_antidepressant_trials, history.prior_tms) == (3, True)
        assert SubstanceUse.objects.get(patient=patient, substance="Alcohol").pattern == "past"
        assert ReproductiveStatus.objects.get(patient=patient).pregnant == "no"
        assert all(m.recorded_by_id is None for m in Medication.objects.filter(patient=patient))
        link = SecureLink.objects.get(patient=patient)
        assert link.used_up_at is not None
        submission = IntakeSubmission.objects.get(patient=patient)
        assert submission.submitted_at is not None and submission.submitted_by is None

    def test_a_double_post_applies_nothing_twice(self) -> None:
        token = self.send_link()
        self.fill_all(token)
        self.submit(token)
        again = self.submit(token)
        assert again["Location"] == reverse("intake:thanks", args=[token])
        assert Medication.objects.filter(patient=self.patient).count() == 2
        assert AuditEntry.objects.filter(action="intake.submit").count() == 1
        submission = IntakeSubmission.objects.get(patient=self.patient)
        from ketaclinic.intake import actions

        assert actions.submit_intake(submission, by=self.by(Role.NURSE)) is False

    def test_it_refuses_to_send_while_a_step_is_missing(self) -> None:
        token = self.send_link()
        for step in STEP_KEYS[:-1]:
            self.post_step(token, step)
        review = self.client.get(reverse("intake:review", args=[token])).content.decode()
        assert "Not done yet" in review
        assert self.step_url(token, "pregnancy") in review
        response = self.submit(token)
        assert response.status_code == 200
        assert "Some steps are not done yet: Pregnancy" in response.content.decode()
        assert Patient.objects.get(pk=self.patient.pk).status == "intake_pending"

    def test_apply_intake_writes_through_the_patients_actions_with_the_staff_member(self) -> None:
        from ketaclinic.intake import actions

        nurse = self.by(Role.NURSE)
        submission = actions.start_intake(nurse, self.patient)
        submission.answers = {
            "medications": {"takes_none": False, "rows": [{"name": "Bupropion", "flag": ""}]},
            "allergies": {
                "no_known_allergies": False,
                "rows": [{"substance": "Penicillin", "reaction": "Rash", "severity": "mild"}],
            },
        }
        apply_intake(submission, by=nurse)
        med = Medication.objects.get(patient=self.patient)
        assert (med.name, med.recorded_by, med.source) == ("Bupropion", nurse.user, "intake")
        allergy = Allergy.objects.get(patient=self.patient)
        assert (allergy.substance, allergy.reaction, allergy.severity) == (
            "Penicillin",
            "Rash",
            "mild",
        )
        assert (
            AuditEntry.objects.filter(action="patient.medication", actor=nurse.user).exists()
            or AuditEntry.objects.filter(actor=nurse.user, patient_ref=str(self.patient.pk)).count()
            >= 2
        )


class SendingTests(IntakeCase):
    def test_staff_send_by_email_and_text_from_the_patients_page(self) -> None:
        self.login(Role.COORDINATOR)
        url = reverse("intake:patient", args=[self.patient.pk])
        page = self.client.get(url).content.decode()
        assert "Email to ada@example.com" in page and "Text message to +14155550100" in page
        response = self.client.post(
            reverse("intake:send", args=[self.patient.pk]),
            {"via": ["email", "sms"], "message": "Hello from the clinic."},
        )
        assert response["Location"] == url
        (email,) = mail.outbox
        (text,) = sms.outbox
        assert email.to == ["ada@example.com"] and text.to == "+14155550100"
        assert "Hello from the clinic." in email.body and "http://testserver/i/" in email.body
        assert email.body == text.body
        assert "The link works until" in email.body
        page = self.client.get(url).content.decode()
        assert "Sent" in page and "email, text message" in page
        assert SecureLink.objects.get(patient=self.patient).sent_via == ["email", "sms"]

    def test_the_form_asks_for_a_channel(self) -> None:
        self.login(Role.NURSE)
        response = self.client.post(
            reverse("intake:send", args=[self.patient.pk]), {"message": "Hi"}
        )
        assert response.status_code == 200
        assert "Choose email, text message or both." in response.content.decode()
        assert SecureLink.objects.count() == 0

    def test_the_status_follows_the_patient(self) -> None:
        from ketaclinic.intake.status import intake_status

        assert intake_status(self.patient).key == "not_sent"
        token = self.send_link()
        assert intake_status(self.patient).key == "sent"
        self.client.get(reverse("intake:start", args=[token]))
        assert intake_status(self.patient).key == "opened"
        self.post_step(token, "about")
        state = intake_status(self.patient)
        assert (state.key, state.label) == ("in_progress", "In progress: step 2 of 10")
        self.fill_all(token)
        self.client.post(reverse("intake:review", args=[token]), {"s-confirm": "on"})
        assert intake_status(self.patient).key == "submitted"


class OnBehalfTests(IntakeCase):
    def test_a_nurse_completes_the_intake_for_the_patient(self) -> None:
        token = self.send_link()
        self.post_step(token, "about")  # the patient started it
        nurse = self.login(Role.NURSE)
        status = self.client.get(reverse("intake:patient", args=[self.patient.pk]))
        assert "Complete on the patient's behalf" in status.content.decode()
        step_url = reverse("intake:staff_step", args=[self.patient.pk, "contact"])
        page = self.client.get(step_url).content.decode()
        assert "On the patient's behalf" in page
        for step in STEP_KEYS[1:]:
            url = reverse("intake:staff_step", args=[self.patient.pk, step])
            assert self.client.post(url, VALID[step]).status_code == 302, step
        response = self.client.post(
            reverse("intake:staff_review", args=[self.patient.pk]), {"s-confirm": "on"}
        )
        assert response["Location"] == reverse("intake:patient", args=[self.patient.pk])
        submission = IntakeSubmission.objects.get(patient=self.patient)
        assert submission.submitted_by == nurse
        assert submission.last_saved_by == nurse
        med = Medication.objects.filter(patient=self.patient).first()
        assert med is not None and med.recorded_by == nurse and med.source == "intake"
        assert Patient.objects.get(pk=self.patient.pk).status == "screening"
        # The patient's link is used up too: their next visit gets the calm "already sent".
        assert self.client.get(reverse("intake:start", args=[token])).status_code == 410

    def test_a_coordinator_sends_links_but_does_not_complete_clinical_history(self) -> None:
        self.login(Role.COORDINATOR)
        status = self.client.get(reverse("intake:patient", args=[self.patient.pk]))
        assert "Complete on the patient" not in status.content.decode()
        url = reverse("intake:staff_step", args=[self.patient.pk, "about"])
        self.assert_denied(self.client.get(url), 403)

    def test_another_clinics_staff_cannot_open_the_patient(self) -> None:
        self.login(self.outsider)
        response = self.client.get(reverse("intake:patient", args=[self.patient.pk]))
        assert response.status_code in (403, 404)
