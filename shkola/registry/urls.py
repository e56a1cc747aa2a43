from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("", views.organisations, name="organisations"),
    path("new/", views.organisation_new, name="organisation_new"),
    path("<id:organisation_id>/", views.organisation_edit, name="organisation_edit"),
    path("<id:organisation_id>/curator/", views.curator_issue, name="curator_issue"),
]
