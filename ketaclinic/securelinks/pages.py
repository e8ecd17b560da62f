"""What a patient-facing page behind a secure link does before its own work.

:func:`open_or_refuse` turns a token into its live link, or into the calm page: never the
error page, always the clinic's name and phone (when the token names a clinic), whom to call,
and crisis resources. Refusals are counted per address, and an address that keeps presenting
unknown or dead tokens is made to wait (``SECURELINK_REFUSED_RATE``): 256-bit tokens cannot be
guessed, but nobody should get to try.

Status codes: 404 for a token that never existed (unknown or tampered), 410 Gone for a link
that existed and is finished (expired, used, withdrawn), 429 while an address must wait. Each
is the calm page, and a non-200 keeps caches and crawlers from treating it as content; the
access log lines Django writes for them pass through ``lib.logs.ScrubSecretPaths``.

Every response sends ``Referrer-Policy: same-origin``, so the token never leaves in a
``Referer`` header to another site (a link on the page, the clinic's own site). Not
``no-referrer``: under it browsers send ``Origin: null`` with the page's own form posts, and
Django's CSRF check refuses every one of them (found by the questionnaire browser test).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import get_usage

from ketaclinic.audit.log import client_ip
from ketaclinic.inquiries.views.public import public_context
from ketaclinic.securelinks import actions
from ketaclinic.securelinks.models import Refusal, SecureLink

logger = logging.getLogger(__name__)

REFUSED_GROUP = "securelinks.refused"
REFUSED_TEMPLATE = "securelinks/refused.html"
STATUS_FOR: dict[str, int] = {
    Refusal.UNKNOWN: 404,
    Refusal.EXPIRED: 410,
    Refusal.USED: 410,
    Refusal.REVOKED: 410,
}


def _usage(request: HttpRequest, *, increment: bool) -> dict[str, Any] | None:
    return get_usage(
        request,
        group=REFUSED_GROUP,
        key="ip",
        rate=settings.SECURELINK_REFUSED_RATE,
        increment=increment,
    )


def calm_page(
    request: HttpRequest, refusal: str, *, clinic: Any = None, status: int | None = None
) -> HttpResponse:
    context: dict[str, Any] = public_context(clinic) if clinic is not None else {}
    context.setdefault("layout", "public_base.html")
    context.update({"refusal": refusal, "clinic": clinic})
    return render(request, REFUSED_TEMPLATE, context, status=status or STATUS_FOR.get(refusal, 404))


def open_or_refuse(request: HttpRequest, token: str, *, purpose: str) -> SecureLink | HttpResponse:
    """The live link ``token`` opens, or the calm page to answer with (audited either way:
    the caller records the opening it makes of a live link)."""
    usage = _usage(request, increment=False)
    # Read without counting: only refusals count, and the limit-th refusal is the last allowed.
    if usage is not None and usage["count"] >= usage["limit"]:
        logger.warning("Secure link refusals over the limit for %s", client_ip(request))
        return calm_page(request, "rate_limited", status=429)
    check = actions.check_token(token, purpose=purpose)
    if check.link is not None and not check.refusal:
        return check.link
    _usage(request, increment=True)
    actions.record_refusal(check, request=request)
    return calm_page(request, check.refusal, clinic=check.clinic)


def no_referrer(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Send ``Referrer-Policy: same-origin`` on every response of ``view`` (the name is kept:
    no referrer ever leaves for another site)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "same-origin"
        return response

    return wrapper
