from django.urls import path

from . import views

app_name = "oversight"
urlpatterns = [
    path("", views.territory, name="territory"),
    path("school/<id:organisation_id>/", views.school, name="school"),
    path("class/<id:class_id>/", views.class_unit, name="class"),
]
