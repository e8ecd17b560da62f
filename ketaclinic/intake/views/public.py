"""The patient's side of the intake, at ``/i/<token>/``: no account, the link is the key.

Each view turns the token into its live link first (``securelinks.pages.open_or_refuse``:
unknown, expired, used or withdrawn links get the calm page, refusals are rate-limited), and
records the opening (``view.securelink``) or the step saved. The token is in the path only;
every response says ``Referrer-Policy: same-origin`` and log lines scrub it
(``lib.logs.ScrubSecretPaths``).

The POST views are exempt from Django's CSRF check: some browsers and privacy tools still send
``Origin: null`` with the form, which that check refuses, and no cookie or session is read on
these pages. The link's token in the address stands in for the CSRF token: a forged form must
name the token, and whoever knows it can open the intake anyway.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from ketaclinic.access.policy import public
from ketaclinic.access.zones import clinic_zone
from ketaclinic.inquiries.views.public import public_context
from ketaclinic.intake.models import IntakeSubmission
from ketaclinic.intake.steps import BY_KEY, REVIEW, next_step_key, steps_for
from ketaclinic.intake.views import flow
from ketaclinic.securelinks import actions as links
from ketaclinic.securelinks.models import Purpose, Refusal, SecureLink
from ketaclinic.securelinks.pages import no_referrer, open_or_refuse

LAYOUT = "inquiries/public_layout.html"


def _side(token: str, link: SecureLink) -> flow.Side:
    def step_url(key: str) -> str:
        if key == REVIEW:
            return reverse("intake:review", args=[token])
        return reverse("intake:step", args=[token, key])

    return flow.Side(
        by=None,
        link=link,
        step_url=step_url,
        done_url=reverse("intake:thanks", args=[token]),
        layout=LAYOUT,
        context=public_context(link.clinic),
    )


def _submission(link: SecureLink) -> IntakeSubmission:
    submission = (
        IntakeSubmission.objects.select_related("patient", "clinic")
        .filter(pk=link.target_id or 0)
        .first()
    )
    if submission is None:  # a link of another purpose's target: never for the intake
        raise Http404
    return submission


@public
@require_safe
@no_referrer
def start(request: HttpRequest, token: str) -> HttpResponse:
    """Where the link lands: what the intake is, how far they got, and the way on."""
    opened = open_or_refuse(request, token, purpose=Purpose.INTAKE)
    if isinstance(opened, HttpResponse):
        return opened
    submission = _submission(opened)
    links.record_open(opened, request=request)
    patient = submission.patient
    side = _side(token, opened)
    next_key = next_step_key(patient, submission.answers)
    done = sum(1 for step in steps_for(patient) if step.key in submission.answers)
    context = {
        **side.context,
        "layout": LAYOUT,
        "patient": patient,
        "link": opened,
        "expires_on": date_format(
            timezone.localtime(opened.expires_at, clinic_zone(opened.clinic)), "j F Y"
        ),
        "started": bool(submission.answers),
        "steps_done": done,
        "steps_total": len(steps_for(patient)),
        "continue_url": side.step_url(next_key),
        **flow.progress(patient, next_key),
    }
    return render(request, "intake/start.html", context)


@public
@csrf_exempt  # the token in the path stands in (see the module docstring)
@require_http_methods(["GET", "HEAD", "POST"])
@no_referrer
def step(request: HttpRequest, token: str, step: str) -> HttpResponse:
    opened = open_or_refuse(request, token, purpose=Purpose.INTAKE)
    if isinstance(opened, HttpResponse):
        return opened
    found = BY_KEY.get(step)
    if found is None:
        return redirect("intake:start", token=token)
    submission = _submission(opened)
    if request.method != "POST":
        links.record_open(opened, step=step, request=request)
    return flow.step_page(request, _side(token, opened), submission, found)


@public
@csrf_exempt  # the token in the path stands in (see the module docstring)
@require_http_methods(["GET", "HEAD", "POST"])
@no_referrer
def review(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        # A second tap on "Send" after the first went through: say thank you again.
        check = links.check_token(token, purpose=Purpose.INTAKE)
        if check.link is not None and check.refusal == Refusal.USED:
            return redirect("intake:thanks", token=token)
    opened = open_or_refuse(request, token, purpose=Purpose.INTAKE)
    if isinstance(opened, HttpResponse):
        return opened
    submission = _submission(opened)
    if request.method != "POST":
        links.record_open(opened, step=REVIEW, request=request)
    return flow.review_page(request, _side(token, opened), submission)


@public
@require_safe
@no_referrer
def thanks(request: HttpRequest, token: str) -> HttpResponse:
    """After the final submit: what happens next. A link not used yet goes back to its start."""
    check = links.check_token(token, purpose=Purpose.INTAKE)
    if check.link is not None and check.refusal == Refusal.USED:
        links.record_open(check.link, step="thanks", request=request)
        context = {**public_context(check.link.clinic), "layout": LAYOUT}
        return render(request, "intake/thanks.html", context)
    opened = open_or_refuse(request, token, purpose=Purpose.INTAKE)
    if isinstance(opened, HttpResponse):
        return opened
    return redirect("intake:start", token=token)
