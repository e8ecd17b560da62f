"""My sessions: where I am signed in, and ending any of those sessions."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ketaclinic.access.policy import verified
from ketaclinic.accounts.actions.sessions import end_session
from ketaclinic.accounts.models import UserSession
from ketaclinic.accounts.requests import signed_in_user


@verified
def session_list(request: HttpRequest) -> HttpResponse:
    rows = UserSession.objects.filter(user=signed_in_user(request)).order_by(
        "ended_at", "-last_seen_at"
    )
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/sessions.html",
        {"page": page, "current_key": request.session.session_key},
    )


@verified
@require_POST
def session_end(request: HttpRequest, pk: int) -> HttpResponse:
    tracked = get_object_or_404(UserSession, pk=pk, user=signed_in_user(request))
    if end_session(request, tracked):
        messages.info(request, "You ended this session and are signed out.")
        return redirect("accounts:login")
    messages.success(request, "The session is ended.")
    return redirect("accounts:sessions")
