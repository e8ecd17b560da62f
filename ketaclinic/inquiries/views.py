# Temporary scaffolding; replaced by the inquiries work.
from django.http import HttpRequest, HttpResponse

from ketaclinic.access.policy import public, staff


@public
def public_page(request: HttpRequest, clinic_slug: str) -> HttpResponse:
    return HttpResponse("public")


@staff
def inquiry_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("list")
