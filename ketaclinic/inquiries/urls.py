from django.urls import path

from ketaclinic.inquiries.views import detail, embed, pipeline, public

app_name = "inquiries"
urlpatterns = [
    path("c/<slug:clinic_slug>/", public.public_page, name="public_page"),
    path("c/<slug:clinic_slug>/theme.css", public.theme_css, name="theme_css"),
    path("c/<slug:clinic_slug>/learn-more/", public.learn_more, name="form"),
    path("c/<slug:clinic_slug>/learn-more/thanks/", public.thanks, name="thanks"),
    path("c/<slug:clinic_slug>/embed/", embed.embed_form, name="embed"),
    path("c/<slug:clinic_slug>/embed/thanks/", embed.embed_thanks, name="embed_thanks"),
    path("inquiries/", pipeline.inquiry_list, name="list"),
    path("inquiries/<int:pk>/", detail.inquiry_detail, name="detail"),
    path("inquiries/<int:pk>/status/", detail.change_status, name="change_status"),
    path("inquiries/<int:pk>/contacts/", detail.add_contact, name="add_contact"),
    path("inquiries/<int:pk>/follow-up/", detail.follow_up, name="follow_up"),
]
