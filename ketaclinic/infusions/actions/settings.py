"""The clinic's infusion settings page: session settings, threshold rules and the rescue
formulary. Physicians and clinic admins change them (``policies.can_change_settings``); every
change is one audited action. The first change of any kind installs the default rules
(``defaults.ensure_default_rules``) and the default formulary
(``formulary.ensure_default_formulary``), so what the page showed as defaults becomes the
clinic's rows in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from ketaclinic.accounts.models import Membership
from ketaclinic.audit.log import record
from ketaclinic.clinics.models import Clinic
from ketaclinic.infusions import defaults, policies
from ketaclinic.infusions.actions._base import require
from ketaclinic.infusions.formulary import LIMIT_FIELDS, ensure_default_formulary
from ketaclinic.infusions.models import FormularyDrug, InfusionSettings, ThresholdRule
from ketaclinic.infusions.models import settings as sources
from ketaclinic.infusions.models.settings import Comparison, Measure, RuleAction

DENIED = "Only physicians and clinic admins change the infusion settings."


@dataclass(frozen=True)
class Limit:
    """A setting's allowed range and its default's source (shown beside the field)."""

    low: int
    high: int
    source: str


#: Every InfusionSettings field with its range and its default's source (models/settings.py).
SETTINGS_LIMITS: dict[str, Limit] = {
    "vitals_interval_infusing_min": Limit(1, 60, sources.INTERVAL_SOURCE),
    "vitals_interval_recovery_min": Limit(1, 60, sources.INTERVAL_SOURCE),
    "late_entry_min": Limit(1, 60, sources.LATE_ENTRY_SOURCE),
    "max_systolic_mmhg": Limit(100, 250, sources.GO_NO_GO_SOURCE),
    "max_diastolic_mmhg": Limit(50, 150, sources.GO_NO_GO_SOURCE),
    "min_spo2_percent": Limit(50, 100, sources.GO_NO_GO_SOURCE),
    "max_heart_rate_bpm": Limit(40, 220, sources.GO_NO_GO_SOURCE),
    "fasting_solids_h": Limit(0, 24, sources.FASTING_SOURCE),
    "fasting_clear_liquids_h": Limit(0, 24, sources.FASTING_SOURCE),
    "benzodiazepine_hold_h": Limit(0, 168, sources.HOLD_SOURCE),
    "alcohol_hold_h": Limit(0, 168, sources.HOLD_SOURCE),
    "aldrete_min": Limit(0, 10, sources.DISCHARGE_SOURCE),
    "padss_min": Limit(0, 10, sources.DISCHARGE_SOURCE),
}
#: Settings that may be left empty (no limit).
OPTIONAL_SETTINGS = frozenset({"min_spo2_percent", "max_heart_rate_bpm"})


def install_defaults(clinic: Clinic) -> dict[str, bool]:
    """Install the default rules and formulary where the clinic has none (inside the caller's
    transaction): what was installed, for the audit entry."""
    had_rules = ThresholdRule.objects.filter(clinic=clinic).exists()
    defaults.ensure_default_rules(clinic)
    return {"rules": not had_rules, "formulary": ensure_default_formulary(clinic)}


def _installed(done: dict[str, bool]) -> dict[str, Any]:
    return {"installed_defaults": [k for k, v in done.items() if v]} if any(done.values()) else {}


# --- session settings ---------------------------------------------------------------------


def check_settings(values: dict[str, Any]) -> None:
    """Each value within its range (``SETTINGS_LIMITS``), else ValidationError at the field."""
    errors: dict[str, str] = {}
    for name, value in values.items():
        limit = SETTINGS_LIMITS.get(name)
        if limit is None:
            raise ValueError(f"not an infusion setting: {name}")
        if value is None:
            if name not in OPTIONAL_SETTINGS:
                errors[name] = "Enter a number."
            continue
        if not limit.low <= value <= limit.high:
            errors[name] = f"Enter a whole number from {limit.low} to {limit.high}."
    if errors:
        raise ValidationError(errors)


def update_settings(
    by: Membership,
    clinic: Clinic,
    changes: dict[str, Any],
    *,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> InfusionSettings:
    """Change the clinic's session settings (the row is created on the first change).
    ``expected_version`` is the version the form was drawn from: a newer one is refused."""
    require(policies.can_change_settings(by, clinic.pk), DENIED)
    check_settings(changes)
    with transaction.atomic():
        chosen, _ = InfusionSettings.objects.select_for_update().get_or_create(clinic=clinic)
        if expected_version is not None and chosen.version != expected_version:
            raise ValidationError(
                {
                    "__all__": "Someone else saved these settings while you were editing them. "
                    "The page now shows theirs; make your change again if it is still needed."
                }
            )
        done = install_defaults(clinic)
        before = {k: getattr(chosen, k) for k in changes}
        for k, v in changes.items():
            setattr(chosen, k, v)
        chosen.updated_at = timezone.now()
        chosen.updated_by = by.user
        chosen.version += 1
        chosen.save()
        record(
            "infusions.settings.update",
            request=request,
            by=by,
            clinic=clinic,
            obj=chosen,
            before=before,
            after={**{k: getattr(chosen, k) for k in changes}, **_installed(done)},
        )
    return chosen


# --- threshold rules ------------------------------------------------------------------------


def check_rule(values: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    measure, comparison = values.get("measure"), values.get("comparison")
    if values.get("action") not in RuleAction.values:
        errors["action"] = "Choose what the rule does."
    if measure not in Measure.values:
        errors["measure"] = "Choose what it measures."
    if comparison not in Comparison.values:
        errors["comparison"] = "Choose the comparison."
    symptoms = {k for k, _ in defaults.SYMPTOM_CHOICES}
    if measure == Measure.SYMPTOM:
        if values.get("symptom") not in symptoms:
            errors["symptom"] = "Choose the symptom."
        if comparison != Comparison.PRESENT:
            errors["comparison"] = "A symptom rule fires when the symptom is reported."
    elif comparison == Comparison.PRESENT:
        errors["comparison"] = "'Reported' is for symptom rules; choose a comparison."
    elif values.get("value") is None:
        errors["value"] = "Enter the value the reading is compared with."
    elif values["value"] < 0:
        errors["value"] = "Enter a value of 0 or more."
    if not 1 <= (values.get("consecutive") or 0) <= 10:
        errors["consecutive"] = "Enter from 1 to 10 readings in a row."
    if not (values.get("source") or "").strip():
        errors["source"] = "Say where the number comes from (or 'Clinic decision [D]')."
    if errors:
        raise ValidationError(errors)


def rule_text(values: dict[str, Any]) -> str:
    """A rule's name from its parts, when none is typed."""
    action = RuleAction(values["action"]).label
    if values["measure"] == Measure.SYMPTOM:
        label = dict(defaults.SYMPTOM_CHOICES).get(values["symptom"], values["symptom"])
        return f"{label} reported: {action.lower()}"
    measure = Measure(values["measure"]).label
    comparison = Comparison(values["comparison"]).label
    n = values["consecutive"]
    run = f", {n} readings running" if n > 1 else ""
    return f"{measure} {comparison} {values['value']:g}{run}: {action.lower()}"


def add_rule(
    by: Membership,
    clinic: Clinic,
    *,
    action: str,
    measure: str,
    comparison: str,
    value: float | None = None,
    symptom: str = "",
    consecutive: int = 1,
    source: str,
    name: str = "",
    request: HttpRequest | None = None,
) -> ThresholdRule:
    """Add one threshold rule to the clinic's (after the defaults, installed first)."""
    require(policies.can_change_settings(by, clinic.pk), DENIED)
    values: dict[str, Any] = {
        "action": action,
        "measure": measure,
        "comparison": comparison,
        "value": None if comparison == Comparison.PRESENT else value,
        "symptom": symptom if measure == Measure.SYMPTOM else "",
        "consecutive": consecutive,
        "source": source.strip(),
    }
    check_rule(values)
    with transaction.atomic():
        done = install_defaults(clinic)
        last = ThresholdRule.objects.filter(clinic=clinic).order_by("-position").first()
        rule = ThresholdRule.objects.create(
            clinic=clinic,
            name=name.strip() or rule_text(values),
            position=(last.position + 1) if last else 0,
            created_by=by.user,
            **values,
        )
        record(
            "infusions.rule.add",
            request=request,
            by=by,
            clinic=clinic,
            obj=rule,
            after={"name": rule.name, **values, **_installed(done)},
        )
    return rule


def retire_rule(
    by: Membership,
    clinic: Clinic,
    *,
    rule: ThresholdRule | None = None,
    default_position: int | None = None,
    reason: str,
    request: HttpRequest | None = None,
) -> ThresholdRule:
    """Retire a rule (inactive, never deleted; its firings keep pointing at it). ``rule`` is
    an installed rule; ``default_position`` names a default not installed yet (its index in
    ``defaults.DEFAULT_RULES``)."""
    require(policies.can_change_settings(by, clinic.pk), DENIED)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the rule is retired."})
    with transaction.atomic():
        done = install_defaults(clinic)
        rows = ThresholdRule.objects.select_for_update().filter(clinic=clinic)
        if rule is not None:
            found = rows.filter(pk=rule.pk).first()
        elif default_position is not None:
            found = rows.filter(position=default_position).order_by("id").first()
        else:
            found = None
        if found is None:
            raise ValidationError({"__all__": "That rule is not one of this clinic's."})
        if not found.is_active:
            raise ValidationError({"__all__": "That rule is retired already."})
        found.is_active = False
        found.save(update_fields=["is_active"])
        record(
            "infusions.rule.retire",
            request=request,
            by=by,
            clinic=clinic,
            obj=found,
            before={"is_active": True},
            after={"is_active": False, "name": found.name, **_installed(done)},
            reason=reason,
        )
    return found


# --- the formulary --------------------------------------------------------------------------

DRUG_TEXT_FIELDS = ("name", "route", "indication", "schedule", "cautions", "source")


def check_drug(values: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    for name in ("name", "route", "indication", "source"):
        if name in values and not (values[name] or "").strip():
            errors[name] = "This is needed."
    for name in LIMIT_FIELDS:
        v = values.get(name)
        if name != "repeat_needs_override" and v is not None and v <= 0:
            errors[name] = "Enter a number above 0, or leave it empty (no limit)."
    single, usual = values.get("max_single_dose_mg"), values.get("usual_dose_mg")
    if single is not None and usual is not None and usual > single:
        errors["usual_dose_mg"] = "The usual dose is over the single-dose limit."
    reduced = values.get("reduced_max_single_dose_mg")
    if reduced is not None and values.get("reduced_from_age") is None:
        errors["reduced_from_age"] = "Give the age from which the lower limit applies."
    if reduced is not None and single is not None and reduced > single:
        errors["reduced_max_single_dose_mg"] = "The lower limit is over the single-dose limit."
    if values.get("schedule") not in (None, "", "II", "III", "IV", "V"):
        errors["schedule"] = "A DEA schedule (II to V), or empty."
    if errors:
        raise ValidationError(errors)


def _drug_state(drug: FormularyDrug) -> dict[str, Any]:
    return {k: getattr(drug, k) for k in (*DRUG_TEXT_FIELDS, *LIMIT_FIELDS, "is_active")}


def add_drug(
    by: Membership,
    clinic: Clinic,
    *,
    key: str,
    values: dict[str, Any],
    request: HttpRequest | None = None,
) -> FormularyDrug:
    """Add a drug (``values``: the text fields and limits) to the clinic's formulary."""
    require(policies.can_change_settings(by, clinic.pk), DENIED)
    allowed = set(DRUG_TEXT_FIELDS) | set(LIMIT_FIELDS)
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"not formulary fields: {sorted(unknown)}")
    check_drug({**{k: "" for k in ("name", "route", "indication", "source")}, **values})
    with transaction.atomic():
        done = install_defaults(clinic)
        if FormularyDrug.objects.filter(clinic=clinic, key=key).exists():
            raise ValidationError({"key": "The formulary has a drug with this key already."})
        drug = FormularyDrug.objects.create(clinic=clinic, key=key, **values)
        record(
            "infusions.formulary.add",
            request=request,
            by=by,
            clinic=clinic,
            obj=drug,
            after={"key": key, **_drug_state(drug), **_installed(done)},
        )
    return drug


def update_drug(
    by: Membership,
    clinic: Clinic,
    key: str,
    changes: dict[str, Any],
    *,
    request: HttpRequest | None = None,
) -> FormularyDrug:
    """Change a drug's limits, texts or activity (audited with before and after). A default
    not installed yet is installed first."""
    require(policies.can_change_settings(by, clinic.pk), DENIED)
    allowed = set(DRUG_TEXT_FIELDS) | set(LIMIT_FIELDS) | {"is_active"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"not formulary fields: {sorted(unknown)}")
    with transaction.atomic():
        done = install_defaults(clinic)
        drug = FormularyDrug.objects.select_for_update().filter(clinic=clinic, key=key).first()
        if drug is None:
            raise ValidationError({"__all__": "No such drug in this clinic's formulary."})
        check_drug({**_drug_state(drug), **changes})
        before = {k: getattr(drug, k) for k in changes}
        for k, v in changes.items():
            setattr(drug, k, v)
        drug.save()
        record(
            "infusions.formulary.update",
            request=request,
            by=by,
            clinic=clinic,
            obj=drug,
            before=before,
            after={**{k: getattr(drug, k) for k in changes}, **_installed(done)},
        )
    return drug


def retire_drug(
    by: Membership,
    clinic: Clinic,
    key: str,
    *,
    reason: str,
    request: HttpRequest | None = None,
) -> FormularyDrug:
    """Retire a drug (inactive, never deleted: doses given keep pointing at it)."""
    require(policies.can_change_settings(by, clinic.pk), DENIED)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the drug is retired."})
    with transaction.atomic():
        done = install_defaults(clinic)
        drug = FormularyDrug.objects.select_for_update().filter(clinic=clinic, key=key).first()
        if drug is None:
            raise ValidationError({"__all__": "No such drug in this clinic's formulary."})
        if not drug.is_active:
            raise ValidationError({"__all__": f"{drug.name} is retired already."})
        drug.is_active = False
        drug.save(update_fields=["is_active"])
        record(
            "infusions.formulary.retire",
            request=request,
            by=by,
            clinic=clinic,
            obj=drug,
            before={"is_active": True},
            after={"is_active": False, **_installed(done)},
            reason=reason,
        )
    return drug
