from django.urls import path

from . import views

app_name = "extras"
urlpatterns = [
    path("", views.family, name="family"),
    path("my/", views.mine, name="mine"),
    path("<id:service_id>/", views.service, name="service"),
    path("school/", views.school, name="school"),
    path("school/xlsx/", views.school_xlsx, name="school_xlsx"),
    path("school/new/", views.create, name="create"),
    path("school/<id:service_id>/", views.manage, name="manage"),
    path("school/<id:service_id>/edit/", views.edit, name="edit"),
    path("school/<id:service_id>/xlsx/", views.manage_xlsx, name="manage_xlsx"),
]
