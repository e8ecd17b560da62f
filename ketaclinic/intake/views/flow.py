"""The intake's steps as pages, shared by the patient's side (``public``, through the link) and
the staff side (``staff``, on the patient's behalf): the same forms and saving, different
layout, addresses and actor.

POST of a step saves it server-side (a dropped connection loses nothing saved) and goes to the
next step; "Save and add more" saves and shows the step again with more empty rows. Back is a
plain link to the step before (what is on the page is saved with Next only).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ketaclinic.accounts.models import Membership
from ketaclinic.intake import actions
from ketaclinic.intake.models import IntakeSubmission
from ketaclinic.intake.steps import (
    BY_KEY,
    REVIEW,
    Step,
    labels_for,
    missing_steps,
    next_step_key,
    steps_for,
)
from ketaclinic.patients.models import Patient
from ketaclinic.securelinks.models import SecureLink


@dataclass(frozen=True)
class Side:
    """Who is filling the intake in, and where its pages live."""

    by: Membership | None
    link: SecureLink | None
    step_url: Callable[[str], str]  # step key, or REVIEW -> address
    done_url: str
    layout: str
    context: dict[str, Any]


def progress(patient: Patient, current: str) -> dict[str, Any]:
    keys = [step.key for step in steps_for(patient)] + [REVIEW]
    return {"step_labels": labels_for(patient), "current": keys.index(current)}


def _neighbours(patient: Patient, key: str) -> tuple[str | None, str]:
    keys = [step.key for step in steps_for(patient)] + [REVIEW]
    i = keys.index(key)
    return (keys[i - 1] if i > 0 else None), keys[min(i + 1, len(keys) - 1)]


def step_page(
    request: HttpRequest, side: Side, submission: IntakeSubmission, step: Step
) -> HttpResponse:
    patient = submission.patient
    if not step.applies(patient):
        return redirect(side.step_url(next_step_key(patient, submission.answers)))
    saved = submission.answers.get(step.key)
    if request.method == "POST":
        bound = step.bind(patient, saved, request.POST)
        if bound.is_valid():
            actions.save_step(
                submission,
                step.key,
                bound.to_answers(),
                by=side.by,
                link=side.link,
                request=request,
            )
            if "add_rows" in request.POST:
                return redirect(side.step_url(step.key))
            _, following = _neighbours(patient, step.key)
            return redirect(side.step_url(following))
    else:
        bound = step.bind(patient, saved)
    previous, _ = _neighbours(patient, step.key)
    context = {
        **side.context,
        "layout": side.layout,
        "side": side,
        "patient": patient,
        "step": step,
        "form": bound.form,
        "rows": bound.rows,
        "row_errors": bool(
            bound.rows is not None
            and request.method == "POST"
            and any(r.errors for r in bound.rows)
        ),
        "back_url": side.step_url(previous) if previous else "",
        "action_url": side.step_url(step.key),
        "saved": saved is not None,
        **progress(patient, step.key),
    }
    return render(request, "intake/step.html", context)


def _display(bound: Any, answers: dict[str, Any]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    form = bound.form
    for name, field in form.fields.items():
        if name.endswith("_unit") or name in (
            "height_cm",
            "height_ft",
            "height_in",
            "weight_value",
        ):
            continue
        value = answers.get(name)
        choices = dict(getattr(field, "choices", []) or [])
        if isinstance(value, bool):
            if value:
                rows.append((str(field.label), "Yes"))
            continue
        if value in (None, ""):
            continue
        rows.append((str(field.label), str(choices.get(value, value))))
    if bound.step.key == "body":
        if answers.get("height_cm_total"):
            rows.append(("Height", f"{answers['height_cm_total']} cm"))
        if answers.get("weight_kg_total"):
            rows.append(("Weight", f"{answers['weight_kg_total']} kg"))
    for i, row in enumerate(answers.get("rows") or [], start=1):
        text = ", ".join(str(v) for k, v in row.items() if v not in (None, "") and k != "flag")
        rows.append((f"{bound.step.row_label.capitalize()} {i}", text))
    return rows


def summary(submission: IntakeSubmission, side: Side) -> list[dict[str, Any]]:
    """Each step's answers for the review page, with its "Change" address."""
    patient = submission.patient
    out = []
    for step in steps_for(patient):
        answers = submission.answers.get(step.key)
        bound = step.bind(patient, answers)
        out.append(
            {
                "step": step,
                "done": answers is not None,
                "rows": _display(bound, answers) if answers is not None else [],
                "change_url": side.step_url(step.key),
            }
        )
    return out


def review_page(request: HttpRequest, side: Side, submission: IntakeSubmission) -> HttpResponse:
    from ketaclinic.intake.forms import ReviewForm

    patient = submission.patient
    form = ReviewForm(request.POST if request.method == "POST" else None, prefix="s")
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            actions.submit_intake(submission, by=side.by, link=side.link, request=request)
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            return redirect(side.done_url)
    missing = missing_steps(patient, submission.answers)
    previous, _ = _neighbours(patient, REVIEW)
    context = {
        **side.context,
        "layout": side.layout,
        "side": side,
        "patient": patient,
        "form": form,
        "sections": summary(submission, side),
        "missing": missing,
        "first_missing_url": side.step_url(missing[0].key) if missing else "",
        "submit_error": error,
        "back_url": side.step_url(previous) if previous else "",
        "action_url": side.step_url(REVIEW),
        **progress(patient, REVIEW),
    }
    return render(request, "intake/review.html", context)


def step_or_review(key: str) -> Step | None:
    return BY_KEY.get(key)
