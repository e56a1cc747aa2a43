from django.urls import path

from . import views

app_name = "yearsetup"
urlpatterns = [
    path("", views.dates, name="dates"),
    path("holidays/", views.holidays, name="holidays"),
    path("bells/", views.bells, name="bells"),
    path("classes/", views.classes, name="classes"),
    path("curriculum/", views.curriculum, name="curriculum"),
    path("rollover/", views.rollover, name="rollover"),
]
