"""Small response/request guards that apply to every page."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

Handler = Callable[[HttpRequest], HttpResponse]


def no_store(get_response: Handler) -> Handler:
    """Pages may carry patient data: no browser or proxy may keep a copy (ASVS 14.3).

    A view may opt out by setting ``Cache-Control: public`` itself, saying its response holds
    nothing private (a clinic's colour stylesheet).
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if response.get("Cache-Control", "").startswith("public"):
            return response
        if not request.path.startswith(settings.STATIC_URL):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response

    return middleware


# Views that take a file upload, and the largest body each may receive: the clinic logo (2 MB,
# checked again by clinics.logos) with the rest of its settings form.
UPLOAD_VIEWS: dict[str, int] = {"clinics:settings_group": 3 * 1024 * 1024}


def largest_body_bytes() -> int:
    """The largest body any page accepts: the server need never read a longer one."""
    return max(int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE), *UPLOAD_VIEWS.values())


def _body_limit(request: HttpRequest) -> int:
    if request.content_type == "multipart/form-data":
        try:
            name = resolve(request.path_info).view_name
        except Resolver404:
            name = ""
        if name in UPLOAD_VIEWS:
            return UPLOAD_VIEWS[name]
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


def request_size_limit(get_response: Handler) -> Handler:
    """Refuse oversized bodies up front (413), before anything reads them."""

    def middleware(request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > _body_limit(request):
            return HttpResponse(
                "Request too large.", status=413, content_type="text/plain; charset=utf-8"
            )
        return get_response(request)

    return middleware
