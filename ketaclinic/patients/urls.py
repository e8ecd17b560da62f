from django.urls import path

from ketaclinic.patients.views import chart, entries, export, listing, settings

app_name = "patients"
urlpatterns = [
    path("patients/", listing.patient_list, name="list"),
    path("patients/new/", listing.patient_new, name="new"),
    path("clinic/chart/", settings.chart_settings, name="settings"),
    path("patients/<int:pk>/", chart.overview, name="overview"),
    path("patients/<int:pk>/weight/", chart.weight, name="weight"),
    path("patients/<int:pk>/medications/", chart.medications, name="medications"),
    path("patients/<int:pk>/diagnoses/", chart.diagnoses, name="diagnoses"),
    path("patients/<int:pk>/history/", chart.history, name="history"),
    path("patients/<int:pk>/edit/", chart.edit, name="edit"),
    path("patients/<int:pk>/summary.pdf", export.summary_pdf, name="summary_pdf"),
    path("patients/<int:pk>/add/<slug:kind>/", entries.add_entry, name="add_entry"),
    path(
        "patients/<int:pk>/no-known-allergies/",
        entries.no_known_allergies,
        name="no_known_allergies",
    ),
    path("patients/<int:pk>/strike/<slug:kind>/<int:entry_pk>/", entries.strike, name="strike"),
    path(
        "patients/<int:pk>/medications/<int:entry_pk>/stop/",
        entries.stop_medication,
        name="stop_medication",
    ),
    path(
        "patients/<int:pk>/flags/<int:flag_pk>/resolve/", entries.resolve_flag, name="resolve_flag"
    ),
]
