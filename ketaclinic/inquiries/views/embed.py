"""The "learn more" form for the clinic's own website, shown there in a frame.

Framing. Only the websites the clinic admin lists (``Clinic.embed_origins``) may frame these
pages: every response here carries CSP ``frame-ancestors`` with exactly those origins, or
``'none'`` when the list is empty, and only these views are exempt from ``X-Frame-Options:
DENY``. Every other page keeps ``frame-ancestors 'none'`` and ``DENY``.

CSRF. Inside a frame on another site the browser sends no ``SameSite=Lax`` cookies (and
refuses to set them), so Django's cookie-based CSRF token cannot work there. The embed POST is
therefore exempt from the CSRF middleware and instead:

* accepts the POST only when its ``Origin`` header is this site's own origin (or one named in
  ``CSRF_TRUSTED_ORIGINS``). A form inside our frame is our document, so the browser sends our
  origin; a page elsewhere that posts to this address sends its own origin and is refused (403).
  A missing or ``null`` origin is refused too: every current browser sends one on a POST.
* keeps the honeypot, the per-address rate limit (its own counter, separate from the main
  form's) and the safety flag of the main form.

Nothing of the visitor's is at stake in a forged POST (there is no signed-in state to ride on:
the form only creates a new inquiry), so the origin check is what stops other sites from using
visitors' browsers to send inquiries, and the rate limit bounds what a script can do.

The embed pages use no cookies at all: the confirmation is found through a short-lived signed
token in its address that names only the inquiry's row (no name, contact or message).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.decorators import ratelimit

from ketaclinic.access.policy import public
from ketaclinic.audit.log import client_ip
from ketaclinic.clinics.models import Clinic
from ketaclinic.inquiries.forms import InquiryForm
from ketaclinic.inquiries.models import Inquiry
from ketaclinic.inquiries.views.public import (
    accept,
    answer_429,
    clinic_or_404,
    contact_phrase,
    public_context,
)

logger = logging.getLogger(__name__)

EMBED_LAYOUT = "inquiries/embed_layout.html"
RATE_GROUP = "inquiries.embed"  # its own counter: the embed and the main form do not share one
THANKS_SALT = "ketaclinic.inquiries.embed-thanks"
THANKS_MAX_AGE_S = 60 * 60
# scheme://host[:port], lower case, nothing else: a line with a path, a space, a quote or a
# semicolon could otherwise smuggle another directive into the CSP header.
ORIGIN = re.compile(r"^https?://[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$")


def embed_origins(text: str) -> list[str]:
    """The valid origins among the admin's lines, in order, each once (others are ignored)."""
    origins: list[str] = []
    for line in (text or "").splitlines():
        origin = line.strip().rstrip("/").lower()
        if ORIGIN.match(origin) and origin not in origins:
            origins.append(origin)
    return origins


def frameable_by_clinic(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let the clinic's listed websites, and only those, frame this view's responses."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, clinic_slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, clinic_slug, *args, **kwargs)
        listed = Clinic.objects.filter(slug=clinic_slug).values_list("embed_origins", flat=True)
        origins = embed_origins(listed.first() or "")
        # django-csp 4 reads this per response and replaces the directive's default ('none').
        response._csp_replace = {"frame-ancestors": origins or ["'none'"]}  # type: ignore[attr-defined]
        return response

    return xframe_options_exempt(wrapper)


def same_origin(request: HttpRequest) -> bool:
    """True if the POST came from a page of this site (the embed form in its frame)."""
    origin = request.headers.get("Origin", "")
    own = f"{request.scheme}://{request.get_host()}"
    return origin == own or (origin != "null" and origin in settings.CSRF_TRUSTED_ORIGINS)


def embed_context(clinic: Clinic, **extra: Any) -> dict[str, Any]:
    return public_context(clinic, layout=EMBED_LAYOUT, embed=True, **extra)


def thanks_token(clinic: Clinic, inquiry: Inquiry | None) -> str:
    return signing.dumps({"c": clinic.pk, "i": inquiry.pk if inquiry else None}, salt=THANKS_SALT)


@public
@csrf_exempt  # see the module docstring: the Origin check below stands in for the token
@require_http_methods(["GET", "HEAD", "POST"])
@frameable_by_clinic
@answer_429("inquiries/rate_limited.html", layout=EMBED_LAYOUT, embed=True)
@ratelimit(key="ip", rate=settings.INQUIRY_RATE, method="POST", block=True, group=RATE_GROUP)
def embed_form(request: HttpRequest, clinic_slug: str) -> HttpResponse:
    clinic = clinic_or_404(clinic_slug)
    if request.method != "POST":
        return render(
            request, "inquiries/embed.html", embed_context(clinic, form=InquiryForm(clinic=clinic))
        )
    if not same_origin(request):
        logger.warning(
            "Embedded inquiry refused from %s: Origin %r is not this site",
            client_ip(request),
            request.headers.get("Origin", ""),
        )
        return render(request, "inquiries/embed_refused.html", embed_context(clinic), status=403)
    form = InquiryForm(request.POST, clinic=clinic)
    inquiry = None
    if form.is_spam:
        logger.info("Embedded inquiry honeypot filled from %s; discarded", client_ip(request))
    elif not form.is_valid():
        return render(request, "inquiries/embed.html", embed_context(clinic, form=form))
    else:
        inquiry = accept(request, clinic, form)
    url = reverse("inquiries:embed_thanks", args=[clinic.slug])
    return redirect(f"{url}?t={thanks_token(clinic, inquiry)}")


@public
@require_safe
@frameable_by_clinic
def embed_thanks(request: HttpRequest, clinic_slug: str) -> HttpResponse:
    clinic = clinic_or_404(clinic_slug)
    try:
        state = signing.loads(request.GET.get("t", ""), salt=THANKS_SALT, max_age=THANKS_MAX_AGE_S)
    except signing.BadSignature:  # forged, altered or expired: start again
        return redirect("inquiries:embed", clinic_slug=clinic.slug)
    if not isinstance(state, dict) or state.get("c") != clinic.pk:
        return redirect("inquiries:embed", clinic_slug=clinic.slug)
    urgent, method = False, ""  # the honeypot's confirmation names no inquiry
    if isinstance(state.get("i"), int):
        row = (
            Inquiry.objects.filter(pk=state["i"], clinic=clinic)
            .values_list("is_urgent", "preferred_contact")
            .first()
        )
        if row is not None:
            urgent, method = row
    context = embed_context(clinic, urgent=urgent, contact=contact_phrase(method))
    return render(request, "inquiries/thanks.html", context)
