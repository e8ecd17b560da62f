"""Examples for the style guide page (/style-guide/): every component with its states.
Nothing here reads or writes clinic data; the rows are made up."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest

from ketaclinic.web.sorting import pick_sort


class ExampleForm(forms.Form):
    name = forms.CharField(label="Full name", max_length=100, help_text="As on a photo ID.")
    email = forms.EmailField(label="Email", help_text="We send the appointment letter here.")
    contact = forms.ChoiceField(
        label="How should we contact you?",
        choices=[("phone", "Phone call"), ("text", "Text message"), ("email", "Email")],
        widget=forms.RadioSelect,
    )
    weight_kg = forms.DecimalField(
        label="Weight (kg)", min_value=20, max_value=300, required=False, help_text="For dosing."
    )
    notes = forms.CharField(label="Anything else", widget=forms.Textarea, required=False)
    consent = forms.BooleanField(label="I agree to be contacted about my appointment")


SORTS = {"name": ("name",), "chair": ("chair",), "due": ("due",)}
ROWS: list[dict[str, Any]] = [
    {"name": "Avery Example", "chair": 2, "due": "09:30", "status": ("Checked in", "info")},
    {"name": "Blake Sample", "chair": 1, "due": "08:45", "status": ("In chair", "success")},
    {"name": "Casey Demo", "chair": 3, "due": "10:15", "status": ("Vitals overdue", "warning")},
    {
        "name": "Drew Placeholder",
        "chair": 4,
        "due": "11:00",
        "status": ("Stopped: low SpO2", "danger"),
    },
    {"name": "Emery Test", "chair": 5, "due": "11:45", "status": ("Not arrived", "neutral")},
]
STEPS = ["Contact details", "Medical history", "Consent", "Check your answers"]
TONES = ["neutral", "info", "success", "warning", "danger"]


def examples(request: HttpRequest) -> dict[str, Any]:
    sort = pick_sort(request.GET.get("sort"), SORTS, default="due")
    rows = sorted(ROWS, key=lambda row: row[sort.column], reverse=sort.descending)
    with_errors = ExampleForm(
        data={
            "name": "",
            "email": "not-an-address",
            "weight_kg": "2000",
            "notes": "Kept as typed.",
        },
        auto_id="err_%s",
    )
    with_errors.is_valid()
    with_errors.add_error(None, "The clinic is closed on the day you chose.")
    return {
        "form": ExampleForm(),
        "form_with_errors": with_errors,
        "sort": sort,
        "rows": rows,
        "steps": STEPS,
        "context_facts": ["tokens.css", "components.css", "site.js", "templates/components/"],
        "tones": TONES,
        "summary_rows": [
            ("Full name", "Avery Example", "#id_name"),
            ("Date of birth", "1984-03-02", "#id_name"),
            ("Weight", "72.5 kg", "#id_weight_kg"),
            ("Previous infusions", 0, ""),
            ("Referring clinician", "", "#id_notes"),
        ],
    }
