"""The controlled-substance panel at the infusion session (the nurse's part): this session's
draws, administered, waste and reconciliation, with the forms to draw (first-expiring vial
suggested), record what was administered (prefilled with the session's delivered mg when the
infusions app computes it), waste the rest with a witness, and return to stock.

A refused form re-renders the whole session screen with the error at the field and what was
typed kept (the forms are in a non-live panel, so the 5-second poll never wipes them)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ketaclinic.access.policy import roles
from ketaclinic.access.request import ClinicRequest
from ketaclinic.access.zones import clinic_today
from ketaclinic.infusions import panels, states
from ketaclinic.infusions.models import InfusionSession
from ketaclinic.infusions.views.session import LIVE_POLL_S, session_of
from ketaclinic.ledger import policies, screens
from ketaclinic.ledger.actions import session as session_actions
from ketaclinic.ledger.forms import AdministerForm, DrawForm, ReturnForm, WasteForm
from ketaclinic.ledger.models import Kind, Transaction
from ketaclinic.ledger.reconcile import reconciliations
from ketaclinic.ledger.views._common import CLINICIANS, refuse

#: The panel shows from the preparation on (a draw goes with preparing the infusion).
PANEL_STATES = frozenset(
    {
        states.CHECKED_IN,
        states.PRECHECKS,
        states.INFUSING,
        states.PAUSED,
        states.STOPPED_EARLY,
        states.RECOVERY,
        states.DISCHARGED,
        states.SIGNED,
    }
)
FORMS_ATTR = "ledger_forms"


def delivered_mg(session: InfusionSession) -> Decimal | None:
    """The session's delivered mg as charted, when the infusions app computes it
    (``infusions.pk.delivered_mg``; absent on branches where pk.py is still a stub)."""
    from ketaclinic.infusions import pk

    fn = getattr(pk, "delivered_mg", None)
    if fn is None:
        return None
    value = fn(session)
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.001"))


def panel_context(request: ClinicRequest, session: InfusionSession) -> dict[str, Any]:
    clinic_id = session.clinic_id
    today = clinic_today(request.clinic)
    given: dict[str, Form] = getattr(request, FORMS_ATTR, {})
    entries = list(
        Transaction.objects.filter(session=session)
        .select_related("container__lot__drug", "performed_by", "witness_1")
        .order_by("id")
    )
    drawable = list(screens.drawable(clinic_id, today))
    suggested = screens.suggestions([c.balance for c in drawable], today)
    first = next((c for c in drawable if c.pk in suggested), None)
    delivered = delivered_mg(session)
    can_chart = policies.can_chart_doses(request.membership, clinic_id) and (
        session.state not in states.FINAL
    )
    # With one vial drawn (the usual case) the forms that take from it preselect it.
    drawn_from = {t.container_id for t in entries if t.kind == Kind.DRAW}
    vial = next(iter(drawn_from)) if len(drawn_from) == 1 else None
    forms: dict[str, Form] = {}
    if can_chart:
        forms = {
            "draw": given.get("draw")
            or DrawForm(
                clinic_id,
                today,
                initial={
                    "container": first.pk if first else None,
                    "mg": session.container_drug_mg,
                },
            ),
            "administer": given.get("administer")
            or AdministerForm(session.pk, initial={"container": vial, "mg": delivered}),
            "waste": given.get("waste") or WasteForm(session.pk, initial={"container": vial}),
            "return": given.get("return") or ReturnForm(session.pk, initial={"container": vial}),
        }
    return {
        "entries": entries,
        "reconciliations": reconciliations(session) if entries else [],
        "suggested": first,
        "delivered_mg": delivered,
        "forms": forms,
        "can_chart": can_chart,
    }


panels.register_panel(
    panels.Panel(
        slug="ledger",
        title="Controlled substance",
        template="ledger/panel.html",
        context=panel_context,
        order=35,
        states=PANEL_STATES,
    )
)


def _again(request: ClinicRequest, session: InfusionSession, name: str, form: Form) -> HttpResponse:
    """The session screen again, this form with its errors (what was typed kept)."""
    setattr(request, FORMS_ATTR, {name: form})
    return render(
        request,
        "infusions/session.html",
        {
            "session": session,
            "panels": panels.rendered(request, session, live=False),
            "live_panels": panels.rendered(request, session, live=True),
            "poll_s": LIVE_POLL_S,
            "transitions": states.available(session.state),
        },
    )


def _done(session: InfusionSession) -> HttpResponse:
    return redirect(reverse("infusions:session", args=[session.pk]) + "#ledger")


Act = Callable[[ClinicRequest, InfusionSession, dict[str, Any], Form], Any]


def _handle(
    request: ClinicRequest,
    pk: int,
    name: str,
    form_for: Callable[[InfusionSession], Form],
    act: Act,
    done: str,
    mapping: dict[str, str] | None = None,
) -> HttpResponse:
    session = session_of(request, pk)
    form = form_for(session)
    if form.is_valid():
        try:
            result = act(request, session, form.cleaned_data, form)
        except ValidationError as exc:
            refuse(form, exc, {"container": "container", "session": "container", **(mapping or {})})
        else:
            if result is not None:
                messages.success(request, done)
                return _done(session)
    return _again(request, session, name, form)


@roles(*CLINICIANS)
@require_POST
def draw(request: ClinicRequest, pk: int) -> HttpResponse:
    def act(r: ClinicRequest, s: InfusionSession, d: dict[str, Any], f: Form) -> Any:
        return session_actions.draw(
            r.membership,
            d["container"],
            s,
            d["mg"],
            d["ml"],
            idempotency_key=d["idempotency_key"],
            request=r,
        )

    return _handle(
        request,
        pk,
        "draw",
        lambda s: DrawForm(s.clinic_id, clinic_today(request.clinic), request.POST),
        act,
        "Draw recorded.",
    )


@roles(*CLINICIANS)
@require_POST
def administer(request: ClinicRequest, pk: int) -> HttpResponse:
    def act(r: ClinicRequest, s: InfusionSession, d: dict[str, Any], f: Form) -> Any:
        return session_actions.administer(
            r.membership,
            d["container"],
            s,
            d["mg"],
            idempotency_key=d["idempotency_key"],
            request=r,
        )

    return _handle(
        request,
        pk,
        "administer",
        lambda s: AdministerForm(s.pk, request.POST),
        act,
        "Administered amount recorded.",
    )


@roles(*CLINICIANS)
@require_POST
def waste(request: ClinicRequest, pk: int) -> HttpResponse:
    def act(r: ClinicRequest, s: InfusionSession, d: dict[str, Any], f: Form) -> Any:
        assert isinstance(f, WasteForm)
        witness = f.witness_user(s.clinic_id, "witness")
        if witness is None:
            return None
        if witness.pk == r.user.pk:
            f.add_error("witness_email", "The witness must be a different person.")
            return None
        return session_actions.waste(
            r.membership,
            d["container"],
            s,
            d["mg"],
            d["method"],
            witness,
            d["witness_password"],
            d["witness_otp"],
            idempotency_key=d["idempotency_key"],
            request=r,
        )

    return _handle(
        request,
        pk,
        "waste",
        lambda s: WasteForm(s.pk, request.POST),
        act,
        "Waste recorded with its witness.",
        {"witness": "witness_otp"},
    )


@roles(*CLINICIANS)
@require_POST
def return_to_stock(request: ClinicRequest, pk: int) -> HttpResponse:
    def act(r: ClinicRequest, s: InfusionSession, d: dict[str, Any], f: Form) -> Any:
        return session_actions.return_to_stock(
            r.membership,
            d["container"],
            s,
            d["mg"],
            reason=d["reason"],
            idempotency_key=d["idempotency_key"],
            request=r,
        )

    return _handle(
        request, pk, "return", lambda s: ReturnForm(s.pk, request.POST), act, "Returned to stock."
    )
