"""Read helpers of recovery and discharge (a GET never writes): the readings the scores
compare, the discharge criteria met or not, the earliest discharge time, and the words of the
discharge instructions.

Criteria (clinical reference §5.1-§5.3):

* minimum observation since recovery began: ``treatment.queries.settings_for(clinic)
  .minimum_observation_min`` (default 60 min; 30-60 min clinic practice, §5.3 [S]);
* the newest recovery assessment: modified Aldrete ≥ ``InfusionSettings.aldrete_min`` and
  PADSS ≥ ``padss_min`` (default 9 each, §5.1, §5.2 [E]);
* a responsible adult escort with name and a valid phone (Ketalar label, §5.3 [E]; PADSS
  §5.2 [E]).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ketaclinic.access.zones import clinic_zone
from ketaclinic.infusions.models import InfusionSession, RecoveryAssessment, VitalsReading
from ketaclinic.infusions.models.entries import Phase
from ketaclinic.infusions.queries import settings_for
from ketaclinic.lib.messaging import InvalidPhoneNumber, to_e164
from ketaclinic.treatment.queries import settings_for as treatment_settings_for

OBSERVATION_SOURCE = (
    "Clinic setting (treatment settings); 30-60 min recovery after a 40-50 min infusion is "
    "clinic practice (clinical reference §5.3) [S]"
)
ESCORT_SOURCE = (
    "Release only accompanied by a responsible adult: Ketalar US label (§5.3) [E]; PADSS "
    "discharge with an escort (§5.2) [E]"
)


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    met: bool
    detail: str


def baseline_reading(session: InfusionSession) -> VitalsReading | None:
    """The newest baseline reading not struck through (the pre-procedure values)."""
    return (
        session.readings.filter(phase=Phase.BASELINE, struck_at__isnull=True)
        .order_by("-clinical_at", "-id")
        .first()
    )


def newest_recovery_reading(session: InfusionSession) -> VitalsReading | None:
    return (
        session.readings.filter(phase=Phase.RECOVERY, struck_at__isnull=True)
        .order_by("-clinical_at", "-id")
        .first()
    )


def newest_assessment(session: InfusionSession) -> RecoveryAssessment | None:
    return (
        session.assessments.filter(struck_at__isnull=True).order_by("-clinical_at", "-id").first()
    )


def minimum_observation_min(session: InfusionSession) -> int:
    return int(treatment_settings_for(session.clinic).minimum_observation_min)


def earliest_discharge(session: InfusionSession) -> dt.datetime | None:
    """``recovery_started_at`` plus the minimum observation (None before recovery)."""
    if session.recovery_started_at is None:
        return None
    return session.recovery_started_at + dt.timedelta(minutes=minimum_observation_min(session))


def escort_phone_e164(raw: str) -> str | None:
    """The escort's phone in E.164, or None when empty or not a valid number."""
    try:
        return to_e164(raw)
    except InvalidPhoneNumber:
        return None


def criteria(
    session: InfusionSession,
    *,
    at: dt.datetime,
    escort_name: str,
    escort_phone: str,
) -> list[Criterion]:
    """Each discharge criterion, met or not, at ``at`` with the escort as given."""
    chosen = settings_for(session.clinic)
    zone = clinic_zone(session.clinic)
    out: list[Criterion] = []
    minimum = minimum_observation_min(session)
    earliest = earliest_discharge(session)
    if earliest is None:
        out.append(Criterion("observation", f"Observed {minimum} min", False, "Not in recovery."))
    else:
        elapsed_min = int((at - session.recovery_started_at).total_seconds() // 60)  # type: ignore[operator]
        out.append(
            Criterion(
                "observation",
                f"Observed at least {minimum} min since recovery began",
                at >= earliest,
                f"{elapsed_min} min so far; earliest discharge {earliest.astimezone(zone):%H:%M}",
            )
        )
    found = newest_assessment(session)
    if found is None:
        out.append(Criterion("aldrete", f"Aldrete ≥ {chosen.aldrete_min}", False, "No score."))
        out.append(Criterion("padss", f"PADSS ≥ {chosen.padss_min}", False, "No score."))
    else:
        when = f"at {found.clinical_at.astimezone(zone):%H:%M}"
        out.append(
            Criterion(
                "aldrete",
                f"Modified Aldrete ≥ {chosen.aldrete_min}",
                found.aldrete_total >= chosen.aldrete_min,
                f"{found.aldrete_total}/10 {when}",
            )
        )
        out.append(
            Criterion(
                "padss",
                f"PADSS ≥ {chosen.padss_min}",
                found.padss_total >= chosen.padss_min,
                f"{found.padss_total}/10 {when}",
            )
        )
    name_ok = bool(escort_name.strip())
    phone_ok = escort_phone_e164(escort_phone) is not None
    missing = [w for w, ok in (("name", name_ok), ("valid phone", phone_ok)) if not ok]
    out.append(
        Criterion(
            "escort",
            "A responsible adult escort with name and phone",
            not missing,
            "Missing: " + ", ".join(missing) if missing else escort_name.strip(),
        )
    )
    return out


def unmet(found: list[Criterion]) -> list[Criterion]:
    return [c for c in found if not c.met]


#: What the instructions tell the patient, with where each line comes from.
NO_DRIVING = (
    "Do not drive, cycle or operate machinery until the next day, after a restful night's "
    "sleep."
)  # Spravato label [E]; Ketalar label: 24 h or more [E]/[U] (clinical reference §2.7, §5.3)
AFTER_EFFECTS = (
    "For a few hours you may feel floaty or unreal, tired, dizzy or sick, or have a headache. "
    "These usually pass within about 4 hours."
)  # Acevedo-Diaz 2020 [S]; frequencies §4.1; resolution §5.3
# Ketalar label: release only with a responsible adult (§5.3) [E]; "rest" is ours [D].
REST = "Go home with your escort and rest for the rest of the day."
WHEN_TO_CALL = (
    "Call the clinic if anything worries you, if these effects last beyond this evening, or "
    "if you feel very anxious, confused or unwell."
)  # [D]


def instructions_text(session: InfusionSession) -> str:
    """The discharge instructions as plain text (the email; the page shows the same lines)."""
    clinic = session.clinic
    lines = [
        f"Going home after your infusion at {clinic.name}",
        "",
        NO_DRIVING,
        "",
        AFTER_EFFECTS,
        "",
        REST,
        "",
        WHEN_TO_CALL + (f" Clinic phone: {clinic.phone}." if clinic.phone else ""),
    ]
    if clinic.crisis_resources:
        lines += ["", clinic.crisis_resources]
    if session.escort_name:
        lines += ["", f"Your escort today: {session.escort_name}."]
    return "\n".join(lines)


def instructions_sms(session: InfusionSession) -> str:
    """One short line: no clinical detail in a text message (as the reminders do)."""
    clinic = session.clinic
    call = f" Questions: call {clinic.phone}." if clinic.phone else ""
    return (
        f"{clinic.name}: thank you for your visit today. Please do not drive until tomorrow "
        "after a night's sleep." + call
    )
