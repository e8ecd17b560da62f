"""The clinic's public page, the "learn more" form and its confirmation (anyone may use them)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

from ketaclinic.access.policy import public
from ketaclinic.audit.log import client_ip
from ketaclinic.clinics.models import Clinic
from ketaclinic.inquiries import actions
from ketaclinic.inquiries.forms import InquiryForm
from ketaclinic.inquiries.models import ContactMethod
from ketaclinic.inquiries.notify import notify_staff

logger = logging.getLogger(__name__)

# What the confirmation page needs, kept in the session so no visitor data is in the URL.
THANKS_KEY = "inquiries.thanks"


def _clinic(slug: str) -> Clinic:
    return get_object_or_404(Clinic, slug=slug)


def _answer_429(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Turn the rate limiter's refusal into a 429 page that still shows crisis resources.

    django-ratelimit raises ``Ratelimited`` (a PermissionDenied), which would otherwise become
    a 403 unless its middleware is installed; answering here keeps the clinic's own crisis text.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, clinic_slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, clinic_slug, *args, **kwargs)
        except Ratelimited:
            logger.warning(
                "Inquiry rate limit reached for %s on %s", client_ip(request), clinic_slug
            )
            clinic = _clinic(clinic_slug)
            return render(request, "inquiries/rate_limited.html", {"clinic": clinic}, status=429)

    return wrapper


@public
@require_safe
def public_page(request: HttpRequest, clinic_slug: str) -> HttpResponse:
    clinic = _clinic(clinic_slug)
    form = InquiryForm(clinic=clinic)
    return render(request, "inquiries/public_page.html", {"clinic": clinic, "form": form})


@public
@require_http_methods(["GET", "HEAD", "POST"])
@_answer_429
@ratelimit(key="ip", rate=settings.INQUIRY_RATE, method="POST", block=True)
def learn_more(request: HttpRequest, clinic_slug: str) -> HttpResponse:
    """Show and take the "learn more" form.

    The inquiry is committed before the staff email is attempted, so a failing mail server
    costs an email, never an inquiry. A filled honeypot gets the same confirmation and nothing
    is stored.
    """
    clinic = _clinic(clinic_slug)
    if request.method != "POST":
        return render(
            request,
            "inquiries/form_page.html",
            {"clinic": clinic, "form": InquiryForm(clinic=clinic)},
        )
    form = InquiryForm(request.POST, clinic=clinic)
    if form.is_spam:
        logger.info("Inquiry honeypot filled from %s; discarded", client_ip(request))
        request.session[THANKS_KEY] = {"clinic": clinic.pk, "urgent": False, "contact": ""}
        return redirect("inquiries:thanks", clinic_slug=clinic.slug)
    if not form.is_valid():
        return render(request, "inquiries/form_page.html", {"clinic": clinic, "form": form})
    inquiry = actions.submit_inquiry(clinic, form.to_submission(), request=request)
    notify_staff(
        inquiry, request.build_absolute_uri(reverse("inquiries:detail", args=[inquiry.pk]))
    )
    request.session[THANKS_KEY] = {
        "clinic": clinic.pk,
        "urgent": inquiry.is_urgent,
        "contact": inquiry.preferred_contact,
    }
    return redirect("inquiries:thanks", clinic_slug=clinic.slug)


@public
@require_safe
def thanks(request: HttpRequest, clinic_slug: str) -> HttpResponse:
    clinic = _clinic(clinic_slug)
    state = request.session.get(THANKS_KEY)
    if not isinstance(state, dict) or state.get("clinic") != clinic.pk:
        return redirect("inquiries:form", clinic_slug=clinic.slug)
    contact = dict(ContactMethod.choices).get(state.get("contact", ""), "")
    return render(
        request,
        "inquiries/thanks.html",
        {"clinic": clinic, "urgent": bool(state.get("urgent")), "contact": str(contact).lower()},
    )
