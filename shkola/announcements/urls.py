from django.urls import path

from . import views

app_name = "announcements"
urlpatterns = [
    path("", views.announcement_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.create, name="create"),
    path("<id:announcement_id>/", views.detail, name="detail"),
    path("<id:announcement_id>/edit/", views.edit, name="edit"),
    path("<id:announcement_id>/delete/", views.delete, name="delete"),
    path("files/<id:file_id>/", views.file_view, name="file"),
]
