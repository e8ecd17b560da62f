"""The patient's side of a questionnaire send, at ``/q/<token>/``: no account, the link is the key.

As the intake (``intake.views.public``): every view turns the token into its live link first
(``securelinks.pages.open_or_refuse``: unknown, expired, used or withdrawn links get the calm
page, refusals are rate-limited), records the opening, sends ``Referrer-Policy: same-origin``
(``securelinks.pages``); log lines scrub the token (``lib.logs.ScrubSecretPaths`` knows
``/q/``).

Pages work without JavaScript: each is a plain form whose answers are saved server-side when
sent, so the patient can stop and come back. "One question at a time" or the whole
questionnaire on one page is the patient's choice, kept on the request and switchable on
every page. Once a saved answer calls for crisis resources, every later page shows them first.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from ketaclinic.access.policy import public
from ketaclinic.inquiries.views.public import public_context
from ketaclinic.instruments import Instrument, get
from ketaclinic.measurement import forms, questionnaires
from ketaclinic.measurement.models import AnswerMode, QuestionnaireRequest
from ketaclinic.securelinks import actions as links
from ketaclinic.securelinks.models import Purpose, Refusal, SecureLink
from ketaclinic.securelinks.pages import no_referrer, open_or_refuse

LAYOUT = "inquiries/public_layout.html"
REVIEW = ("review", 0)


def _request_of(link: SecureLink) -> QuestionnaireRequest:
    found = (
        QuestionnaireRequest.objects.select_related("patient", "clinic", "link")
        .filter(pk=link.target_id or 0, patient_id=link.patient_id)
        .first()
    )
    if found is None:
        raise Http404
    return found


def _open(
    request: HttpRequest, token: str
) -> tuple[SecureLink, QuestionnaireRequest] | HttpResponse:
    opened = open_or_refuse(request, token, purpose=Purpose.QUESTIONNAIRE)
    if isinstance(opened, HttpResponse):
        return opened
    return opened, _request_of(opened)


def _positions(req: QuestionnaireRequest) -> list[tuple[str, int]]:
    """Every page in order: (instrument id, item number) one at a time, or (id, 0)."""
    out: list[tuple[str, int]] = []
    for instrument_id in req.instruments:
        if req.mode == AnswerMode.ONE:
            out += [(instrument_id, it.number) for it in get(instrument_id).items]
        else:
            out.append((instrument_id, 0))
    return out


def _unanswered(req: QuestionnaireRequest, position: tuple[str, int]) -> bool:
    instrument = get(position[0])
    saved = questionnaires.saved_answers(req, instrument)
    numbers = [it.number for it in instrument.items]
    if position[1]:
        return saved[numbers.index(position[1])] is None
    return any(v is None and not it.optional for it, v in zip(instrument.items, saved, strict=True))


def _url(token: str, position: tuple[str, int]) -> str:
    if position == REVIEW:
        return reverse("measurement:public_review", args=[token])
    if position[1]:
        return reverse("measurement:public_item", args=[token, position[0], position[1]])
    return reverse("measurement:public_page", args=[token, position[0]])


def _first_open(req: QuestionnaireRequest) -> tuple[str, int]:
    return next((p for p in _positions(req) if _unanswered(req, p)), REVIEW)


def _after(req: QuestionnaireRequest, position: tuple[str, int]) -> tuple[str, int]:
    order = _positions(req)
    if position not in order:
        return _first_open(req)
    later = order[order.index(position) + 1 :]
    return next((p for p in later if _unanswered(req, p)), _first_open(req))


def _before(req: QuestionnaireRequest, position: tuple[str, int]) -> tuple[str, int] | None:
    order = _positions(req)
    if position == REVIEW:
        return order[-1] if order else None
    if position not in order or order.index(position) == 0:
        return None
    return order[order.index(position) - 1]


def _context(req: QuestionnaireRequest, token: str, **extra: Any) -> dict[str, Any]:
    total = len(_positions(req))
    done = sum(1 for p in _positions(req) if not _unanswered(req, p))
    return {
        **public_context(req.clinic),
        "layout": LAYOUT,
        "req": req,
        "token": token,
        "crisis": req.crisis_shown_at is not None,
        "one_at_a_time": req.mode == AnswerMode.ONE,
        "mode_url": reverse("measurement:public_start", args=[token]),
        "pages_total": total,
        "pages_done": done,
        **extra,
    }


@public
@require_http_methods(["GET", "HEAD", "POST"])
@no_referrer
def start(request: HttpRequest, token: str) -> HttpResponse:
    """Where the link lands; POST chooses (or switches) how to answer, then goes on."""
    opened = _open(request, token)
    if isinstance(opened, HttpResponse):
        return opened
    link, req = opened
    form = forms.ModeForm(request.POST or None, initial={"mode": req.mode})
    if request.method == "POST" and form.is_valid():
        questionnaires.set_mode(req, form.cleaned_data["mode"], link=link, request=request)
        at = request.POST.get("at", "")
        instrument_id, _, number = at.partition(":")
        if instrument_id in req.instruments:
            position = (instrument_id, int(number) if number.isdigit() else 0)
            if req.mode == AnswerMode.ONE and not position[1]:
                position = (instrument_id, get(instrument_id).items[0].number)
            elif req.mode == AnswerMode.WHOLE:
                position = (instrument_id, 0)
            return redirect(_url(token, position))
        return redirect(_url(token, _first_open(req)))
    if request.method != "POST":
        links.record_open(link, request=request)
    instruments = [get(i) for i in req.instruments]
    context = _context(
        req,
        token,
        form=form,
        instruments=instruments,
        continue_url=_url(token, _first_open(req)),
        started=bool(req.progress),
    )
    return render(request, "measurement/public_start.html", context)


def _answer_page(
    request: HttpRequest,
    token: str,
    link: SecureLink,
    req: QuestionnaireRequest,
    instrument: Instrument,
    number: int,
) -> HttpResponse:
    position = (instrument.id, number)
    numbers = [number] if number else None
    saved = questionnaires.saved_answers(req, instrument)
    initial = {
        f"item_{it.number}": str(v)
        for it, v in zip(instrument.items, saved, strict=True)
        if v is not None
    }
    if request.method == "POST":
        form = forms.InstrumentForm(
            request.POST, instrument=instrument, staff=False, numbers=numbers
        )
        if form.is_valid():
            try:
                questionnaires.save_answers(
                    req,
                    instrument.id,
                    form.answers(),
                    link=link,
                    request=request,
                    site_url=request.build_absolute_uri("/"),
                )
            except ValidationError as problem:
                for name, errors in problem.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                return redirect(_url(token, _after(req, position)))
    else:
        links.record_open(link, step=instrument.id, request=request)
        form = forms.InstrumentForm(
            instrument=instrument, staff=False, numbers=numbers, initial=initial
        )
    back = _before(req, position)
    item = instrument.item(number) if number else None
    context = _context(
        req,
        token,
        instrument=instrument,
        item=item,
        form=form,
        position_key=f"{instrument.id}:{number}",
        action_url=_url(token, position),
        back_url=_url(token, back) if back else reverse("measurement:public_start", args=[token]),
        item_index=[it.number for it in instrument.items].index(number) + 1 if number else 0,
    )
    return render(request, "measurement/public_page.html", context)


@public
@require_http_methods(["GET", "HEAD", "POST"])
@no_referrer
def page(request: HttpRequest, token: str, instrument_id: str) -> HttpResponse:
    opened = _open(request, token)
    if isinstance(opened, HttpResponse):
        return opened
    link, req = opened
    if instrument_id not in req.instruments:
        return redirect("measurement:public_start", token=token)
    return _answer_page(request, token, link, req, get(instrument_id), 0)


@public
@require_http_methods(["GET", "HEAD", "POST"])
@no_referrer
def item(request: HttpRequest, token: str, instrument_id: str, number: int) -> HttpResponse:
    opened = _open(request, token)
    if isinstance(opened, HttpResponse):
        return opened
    link, req = opened
    if instrument_id not in req.instruments:
        return redirect("measurement:public_start", token=token)
    instrument = get(instrument_id)
    if number not in [it.number for it in instrument.items]:
        return redirect("measurement:public_page", token=token, instrument_id=instrument_id)
    return _answer_page(request, token, link, req, instrument, number)


@public
@require_http_methods(["GET", "HEAD", "POST"])
@no_referrer
def review(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        # A second tap on "Send" after the first went through: the thank-you page again.
        check = links.check_token(token, purpose=Purpose.QUESTIONNAIRE)
        if check.link is not None and check.refusal == Refusal.USED:
            return redirect("measurement:public_thanks", token=token)
    opened = _open(request, token)
    if isinstance(opened, HttpResponse):
        return opened
    link, req = opened
    problem = ""
    if request.method == "POST":
        try:
            questionnaires.submit_questionnaire(
                req, link=link, request=request, site_url=request.build_absolute_uri("/")
            )
        except ValidationError as refused:
            problem = " ".join(refused.messages)
        else:
            return redirect("measurement:public_thanks", token=token)
    else:
        links.record_open(link, step="review", request=request)
    rows = []
    for instrument_id in req.instruments:
        instrument = get(instrument_id)
        saved = questionnaires.saved_answers(req, instrument)
        rows.append(
            {
                "instrument": instrument,
                "url": _url(
                    token,
                    (
                        instrument_id,
                        0 if req.mode == AnswerMode.WHOLE else instrument.items[0].number,
                    ),
                ),
                "answers": [
                    (
                        it,
                        next((o.label for o in it.options if o.value == v), None),
                    )
                    for it, v in zip(instrument.items, saved, strict=True)
                ],
            }
        )
    missing = questionnaires.missing_items(req)
    back = _before(req, REVIEW)
    context = _context(
        req,
        token,
        rows=rows,
        missing=missing,
        problem=problem,
        back_url=_url(token, back) if back else reverse("measurement:public_start", args=[token]),
    )
    return render(
        request, "measurement/public_review.html", context, status=400 if problem else 200
    )


@public
@require_safe
@no_referrer
def thanks(request: HttpRequest, token: str) -> HttpResponse:
    """After the final submit: thanks, and crisis resources first when an answer called for
    them. A link not used yet goes back to its start."""
    check = links.check_token(token, purpose=Purpose.QUESTIONNAIRE)
    if check.link is not None and check.refusal == Refusal.USED:
        req = _request_of(check.link)
        links.record_open(check.link, step="thanks", request=request)
        return render(request, "measurement/public_thanks.html", _context(req, token))
    opened = _open(request, token)
    if isinstance(opened, HttpResponse):
        return opened
    return redirect("measurement:public_start", token=token)
