"""The demo clinic's schedule: three chairs open Monday to Friday 08:00–17:00, a chair closed
for a pump service, the physician and a nurse on duty, and bookings from three days ago to
eleven days ahead: the induction series of the demo patients who are eligible or in treatment,
each booked at once on its own chair, first visits of patients still in screening (so the
board shows what is missing before start), a no-show and a late cancellation.

Everything is written through the actions, as the demo coordinator and nurse. A clinic that
has chairs already is left as it is (running it again adds nothing).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

from ketaclinic.access.zones import clinic_today, clinic_zone
from ketaclinic.accounts.models import Membership, Role
from ketaclinic.clinics.models import Clinic
from ketaclinic.eligibility.models import EligibilityDecision
from ketaclinic.patients.models import Patient, PatientStatus
from ketaclinic.scheduling import actions
from ketaclinic.scheduling.models import Booking, Chair

FIRST_DAY, LAST_DAY = -3, 11  # days from today


def _member(clinic: Clinic, role: str) -> Membership | None:
    return (
        Membership.objects.select_related("user", "clinic")
        .filter(clinic=clinic, role=role, is_active=True)
        .order_by("id")
        .first()
    )


def _patients(clinic: Clinic) -> list[Patient]:
    """Eligible (a signed decision that is not "not eligible") or in treatment."""
    eligible = set(
        EligibilityDecision.objects.filter(patient__clinic=clinic)
        .exclude(decision="not_eligible")
        .values_list("patient_id", flat=True)
    )
    return [
        p
        for p in Patient.objects.filter(clinic=clinic).select_related("clinic").order_by("id")
        if p.pk in eligible or p.status == PatientStatus.ACTIVE
    ]


def seed(clinic: Clinic) -> list[Booking]:
    """Returns the bookings made (none when the clinic has chairs already)."""
    coordinator = _member(clinic, Role.COORDINATOR)
    nurse = _member(clinic, Role.NURSE)
    physician = _member(clinic, Role.PHYSICIAN)
    if coordinator is None or nurse is None or Chair.objects.filter(clinic=clinic).exists():
        return []
    chairs = [actions.add_chair(coordinator, clinic, name=f"Chair {i}") for i in (1, 2, 3)]
    for weekday in range(5):
        actions.add_opening_hours(
            coordinator, clinic, weekday=weekday, opens_at=dt.time(8), closes_at=dt.time(17)
        )
    today = clinic_today(clinic)
    days = [today + dt.timedelta(days=d) for d in range(FIRST_DAY, LAST_DAY + 1)]
    open_days = [d for d in days if d.weekday() < 5]
    service_day = next(d for d in open_days if d > today + dt.timedelta(days=3))
    actions.add_closure(
        coordinator, clinic, starts_on=service_day, ends_on=service_day,
        reason="Infusion pump service (demo)", chair=chairs[2],
    )  # fmt: skip
    for day in open_days:
        for who in (physician, nurse):
            if who is not None:
                actions.put_on_duty(coordinator, clinic, day=day, membership=who)
    made: list[Booking] = []
    # Each eligible patient's induction series (6 visits 2–3 days apart, §1.4), one chair and
    # time each; a patient has at most one visit a day. The first open day from three days ago
    # is always before today, so there are visits in the past (completed, one no-show).
    for i, patient in enumerate(_patients(clinic)[:2]):
        made += actions.book_series(
            nurse, patient, chair=chairs[i], first_day=days[0], count=6, min_spacing_days=2,
            max_spacing_days=3, infusion_minutes=40, recovery_minutes=60,
            earliest_time=dt.time(9 + 2 * i),
        )  # fmt: skip
    # First visits booked while the screening is still open: the board shows what is missing.
    zone = clinic_zone(clinic)
    upcoming_days = [d for d in open_days if d > today]
    waiting = Patient.objects.filter(clinic=clinic, status=PatientStatus.SCREENING).exclude(
        pk__in=[b.patient_id for b in made]
    )
    for k, patient in enumerate(waiting.order_by("id")[:3]):
        for day in upcoming_days[k:]:
            try:
                made.append(
                    actions.book_chair(
                        coordinator,
                        patient,
                        chair=chairs[2],
                        starts_at=dt.datetime.combine(day, dt.time(13), zone),
                    )  # fmt: skip
                )
                break
            except ValidationError:
                continue  # the chair's service day
    _past_and_cancelled(made, nurse, coordinator)
    return made


def _past_and_cancelled(made: list[Booking], nurse: Membership, coordinator: Membership) -> None:
    """Visits already over are completed, except one no-show; one upcoming visit is cancelled
    two hours before it starts (late, so the clinic's fee is noted)."""
    now = timezone.now()
    past = [b for b in made if b.ends_at < now]
    for i, booking in enumerate(past):
        if i == 1:
            actions.record_no_show(
                nurse, booking, reason="Did not come; no answer on the phone (demo)."
            )
        else:
            actions.complete_booking(nurse, booking)
    upcoming = [b for b in made if b.starts_at > now + dt.timedelta(days=1)]
    if upcoming:
        late = upcoming[len(upcoming) // 2]
        actions.cancel_booking(
            coordinator, late, reason="Childcare fell through (demo).",
            now=late.starts_at - dt.timedelta(hours=2),
        )  # fmt: skip
