from django.urls import path

from . import views

app_name = "timetable"
urlpatterns = [
    path("editor/", views.grid, name="grid"),
    path("substitutions/", views.substitutions, name="substitutions"),
    path("substitutions/<id:lesson_id>/", views.substitute, name="substitute"),
]
