from django.urls import path

from . import views

app_name = "absences"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/", views.create, name="create"),
    path("queue/", views.queue, name="queue"),
    path("<id:note_id>/", views.detail, name="detail"),
    path("<id:note_id>/scan/", views.scan, name="scan"),
    path("class/<id:class_id>/week/", views.class_week, name="class_week"),
    path("class/<id:class_id>/week/xlsx/", views.class_week_xlsx, name="class_week_xlsx"),
]
