from django.urls import path

from ketaclinic.web import home, views

app_name = "web"
urlpatterns = [
    path("", views.index, name="index"),
    path("home/", home.home, name="home"),
    path("home/clinic/", views.switch_clinic, name="switch_clinic"),
    path("style-guide/", views.style_guide, name="style_guide"),
]
