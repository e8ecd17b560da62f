"""The infusions app's part of the day board: each visit's live status on its card.

Phase, minutes into the infusion, the next reading due (overdue in red: the clinic's
interval, default 10 min infusing and 15 in recovery, clinical reference §2.1 [S]), any rule
fired without a response (in red), and the expected discharge time (recovery start + the
clinic's minimum observation, default 60 min, §5.3 [S]).

The whole day's bookings at once: five queries (sessions, newest reading per session,
unanswered firings, the two settings rows) for two visits or twenty; one when no booking has
a session yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from django.db.models import Max
from django.utils import timezone

from ketaclinic.infusions import due, states
from ketaclinic.infusions.models import InfusionSession, InfusionSettings, RuleFiring, VitalsReading
from ketaclinic.scheduling.board import Status, register_board_status
from ketaclinic.scheduling.models import Booking
from ketaclinic.treatment.models import TreatmentSettings

#: States whose card shows nothing more than the booking (the session has not begun or is
#: over); the board's own status text says no-show or cancelled.
QUIET = frozenset({states.SCHEDULED, states.NO_SHOW, states.CANCELLED})


def _hm(t: dt.datetime) -> str:
    return timezone.localtime(t).strftime("%H:%M")  # the clinic's zone (access middleware)


def discharge_text(session: InfusionSession, observation_min: int) -> str:
    if session.state in (states.DISCHARGED, states.SIGNED):
        return f"discharged {_hm(session.discharged_at)}" if session.discharged_at else ""
    if session.recovery_started_at is not None:
        at = session.recovery_started_at + dt.timedelta(minutes=observation_min)
        return f"discharge from {_hm(at)}"
    if session.started_at is not None and session.ordered_duration_min:
        at = session.started_at + dt.timedelta(
            minutes=session.ordered_duration_min + observation_min
        )
        return f"discharge about {_hm(at)}"
    return ""


def status_of(
    session: InfusionSession,
    now: dt.datetime,
    newest: dt.datetime | None,
    fired: list[str],
    chosen: InfusionSettings,
    observation_min: int,
) -> Status:
    parts = [session.state_label]
    alerts = []
    if session.started_at is not None and session.state in due.INFUSING_STATES:
        parts.append(f"{max(int((now - session.started_at).total_seconds() // 60), 0)} min in")
    state = due.due_from(session, now, newest, chosen)
    if state is not None:
        if state.overdue:
            late = f" by {state.minutes_overdue} min" if state.minutes_overdue else ""
            alerts.append(f"Vitals overdue{late} (due {_hm(state.due_at)})")
        else:
            parts.append(f"next vitals {_hm(state.due_at)}")
    alerts.extend(f"Rule fired: {text}" for text in fired)
    text = discharge_text(session, observation_min)
    if text:
        parts.append(text)
    return Status(tuple(parts), tuple(alerts))


def board_status(bookings: Sequence[Booking]) -> Mapping[int, Status]:
    sessions = [
        s
        for s in InfusionSession.objects.filter(booking__in=[b.pk for b in bookings])
        if s.state not in QUIET
    ]
    if not sessions:
        return {}
    ids = [s.pk for s in sessions]
    clinic_id = sessions[0].clinic_id
    newest = dict(
        VitalsReading.objects.filter(session_id__in=ids, struck_at__isnull=True)
        .values("session_id")
        .annotate(newest=Max("clinical_at"))
        .values_list("session_id", "newest")
    )
    fired: dict[int, list[str]] = {}
    for sid, text in RuleFiring.objects.filter(session_id__in=ids, response="").values_list(
        "session_id", "rule_text"
    ):
        fired.setdefault(sid, []).append(text)
    chosen = InfusionSettings.objects.filter(clinic_id=clinic_id).first() or InfusionSettings()
    treatment = TreatmentSettings.objects.filter(clinic_id=clinic_id).first()
    observation = int((treatment or TreatmentSettings()).minimum_observation_min)
    now = timezone.now()
    return {
        s.booking_id: status_of(s, now, newest.get(s.pk), fired.get(s.pk, []), chosen, observation)
        for s in sessions
    }


def register() -> None:
    register_board_status(board_status)
