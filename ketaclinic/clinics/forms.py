"""The clinic settings forms, one per settings page, in plain language.

Every help text that states a default names where the default comes from. The forms check and
normalise what was typed; saving goes through ``actions.update_clinic_settings``, which checks
again, so no caller can store what these forms would refuse.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse_lazy

from ketaclinic.clinics import colours
from ketaclinic.clinics.logos import prepare_logo
from ketaclinic.clinics.models import MARKDOWN_FIELDS, Clinic
from ketaclinic.clinics.origins import normalise_origins
from ketaclinic.clinics.timezones import canonical_zone

MARKDOWN_MAX_CHARS = 20_000


class TextField(forms.CharField):
    """Text from a textarea, with the browser's CRLF line ends read as LF, so that sending the
    page back unchanged is "nothing changed" rather than a change of every line end."""

    def to_python(self, value: Any) -> str:
        text = str(super().to_python(value) or "")
        return text.replace("\r\n", "\n").replace("\r", "\n")


def _markdown(label: str, help_text: str) -> TextField:
    return TextField(
        label=label,
        required=False,
        max_length=MARKDOWN_MAX_CHARS,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 6, "class": "markdown-input"}),
    )


def _number(label: str, low: int, high: int, help_text: str) -> forms.IntegerField:
    message = f"Enter a whole number from {low} to {high}."
    return forms.IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        help_text=help_text,
        error_messages={
            "required": message,
            "invalid": message,
            "min_value": message,
            "max_value": message,
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


def _colour(label: str, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        validators=[colours.validate_white_text_contrast],
        widget=forms.TextInput(attrs={"type": "color", "class": "colour-input"}),
    )


class SettingsForm(forms.ModelForm):
    """A settings page's form: ``changes()`` is what to hand the write layer."""

    def changes(self) -> dict[str, Any]:
        model_fields = set(self._meta.fields or ())
        return {name: self.cleaned_data[name] for name in self.changed_data if name in model_fields}

    def label_of(self, name: str) -> str:
        field = self.fields.get(name)
        return str(field.label) if field is not None and field.label else name


class PublicPageForm(SettingsForm):
    public_intro = _markdown(
        "Introduction",
        "The first section: what ketamine infusion therapy is. An empty section is left off "
        "the page.",
    )
    public_who_it_helps = _markdown("Who it may help", "Conditions and people it may suit.")
    public_how_a_visit_works = _markdown("How a visit works", "From first call to treatment.")
    public_what_it_feels_like = _markdown("What it feels like", "During the infusion.")
    public_afterwards = _markdown("What to expect afterwards", "Recovery, the ride home, driving.")
    public_faq = _markdown(
        "Frequently asked questions",
        'Write each question as a small heading ("### Is it safe?") with its answer below.',
    )
    public_costs = _markdown("Costs", "Leave empty to keep costs off the page.")
    crisis_resources = TextField(
        label="Crisis help text",
        max_length=2000,
        help_text=(
            # HTML: the hint is shown as written (components/field.html).
            "Shown prominently at the top of the public page and after every inquiry. The "
            "default names the US 988 Suicide &amp; Crisis Lifeline (call or text 988; SAMHSA, "
            "live since July 2022) and 911. Outside the US, name your own crisis lines. Plain "
            "text: line breaks are kept."
        ),
        error_messages={"required": "Give crisis help text: it must always be on the page."},
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    new_logo = forms.FileField(
        label="Logo",
        required=False,
        help_text=(
            "A PNG, JPEG or WebP picture, at most 2 MB and 4000 x 4000 pixels. We shrink it to "
            "fit 480 x 160 pixels and save it as PNG without hidden photo details (metadata)."
        ),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    remove_logo = forms.BooleanField(label="Remove the logo", required=False)
    brand_colour = _colour(
        "Main colour",
        "Fills the page header, behind white text. It must be dark enough for white text to "
        "be readable: a contrast of at least 4.5:1 (WCAG 2.2, 1.4.3). Default #1f5fa8.",
    )
    accent_colour = _colour(
        "Button colour",
        'The "ask a question" button, with white text; the same 4.5:1 rule. Default #1d6b38.',
    )
    reply_within = forms.CharField(
        label="How soon you reply",
        max_length=80,
        help_text=(
            'Finishes the sentence on the thank-you page "We aim to get back to you within ...". '
            'Default "one working day".'
        ),
    )

    class Meta:
        model = Clinic
        fields = [
            *MARKDOWN_FIELDS,
            "crisis_resources",
            "brand_colour",
            "accent_colour",
            "reply_within",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.logo_png: bytes | None = None
        for name in MARKDOWN_FIELDS:
            self.fields[name].widget.attrs.update(
                {
                    "hx-post": str(reverse_lazy("clinics:markdown_preview")),
                    "hx-trigger": "input changed delay:400ms",
                    "hx-params": name,
                    "hx-target": f"#preview-{name}",
                    "hx-swap": "innerHTML",
                }
            )
        if not (self.instance and self.instance.logo):
            del self.fields["remove_logo"]

    def clean_brand_colour(self) -> str:
        return str(self.cleaned_data["brand_colour"]).lower()

    def clean_accent_colour(self) -> str:
        return str(self.cleaned_data["accent_colour"]).lower()

    def clean_new_logo(self) -> Any:
        upload = self.cleaned_data.get("new_logo")
        if upload:
            self.logo_png = prepare_logo(upload)
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("remove_logo") and data.get("new_logo"):
            self.add_error(
                "remove_logo", "Either remove the logo or choose a new one, not both at once."
            )
        return data

    def contrast_of(self, name: str) -> str:
        """White text's contrast on the colour as saved or typed, for the hint."""
        value = str(self[name].value() or "")
        if not colours.HEX_COLOUR.match(value):
            return ""
        return colours.shown_ratio(colours.contrast_ratio(value, colours.WHITE))


class ContactForm(SettingsForm):
    name = forms.CharField(label="Clinic name", max_length=200)
    address = TextField(
        label="Address",
        required=False,
        help_text="As visitors should write it; shown on the public page.",
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )
    embed_origins = TextField(
        label="Websites that may embed the form",
        required=False,
        help_text=(
            "Only these websites can show your inquiry form inside their own pages. One address "
            "per line, like https://www.sturgesfamilypractice.example (no path after it). "
            "Leave empty to allow none."
        ),
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
    )

    class Meta:
        model = Clinic
        fields = ["name", "address", "phone", "email", "staff_email_details", "embed_origins"]
        labels = {"phone": "Phone", "email": "Email for new inquiries"}
        help_texts = {
            "phone": "Shown on the public page; visitors on a phone can tap it to call.",
            "email": "Where we announce new inquiries to your staff.",
        }

    def clean_embed_origins(self) -> str:
        return normalise_origins(self.cleaned_data.get("embed_origins") or "")


class TimeZoneForm(SettingsForm):
    time_zone = forms.CharField(
        label="Time zone",
        max_length=64,
        help_text=(
            "Every time staff see and type is in this zone. Start typing the region or the "
            "nearest big city (e.g. America/Chicago) and pick it from the list."
        ),
        widget=forms.TextInput(
            attrs={"list": "time-zones", "autocomplete": "off", "spellcheck": "false"}
        ),
    )

    class Meta:
        model = Clinic
        fields = ["time_zone"]

    def clean_time_zone(self) -> str:
        return canonical_zone(self.cleaned_data.get("time_zone") or "")


class SecurityForm(SettingsForm):
    idle_timeout_min = _number(
        "Sign staff out after this many minutes without activity",
        1,
        240,
        "Default 15 minutes. An inactivity timeout is required by OWASP ASVS 5.0 §7.3.1 "
        "and HIPAA §164.312(a)(2)(iii) (automatic logoff); 15 minutes is the value in the "
        "project's security reference.",
    )
    absolute_timeout_h = _number(
        "Sign staff out after this many hours, however active",
        1,
        24,
        "Default 12 hours. An absolute session lifetime is required by OWASP ASVS 5.0 §7.3.2; "
        "12 hours is the value in the project's security reference (one long clinic day).",
    )
    break_glass_minutes = _number(
        "Emergency (break-glass) access lasts this many minutes",
        5,
        24 * 60,
        "Default 60 minutes, this project's own choice: HIPAA §164.312(a)(2)(ii) asks for an "
        "emergency access procedure that is time-boxed, but names no length.",
    )

    class Meta:
        model = Clinic
        fields = ["idle_timeout_min", "absolute_timeout_h", "break_glass_minutes"]
