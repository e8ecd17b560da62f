"""The Outcomes tab of the patient chart, its plots, the export of responses and the clinic's
outcome definitions (full paths:
the walk of the URL configuration fills each pattern's own arguments)."""

from django.urls import path

from ketaclinic.measurement import outcome_settings_views, outcome_views

app_name = "outcomes"
urlpatterns = [
    path("patients/<int:pk>/outcomes/", outcome_views.outcomes_page, name="page"),
    path("patients/<int:pk>/outcomes/responses.csv", outcome_views.export_csv, name="export_csv"),
    path(
        "patients/<int:pk>/outcomes/responses.fhir.json",
        outcome_views.export_fhir,
        name="export_fhir",
    ),
    path("patients/<int:pk>/outcomes/<slug:instrument_id>.svg", outcome_views.plot, name="plot"),
    path("clinic/outcomes/", outcome_settings_views.outcome_settings, name="settings"),
]
