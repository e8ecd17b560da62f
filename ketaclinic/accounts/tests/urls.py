"""The site's URLs plus one view guarded by ``break_glass_or_roles`` (Clinic as the record)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path

from ketaclinic.accounts.models import Role
from ketaclinic.accounts.policies import break_glass_or_roles
from ketaclinic.clinics.models import Clinic
from ketaclinic.urls import urlpatterns as site_urlpatterns


def own_clinic(request: HttpRequest, pk: int) -> Clinic:
    clinic = getattr(request, "clinic", None)
    if clinic is None or clinic.pk != pk:
        raise Http404
    return clinic


@break_glass_or_roles(Role.PHYSICIAN, target=own_clinic)
def clinic_record(request: HttpRequest, pk: int) -> HttpResponse:
    how = "break-glass" if getattr(request, "break_glass", False) else "role"
    return HttpResponse(f"record via {how}")


urlpatterns = [
    *site_urlpatterns,
    path("test/clinic-record/<int:pk>/", clinic_record, name="test_clinic_record"),
]
