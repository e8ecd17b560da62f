"""The clinic's public page, the "learn more" form and its confirmation (anyone may use them).

The page wears the clinic's look: its name, logo and two colours. The colours reach the page
through a tiny per-clinic stylesheet (``theme_css``), because the content security policy
forbids inline styles.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import get_conditional_response
from django.utils.http import quote_etag
from django.utils.safestring import SafeString
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

from ketaclinic.access.policy import public
from ketaclinic.audit.log import client_ip
from ketaclinic.clinics.models import Clinic
from ketaclinic.inquiries import actions
from ketaclinic.inquiries.forms import InquiryForm
from ketaclinic.inquiries.models import ContactMethod, Inquiry
from ketaclinic.inquiries.tasks import queue_staff_notification
from ketaclinic.lib.markdown import render_markdown

logger = logging.getLogger(__name__)

# What the confirmation page needs, kept in the session so no visitor data is in the URL.
THANKS_KEY = "inquiries.thanks"
PUBLIC_LAYOUT = "inquiries/public_layout.html"

# The clinic-written sections, in page order: (anchor, heading, Clinic field). Empty ones are
# left out, so a clinic that does not want to talk about costs simply leaves them empty.
SECTIONS = (
    ("what", "What ketamine infusion therapy is", "public_intro"),
    ("who", "Who it may help", "public_who_it_helps"),
    ("visit", "How a visit works", "public_how_a_visit_works"),
    ("feel", "What it feels like", "public_what_it_feels_like"),
    ("after", "What to expect afterwards", "public_afterwards"),
    ("faq", "Frequently asked questions", "public_faq"),
    ("costs", "Costs", "public_costs"),
)

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# White text on the brand colour (header) and on the accent colour (call-to-action button)
# must reach WCAG 2.2 AA for normal text (1.4.3: 4.5:1).
MIN_CONTRAST_WITH_WHITE = 4.5
THEME_MAX_AGE_S = (
    24 * 60 * 60
)  # the page links the stylesheet by version, so a change shows at once


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str
    html: SafeString


def page_sections(clinic: Clinic) -> list[Section]:
    """The clinic's non-empty sections, rendered from Markdown and sanitised."""
    return [
        Section(anchor, title, render_markdown(text))
        for anchor, title, name in SECTIONS
        if (text := str(getattr(clinic, name) or "")).strip()
    ]


def tel_href(phone: str) -> str:
    """A ``tel:`` address for a typed phone number: a leading + and the digits, nothing else."""
    digits = re.sub(r"\D", "", phone)
    if not digits:
        return ""
    return "tel:" + ("+" if phone.strip().startswith("+") else "") + digits


def logo_url(clinic: Clinic) -> str:
    """The address of the clinic's logo, or "" when it has none or the logo view is absent."""
    if not clinic.logo:
        return ""
    try:
        return reverse("clinics:logo", kwargs={"clinic_slug": clinic.slug})
    except NoReverseMatch:  # the clinic settings pages (which serve logos) are not installed
        return ""


def _luminance(hex_colour: str) -> float:
    """Relative luminance (WCAG 2.2 definition) of a #rrggbb colour."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_with_white(hex_colour: str) -> float:
    return 1.05 / (_luminance(hex_colour) + 0.05)


def safe_colour(value: str, default: str) -> str:
    """``value`` if it is a #rrggbb colour white text can be read on, else ``default``.

    The settings form checks both already; this keeps a bad value typed elsewhere (the shell,
    an import) from reaching a stylesheet or making the page unreadable.
    """
    if HEX_COLOUR.match(value or "") and contrast_with_white(value) >= MIN_CONTRAST_WITH_WHITE:
        return value.lower()
    return default


def theme_stylesheet(clinic: Clinic) -> str:
    brand = safe_colour(clinic.brand_colour, str(Clinic._meta.get_field("brand_colour").default))
    accent = safe_colour(clinic.accent_colour, str(Clinic._meta.get_field("accent_colour").default))
    return f":root {{ --clinic-brand: {brand}; --clinic-accent: {accent}; }}\n"


def theme_version(clinic: Clinic) -> str:
    return hashlib.sha256(theme_stylesheet(clinic).encode()).hexdigest()[:16]


def public_context(clinic: Clinic, **extra: Any) -> dict[str, Any]:
    """What every public template needs: the clinic, its look and its phone link."""
    return {
        "clinic": clinic,
        "layout": PUBLIC_LAYOUT,
        "logo_url": logo_url(clinic),
        "theme_url": reverse("inquiries:theme_css", args=[clinic.slug])
        + f"?v={theme_version(clinic)}",
        "clinic_tel": tel_href(clinic.phone),
        **extra,
    }


def clinic_or_404(slug: str) -> Clinic:
    return get_object_or_404(Clinic, slug=slug)


def answer_429(template: str, **extra: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Turn the rate limiter's refusal into a 429 page that still shows crisis resources.

    django-ratelimit raises ``Ratelimited`` (a PermissionDenied), which would otherwise become
    a 403 unless its middleware is installed; answering here keeps the clinic's own crisis text.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(
            request: HttpRequest, clinic_slug: str, *args: Any, **kwargs: Any
        ) -> HttpResponse:
            try:
                return view(request, clinic_slug, *args, **kwargs)
            except Ratelimited:
                logger.warning(
                    "Inquiry rate limit reached for %s on %s", client_ip(request), clinic_slug
                )
                context = public_context(clinic_or_404(clinic_slug), **extra)
                return render(request, template, context, status=429)

        return wrapper

    return decorator


def accept(request: HttpRequest, clinic: Clinic, form: InquiryForm) -> Inquiry:
    """Store a valid inquiry, then tell the staff (the main form and the embed share this).

    The staff email is sent by the task queue (``inquiries.tasks``), retried until it goes, so a
    failing mail server delays an email and never loses an inquiry.
    """
    with transaction.atomic():
        inquiry = actions.submit_inquiry(clinic, form.to_submission(), request=request)
        # The task row commits with the inquiry: a server killed right after cannot lose the
        # staff email, and the visitor never waits for a mail server.
        detail = reverse("inquiries:detail", args=[inquiry.pk])
        queue_staff_notification(inquiry.pk, request.build_absolute_uri(detail))
    return inquiry


def contact_phrase(method: str) -> str:
    """How we will reply, for "We contact you by ...": "email", "phone call", "text message"."""
    return str(dict(ContactMethod.choices).get(method, "")).lower()


@public
@require_safe
def public_page(request: HttpRequest, clinic_slug: str) -> HttpResponse:
    clinic = clinic_or_404(clinic_slug)
    context = public_context(clinic, sections=page_sections(clinic))
    return render(request, "inquiries/public_page.html", context)


@public
@require_safe
def theme_css(request: HttpRequest, clinic_slug: str) -> HttpResponse:
    """The clinic's two colours as CSS custom properties (no patient data: may be cached)."""
    clinic = clinic_or_404(clinic_slug)
    body = theme_stylesheet(clinic)
    etag = quote_etag(hashlib.sha256(body.encode()).hexdigest()[:16])
    response = HttpResponse(body, content_type="text/css; charset=utf-8")
    response["ETag"] = etag
    # "public" tells the no-store guard this response holds nothing private.
    response["Cache-Control"] = f"public, max-age={THEME_MAX_AGE_S}"
    return get_conditional_response(request, etag=etag, response=response) or response


@public
@require_http_methods(["GET", "HEAD", "POST"])
@answer_429("inquiries/rate_limited.html")
@ratelimit(key="ip", rate=settings.INQUIRY_RATE, method="POST", block=True)
def learn_more(request: HttpRequest, clinic_slug: str) -> HttpResponse:
    """Show and take the "learn more" form.

    A filled honeypot gets the same confirmation and nothing is stored.
    """
    clinic = clinic_or_404(clinic_slug)
    if request.method != "POST":
        context = public_context(clinic, form=InquiryForm(clinic=clinic))
        return render(request, "inquiries/form_page.html", context)
    form = InquiryForm(request.POST, clinic=clinic)
    if form.is_spam:
        logger.info("Inquiry honeypot filled from %s; discarded", client_ip(request))
        request.session[THANKS_KEY] = {"clinic": clinic.pk, "urgent": False, "contact": ""}
        return redirect("inquiries:thanks", clinic_slug=clinic.slug)
    if not form.is_valid():
        return render(request, "inquiries/form_page.html", public_context(clinic, form=form))
    inquiry = accept(request, clinic, form)
    request.session[THANKS_KEY] = {
        "clinic": clinic.pk,
        "urgent": inquiry.is_urgent,
        "contact": inquiry.preferred_contact,
    }
    return redirect("inquiries:thanks", clinic_slug=clinic.slug)


@public
@require_safe
def thanks(request: HttpRequest, clinic_slug: str) -> HttpResponse:
    clinic = clinic_or_404(clinic_slug)
    state = request.session.get(THANKS_KEY)
    if not isinstance(state, dict) or state.get("clinic") != clinic.pk:
        return redirect("inquiries:form", clinic_slug=clinic.slug)
    context = public_context(
        clinic, urgent=bool(state.get("urgent")), contact=contact_phrase(state.get("contact", ""))
    )
    return render(request, "inquiries/thanks.html", context)
