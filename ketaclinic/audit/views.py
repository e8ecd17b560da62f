# Temporary scaffolding; replaced by the audit report work.
from django.http import HttpRequest, HttpResponse

from ketaclinic.access.policy import roles
from ketaclinic.accounts.models import Role


@roles(Role.CLINIC_ADMIN)
def report(request: HttpRequest) -> HttpResponse:
    return HttpResponse("audit")
