from django.urls import path

from ketaclinic.careteam.views import professionals, team

app_name = "careteam"
urlpatterns = [
    path("care-team/", professionals.professional_list, name="professional_list"),
    path("care-team/new/", professionals.professional_create, name="professional_create"),
    path("care-team/<int:pk>/", professionals.professional_detail, name="professional_detail"),
    path("care-team/<int:pk>/edit/", professionals.professional_edit, name="professional_edit"),
    path(
        "care-team/<int:pk>/archive/",
        professionals.professional_archive,
        name="professional_archive",
    ),
    path(
        "care-team/<int:pk>/invite/", professionals.professional_invite, name="professional_invite"
    ),
    path("patients/<int:pk>/care-team/", team.care_team, name="team"),
    path("patients/<int:pk>/care-team/physician/", team.set_physician, name="set_physician"),
    path("patients/<int:pk>/care-team/staff/", team.add_staff, name="add_staff"),
    path(
        "patients/<int:pk>/care-team/professional/",
        team.add_professional,
        name="add_professional",
    ),
    path("patients/<int:pk>/care-team/<int:member_pk>/end/", team.end_member, name="end_member"),
    path("patients/<int:pk>/care-team/directory/", team.directory, name="directory"),
    path("patients/<int:pk>/care-team/referrals/", team.suggest, name="suggest"),
    path(
        "patients/<int:pk>/care-team/referrals/<int:referral_pk>/step/",
        team.referral_step,
        name="referral_step",
    ),
]
