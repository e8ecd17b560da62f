# Temporary scaffolding; replaced by the accounts work (login, 2FA, sessions).
from django.http import HttpRequest, HttpResponse

from ketaclinic.access.policy import password_only, public, verified


@public
def login(request: HttpRequest) -> HttpResponse:
    return HttpResponse("login")


@password_only
def logout(request: HttpRequest) -> HttpResponse:
    return HttpResponse("logout")


@password_only
def two_factor(request: HttpRequest) -> HttpResponse:
    return HttpResponse("two factor")


@verified
def security(request: HttpRequest) -> HttpResponse:
    return HttpResponse("security")
