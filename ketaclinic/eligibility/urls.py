from django.urls import path

from ketaclinic.eligibility import views

app_name = "eligibility"
urlpatterns = [
    path("patients/<int:pk>/eligibility/", views.tab, name="tab"),
    path("patients/<int:pk>/eligibility/sign/", views.sign, name="sign"),
    path("clinic/eligibility/", views.clinic_settings, name="settings"),
]
