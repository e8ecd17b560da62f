"""The write layer for protocols, plans and settings: one audited function per change.

A protocol edit makes a new ``ProtocolVersion``; every plan change (dose step, weight update,
new protocol version, series, goals) makes a new ``PlanVersion`` with its reason and the diff
from the last. An escalation (a dose above the last version's, or above the protocol's first
step for a new plan) needs the physician's sign-off in the same step; a dose above the mg
ceiling needs an override reason. The numbers are :func:`treatment.preview.preview`'s.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from ketaclinic.accounts.models import Membership
from ketaclinic.audit.log import record
from ketaclinic.clinics.models import Clinic
from ketaclinic.patients.models import BodyMeasurement, Patient
from ketaclinic.treatment import library, policies
from ketaclinic.treatment.models import (
    PlanVersion,
    Protocol,
    ProtocolVersion,
    TreatmentPlan,
    TreatmentSettings,
)
from ketaclinic.treatment.preview import PreviewInputError, preview
from ketaclinic.treatment.queries import preview_kwargs, settings_for
from ketaclinic.treatment.rules import patient_inputs, signing_blockers

PLAN_FIELDS = (
    "protocol_version",
    "dose_mg_per_kg",
    "measurement",
    "product_key",
    "series_count",
    "spacing_min_days",
    "spacing_max_days",
    "goals",
    "goal_phq9_remission",
)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def copy_protocol(
    by: Membership, clinic: Clinic, builtin_id: str, *, request: HttpRequest | None = None
) -> Protocol:
    """The clinic's own copy of a built-in protocol, as its version 1."""
    _require(policies.can_edit_protocols(by, clinic), "Only physicians and admins edit protocols.")
    if builtin_id not in library.BUILTIN:
        raise ValidationError({"builtin_id": "No such built-in protocol."})
    data = library.builtin(builtin_id)
    with transaction.atomic():
        protocol = Protocol.objects.create(
            clinic=clinic,
            builtin_id=builtin_id,
            title=data["title"],
            indication=data["indication"],
            created_by=by.user,
        )
        ProtocolVersion.objects.create(
            protocol=protocol,
            number=1,
            data=data,
            change_note="Copied from the built-in library.",
            created_by=by.user,
        )
        record(
            "treatment.protocol.copy",
            request=request,
            by=by,
            clinic=clinic,
            obj=protocol,
            after={"builtin_id": builtin_id, "version": 1},
        )
    return protocol


def validate_protocol(data: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    ladder = data.get("ladder_mg_per_kg") or []
    if not ladder or any(not (0 < float(d) <= 5) for d in ladder):
        errors["ladder_mg_per_kg"] = "Give one or more doses between 0 and 5 mg/kg."
    elif sorted(ladder) != list(ladder):
        errors["ladder_mg_per_kg"] = "List the doses from lowest to highest."
    trigger = data.get("bmi_trigger")
    if trigger and not (10 <= float(trigger["bmi_at_least"]) <= 80):
        errors["bmi_trigger"] = "A BMI between 10 and 80."
    ceiling = data.get("mg_ceiling")
    if ceiling is not None and not (0 < float(ceiling) <= 1000):
        errors["mg_ceiling"] = "A ceiling between 0 and 1000 mg, or none."
    series = data["series"]
    if not (1 <= int(series["count"]) <= 40):
        errors["series_count"] = "Between 1 and 40 infusions."
    if int(series["spacing_min_days"]) > int(series["spacing_max_days"]):
        errors["spacing_max_days"] = "At least the shortest spacing."
    return errors


def edit_protocol(
    by: Membership,
    protocol: Protocol,
    data: dict[str, Any],
    *,
    change_note: str,
    request: HttpRequest | None = None,
) -> ProtocolVersion:
    """A new version of ``protocol`` holding ``data``; the old versions stay as they were."""
    _require(policies.can_edit_protocols(by, protocol.clinic), "Only physicians and admins edit.")
    errors = validate_protocol(data)
    if not change_note.strip():
        errors["change_note"] = "Say what changed and why."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Protocol.objects.select_for_update().get(pk=protocol.pk)
        last = locked.versions.order_by("-number").first()
        number = (last.number if last else 0) + 1
        version = ProtocolVersion.objects.create(
            protocol=locked,
            number=number,
            data=data,
            change_note=change_note.strip(),
            created_by=by.user,
        )
        changed = sorted(k for k in data if last is None or last.data.get(k) != data[k])
        record(
            "treatment.protocol.version",
            request=request,
            by=by,
            clinic=protocol.clinic,
            obj=locked,
            before={"version": last.number if last else None},
            after={"version": number, "changed": changed},
        )
    return version


def _compute(patient: Patient, values: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """The version's fields from ``values`` (see ``PLAN_FIELDS``) by the shared preview."""
    measurement: BodyMeasurement = values["measurement"]
    if (
        measurement.patient_id != patient.pk
        or measurement.struck_at is not None
        or measurement.weight_kg is None
    ):
        raise ValidationError({"measurement": "Choose a current weight of this patient."})
    version: ProtocolVersion = values["protocol_version"]
    if version.protocol.clinic_id != patient.clinic_id:
        raise ValidationError({"protocol_version": "Choose one of the clinic's protocols."})
    data = version.data
    dose = float(values["dose_mg_per_kg"])
    if not any(abs(dose - float(d)) < 1e-9 for d in data["ladder_mg_per_kg"]):
        raise ValidationError({"dose_mg_per_kg": "Choose a dose of the protocol's ladder."})
    chosen = settings_for(patient.clinic)
    inputs = patient_inputs(patient, measurement)
    ceiling = data.get("mg_ceiling") if data.get("mg_ceiling") is not None else chosen.mg_ceiling
    try:
        result = preview(
            data,
            dose_mg_per_kg=dose,
            product_key=values.get("product_key") or None,
            mg_ceiling=ceiling,
            **inputs,
            **preview_kwargs(chosen),
        )
    except PreviewInputError as exc:
        field = "measurement" if exc.argument in ("weight_kg", "height_cm", "sex") else None
        message = {
            "height_cm": "This weight basis needs a recorded height.",
            "sex": "This weight basis needs a sex at birth of female or male (Devine).",
        }.get(exc.argument, exc.message)
        raise ValidationError({field or "dose_mg_per_kg": message}) from None
    summary = result.summary()
    summary["infusion_min"] = result.infusion_min
    series = data["series"]
    fields = {
        "protocol_version": version,
        "indication": data["indication"],
        "dose_mg_per_kg": dose,
        "weight_measurement": measurement,
        "weight_kg": float(measurement.weight_kg),
        "weight_measured_on": measurement.measured_on,
        "height_cm": inputs["height_cm"],
        "weight_basis": result.weight_basis,
        "weight_used_kg": result.weight_used_kg,
        "dose_mg": result.dose_mg,
        "product_key": values.get("product_key") or data["products"][0]["key"],
        "computed": summary,
        "series_count": int(values.get("series_count") or series["count"]),
        "spacing_min_days": int(values.get("spacing_min_days") or series["spacing_min_days"]),
        "spacing_max_days": int(values.get("spacing_max_days") or series["spacing_max_days"]),
        "goals": values.get("goals", ""),
        "goal_phq9_remission": bool(values.get("goal_phq9_remission", False)),
    }
    return fields, result


def _write_version(
    by: Membership,
    plan: TreatmentPlan,
    previous: PlanVersion | None,
    values: dict[str, Any],
    *,
    reason: str,
    sign: bool,
    override_reason: str,
) -> PlanVersion:
    patient = plan.patient
    fields, result = _compute(patient, values)
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = "Give the reason for this version."
    floor = (
        previous.dose_mg_per_kg
        if previous is not None
        else float(fields["protocol_version"].data["ladder_mg_per_kg"][0])
    )
    escalation = fields["dose_mg_per_kg"] > floor + 1e-9
    if escalation and not sign:
        errors["dose_mg_per_kg"] = (
            f"A step up to {fields['dose_mg_per_kg']:g} mg/kg needs your sign-off: sign it with "
            "your password and give the reason."
        )
    if result.over_ceiling and not override_reason.strip():
        errors["override_reason"] = (
            f"{result.dose_mg:.1f} mg is above the ceiling of {result.mg_ceiling:g} mg: a "
            "physician's override needs its reason."
        )
    if errors:
        raise ValidationError(errors)
    diff: dict[str, list[Any]] = {}
    version = PlanVersion(
        plan=plan,
        number=(previous.number if previous else 0) + 1,
        reason=reason.strip(),
        is_escalation=escalation,
        ceiling_override_reason=override_reason.strip() if result.over_ceiling else "",
        created_by=by.user,
        **fields,
    )
    if previous is not None:
        old, new = previous.compared(), version.compared()
        diff = {k: [old[k], new[k]] for k in new if old[k] != new[k]}
        if not diff:
            raise ValidationError({"reason": "Nothing changed from the last version."})
    version.diff = diff
    if sign:
        _check_signable(by, patient)
        version.signed_at = timezone.now()
        version.signed_by = by.user
    version.save()
    return version


def _check_signable(by: Membership, patient: Patient) -> None:
    _require(policies.can_write_plan(by, patient), "Only a physician signs a treatment plan.")
    blockers = signing_blockers(patient)
    if blockers:
        raise ValidationError({"__all__": [m for _, m in blockers]})


def draft_plan(
    by: Membership,
    patient: Patient,
    *,
    reason: str = "First plan.",
    sign: bool = False,
    override_reason: str = "",
    request: HttpRequest | None = None,
    **values: Any,
) -> TreatmentPlan:
    """A new plan (version 1) from a clinic protocol version, a dose of its ladder and a
    recorded weight; ``values`` as in ``PLAN_FIELDS``."""
    _require(policies.can_write_plan(by, patient), "Only a physician drafts a treatment plan.")
    with transaction.atomic():
        plan = TreatmentPlan.objects.create(patient=patient, created_by=by.user)
        version = _write_version(
            by, plan, None, values, reason=reason, sign=sign, override_reason=override_reason
        )
        record(
            "treatment.plan.draft",
            request=request,
            by=by,
            clinic=patient.clinic,
            obj=plan,
            patient_ref=patient.pk,
            after={"version": 1, "dose_mg_per_kg": version.dose_mg_per_kg, "signed": sign},
        )
    return plan


def change_plan(
    by: Membership,
    plan: TreatmentPlan,
    *,
    reason: str,
    sign: bool = False,
    override_reason: str = "",
    request: HttpRequest | None = None,
    **changes: Any,
) -> PlanVersion:
    """A new version of ``plan``: the last one's values with ``changes`` (``PLAN_FIELDS``)."""
    patient = plan.patient
    _require(policies.can_write_plan(by, patient), "Only a physician changes a treatment plan.")
    unknown = set(changes) - set(PLAN_FIELDS)
    if unknown:
        raise ValueError(f"not plan fields: {sorted(unknown)}")
    with transaction.atomic():
        locked = TreatmentPlan.objects.select_for_update().select_related("patient__clinic")
        plan = locked.get(pk=plan.pk)
        previous = plan.latest
        values = {
            "protocol_version": previous.protocol_version,
            "dose_mg_per_kg": previous.dose_mg_per_kg,
            "measurement": previous.weight_measurement,
            "product_key": previous.product_key,
            "series_count": previous.series_count,
            "spacing_min_days": previous.spacing_min_days,
            "spacing_max_days": previous.spacing_max_days,
            "goals": previous.goals,
            "goal_phq9_remission": previous.goal_phq9_remission,
            **changes,
        }
        if "protocol_version" in changes and "series_count" not in changes:
            series = changes["protocol_version"].data["series"]
            values["series_count"] = series["count"]
            values["spacing_min_days"] = series["spacing_min_days"]
            values["spacing_max_days"] = series["spacing_max_days"]
        version = _write_version(
            by, plan, previous, values, reason=reason, sign=sign, override_reason=override_reason
        )
        record(
            "treatment.plan.change",
            request=request,
            by=by,
            clinic=patient.clinic,
            obj=plan,
            patient_ref=patient.pk,
            before={"version": previous.number},
            after={
                "version": version.number,
                "changed": sorted(version.diff),
                "escalation": version.is_escalation,
                "signed": sign,
            },
        )
    return version


def sign_plan(
    by: Membership, version: PlanVersion, *, request: HttpRequest | None = None
) -> PlanVersion:
    """The physician's signature on the plan's newest version (once)."""
    patient = version.plan.patient
    _require(policies.can_write_plan(by, patient), "Only a physician signs a treatment plan.")
    with transaction.atomic():
        locked = PlanVersion.objects.select_for_update().get(pk=version.pk)
        if locked.signed_at is not None:
            raise ValidationError({"__all__": "This version is signed already."})
        if locked.plan.versions.filter(number__gt=locked.number).exists():
            raise ValidationError({"__all__": "A newer version exists: sign that one."})
        _check_signable(by, patient)
        locked.signed_at = timezone.now()
        locked.signed_by = by.user
        locked.save(update_fields=["signed_at", "signed_by"])
        record(
            "treatment.plan.sign",
            request=request,
            by=by,
            clinic=patient.clinic,
            obj=locked.plan,
            patient_ref=patient.pk,
            after={"version": locked.number, "dose_mg": round(locked.dose_mg, 2)},
        )
    return locked


SETTINGS_FIELDS = (
    "pk_model_id",
    "borrow_bsv",
    "threshold_ng_per_ml",
    "minimum_observation_min",
    "mg_ceiling",
)


def update_settings(
    by: Membership, clinic: Clinic, changes: dict[str, Any], *, request: HttpRequest | None = None
) -> TreatmentSettings:
    """Change the clinic's treatment settings (the row is created on the first change)."""
    _require(policies.can_change_settings(by, clinic), "Only admins and physicians may.")
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"not settings: {sorted(unknown)}")
    with transaction.atomic():
        chosen, _ = TreatmentSettings.objects.select_for_update().get_or_create(clinic=clinic)
        before = {k: getattr(chosen, k) for k in changes}
        for k, v in changes.items():
            setattr(chosen, k, v)
        chosen.full_clean()
        chosen.updated_at = timezone.now()
        chosen.updated_by = by.user
        chosen.save()
        record(
            "treatment.settings.update",
            request=request,
            by=by,
            clinic=clinic,
            obj=chosen,
            before=before,
            after={k: getattr(chosen, k) for k in changes},
        )
    return chosen
