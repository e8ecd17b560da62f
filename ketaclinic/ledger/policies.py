"""Who may do what in the controlled-substance ledger.

* The controlled-substance custodian manages stock: registrations, locations, drug items,
  suppliers, receipts, transfers, counts, inventories, destruction, adjustments, loss reports
  and the sign-off of discrepancies.
* Nurses and physicians (the licensed clinicians at the chair) draw, record what was
  administered, waste and return for a session; they may also report a loss they discover.
* A waste witness is a second licensed clinician (nurse or physician). Destruction witnesses
  and an adjustment's second signature are authorised employees: any active clinician,
  custodian or clinic admin of the clinic (21 CFR 1317: "two authorized employees").
* Corrections: the custodian, or a clinician for the session entries they may write.
"""

from __future__ import annotations

from ketaclinic.access.policy import acts_as
from ketaclinic.accounts.models import Membership, Role

CUSTODIAN_ROLES: tuple[Role, ...] = (Role.CUSTODIAN,)
CLINICIAN_ROLES: tuple[Role, ...] = (Role.NURSE, Role.PHYSICIAN)
LOSS_ROLES: tuple[Role, ...] = (Role.CUSTODIAN, Role.NURSE, Role.PHYSICIAN)
READ_ROLES: tuple[Role, ...] = (Role.CUSTODIAN, Role.NURSE, Role.PHYSICIAN, Role.CLINIC_ADMIN)
WASTE_WITNESS_ROLES: tuple[Role, ...] = CLINICIAN_ROLES
AUTHORISED_WITNESS_ROLES: tuple[Role, ...] = (
    Role.CUSTODIAN,
    Role.NURSE,
    Role.PHYSICIAN,
    Role.CLINIC_ADMIN,
)


def _of(by: Membership | None, clinic_id: int, allowed: tuple[Role, ...]) -> bool:
    return by is not None and by.clinic_id == clinic_id and acts_as(by, allowed)


def can_manage_stock(by: Membership | None, clinic_id: int) -> bool:
    return _of(by, clinic_id, CUSTODIAN_ROLES)


def can_chart_doses(by: Membership | None, clinic_id: int) -> bool:
    return _of(by, clinic_id, CLINICIAN_ROLES)


def can_report_loss(by: Membership | None, clinic_id: int) -> bool:
    return _of(by, clinic_id, LOSS_ROLES)


def can_read(by: Membership | None, clinic_id: int) -> bool:
    return _of(by, clinic_id, READ_ROLES)
