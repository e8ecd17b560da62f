"""Demo data of the measurement app: one acknowledged safety alert and one questionnaire send
waiting for answers. (Months of responses are the outcomes seed's.)

Everything goes through the actions, as the demo clinic's nurse, physician and coordinator.
Running it again adds nothing twice.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ketaclinic.accounts.models import Membership, Role
from ketaclinic.clinics.models import Clinic
from ketaclinic.measurement import actions, questionnaires, safety
from ketaclinic.measurement.models import Channel, QuestionnaireRequest, SafetyAlert
from ketaclinic.patients.models import Patient

ALERT_PATIENT = ("Maya", "Alvarez (demo)")
SEND_PATIENT = ("Drew", "Kim (demo)")
# A PHQ-9 with item 9 answered "several days" (1): total 14, moderate.
PHQ9_WITH_ITEM9 = [2, 2, 1, 2, 1, 2, 1, 2, 1, 1]


def _member(clinic: Clinic, role: str) -> Membership | None:
    return (
        Membership.objects.select_related("user", "clinic")
        .filter(clinic=clinic, role=role, is_active=True)
        .order_by("id")
        .first()
    )


def _patient(clinic: Clinic, names: tuple[str, str]) -> Patient | None:
    given, family = names
    return Patient.objects.filter(
        clinic=clinic, legal_given_name=given, legal_family_name=family
    ).first()


def seed(clinic: Clinic) -> None:
    nurse = _member(clinic, Role.NURSE)
    physician = _member(clinic, Role.PHYSICIAN)
    coordinator = _member(clinic, Role.COORDINATOR)
    if nurse is None or physician is None or coordinator is None:
        return
    patient = _patient(clinic, ALERT_PATIENT)
    if patient is not None and not SafetyAlert.objects.filter(patient=patient).exists():
        response = actions.record_response(
            nurse,
            patient,
            "phq9",
            PHQ9_WITH_ITEM9,
            administered_at=timezone.now() - dt.timedelta(days=3, hours=2),
            channel=Channel.STAFF,
        )
        for alert in SafetyAlert.objects.filter(response=response):
            safety.acknowledge_alert(
                physician,
                alert,
                action_taken=(
                    "Called the patient within 15 minutes: passive thoughts, no plan or intent. "
                    "Safety plan reviewed with her and her partner; 988 given; seen in clinic "
                    "the next day (demo)."
                ),
            )
    waiting = _patient(clinic, SEND_PATIENT)
    if (
        waiting is not None
        and waiting.email
        and not QuestionnaireRequest.objects.filter(patient=waiting).exists()
    ):
        questionnaires.send_questionnaire(
            coordinator,
            waiting,
            ["phq9", "gad7"],
            via=["email"],
            message=questionnaires.default_text(waiting),
            link_url=lambda token: f"/q/{token}/",
        )
