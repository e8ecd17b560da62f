"""The clinic's consent texts: every version of each kind, and publishing a new one (clinic
admin and physicians). Nothing here writes on GET: a kind never saved shows its built-in
text, which is saved as version 1 when first used or when a new version is published."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from ketaclinic.access.policy import clinic_scoped, roles
from ketaclinic.access.request import ClinicRequest
from ketaclinic.consents import actions, policies
from ketaclinic.consents.defaults import default_text
from ketaclinic.consents.forms import TemplateForm
from ketaclinic.consents.models import ConsentTemplate, Kind
from ketaclinic.lib.markdown import render_markdown


@roles(*policies.TEMPLATE_ROLES)
@require_safe
def template_list(request: ClinicRequest) -> HttpResponse:
    saved = list(clinic_scoped(ConsentTemplate.objects.select_related("published_by"), request))
    kinds = []
    for kind in Kind:
        versions = [t for t in saved if t.kind == kind.value]
        kinds.append(
            {
                "kind": kind,
                "versions": versions,
                "publish_url": reverse("consents:template_publish", args=[kind.value]),
            }
        )
    return render(request, "consents/templates.html", {"kinds": kinds})


@roles(*policies.TEMPLATE_ROLES)
@require_safe
def template_detail(request: ClinicRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(clinic_scoped(ConsentTemplate.objects.all(), request), pk=pk)
    context = {
        "template": template,
        "body": render_markdown(template.body),
        "list_url": reverse("consents:templates"),
    }
    return render(request, "consents/template_detail.html", context)


@roles(*policies.TEMPLATE_ROLES)
@require_http_methods(["GET", "HEAD", "POST"])
def template_publish(request: ClinicRequest, kind: str) -> HttpResponse:
    if kind not in Kind.values:
        raise Http404("No such kind of consent.")
    clinic = request.clinic
    latest = ConsentTemplate.objects.filter(clinic=clinic, kind=kind).order_by("-version").first()
    if latest is not None:
        initial = {"title": latest.title, "body": latest.body}
    else:
        title, body = default_text(kind, clinic.name)
        initial = {"title": title, "body": body}
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            template = actions.publish_template(
                request.membership,
                clinic,
                kind,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                change_note=form.cleaned_data["change_note"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Version {template.version} published.")
            return redirect("consents:template_detail", pk=template.pk)
    context = {
        "form": form,
        "kind": Kind(kind),
        "latest": latest,
        "list_url": reverse("consents:templates"),
    }
    return render(request, "consents/template_publish.html", context)
