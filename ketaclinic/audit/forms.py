"""The audit report's filter form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from ketaclinic.accounts.models import User
from ketaclinic.audit.present import kind_label
from ketaclinic.audit.registry import AuditAction, registry
from ketaclinic.clinics.models import Clinic

# Sort keys are an allowlist mapped to fixed orderings: the request never names a column
# (OpenEMR's `_sort` SQL injection, CVE-2026-24908).
SORTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "newest": ("Newest first", ("-created_at", "-id")),
    "oldest": ("Oldest first", ("created_at", "id")),
    "user": ("User", ("actor_email", "-created_at", "-id")),
    "action": ("Action", ("action", "-created_at", "-id")),
    "patient": ("Patient", ("patient_ref", "-created_at", "-id")),
}
# "kind:inquiries.inquiry" selects entries about that kind of object; action names never hold ":".
KIND_PREFIX = "kind:"
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(9998, 12, 31)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def action_choices() -> list[tuple[str, Any]]:
    """Registered actions by label, grouped by the kind of object they concern.

    A select, not a text box: people choose what happened in their own words and cannot mistype
    a code; each group starts with "All ... entries" (any action on that kind of object), which
    covers what the old prefix search was for ("all sign-in events" are all account entries).
    """
    by_kind: dict[str, list[AuditAction]] = {}
    for action in registry.actions():
        by_kind.setdefault(action.kind, []).append(action)
    kinds = sorted((k for k in by_kind if k), key=lambda k: kind_label(k).lower())
    groups: list[tuple[str, Any]] = [("", "Any action")]
    for kind in kinds:
        label = kind_label(kind)
        options = [(f"{KIND_PREFIX}{kind}", f"All {label.lower()} entries")]
        options += [(a.name, a.label) for a in by_kind[kind]]
        groups.append((label, options))
    if "" in by_kind:
        groups.append(("Other", [(a.name, a.label) for a in by_kind[""]]))
    return groups


def action_filter_label(value: str) -> str:
    if value.startswith(KIND_PREFIX):
        return f"All {kind_label(value.removeprefix(KIND_PREFIX)).lower()} entries"
    return registry.label(value)


def _person(user: User) -> str:
    return f"{user.full_name} ({user.email})" if user.full_name else user.email


class AuditFilterForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Anyone", label="User"
    )
    patient_ref = forms.CharField(max_length=64, required=False, label="Patient reference")
    action = forms.ChoiceField(
        required=False,
        label="Action",
        help_text="One action, or everything done to one kind of record.",
    )
    start = forms.DateField(required=False, label="From (date)", widget=DateInput())
    end = forms.DateField(required=False, label="To (date, inclusive)", widget=DateInput())
    sort = forms.ChoiceField(
        choices=[(key, label) for key, (label, _) in SORTS.items()],
        required=False,
        label="Sort by",
    )

    def __init__(self, *args: Any, clinic: Clinic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clinic = clinic
        # Anyone who has ever been a member here, including former staff.
        self.fields["user"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(memberships__clinic=clinic)
            .distinct()
            .order_by("full_name", "email")
        )
        tz_name = clinic.time_zone
        self.fields["start"].help_text = f"Dates are in the clinic's time zone ({tz_name})."
        self.fields["patient_ref"].help_text = "Matches the reference exactly."
        # Built per form: the registry is filled when the apps are ready, after this module loads.
        self.fields["action"].choices = action_choices()  # type: ignore[attr-defined]

    def _in_range(self, name: str) -> dt.date | None:
        value: dt.date | None = self.cleaned_data.get(name)
        if value is not None and not EARLIEST <= value <= LATEST:
            raise forms.ValidationError(
                f"Enter a date between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d}."
            )
        return value

    def clean_start(self) -> dt.date | None:
        return self._in_range("start")

    def clean_end(self) -> dt.date | None:
        return self._in_range("end")

    def clean_patient_ref(self) -> str:
        return str(self.cleaned_data.get("patient_ref", "")).strip()

    def clean_action(self) -> str:
        return str(self.cleaned_data.get("action", "")).strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "The end date is before the start date.")
        return data

    def kept(self) -> dict[str, str]:
        """The valid filters as form data, to keep in the session and bind again later."""
        data = self.cleaned_data
        out = {k: v for k, v in self.summary().items() if k != "user"}
        if data.get("user"):
            out["user"] = str(data["user"].pk)
        return out

    def described(self) -> list[tuple[str, str]]:
        """The filters in effect for people: field labels and readable values."""
        data = self.cleaned_data
        summary = self.summary()
        shown = {
            "user": _person(data["user"]) if data.get("user") else "",
            "action": action_filter_label(summary.get("action", "")),
            "sort": SORTS[summary["sort"]][0] if "sort" in summary else "",
        }
        return [
            (str(self.fields[name].label), shown.get(name) or value)
            for name, value in summary.items()
        ]

    def summary(self) -> dict[str, str]:
        """The filters in effect, as plain strings (for the audit entry and the printout)."""
        data = self.cleaned_data
        out: dict[str, str] = {}
        if data.get("user"):
            out["user"] = data["user"].email
        for name in ("patient_ref", "action"):
            if data.get(name):
                out[name] = data[name]
        for name in ("start", "end"):
            if data.get(name):
                out[name] = data[name].isoformat()
        if data.get("sort"):
            out["sort"] = data["sort"]
        return out
