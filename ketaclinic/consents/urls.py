from django.urls import path

from ketaclinic.consents import template_views, views

app_name = "consents"
urlpatterns = [
    path("patients/<int:pk>/consents/", views.consent_list, name="list"),
    path("patients/<int:pk>/consents/new/", views.consent_new, name="new"),
    path("patients/<int:pk>/consents/<int:cid>/", views.consent_detail, name="detail"),
    path("patients/<int:pk>/consents/<int:cid>/sign/", views.consent_sign, name="sign"),
    path("patients/<int:pk>/consents/<int:cid>/revoke/", views.consent_revoke, name="revoke"),
    path("patients/<int:pk>/consents/<int:cid>/pdf/", views.consent_pdf, name="pdf"),
    path("consents/templates/", template_views.template_list, name="templates"),
    path("consents/templates/<int:pk>/", template_views.template_detail, name="template_detail"),
    path(
        "consents/templates/<slug:kind>/new/",
        template_views.template_publish,
        name="template_publish",
    ),
]
