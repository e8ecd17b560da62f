from django.urls import path

from ketaclinic.treatment import views

app_name = "treatment"
urlpatterns = [
    path("clinic/protocols/", views.protocol_list, name="protocols"),
    path("clinic/protocols/library/<slug:builtin_id>/", views.builtin_detail, name="builtin"),
    path("clinic/protocols/library/<slug:builtin_id>/copy/", views.protocol_copy, name="copy"),
    path("clinic/protocols/<int:pk>/", views.protocol_detail, name="protocol"),
    path("clinic/protocols/<int:pk>/edit/", views.protocol_edit, name="protocol_edit"),
    path("clinic/treatment/", views.clinic_settings, name="settings"),
    path("patients/<int:pk>/treatment/", views.tab, name="tab"),
    path("patients/<int:pk>/treatment/draft/", views.plan_draft, name="draft"),
    path("patients/<int:pk>/treatment/change/", views.plan_change, name="change"),
    path("patients/<int:pk>/treatment/sign/", views.plan_sign, name="sign"),
    path("patients/<int:pk>/treatment/book-series/", views.book_series, name="book_series"),
    path("patients/<int:pk>/treatment/preview.svg", views.preview_svg, name="preview_svg"),
]
