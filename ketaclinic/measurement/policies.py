"""Who may enter, strike and read questionnaire responses, and act on safety alerts.

* Read and enter for the patient: the chart's readers (physicians, nurses, coordinators of the
  patient's clinic: ``patients.policies.READ_ROLES``).
* Clinician-rated instruments (``Instrument.clinician_rated``: MADRS, CADSS, CADSS-6, BPRS+,
  MOAA/S, the C-SSRS screener) only by physicians and nurses: a coordinator may type in what a
  patient answered on a self-report form, not rate them.
* Strike a response, acknowledge a safety alert: physicians and nurses.
* Measurement settings (escalation delay, on-call physician): the clinic admin and physicians.
"""

from __future__ import annotations

from typing import Any

from ketaclinic.access.policy import acts_as
from ketaclinic.accounts.models import Membership, Role
from ketaclinic.instruments import Instrument
from ketaclinic.patients import policies as patient_policies

CLINICIANS: tuple[Role, ...] = (Role.PHYSICIAN, Role.NURSE)
ENTER_ROLES: tuple[Role, ...] = (*CLINICIANS, Role.COORDINATOR)
SETTINGS_ROLES: tuple[Role, ...] = (Role.CLINIC_ADMIN, Role.PHYSICIAN)


def _in_clinic(by: Membership | None, patient: Any) -> bool:
    return by is not None and by.is_active and by.clinic_id == patient.clinic_id


def can_read(by: Membership | None, patient: Any) -> bool:
    return _in_clinic(by, patient) and acts_as(by, ENTER_ROLES)


def can_enter(by: Membership | None, patient: Any, instrument: Instrument) -> bool:
    """Enter ``instrument`` for ``patient`` (clinician-rated ones: clinicians only)."""
    allowed = CLINICIANS if instrument.clinician_rated else ENTER_ROLES
    return _in_clinic(by, patient) and acts_as(by, allowed)


def can_strike(by: Membership | None, patient: Any) -> bool:
    return _in_clinic(by, patient) and acts_as(by, CLINICIANS)


def can_acknowledge(by: Membership | None, patient: Any) -> bool:
    return _in_clinic(by, patient) and acts_as(by, CLINICIANS)


def can_send(by: Membership | None, patient: Any) -> bool:
    return _in_clinic(by, patient) and acts_as(by, ENTER_ROLES)


def sees_part2(by: Membership | None, patient: Any) -> bool:
    return patient_policies.sees_part2_by_role(by, patient)


def can_edit_settings(by: Membership | None) -> bool:
    return by is not None and by.is_active and acts_as(by, SETTINGS_ROLES)
