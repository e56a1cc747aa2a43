from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.index, name="index"),
    path("template/<str:kind>.xlsx", views.template, name="template"),
    path("ktp/", views.ktp, name="ktp"),
    path("jobs/<id:job_id>/", views.job, name="job"),
    path("jobs/<id:job_id>/apply/", views.apply, name="apply"),
    path("jobs/<id:job_id>/progress/", views.progress, name="progress"),
]
