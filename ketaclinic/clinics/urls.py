from django.urls import path

from ketaclinic.clinics import views

app_name = "clinics"
urlpatterns = [
    path("clinic/settings/", views.settings_index, name="settings"),
    path("clinic/settings/<slug:slug>/", views.settings_group, name="settings_group"),
    path("clinic/markdown-preview/", views.markdown_preview, name="markdown_preview"),
    path("c/<slug:clinic_slug>/logo.png", views.logo, name="logo"),
]
