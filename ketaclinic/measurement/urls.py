from django.urls import path

from ketaclinic.measurement.views import public, schedule, staff
from ketaclinic.measurement.views.settings import measurement_settings

app_name = "measurement"

urlpatterns = [
    # The patient's side: the token is the path's only secret (scrubbed from logs).
    path("q/<str:token>/", public.start, name="public_start"),
    path("q/<str:token>/review/", public.review, name="public_review"),
    path("q/<str:token>/thanks/", public.thanks, name="public_thanks"),
    path("q/<str:token>/<slug:instrument_id>/", public.page, name="public_page"),
    path("q/<str:token>/<slug:instrument_id>/<int:number>/", public.item, name="public_item"),
    # Staff.
    path("patients/<int:pk>/questionnaires/", staff.questionnaires, name="questionnaires"),
    path("patients/<int:pk>/questionnaires/enter/", staff.enter, name="enter"),
    path("patients/<int:pk>/questionnaires/send/", staff.send, name="send"),
    path("patients/<int:pk>/questionnaires/schedule/", schedule.schedule, name="schedule"),
    path(
        "patients/<int:pk>/questionnaires/schedule/pause/",
        schedule.schedule_active,
        name="schedule_active",
    ),
    path(
        "patients/<int:pk>/questionnaires/<int:response_pk>/strike/",
        staff.strike,
        name="strike",
    ),
    path("patients/<int:pk>/safety-alerts/<int:alert_pk>/", staff.alert, name="alert"),
    path("clinic/measurement-settings/", measurement_settings, name="settings"),
]
