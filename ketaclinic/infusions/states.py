"""The session's state machine as data (pure: imports no Django).

::

    scheduled -> checked_in -> prechecks -> infusing <-> paused
    infusing -> recovery -> discharged -> signed
    infusing | paused -> stopped_early -> recovery
    scheduled | checked_in -> no_show
    scheduled | checked_in | prechecks -> cancelled

Every transition is one action in ``infusions.actions.flow``; which roles may take it is
``infusions.policies.TRANSITION_ROLES``.
"""

from __future__ import annotations

from dataclasses import dataclass

SCHEDULED = "scheduled"
CHECKED_IN = "checked_in"
PRECHECKS = "prechecks"
INFUSING = "infusing"
PAUSED = "paused"
STOPPED_EARLY = "stopped_early"
RECOVERY = "recovery"
DISCHARGED = "discharged"
SIGNED = "signed"
NO_SHOW = "no_show"
CANCELLED = "cancelled"

LABELS: dict[str, str] = {
    SCHEDULED: "Scheduled",
    CHECKED_IN: "Checked in",
    PRECHECKS: "Pre-infusion checks",
    INFUSING: "Infusing",
    PAUSED: "Paused",
    STOPPED_EARLY: "Stopped early",
    RECOVERY: "Recovery",
    DISCHARGED: "Discharged",
    SIGNED: "Note signed",
    NO_SHOW: "No-show",
    CANCELLED: "Cancelled",
}
CHOICES = list(LABELS.items())

#: The infusion is running or can resume: the pump segments are open.
ON_PUMP = frozenset({INFUSING, PAUSED})
#: The patient is in the chair (vitals may be charted).
IN_CHAIR = frozenset({PRECHECKS, INFUSING, PAUSED, STOPPED_EARLY, RECOVERY})
#: Nothing more happens to the session except addenda.
FINAL = frozenset({SIGNED, NO_SHOW, CANCELLED})


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    needs_reason: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition("check_in", "Check in", frozenset({SCHEDULED}), CHECKED_IN),
        Transition("begin_checks", "Begin pre-infusion checks", frozenset({CHECKED_IN}), PRECHECKS),
        Transition("start", "Start the infusion", frozenset({PRECHECKS}), INFUSING),
        Transition("pause", "Pause", frozenset({INFUSING}), PAUSED, needs_reason=True),
        Transition("resume", "Resume", frozenset({PAUSED}), INFUSING, needs_reason=True),
        Transition("complete", "End of infusion", frozenset({INFUSING}), RECOVERY),
        Transition("stop_early", "Stop early", frozenset({INFUSING, PAUSED}), STOPPED_EARLY, True),
        Transition("begin_recovery", "Begin recovery", frozenset({STOPPED_EARLY}), RECOVERY),
        Transition("discharge", "Discharge", frozenset({RECOVERY}), DISCHARGED),
        Transition("sign", "Sign the note", frozenset({DISCHARGED}), SIGNED),
        Transition(
            "no_show", "No-show", frozenset({SCHEDULED, CHECKED_IN}), NO_SHOW, needs_reason=False
        ),
        Transition(
            "cancel",
            "Cancel",
            frozenset({SCHEDULED, CHECKED_IN, PRECHECKS}),
            CANCELLED,
            needs_reason=True,
        ),
    )
}


def allowed(state: str, name: str) -> bool:
    """Whether transition ``name`` may be taken from ``state``."""
    t = TRANSITIONS.get(name)
    return t is not None and state in t.sources


def available(state: str) -> list[Transition]:
    """The transitions open from ``state``, in the table's order."""
    return [t for t in TRANSITIONS.values() if state in t.sources]
