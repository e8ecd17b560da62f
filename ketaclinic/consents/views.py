"""A patient's consents (the chart's Consents tab), one consent with its signing and revoking
forms, the signed PDF, and the clinic's consent texts.

Reading is for the chart roles (physician, nurse, coordinator), and for other staff by
break-glass; Part 2 consents only for viewers who see Part 2 rows. Writing is for the roles
``policies.KIND_ROLES`` names; the action checks again.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ketaclinic.access.policy import clinic_scoped, roles
from ketaclinic.access.request import ClinicRequest
from ketaclinic.accounts.policies import break_glass_or_roles
from ketaclinic.audit.log import record_view
from ketaclinic.consents import actions, chart, policies, queries
from ketaclinic.consents.defaults import REDISCLOSURE_NOTICE
from ketaclinic.consents.forms import ConsentForm, EndForm, SignForm
from ketaclinic.consents.models import Consent, ConsentEvent, Kind
from ketaclinic.consents.pdf import consent_fields, signature_fields
from ketaclinic.consents.storage import read_pdf
from ketaclinic.lib.markdown import render_markdown
from ketaclinic.patients.access import ChartViewer, chart_viewer
from ketaclinic.patients.models import Patient
from ketaclinic.patients.views._chart import chart_context


def _patient(request: ClinicRequest, pk: int, **_: Any) -> Patient:
    qs = clinic_scoped(Patient.objects.select_related("clinic"), request)
    return get_object_or_404(qs, pk=pk)


def _consents(patient: Patient, viewer: ChartViewer) -> list[Consent]:
    rows = (
        Consent.objects.filter(patient=patient)
        .select_related("template", "professional", "witnessed_by")
        .prefetch_related(Prefetch("events", ConsentEvent.objects.select_related("by")))
    )
    return [c for c in rows if policies.sees_kind(viewer.part2, c.template.kind)]


def _consent(request: ClinicRequest, patient: Patient, viewer: ChartViewer, cid: int) -> Consent:
    qs = Consent.objects.select_related("template", "professional", "witnessed_by", "clinic")
    consent = get_object_or_404(qs, pk=cid, patient=patient)
    if not policies.sees_kind(viewer.part2, consent.template.kind):
        raise Http404("No such consent.")
    consent.patient = patient
    return consent


def _links(patient: Patient) -> dict[str, str]:
    return {
        "chart_url": f"/patients/{patient.pk}/",
        "list_url": reverse("consents:list", args=[patient.pk]),
        "new_url": reverse("consents:new", args=[patient.pk]),
    }


@break_glass_or_roles(*policies.READ_ROLES, target=_patient)
@require_safe
def consent_list(request: ClinicRequest, pk: int) -> HttpResponse:
    patient = _patient(request, pk)
    viewer = chart_viewer(request, patient)
    context = chart_context(request, patient, viewer, chart.TAB_SLUG)
    record_view(request, patient, section="consents", patient_ref=patient.pk)
    latest = queries.latest_versions(patient.clinic)
    rows = [
        {"consent": c, "reconsent": queries.reconsent_reasons(c, latest)}
        for c in _consents(patient, viewer)
    ]
    context.update(
        {
            "rows": rows,
            "can_create": bool(policies.kinds_for(request.membership, patient)),
            **_links(patient),
        }
    )
    return render(request, "consents/list.html", context)


@roles(*policies.RECORD_ROLES)
@require_http_methods(["GET", "HEAD", "POST"])
def consent_new(request: ClinicRequest, pk: int) -> HttpResponse:
    patient = _patient(request, pk)
    kinds = policies.kinds_for(request.membership, patient)
    if not patient.sud_treatment or not policies.sees_kind(
        chart_viewer(request, patient).part2, Kind.PART2
    ):
        kinds = [k for k in kinds if k != Kind.PART2]
    data = request.POST if request.method == "POST" else None
    form = ConsentForm(data, patient=patient, kinds=kinds, initial=_initial_kind(request, kinds))
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            consent = actions.create_consent(
                request.membership,
                patient,
                values["kind"],
                professional=values["professional"],
                sections=values["sections"],
                purpose=values["purpose"],
                expires_on=values["expires_on"],
                expiry_event=values["expiry_event"],
                indications=form.indication_list(),
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Consent prepared. Give the patient the tablet to sign.")
            return redirect("consents:detail", pk=patient.pk, cid=consent.pk)
    context = {"patient": patient, "form": form, **_links(patient)}
    return render(request, "consents/new.html", context)


def _initial_kind(request: ClinicRequest, kinds: list[str]) -> dict[str, str]:
    asked = request.GET.get("kind", "")
    return {"kind": asked if asked in kinds else (kinds[0] if kinds else "")}


def _detail(
    request: ClinicRequest,
    patient: Patient,
    consent: Consent,
    *,
    sign_form: Form | None = None,
    end_form: Form | None = None,
    status: int = 200,
) -> HttpResponse:
    record_view(request, consent, section="consent", patient_ref=patient.pk)
    can_record = policies.can_record(request.membership, patient, consent.template.kind)
    latest = queries.latest_versions(patient.clinic)
    is_draft = consent.status == "draft"
    context = {
        "patient": patient,
        "consent": consent,
        "body": render_markdown(consent.template.body),
        "fields": consent_fields(consent),
        "signature": signature_fields(consent) if consent.signed_at else [],
        "events": consent.events.select_related("by"),
        "reconsent": queries.reconsent_reasons(consent, latest),
        "notice": REDISCLOSURE_NOTICE if consent.template.kind == Kind.PART2 else "",
        "sign_form": (sign_form or SignForm()) if can_record and is_draft else None,
        "end_form": (end_form or EndForm())
        if can_record and consent.status in ("draft", "signed")
        else None,
        "sign_url": reverse("consents:sign", args=[patient.pk, consent.pk]),
        "revoke_url": reverse("consents:revoke", args=[patient.pk, consent.pk]),
        "pdf_url": reverse("consents:pdf", args=[patient.pk, consent.pk])
        if consent.pdf_name
        else "",
        **_links(patient),
    }
    return render(request, "consents/detail.html", context, status=status)


@break_glass_or_roles(*policies.READ_ROLES, target=_patient)
@require_safe
def consent_detail(request: ClinicRequest, pk: int, cid: int) -> HttpResponse:
    patient = _patient(request, pk)
    consent = _consent(request, patient, chart_viewer(request, patient), cid)
    return _detail(request, patient, consent)


@roles(*policies.RECORD_ROLES)
@require_POST
def consent_sign(request: ClinicRequest, pk: int, cid: int) -> HttpResponse:
    patient = _patient(request, pk)
    consent = _consent(request, patient, chart_viewer(request, patient), cid)
    form = SignForm(request.POST)
    if form.is_valid():
        try:
            actions.sign_consent(
                request.membership,
                consent,
                typed_name=form.cleaned_data["typed_name"],
                signature_data_url=form.cleaned_data["signature"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Signed. The PDF copy is stored with the consent.")
            return redirect("consents:detail", pk=patient.pk, cid=consent.pk)
    return _detail(request, patient, consent, sign_form=form)


@roles(*policies.RECORD_ROLES)
@require_POST
def consent_revoke(request: ClinicRequest, pk: int, cid: int) -> HttpResponse:
    patient = _patient(request, pk)
    consent = _consent(request, patient, chart_viewer(request, patient), cid)
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            actions.revoke_consent(
                request.membership, consent, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Revoked. Any sharing it allowed has ended.")
            return redirect("consents:detail", pk=patient.pk, cid=consent.pk)
    return _detail(request, patient, consent, end_form=form)


@break_glass_or_roles(*policies.READ_ROLES, target=_patient)
@require_safe
def consent_pdf(request: ClinicRequest, pk: int, cid: int) -> HttpResponse:
    patient = _patient(request, pk)
    consent = _consent(request, patient, chart_viewer(request, patient), cid)
    data = read_pdf(consent.pdf_name)
    if data is None:
        raise Http404("No signed copy.")
    record_view(request, consent, section="consent_pdf", patient_ref=patient.pk)
    response = HttpResponse(data, content_type="application/pdf")
    name = f"consent-{consent.pk}-v{consent.template.version}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
