"""Two URL configurations for the public page's logo link, true before and after the clinic
settings pages (which serve ``clinics:logo``) are installed.

``with_logo``: the site's URLs, plus a stand-in ``clinics:logo`` when the site has none.
``without_logo``: the site's URLs with any ``clinics`` namespace taken out.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLResolver, include, path

from ketaclinic import urls as site_urls
from ketaclinic.access.policy import public


@public
def stand_in_logo(request: HttpRequest, clinic_slug: str) -> HttpResponse:
    return HttpResponse(b"", content_type="image/png")


def _without_clinics() -> list:
    return [
        p
        for p in site_urls.urlpatterns
        if not (isinstance(p, URLResolver) and p.namespace == "clinics")
    ]


def _with_logo() -> list:
    if len(_without_clinics()) < len(site_urls.urlpatterns):
        return list(site_urls.urlpatterns)  # the real logo view is installed
    stand_in = [path("c/<slug:clinic_slug>/logo.png", stand_in_logo, name="logo")]
    return [*site_urls.urlpatterns, path("", include((stand_in, "clinics")))]


class with_logo:  # noqa: N801 - used as a module path by override_settings(ROOT_URLCONF=...)
    urlpatterns = _with_logo()
    handler403 = site_urls.handler403
    handler404 = site_urls.handler404


class without_logo:  # noqa: N801
    urlpatterns = _without_clinics()
    handler403 = site_urls.handler403
    handler404 = site_urls.handler404
