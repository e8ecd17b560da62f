"""When the next set of vitals is due, and whether it is overdue.

The interval is the clinic's (``InfusionSettings``): ``vitals_interval_infusing_min``
(default 10) while infusing or paused, ``vitals_interval_recovery_min`` (default 15) once
stopped early or in recovery — every 10 min during infusion, every 15 min afterwards,
Riva-Posse et al., J Affect Disord 2018 (clinical reference §2.1) [S]. Outside those states
(not yet started, discharged...) nothing is due.

The clock runs from the newest non-struck reading's clinical time, but never from before the
current phase began (the infusion's start, or the end of infusion once stopped/in recovery):
a baseline taken 20 minutes before the start does not make the first infusion reading overdue
at the start, and the first recovery reading is due one recovery interval after the pump
stopped (or after the last reading, if that came later).

Boundary (a design choice [D]): a reading is *due* at ``due_at`` exactly (10 min 0 s after
the last: due, not overdue) and *overdue* once the clock is past it (10 min 1 s: overdue).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ketaclinic.infusions import states
from ketaclinic.infusions.models import InfusionSession, InfusionSettings, VitalsReading
from ketaclinic.infusions.queries import settings_for

INFUSING_STATES = frozenset({states.INFUSING, states.PAUSED})
RECOVERY_STATES = frozenset({states.STOPPED_EARLY, states.RECOVERY})


@dataclass(frozen=True)
class DueState:
    """``due_at`` (UTC); ``is_due`` once now ≥ due_at; ``overdue`` once now > due_at, by
    ``minutes_overdue`` whole minutes; ``interval_min`` the clinic's interval in force."""

    due_at: dt.datetime
    is_due: bool
    overdue: bool
    minutes_overdue: int
    interval_min: int


def interval_min(state: str, chosen: InfusionSettings) -> int | None:
    if state in INFUSING_STATES:
        return int(chosen.vitals_interval_infusing_min)
    if state in RECOVERY_STATES:
        return int(chosen.vitals_interval_recovery_min)
    return None


def phase_start(session: InfusionSession) -> dt.datetime | None:
    if session.state in INFUSING_STATES:
        return session.started_at
    if session.state in RECOVERY_STATES:
        ends = [t for t in (session.infusion_ended_at, session.recovery_started_at) if t]
        return min(ends) if ends else session.started_at
    return None


def due_from(
    session: InfusionSession,
    now: dt.datetime,
    newest_reading_at: dt.datetime | None,
    chosen: InfusionSettings,
) -> DueState | None:
    """The due state from what is already loaded (the day board passes a whole day's)."""
    interval = interval_min(session.state, chosen)
    start = phase_start(session)
    if interval is None or start is None:
        return None
    base = max(start, newest_reading_at) if newest_reading_at is not None else start
    due_at = base + dt.timedelta(minutes=interval)
    late = now - due_at
    overdue = late > dt.timedelta(0)
    return DueState(
        due_at=due_at,
        is_due=now >= due_at,
        overdue=overdue,
        minutes_overdue=int(late.total_seconds() // 60) if overdue else 0,
        interval_min=interval,
    )


def newest_reading_at(session: InfusionSession) -> dt.datetime | None:
    return (
        VitalsReading.objects.filter(session=session, struck_at__isnull=True)
        .order_by("-clinical_at", "-id")
        .values_list("clinical_at", flat=True)
        .first()
    )


def next_reading_due(
    session: InfusionSession, now: dt.datetime, *, chosen: InfusionSettings | None = None
) -> DueState | None:
    """When the next reading is due (``None`` when the patient is not infusing or
    recovering). Two queries: the clinic's settings (unless given) and the newest reading."""
    if session.state not in INFUSING_STATES | RECOVERY_STATES:
        return None
    chosen = chosen if chosen is not None else settings_for(session.clinic)
    return due_from(session, now, newest_reading_at(session), chosen)
