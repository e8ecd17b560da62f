"""The clinic's choice of contested outcome definitions, and the rules outcomes use.

Response rules have one documented option each (``instruments.RESPONSE_RULES``); remission of
the MADRS ([C]) and of the PCL-5 ([S]) has several (clinical.md 6.10), so the clinic chooses
(``models.OutcomeSettings``). Without a choice the first rule applies, and the screen shows its
source either way.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from ketaclinic.access.policy import acts_as
from ketaclinic.accounts.models import Membership, Role
from ketaclinic.audit.log import record
from ketaclinic.clinics.models import Clinic
from ketaclinic.instruments import REMISSION_RULES, RESPONSE_RULES, RemissionRule, ResponseRule
from ketaclinic.measurement.models import OutcomeSettings

#: Instrument id -> the OutcomeSettings field holding the clinic's remission choice.
CONTESTED_REMISSION: dict[str, str] = {"madrs": "madrs_remission", "pcl5": "pcl5_remission"}
#: Who chooses: what counts as remission is a clinical definition.
SETTINGS_ROLES = (Role.PHYSICIAN,)


def rule_key(rule: RemissionRule) -> str:
    return f"{rule.comparison}{rule.threshold}"


@dataclass(frozen=True)
class Rules:
    """The rules in force at one clinic (``chosen`` says which remission rules it chose)."""

    response: dict[str, ResponseRule]
    remission: dict[str, RemissionRule]
    chosen: frozenset[str]

    def response_rule(self, instrument_id: str) -> ResponseRule | None:
        return self.response.get(instrument_id)

    def remission_rule(self, instrument_id: str) -> RemissionRule | None:
        return self.remission.get(instrument_id)


def rules(row: OutcomeSettings | None) -> Rules:
    """The rules under ``row`` (None: every default)."""
    remission = {i: options[0] for i, options in REMISSION_RULES.items()}
    chosen = set()
    for instrument_id, field in CONTESTED_REMISSION.items():
        key = getattr(row, field, None) if row is not None else None
        match = next((r for r in REMISSION_RULES[instrument_id] if rule_key(r) == key), None)
        if match is not None:
            remission[instrument_id] = match
            chosen.add(instrument_id)
    response = {i: options[0] for i, options in RESPONSE_RULES.items()}
    return Rules(response, remission, frozenset(chosen))


def clinic_rules(clinic: Clinic) -> Rules:
    """One query: the clinic's settings row, if any."""
    return rules(OutcomeSettings.objects.filter(clinic=clinic).first())


def can_change(by: Membership | None, clinic: Clinic) -> bool:
    return by is not None and by.clinic_id == clinic.pk and acts_as(by, SETTINGS_ROLES)


def set_remission_rule(
    by: Membership,
    clinic: Clinic,
    instrument_id: str,
    key: str,
    *,
    request: HttpRequest | None = None,
) -> OutcomeSettings:
    """Choose the remission rule ``key`` (``<10``) for a contested instrument; audited."""
    if not can_change(by, clinic):
        raise PermissionDenied("Only a physician of the clinic chooses outcome definitions.")
    field = CONTESTED_REMISSION.get(instrument_id)
    if field is None:
        raise ValidationError({"instrument": f"{instrument_id} has no contested remission rule"})
    if key not in {rule_key(r) for r in REMISSION_RULES[instrument_id]}:
        raise ValidationError({field: f"{key!r} is not a documented remission rule"})
    with transaction.atomic():
        row, _ = OutcomeSettings.objects.select_for_update().get_or_create(clinic=clinic)
        before = getattr(row, field)
        setattr(row, field, key)
        row.updated_at = timezone.now()
        row.updated_by = by.user
        row.save()
        record(
            "outcome_settings.update",
            request=request,
            by=by,
            obj=row,
            before={field: before},
            after={field: key},
        )
    return row
