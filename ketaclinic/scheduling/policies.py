"""Who may set up the chairs and who may book them.

* The clinic admin and the coordinators set up chairs, opening hours, closures, the staff on
  duty and the scheduling settings; physicians and nurses read the set-up.
* Bookings name patients, so they are for the people who read charts by role
  (``patients.policies.READ_ROLES``: physicians, nurses, coordinators): they book, move,
  cancel, record a no-show, and read the day board. The clinic admin and the custodian reach
  patients only by break-glass, so not through the board.

Every rule reads the acting ``Membership``; none queries again.
"""

from __future__ import annotations

from ketaclinic.access.policy import acts_as
from ketaclinic.accounts.models import Membership, Role
from ketaclinic.patients.policies import READ_ROLES

SETUP_EDIT_ROLES: tuple[Role, ...] = (Role.CLINIC_ADMIN, Role.COORDINATOR)
SETUP_READ_ROLES: tuple[Role, ...] = (*SETUP_EDIT_ROLES, Role.PHYSICIAN, Role.NURSE)
BOOKING_ROLES: tuple[Role, ...] = READ_ROLES


def _of(by: Membership | None, clinic_id: int) -> bool:
    return by is not None and by.is_active and by.clinic_id == clinic_id


def can_edit_setup(by: Membership | None, clinic_id: int) -> bool:
    return _of(by, clinic_id) and acts_as(by, SETUP_EDIT_ROLES)


def can_book(by: Membership | None, clinic_id: int) -> bool:
    return _of(by, clinic_id) and acts_as(by, BOOKING_ROLES)
