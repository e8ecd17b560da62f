"""Setting the ledger up: registration, storage, drug items and suppliers (custodian)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from ketaclinic.accounts.models import Membership
from ketaclinic.audit.log import record
from ketaclinic.ledger import chain, policies
from ketaclinic.ledger.actions._base import quantity, require
from ketaclinic.ledger.models import (
    DrugItem,
    LocationKind,
    Registration,
    Schedule,
    StorageLocation,
    Substance,
    Supplier,
)
from ketaclinic.ledger.models.stock import DEFAULT_RETENTION_YEARS


def _required(**values: str) -> dict[str, str]:
    cleaned = {k: chain.clean_text(v or "").strip() for k, v in values.items()}
    missing = {k: "Required." for k, v in cleaned.items() if not v}
    if missing:
        raise ValidationError(missing)
    return cleaned


def _audit(
    action: str, by: Membership, obj: Any, after: dict[str, Any], request: HttpRequest | None
) -> None:
    record(action, request=request, by=by, clinic=by.clinic, obj=obj, after=after)


def create_registration(
    by: Membership,
    *,
    dea_number: str,
    registrant_name: str,
    address: str,
    schedules: str = "III, IV",
    retention_years: int = DEFAULT_RETENTION_YEARS,
    request: HttpRequest | None = None,
) -> Registration:
    require(policies.can_manage_stock(by, by.clinic_id))
    values = _required(dea_number=dea_number, registrant_name=registrant_name, address=address)
    if retention_years < DEFAULT_RETENTION_YEARS:
        raise ValidationError(
            {"retention_years": "Records are kept at least 2 years (21 CFR 1304.04(a))."}
        )
    with transaction.atomic():
        if Registration.objects.filter(clinic_id=by.clinic_id, dea_number=values["dea_number"]):
            raise ValidationError({"dea_number": "This registration is already recorded."})
        reg = Registration.objects.create(
            clinic_id=by.clinic_id, schedules=schedules, retention_years=retention_years, **values
        )
        chain.ensure_head(by.clinic_id)
        _audit("ledger.registration.create", by, reg, {"dea_number": reg.dea_number}, request)
    return reg


def create_location(
    by: Membership,
    registration: Registration,
    *,
    name: str,
    kind: str = LocationKind.SAFE,
    request: HttpRequest | None = None,
) -> StorageLocation:
    require(policies.can_manage_stock(by, registration.clinic_id))
    values = _required(name=name)
    if kind not in LocationKind.values:
        raise ValidationError({"kind": "Choose a kind of storage."})
    with transaction.atomic():
        if StorageLocation.objects.filter(clinic_id=by.clinic_id, name=values["name"]).exists():
            raise ValidationError({"name": "A location of this name exists."})
        loc = StorageLocation.objects.create(
            clinic_id=by.clinic_id, registration=registration, kind=kind, **values
        )
        _audit("ledger.location.create", by, loc, {"name": loc.name, "kind": kind}, request)
    return loc


def create_drug_item(
    by: Membership,
    *,
    name: str,
    substance: str,
    schedule: str,
    strength_mg_per_ml: Decimal | str | float,
    container_volume_ml: Decimal | str | float,
    ndc: str = "",
    form: str = "injection, solution",
    units_per_container: Decimal | str | float | None = None,
    request: HttpRequest | None = None,
) -> DrugItem:
    """``units_per_container`` defaults to the container volume in mL (a solution's unit)."""
    require(policies.can_manage_stock(by, by.clinic_id))
    values = _required(name=name, form=form)
    if substance not in Substance.values:
        raise ValidationError({"substance": "Choose the substance."})
    if schedule not in Schedule.values:
        raise ValidationError({"schedule": "Choose Schedule III or IV."})
    strength = quantity(strength_mg_per_ml, "strength_mg_per_ml")
    volume = quantity(container_volume_ml, "container_volume_ml")
    units = volume if units_per_container is None else quantity(units_per_container, "units")
    with transaction.atomic():
        drug = DrugItem.objects.create(
            clinic_id=by.clinic_id,
            substance=substance,
            schedule=schedule,
            strength_mg_per_ml=strength,
            container_volume_ml=volume,
            ndc=chain.clean_text(ndc).strip(),
            units_per_container=units,
            **values,
        )
        _audit("ledger.drug.create", by, drug, {"name": drug.name, "ndc": drug.ndc}, request)
    return drug


def create_supplier(
    by: Membership,
    *,
    name: str,
    address: str,
    dea_number: str,
    request: HttpRequest | None = None,
) -> Supplier:
    """A supplier's name, address and DEA number go on every receipt (21 CFR 1304.22(c))."""
    require(policies.can_manage_stock(by, by.clinic_id))
    values = _required(name=name, address=address, dea_number=dea_number)
    with transaction.atomic():
        supplier = Supplier.objects.create(clinic_id=by.clinic_id, **values)
        _audit("ledger.supplier.create", by, supplier, {"name": supplier.name}, request)
    return supplier
