"""The intake's steps, in order: what each asks (its form, and repeatable rows where a person
lists things) and for whom it applies.

A step's saved answers are JSON: the form's fields, plus ``rows`` (a list of row dicts) for
the steps with rows. :class:`BoundStep` is one step bound to a POST or to saved answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.forms import BaseFormSet, formset_factory

from ketaclinic.intake import forms as step_forms
from ketaclinic.patients.models import Patient, SexAtBirth

BLANK_ROWS = 2  # empty rows shown under the saved ones ("Save and add more" shows two more)
MAX_ROWS = 30


def _always(patient: Patient) -> bool:
    return True


def _may_be_pregnant(patient: Patient) -> bool:
    """Asked when the sex at birth is female, intersex or not known."""
    return patient.sex_at_birth != SexAtBirth.MALE


# Fields of the record the first two steps show filled in from the patient's record.
RECORD_FIELDS: dict[str, tuple[str, ...]] = {
    "about": (
        "preferred_name",
        "pronouns",
        "gender_identity",
        "gender_identity_other",
        "preferred_language",
        "interpreter_needed",
        "address",
    ),
    "contact": (
        "email",
        "phone_mobile",
        "phone_other",
        "emergency_contact_name",
        "emergency_contact_relationship",
        "emergency_contact_phone",
        "escort_name",
        "escort_relationship",
        "escort_phone",
    ),
}


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    title: str
    form_class: type[step_forms.StepForm]
    row_form: type[forms.Form] | None = None
    row_label: str = ""
    row_key: str = ""  # the row field that makes a row count (a row without it is blank)
    applies: Callable[[Patient], bool] = field(default=_always)
    intro: str = ""

    def bind(self, patient: Patient, answers: Any, data: Any = None) -> BoundStep:
        saved = answers if isinstance(answers, dict) else {}
        if not saved and self.key in RECORD_FIELDS:
            saved = {name: getattr(patient, name) for name in RECORD_FIELDS[self.key]}
        form = self.form_class(data, initial=self.form_class.initial_from(saved), prefix="s")
        rows = None
        if self.row_form is not None:
            saved_rows = list(saved.get("rows") or [])
            factory = formset_factory(
                self.row_form, extra=BLANK_ROWS, max_num=MAX_ROWS, validate_max=True
            )
            rows = factory(data, initial=saved_rows, prefix="row")
        return BoundStep(self, form, rows)


@dataclass
class BoundStep:
    step: Step
    form: step_forms.StepForm
    rows: BaseFormSet | None

    def is_valid(self) -> bool:
        valid = self.form.is_valid()
        if self.rows is not None:
            valid = self.rows.is_valid() and valid
            if valid:
                self._check_rows_against_none()
                valid = not self.form.errors
        return valid

    def filled_rows(self) -> list[dict[str, Any]]:
        assert self.rows is not None
        return [
            {k: step_forms._jsonable(v) for k, v in row.cleaned_data.items()}
            for row in self.rows
            if row.cleaned_data and row.cleaned_data.get(self.step.row_key)
        ]

    def _check_rows_against_none(self) -> None:
        none_field = "takes_none" if "takes_none" in self.form.fields else "no_known_allergies"
        says_none = bool(self.form.cleaned_data.get(none_field))
        rows = self.filled_rows()
        what = self.step.row_label
        if says_none and rows:
            self.form.add_error(none_field, f"You listed {what} below: untick this, or clear them.")
        elif not says_none and not rows:
            self.form.add_error(none_field, f"List your {what} below, or tick this.")

    def to_answers(self) -> dict[str, Any]:
        answers = dict(self.form.to_answers())
        if self.rows is not None:
            answers["rows"] = self.filled_rows()
        return answers


STEPS: list[Step] = [
    Step("about", "About you", "About you", step_forms.AboutForm),
    Step("contact", "Contact", "Contact, escort and emergency contact", step_forms.ContactForm),
    Step(
        "body",
        "Height and weight",
        "Your height and weight",
        step_forms.BodyForm,
        intro="Your best estimate is fine: we measure you at the clinic.",
    ),
    Step(
        "medications",
        "Medicines",
        "Medicines you take",
        step_forms.MedicationsForm,
        row_form=step_forms.MedicationRow,
        row_label="medicines",
        row_key="name",
        intro="Include prescribed medicines, ones you buy yourself, and supplements.",
    ),
    Step(
        "allergies",
        "Allergies",
        "Allergies",
        step_forms.AllergiesForm,
        row_form=step_forms.AllergyRow,
        row_label="allergies",
        row_key="substance",
    ),
    Step(
        "medical",
        "Health",
        "Your health",
        step_forms.MedicalHistoryForm,
        intro="Have you ever had, or do you have now:",
    ),
    Step(
        "psychiatric",
        "Mental health",
        "Your mental-health treatment so far",
        step_forms.PsychiatricForm,
    ),
    Step(
        "substances",
        "Substances",
        "Alcohol and other substances",
        step_forms.SubstancesForm,
        intro="Your answers help us keep you safe; they are kept private.",
    ),
    Step(
        "pregnancy",
        "Pregnancy",
        "Pregnancy and breastfeeding",
        step_forms.PregnancyForm,
        applies=_may_be_pregnant,
    ),
]
REVIEW = "review"
BY_KEY = {step.key: step for step in STEPS}


def steps_for(patient: Patient) -> list[Step]:
    return [step for step in STEPS if step.applies(patient)]


def labels_for(patient: Patient) -> list[str]:
    """The progress labels: every step that applies, then "Review"."""
    return [step.label for step in steps_for(patient)] + ["Review and send"]


def next_step_key(patient: Patient, answers: dict[str, Any]) -> str:
    """The first step that applies and has no saved answers, else the review."""
    for step in steps_for(patient):
        if step.key not in answers:
            return step.key
    return REVIEW


def missing_steps(patient: Patient, answers: dict[str, Any]) -> list[Step]:
    return [step for step in steps_for(patient) if step.key not in answers]
