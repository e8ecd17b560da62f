"""Each workflow's views module keeps its own ``urlpatterns``; this joins them."""

from django.urls import path

from ketaclinic.infusions.views import (
    charting,
    events,
    flow,
    live,
    note,
    prechecks,
    recovery,
    session,
)
from ketaclinic.infusions.views import settings as settings_views

app_name = "infusions"
urlpatterns = [
    path("sessions/<int:pk>/", session.session_detail, name="session"),
    path("sessions/<int:pk>/live/", session.session_live, name="live"),
    *flow.urlpatterns,
    *prechecks.urlpatterns,
    *charting.urlpatterns,
    *events.urlpatterns,
    *live.urlpatterns,
    *recovery.urlpatterns,
    *note.urlpatterns,
    *settings_views.urlpatterns,
]
