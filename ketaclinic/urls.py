from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("ketaclinic.web.urls")),
    path("accounts/", include("ketaclinic.accounts.urls")),
    path("audit/", include("ketaclinic.audit.urls")),
    path("", include("ketaclinic.inquiries.urls")),
    path("", include("ketaclinic.patients.urls")),
    path("", include("ketaclinic.measurement.outcome_urls")),
    path("", include("ketaclinic.clinics.urls")),
    path("", include("ketaclinic.eligibility.urls")),
    path("", include("ketaclinic.treatment.urls")),
    path("", include("ketaclinic.consents.urls")),
    path("", include("ketaclinic.careteam.urls")),
    path("", include("ketaclinic.intake.urls")),
    path("", include("ketaclinic.measurement.urls")),
    path("", include("ketaclinic.scheduling.urls")),
    path("", include("ketaclinic.infusions.urls")),
    path("", include("ketaclinic.ledger.urls")),
    path("clinic-admin/", admin.site.urls),
]

handler400 = "ketaclinic.web.errors.bad_request"
handler403 = "ketaclinic.web.errors.permission_denied"
handler404 = "ketaclinic.web.errors.not_found"
handler500 = "ketaclinic.web.errors.server_error"
