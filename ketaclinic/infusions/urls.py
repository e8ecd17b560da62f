from django.urls import path

from ketaclinic.infusions.views import session

app_name = "infusions"
urlpatterns = [
    path("sessions/<int:pk>/", session.session_detail, name="session"),
    path("sessions/<int:pk>/live/", session.session_live, name="live"),
]
