"""Re-authentication ("sudo mode", after healthchecks' ``require_sudo_mode``).

Changing the second factor or the sign-in email needs the password entered again within the
last ten minutes, so a session left open on a shared computer cannot take over the account.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

SUDO_KEY = "ketaclinic_sudo_at"
SUDO_SECONDS = 10 * 60

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])


def enter_sudo_mode(request: HttpRequest) -> None:
    request.session[SUDO_KEY] = timezone.now().timestamp()


def in_sudo_mode(request: HttpRequest) -> bool:
    started = request.session.get(SUDO_KEY)
    if not isinstance(started, int | float):
        return False
    return 0 <= timezone.now().timestamp() - started <= SUDO_SECONDS


def require_sudo_mode(view: ViewFunc) -> ViewFunc:
    """Send the user to re-enter their password first; a POST is not replayed afterwards."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if in_sudo_mode(request):
            return view(request, *args, **kwargs)
        back = request.get_full_path() if request.method == "GET" else reverse("accounts:security")
        return redirect(f"{reverse('accounts:reauth')}?{urlencode({'next': back})}")

    return wrapped  # type: ignore[return-value]
