from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("teachers/", views.teachers, name="teachers"),
    path("colleagues/", views.colleagues, name="colleagues"),
]
