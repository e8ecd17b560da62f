"""Clinic settings for the clinic admin, the Markdown preview, and the public logo."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import get_conditional_response
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ketaclinic.access.policy import public, roles
from ketaclinic.access.request import ClinicRequest
from ketaclinic.accounts.models import Role
from ketaclinic.clinics import logos
from ketaclinic.clinics.actions import update_clinic_settings
from ketaclinic.clinics.forms import (
    MARKDOWN_FIELDS,
    MARKDOWN_MAX_CHARS,
    PublicPageForm,
    SettingsForm,
)
from ketaclinic.clinics.models import Clinic
from ketaclinic.clinics.pages import PAGES, PAGES_BY_SLUG, SettingsPage
from ketaclinic.clinics.timezones import zone_choices
from ketaclinic.lib.markdown import render_markdown

# A clinic's logo is public (nothing about a patient is in it). At its plain address it may
# change at any time, so caches keep it but ask again each time (the ETag makes the answer a
# bodiless 304); at the versioned address (?v=<hash>, logo_url()) it never changes.
LOGO_CACHE_CONTROL = "public, no-cache"
LOGO_VERSIONED_CACHE_CONTROL = "public, max-age=31536000, immutable"


@roles(Role.CLINIC_ADMIN)
@require_safe
def settings_index(request: ClinicRequest) -> HttpResponse:
    subtitle = (
        f"Settings for {request.clinic.name}. Each change is kept in the audit trail with "
        "what it was before."
    )
    return render(
        request, "clinics/settings_index.html", {"pages": PAGES, "index_subtitle": subtitle}
    )


@roles(Role.CLINIC_ADMIN)
@require_http_methods(["GET", "HEAD", "POST"])
def settings_group(request: ClinicRequest, slug: str) -> HttpResponse:
    page = PAGES_BY_SLUG.get(slug)
    if page is None:
        raise Http404("No such settings page.")
    if page.form_class is None:
        if request.method == "POST":
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return _render(request, page, None)
    clinic = Clinic.objects.get(pk=request.clinic.pk)  # fresh: the form writes into it
    if request.method != "POST":
        return _render(request, page, page.form_class(instance=clinic))
    form = page.form_class(request.POST, request.FILES, instance=clinic)
    if "preview" in request.POST:
        form.is_valid()  # show problems now too; nothing is saved
        return _render(request, page, form, previewing=True)
    if not form.is_valid():
        return _render(request, page, form)
    changes = form.changes()
    if isinstance(form, PublicPageForm) and form.logo_png:
        changes["logo"] = logos.store_logo(form.logo_png)
    elif form.cleaned_data.get("remove_logo"):
        changes["logo"] = ""
    try:
        saved = update_clinic_settings(request.membership, request.clinic, changes, request=request)
    except ValidationError as exc:  # refused by the write layer's own checks
        _add_errors(form, exc)
        return _render(request, page, form)
    if saved.changed:
        labels = ", ".join(form.label_of("new_logo" if n == "logo" else n) for n in saved.changed)
        messages.success(request, f"Saved {page.title.lower()}: {labels}.")
    else:
        messages.info(request, "Nothing changed.")
    return redirect("clinics:settings_group", slug=page.slug)


def _add_errors(form: SettingsForm, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        target = "new_logo" if name == "logo" else name
        form.add_error(target if target in form.fields else None, errors)


def _render(
    request: ClinicRequest,
    page: SettingsPage,
    form: SettingsForm | None,
    *,
    previewing: bool = False,
) -> HttpResponse:
    context: dict[str, Any] = {"pages": PAGES, "page": page, "form": form, "previewing": previewing}
    if isinstance(form, PublicPageForm):
        context["markdown_fields"] = [
            (form[name], render_markdown(str(form[name].value() or ""))) for name in MARKDOWN_FIELDS
        ]
        context["colour_fields"] = [
            (form[name], form.contrast_of(name)) for name in ("brand_colour", "accent_colour")
        ]
        context["logo_url"] = logos.logo_url(request.clinic)
    if page.slug == "time-zone":
        context["zones"] = zone_choices()
    template = f"clinics/settings_{page.slug.replace('-', '_')}.html"
    return render(request, template, context)


@roles(Role.CLINIC_ADMIN)
@require_POST
def markdown_preview(request: ClinicRequest) -> HttpResponse:
    """The HTML of one public page section as typed (htmx swaps it into the preview pane)."""
    name = next((n for n in MARKDOWN_FIELDS if n in request.POST), None)
    if name is None:
        return HttpResponseBadRequest("Send one public page section to preview.")
    text = request.POST[name]
    too_long = len(text) > MARKDOWN_MAX_CHARS
    return render(
        request,
        "clinics/_markdown_preview.html",
        {"html": "" if too_long else render_markdown(text), "too_long": too_long},
    )


@public
@require_safe
def logo(request: HttpRequest, clinic_slug: str) -> HttpResponse:
    """The clinic's logo as PNG, for its public page (404 when it has none)."""
    clinic = get_object_or_404(Clinic, slug=clinic_slug)
    data = logos.read_logo(clinic.logo.name if clinic.logo else "")
    if data is None:
        raise Http404("This clinic has no logo.")
    version = logos.version_of(clinic.logo.name)
    etag = f'"{version}"'
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = HttpResponse(data, content_type="image/png")
    response["ETag"] = etag
    versioned = request.GET.get("v") == version
    response["Cache-Control"] = LOGO_VERSIONED_CACHE_CONTROL if versioned else LOGO_CACHE_CONTROL
    return response
