"""The ledger's forms. Each write form carries a hidden ``idempotency_key`` (a uuid4 hex made
when the form is rendered), so a double submit stores once."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from ketaclinic.accounts.models import Membership, User
from ketaclinic.ledger import screens
from ketaclinic.ledger.models import (
    BusinessTime,
    Container,
    Count,
    DrugItem,
    InventoryKind,
    StorageLocation,
    Supplier,
)


def new_key() -> str:
    return uuid.uuid4().hex


class KeyedForm(forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", new_key())


class ContainerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return screens.container_label(obj)


class ReceiveForm(KeyedForm):
    drug = forms.ModelChoiceField(queryset=DrugItem.objects.none(), label="Drug item")
    lot_number = forms.CharField(max_length=40)
    expiry = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    supplier = forms.ModelChoiceField(
        queryset=Supplier.objects.none(),
        required=False,
        help_text="Or give a new supplier below (name, address and DEA number go on the receipt).",
    )
    supplier_name = forms.CharField(max_length=200, required=False, label="New supplier's name")
    supplier_address = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    supplier_dea_number = forms.CharField(
        max_length=9, required=False, label="Supplier's DEA number"
    )
    invoice_number = forms.CharField(max_length=60)
    received_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    location = forms.ModelChoiceField(queryset=StorageLocation.objects.none())
    labels = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One container label per line (the serial written on each vial).",
    )

    def __init__(self, clinic_id: int, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["drug"].queryset = DrugItem.objects.filter(clinic_id=clinic_id, is_active=True)  # type: ignore[attr-defined]
        self.fields["supplier"].queryset = Supplier.objects.filter(clinic_id=clinic_id)  # type: ignore[attr-defined]
        self.fields["location"].queryset = StorageLocation.objects.filter(  # type: ignore[attr-defined]
            clinic_id=clinic_id, is_active=True
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("supplier"):
            missing = [
                f
                for f in ("supplier_name", "supplier_address", "supplier_dea_number")
                if not data.get(f)
            ]
            for f in missing:
                self.add_error(f, "Required for a new supplier (or choose one above).")
        return data

    def label_list(self) -> list[str]:
        return [x.strip() for x in self.cleaned_data["labels"].splitlines() if x.strip()]


class TransferForm(KeyedForm):
    container = ContainerChoice(queryset=Container.objects.none())
    to_location = forms.ModelChoiceField(queryset=StorageLocation.objects.none())
    reason = forms.CharField(max_length=500, required=False)

    def __init__(self, clinic_id: int, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["container"].queryset = screens.with_stock(clinic_id)  # type: ignore[attr-defined]
        self.fields["to_location"].queryset = StorageLocation.objects.filter(  # type: ignore[attr-defined]
            clinic_id=clinic_id, is_active=True
        )


class CountForm(KeyedForm):
    """A blind count: one mL field per container, no expected number on the form."""

    occasion = forms.ChoiceField(choices=Count.Occasion.choices, initial=Count.Occasion.SHIFT)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, containers: list[Container], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.containers = containers
        for c in containers:
            self.fields[f"counted_ml_{c.pk}"] = forms.DecimalField(
                label=f"{c.label} · {c.lot.drug.name} · lot {c.lot.lot_number}",
                help_text="mL found in the vial",
                min_value=0,
                max_digits=12,
                decimal_places=3,
            )

    def counted(self) -> dict[Container, Any]:
        return {c: self.cleaned_data[f"counted_ml_{c.pk}"] for c in self.containers}


class WitnessFields(forms.Form):
    """A second person's email, password and current authenticator code."""

    def add_witness(self, prefix: str, label: str) -> None:
        self.fields[f"{prefix}_email"] = forms.EmailField(label=f"{label}: email")
        self.fields[f"{prefix}_password"] = forms.CharField(
            label=f"{label}: password",
            widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        )
        self.fields[f"{prefix}_otp"] = forms.CharField(
            label=f"{label}: authenticator code",
            max_length=10,
            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        )

    def witness_user(self, clinic_id: int, prefix: str) -> User | None:
        """The clinic member with that email (None, with an error at the field, if none)."""
        email = self.cleaned_data.get(f"{prefix}_email", "")
        m = (
            Membership.objects.filter(
                clinic_id=clinic_id, user__email__iexact=email, is_active=True
            )
            .select_related("user")
            .first()
        )
        if m is None:
            self.add_error(f"{prefix}_email", "No colleague of this clinic has that email.")
            return None
        return m.user


class LossForm(KeyedForm):
    container = ContainerChoice(queryset=Container.objects.none())
    mg = forms.DecimalField(label="Amount (mg)", min_value=0, max_digits=12, decimal_places=3)
    theft = forms.BooleanField(required=False, label="This is a theft (not a loss)")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="What happened")

    def __init__(self, clinic_id: int, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["container"].queryset = screens.with_stock(clinic_id)  # type: ignore[attr-defined]


FORM_41_FIELDS = (
    ("form41_registrant", "Registrant name and DEA number"),
    ("form41_destruction_date", "Date of destruction"),
    ("form41_location", "Where it was destroyed"),
    ("form41_method", "Method of destruction"),
    ("form41_items", "Items: drug name, NDC, strength, form, quantity"),
)


class DestroyForm(KeyedForm, WitnessFields):
    container = ContainerChoice(queryset=Container.objects.none())
    mg = forms.DecimalField(label="Amount (mg)", min_value=0, max_digits=12, decimal_places=3)
    expired = forms.BooleanField(required=False, label="Destroyed because the lot expired")
    method = forms.CharField(max_length=80)
    reason = forms.CharField(max_length=500, required=False)

    def __init__(self, clinic_id: int, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["container"].queryset = screens.with_stock(clinic_id)  # type: ignore[attr-defined]
        for name, label in FORM_41_FIELDS:
            self.fields[name] = forms.CharField(label=f"DEA Form 41: {label}", max_length=500)
        self.add_witness("witness_1", "First witness")
        self.add_witness("witness_2", "Second witness")

    def form_41(self) -> dict[str, str]:
        return {label: self.cleaned_data[name] for name, label in FORM_41_FIELDS}


class AdjustForm(KeyedForm, WitnessFields):
    container = ContainerChoice(queryset=Container.objects.none())
    mg_delta = forms.DecimalField(
        label="Change (mg)",
        help_text="Negative to lower the balance, positive to raise it.",
        max_digits=12,
        decimal_places=3,
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, clinic_id: int, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["container"].queryset = screens.with_stock(clinic_id)  # type: ignore[attr-defined]
        self.add_witness("witness", "Second signature")


class NoteForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Investigation note")


class ResolveForm(forms.Form):
    resolution = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class InventoryForm(forms.Form):
    kind = forms.ChoiceField(choices=InventoryKind.choices, widget=forms.RadioSelect)
    taken_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    business_time = forms.ChoiceField(choices=BusinessTime.choices, widget=forms.RadioSelect)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, containers: list[Container], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.containers = containers
        for c in containers:
            self.fields[f"line_{c.pk}"] = forms.DecimalField(
                label=f"{c.label} · {c.lot.drug.name} · lot {c.lot.lot_number}",
                help_text="mL in the vial",
                min_value=0,
                max_digits=12,
                decimal_places=3,
            )
            self.fields[f"estimated_{c.pk}"] = forms.BooleanField(
                required=False,
                label=f"{c.label}: estimated (opened Schedule III–V container of 1,000 units or "
                "fewer only, 21 CFR 1304.11(e)(3))",
            )


# --- the session panel ---------------------------------------------------------------------


class DrawForm(KeyedForm):
    container = ContainerChoice(queryset=Container.objects.none(), label="Vial")
    mg = forms.DecimalField(label="Drawn (mg)", min_value=0, max_digits=12, decimal_places=3)
    ml = forms.DecimalField(
        label="Drawn (mL)",
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=3,
        help_text="Left empty: mg ÷ the vial's strength.",
    )

    def __init__(self, clinic_id: int, today: dt.date, *args: Any, **kwargs: Any) -> None:
        # The session screen holds the four panel forms at once: ids of their own keep each
        # label pointing at its own input (Django's "id_mg" would repeat).
        kwargs.setdefault("auto_id", "ledger-draw-%s")
        super().__init__(*args, **kwargs)
        self.fields["container"].queryset = screens.drawable(clinic_id, today)  # type: ignore[attr-defined]


class FromDrawnForm(KeyedForm):
    container = ContainerChoice(queryset=Container.objects.none(), label="Vial")
    mg = forms.DecimalField(label="Amount (mg)", min_value=0, max_digits=12, decimal_places=3)
    #: The prefix of this form's ids on the session screen (see DrawForm).
    id_prefix = "ledger-from-drawn"

    def __init__(self, session_id: int, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)
        self.fields["container"].queryset = (  # type: ignore[attr-defined]
            Container.objects.filter(transactions__session_id=session_id, transactions__kind="draw")
            .select_related("lot__drug", "balance")
            .distinct()
            .order_by("label")
        )


class AdministerForm(FromDrawnForm):
    id_prefix = "ledger-administer"


class ReturnForm(FromDrawnForm):
    id_prefix = "ledger-return"
    reason = forms.CharField(max_length=500, required=False)


class WasteForm(FromDrawnForm, WitnessFields):
    id_prefix = "ledger-waste"
    method = forms.CharField(max_length=80, initial="Into the pharmaceutical waste container")

    def __init__(self, session_id: int, *args: Any, **kwargs: Any) -> None:
        super().__init__(session_id, *args, **kwargs)
        self.add_witness("witness", "Witness")


def remap(error: ValidationError, mapping: dict[str, str]) -> ValidationError:
    """An action's error with its field names mapped onto the form's."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError({mapping.get(k, k): v for k, v in error.error_dict.items()})
