"""Session screens: the note (the panel with the signature and addenda, the printable page and
the PDF)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST, require_safe

from ketaclinic.access.policy import roles
from ketaclinic.access.request import ClinicRequest
from ketaclinic.accounts.actions.credentials import password_locked
from ketaclinic.accounts.views.security import _signed_out_locked as signed_out_locked
from ketaclinic.audit.log import record_view
from ketaclinic.infusions import hooks, panels, policies, states
from ketaclinic.infusions.actions import note as actions
from ketaclinic.infusions.models import InfusionSession, NoteAddendum, SessionNote
from ketaclinic.infusions.notecontent import note_content
from ketaclinic.infusions.notepdf import build_pdf
from ketaclinic.infusions.recoveryforms import AddendumForm, SignForm, errors_to
from ketaclinic.infusions.views.recovery import posted, render_session
from ketaclinic.infusions.views.session import session_of


def signed_note(session: InfusionSession) -> SessionNote | None:
    return SessionNote.objects.filter(session=session).select_related("signed_by").first()


def note_parts(session: InfusionSession) -> dict[str, Any]:
    """The content to show (the frozen one once signed), the note row and its addenda."""
    note = signed_note(session)
    addenda: list[NoteAddendum] = (
        list(note.addenda.select_related("by").order_by("at", "id")) if note else []
    )
    return {
        "note": note,
        "content": note.content if note is not None else note_content(session),
        "addenda": addenda,
    }


def note_context(request: ClinicRequest, session: InfusionSession) -> dict[str, Any]:
    parts = note_parts(session)
    is_physician = policies.can_take(request.membership, session, "sign")
    can_sign = is_physician and session.state == states.DISCHARGED and parts["note"] is None
    return {
        **parts,
        "blockers": hooks.sign_blockers(session) if parts["note"] is None else [],
        "can_sign": can_sign,
        "sign_form": (posted(request, "sign") or SignForm()) if can_sign else None,
        "addendum_form": (
            (posted(request, "addendum") or AddendumForm()) if parts["note"] is not None else None
        ),
        "sign_url": reverse("infusions:sign", args=[session.pk]),
        "addendum_url": reverse("infusions:addendum", args=[session.pk]),
        "note_url": reverse("infusions:note", args=[session.pk]),
        "pdf_url": reverse("infusions:note_pdf", args=[session.pk]),
        "instructions_url": reverse("infusions:instructions", args=[session.pk]),
    }


panels.register_panel(
    panels.Panel(
        "note",
        "Session note",
        "infusions/panels/_note.html",
        context=note_context,
        order=80,
        states=frozenset({states.DISCHARGED, states.SIGNED}),
    )
)


@roles(*policies.READ_ROLES)
@require_safe
def note_page(request: ClinicRequest, pk: int) -> HttpResponse:
    """The whole note, printable (a draft until signed)."""
    session = session_of(request, pk)
    record_view(request, session, section="infusion_note", patient_ref=session.patient_id)
    return render(
        request,
        "infusions/note.html",
        {
            "session": session,
            **note_parts(session),
            "session_url": reverse("infusions:session", args=[session.pk]),
            "pdf_url": reverse("infusions:note_pdf", args=[session.pk]),
        },
    )


@roles(*policies.READ_ROLES)
@require_safe
def note_pdf(request: ClinicRequest, pk: int) -> HttpResponse:
    session = session_of(request, pk)
    record_view(request, session, section="infusion_note", patient_ref=session.patient_id)
    parts = note_parts(session)
    pdf = build_pdf(parts["content"], note=parts["note"], addenda=parts["addenda"])
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="session-{session.pk}-note.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@sensitive_post_parameters("password")
@roles(*policies.PHYSICIAN_ROLES)
@require_POST
def sign(request: ClinicRequest, pk: int) -> HttpResponse:
    session = session_of(request, pk)
    form = SignForm(request.POST)
    if not form.is_valid():
        return render_session(request, session, sign=form)
    try:
        actions.sign_note(
            request.membership, session, password=form.cleaned_data["password"], request=request
        )
    except ValidationError as exc:
        if password_locked(request):
            return signed_out_locked(request)
        errors_to(form, exc)
        return render_session(request, session, sign=form)
    messages.success(request, "Note signed. Corrections from now on are addenda.")
    return redirect(reverse("infusions:session", args=[session.pk]) + "#note")


@roles(*policies.CHART_ROLES)
@require_POST
def addendum(request: ClinicRequest, pk: int) -> HttpResponse:
    session = session_of(request, pk)
    note = signed_note(session)
    form = AddendumForm(request.POST)
    if note is None:
        messages.error(request, "The note is not signed yet: addenda follow a signature.")
        return redirect(reverse("infusions:session", args=[session.pk]) + "#note")
    if not form.is_valid():
        return render_session(request, session, addendum=form)
    try:
        actions.add_addendum(
            request.membership, note, text=form.cleaned_data["text"], request=request
        )
    except ValidationError as exc:
        errors_to(form, exc)
        return render_session(request, session, addendum=form)
    messages.success(request, "Addendum added.")
    return redirect(reverse("infusions:session", args=[session.pk]) + "#note")


urlpatterns: list[URLPattern] = [
    path("sessions/<int:pk>/note/", note_page, name="note"),
    path("sessions/<int:pk>/note.pdf", note_pdf, name="note_pdf"),
    path("sessions/<int:pk>/sign/", sign, name="sign"),
    path("sessions/<int:pk>/addenda/", addendum, name="addendum"),
]
