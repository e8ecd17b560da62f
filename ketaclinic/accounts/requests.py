"""The signed-in user of a request, typed (views behind a sign-in policy only)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from ketaclinic.accounts.models import User


def signed_in_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("Sign in first.")
    return user
