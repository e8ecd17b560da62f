from django.urls import path

from ketaclinic.intake.views import public, staff

app_name = "intake"

urlpatterns = [
    # The patient's side: the token is the path's only secret (scrubbed from logs).
    path("i/<str:token>/", public.start, name="start"),
    path("i/<str:token>/step/<slug:step>/", public.step, name="step"),
    path("i/<str:token>/review/", public.review, name="review"),
    path("i/<str:token>/thanks/", public.thanks, name="thanks"),
    # Staff.
    path("patients/<int:pk>/intake/", staff.status, name="patient"),
    path("patients/<int:pk>/intake/send/", staff.send, name="send"),
    path("patients/<int:pk>/intake/step/<slug:step>/", staff.staff_step, name="staff_step"),
    path("patients/<int:pk>/intake/review/", staff.staff_review, name="staff_review"),
]
