from django.urls import path

from . import views

app_name = "schools"
urlpatterns = [
    path("students/", views.students, name="students"),
    path("events/", views.events, name="events"),
    path("events/add/", views.event_add, name="event_add"),
    path("events/<id:event_id>/", views.event_edit, name="event_edit"),
    path("events/<id:event_id>/delete/", views.event_delete, name="event_delete"),
]
