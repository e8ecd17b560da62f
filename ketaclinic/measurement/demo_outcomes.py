"""Demo outcomes: months of weekly PHQ-9 and GAD-7 scores (and one PCL-5 series) for a few
demo patients, so the Outcomes tab shows a responder, a remitter, a non-responder and a lost
response. Synthetic, labelled "(demo)"; the trajectories are invented shapes, not data.

Patients are the patients seed's (looked up by name in the demo clinic), else created through
``patients.actions.create_patient`` when absent (the patients demo seed may create them
first). Responses go through the ``record_response`` action (entered by the demo nurse, as
answered on the clinic's tablet); ``write_response`` is for test fixtures only. Idempotent: a
patient who already has responses is left as they are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from ketaclinic.access.zones import clinic_zone
from ketaclinic.accounts.models import Membership, Role, User
from ketaclinic.clinics.models import Clinic
from ketaclinic.instruments import INSTRUMENTS, score
from ketaclinic.measurement.actions import record_response
from ketaclinic.measurement.models import Channel, Response
from ketaclinic.patients.models import Patient

WEEKS = 15  # about three and a half months of weekly scores


def answers_for_total(instrument_id: str, total: int) -> list[int]:
    """Item answers (in item order) that add up to ``total``: items filled from the first, each
    to its highest option. PHQ-9 item 9 (thoughts of self-harm) stays 0 up to a total of 24, so
    no demo score raises a suicidal-ideation flag by accident."""
    inst = INSTRUMENTS[instrument_id]
    answers = []
    left = total
    for item in inst.scored_items:
        top = max(int(v) for v in item.values)
        bottom = min(int(v) for v in item.values)
        value = max(bottom, min(top, left))
        answers.append(value)
        left -= value - bottom
    if left:
        raise ValueError(f"{instrument_id} cannot reach {total}")
    return answers


def write_response(
    patient: Patient,
    instrument_id: str,
    answers: Sequence[int | str | None],
    administered_at: dt.datetime,
    *,
    by: User | None = None,
    channel: str = Channel.SELF_REPORT,
) -> Response:
    """A scored response written with the ORM (fixtures and the demo only; the measurement
    app's ``record_response`` action replaces this for everything else)."""
    result = score(instrument_id, answers)
    return Response.objects.create(
        patient=patient,
        instrument_id=instrument_id,
        instrument_version=INSTRUMENTS[instrument_id].version,
        answers=list(answers),
        total=result.total,
        severity=result.severity or "",
        subscores=dict(result.subscores),
        flags=list(result.flags),
        risk_level=result.risk_level or "",
        provisional_diagnosis=result.provisional_diagnosis,
        administered_at=administered_at,
        entered_at=administered_at,
        entered_by=by,
        channel=channel,
        part2=patient.sud_treatment,
    )


# (given name, family name, date of birth, sex at birth, Part 2, {instrument: weekly
# totals}). Weekly totals from week 0 (baseline); shapes chosen to show each outcome the tab
# reports.
DEMO_SERIES: list[tuple[str, str, dt.date, str, bool, dict[str, list[int]]]] = [
    (  # responder: PHQ-9 20 -> 8 (>= 50% fall), not below 5
        "Maya",
        "Alvarez (demo)",
        dt.date(1979, 5, 14),
        "female",
        False,
        {
            "phq9": [20, 19, 17, 15, 13, 12, 10, 9, 9, 8, 9, 8, 8, 7, 8],
            "gad7": [15, 15, 14, 12, 11, 10, 9, 8, 8, 8, 7, 8, 7, 7, 7],
        },
    ),
    (  # remitter: PHQ-9 18 -> 3, GAD-7 14 -> 3
        "Jonah",
        "Whitfield (demo)",
        dt.date(1988, 11, 2),
        "male",
        False,
        {
            "phq9": [18, 16, 13, 10, 8, 7, 5, 4, 4, 3, 3, 2, 3, 3, 3],
            "gad7": [14, 13, 11, 9, 8, 6, 5, 4, 4, 3, 3, 3, 2, 3, 3],
        },
    ),
    (  # non-responder: PHQ-9 23 -> 19
        "Grace",
        "Okonkwo (demo)",
        dt.date(1969, 2, 27),
        "female",
        False,
        {
            "phq9": [23, 22, 22, 21, 20, 21, 20, 19, 20, 19, 20, 19, 19, 20, 19],
            "gad7": [17, 17, 16, 16, 15, 16, 15, 15, 16, 15, 15, 16, 15, 15, 15],
        },
    ),
    (  # lost response: PHQ-9 responds by week 5, relapses from week 10
        "Elena",
        "Sorensen (demo)",
        dt.date(1983, 8, 9),
        "female",
        False,
        {
            "phq9": [21, 18, 14, 11, 9, 8, 7, 8, 9, 10, 12, 14, 15, 16, 16],
            "gad7": [16, 14, 12, 10, 9, 8, 8, 9, 10, 11, 12, 13, 13, 14, 14],
        },
    ),
    (  # PCL-5 (>= 10-point fall is a response) alongside PHQ-9; treated for a substance use
        # disorder, so every response is a 42 CFR Part 2 record (the coordinator sees none)
        "Marcus",
        "Bell (demo)",
        dt.date(1991, 4, 21),
        "female",
        True,
        {
            "pcl5": [54, 52, 49, 47, 44, 42, 40, 38, 37, 35, 34, 33, 31, 30, 30],
            "phq9": [17, 16, 15, 14, 13, 12, 11, 11, 10, 10, 9, 9, 9, 8, 8],
        },
    ),
]


def _patient(by: Membership, clinic: Clinic, row: tuple[Any, ...]) -> Patient:
    given, family, born, sex, part2, _ = row
    found = Patient.objects.filter(
        clinic=clinic, legal_given_name=given, legal_family_name=family
    ).first()
    if found is not None:
        return found
    from ketaclinic.patients.actions import create_patient

    return create_patient(
        by,
        clinic,
        values={
            "legal_given_name": given,
            "legal_family_name": family,
            "date_of_birth": born,
            "sex_at_birth": sex,
            "sud_treatment": part2,
        },
    )


@transaction.atomic
def seed(clinic: Clinic, *, today: dt.date | None = None) -> list[Patient]:
    """Give the demo patients ``WEEKS`` weekly scores ending this week (idempotent)."""
    physician = (
        Membership.objects.select_related("user", "clinic")
        .filter(clinic=clinic, role=Role.PHYSICIAN, is_active=True)
        .order_by("id")
        .first()
    )
    if physician is None:
        return []  # no physician to create demo patients as: nothing to attach scores to
    nurse = (
        Membership.objects.select_related("user", "clinic")
        .filter(clinic=clinic, role=Role.NURSE, is_active=True)
        .order_by("id")
        .first()
    ) or physician
    zone = clinic_zone(clinic)
    now = dt.datetime.now(zone)
    end = today or now.date()
    start = end - dt.timedelta(weeks=WEEKS - 1)
    patients = []
    for n, row in enumerate(DEMO_SERIES):
        patient = _patient(physician, clinic, row)
        patients.append(patient)
        if Response.objects.filter(patient=patient).exists():
            continue
        for instrument_id, totals in row[5].items():
            for week, total in enumerate(totals):
                # Evenings, a little later each patient, so rows of one day keep their order.
                at = dt.datetime.combine(
                    start + dt.timedelta(weeks=week), dt.time(18, 5 * n), tzinfo=zone
                )
                # This week's evening may not have come yet: then it was answered earlier today.
                at = min(at, now - dt.timedelta(minutes=10 * (n + 1)))
                record_response(
                    nurse,
                    patient,
                    instrument_id,
                    answers_for_total(instrument_id, total),
                    administered_at=at,
                    channel=Channel.IN_CLINIC,
                )
    return patients
