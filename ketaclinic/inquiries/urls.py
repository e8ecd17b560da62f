from django.urls import path

from ketaclinic.inquiries import views

app_name = "inquiries"
urlpatterns = [
    path("c/<slug:clinic_slug>/", views.public_page, name="public_page"),
    path("inquiries/", views.inquiry_list, name="list"),
]
