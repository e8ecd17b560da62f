"""Who may see a session and take each step.

* See and chart: physicians and nurses (the clinicians at the chair). Coordinators see the
  day board and may check a patient in, mark a no-show or cancel (front-desk steps).
* Start despite a failed check, discharge despite unmet criteria, and sign the note: only a
  physician (the reference's "a physician administers"; an override is a medical decision).
* Clinic admins, custodians and outside professionals take no step here.
"""

from __future__ import annotations

from ketaclinic.access.policy import acts_as
from ketaclinic.accounts.models import Membership, Role
from ketaclinic.infusions.models import InfusionSession

READ_ROLES: tuple[Role, ...] = (Role.PHYSICIAN, Role.NURSE)
CHART_ROLES: tuple[Role, ...] = (Role.PHYSICIAN, Role.NURSE)
FRONT_DESK_ROLES: tuple[Role, ...] = (Role.PHYSICIAN, Role.NURSE, Role.COORDINATOR)
PHYSICIAN_ROLES: tuple[Role, ...] = (Role.PHYSICIAN,)
SETTINGS_ROLES: tuple[Role, ...] = (Role.CLINIC_ADMIN, Role.PHYSICIAN)

#: Which roles may take each transition of ``infusions.states.TRANSITIONS``.
TRANSITION_ROLES: dict[str, tuple[Role, ...]] = {
    "check_in": FRONT_DESK_ROLES,
    "begin_checks": CHART_ROLES,
    "start": CHART_ROLES,
    "pause": CHART_ROLES,
    "resume": CHART_ROLES,
    "complete": CHART_ROLES,
    "stop_early": CHART_ROLES,
    "begin_recovery": CHART_ROLES,
    "discharge": CHART_ROLES,
    "sign": PHYSICIAN_ROLES,
    "no_show": FRONT_DESK_ROLES,
    "cancel": FRONT_DESK_ROLES,
}


def _of(by: Membership | None, clinic_id: int, allowed: tuple[Role, ...]) -> bool:
    return by is not None and by.is_active and by.clinic_id == clinic_id and acts_as(by, allowed)


def can_read(by: Membership | None, session: InfusionSession) -> bool:
    return _of(by, session.clinic_id, READ_ROLES)


def can_chart(by: Membership | None, session: InfusionSession) -> bool:
    return _of(by, session.clinic_id, CHART_ROLES)


def can_take(by: Membership | None, session: InfusionSession, name: str) -> bool:
    return _of(by, session.clinic_id, TRANSITION_ROLES.get(name, ()))


def can_override(by: Membership | None, session: InfusionSession) -> bool:
    return _of(by, session.clinic_id, PHYSICIAN_ROLES)


def can_open(by: Membership | None, clinic_id: int) -> bool:
    return _of(by, clinic_id, FRONT_DESK_ROLES)


def can_change_settings(by: Membership | None, clinic_id: int) -> bool:
    return _of(by, clinic_id, SETTINGS_ROLES)
