"""The consent forms: prepare, sign (typed name and drawn signature), revoke, publish a text."""

from __future__ import annotations

from typing import Any

from django import forms

from ketaclinic.careteam.models import OutsideProfessional
from ketaclinic.consents.models import Kind
from ketaclinic.patients.models import Patient
from ketaclinic.patients.sections import SHAREABLE


class ProfessionalChoice(forms.ModelChoiceField[OutsideProfessional]):
    def label_from_instance(self, obj: OutsideProfessional) -> str:
        return ", ".join(x for x in (obj.name, obj.credentials) if x)


class ConsentForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of consent", widget=forms.RadioSelect)
    indications = forms.CharField(
        label="Indication(s)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Off-label consent: the condition(s) treated, one per line "
        "(for example: Treatment-resistant depression).",
    )
    professional = ProfessionalChoice(
        label="Professional (recipient)",
        queryset=OutsideProfessional.objects.none(),
        required=False,
        help_text="Sharing and Part 2 consents: the person the record is shared with.",
    )
    sections = forms.MultipleChoiceField(
        label="Parts of the record shared",
        choices=list(SHAREABLE.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    purpose = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why it is shared, for example: to coordinate psychotherapy with treatment.",
    )
    expires_on = forms.DateField(
        label="Expires on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The last day the consent holds. Or give an event instead (below).",
    )
    expiry_event = forms.CharField(
        label="Or expires at the event",
        required=False,
        max_length=200,
        help_text="For example: the end of my treatment at the clinic.",
    )

    def __init__(self, *args: Any, patient: Patient, kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(k, Kind(k).label) for k in kinds]
        pro = self.fields["professional"]
        assert isinstance(pro, forms.ModelChoiceField)
        pro.queryset = OutsideProfessional.objects.filter(
            clinic_id=patient.clinic_id, archived_at__isnull=True
        )

    def indication_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["indications"].splitlines()]


class SignForm(forms.Form):
    read_confirmed = forms.BooleanField(
        label="The patient has read the whole text (or had it read to them), and their "
        "questions were answered."
    )
    typed_name = forms.CharField(
        label="Patient: type your full legal name",
        max_length=210,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "words"}),
    )
    signature = forms.CharField(required=False, widget=forms.HiddenInput, max_length=250_000)


class EndForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text="How the patient asked (in person, by phone, in writing) and anything they said.",
    )


class TemplateForm(forms.Form):
    title = forms.CharField(max_length=200)
    body = forms.CharField(
        label="Text (Markdown)", widget=forms.Textarea(attrs={"rows": 24}), strip=False
    )
    change_note = forms.CharField(
        label="What changed",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Patients who signed an earlier version are asked to consent again.",
    )
