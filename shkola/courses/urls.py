from django.urls import path

from . import views

app_name = "courses"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("teach/", views.teach, name="teach"),
    path("new/", views.create, name="create"),
    path("<id:course_id>/", views.detail, name="detail"),
    path("<id:course_id>/edit/", views.edit, name="edit"),
    path("<id:course_id>/signup/", views.signup, name="signup"),
    path("<id:course_id>/modules/new/", views.module_create, name="module_create"),
    path("<id:course_id>/progress/", views.progress, name="progress"),
    path("<id:course_id>/progress/xlsx/", views.progress_xlsx, name="progress_xlsx"),
    path("modules/<id:module_id>/", views.module, name="module"),
    path("modules/<id:module_id>/edit/", views.module_edit, name="module_edit"),
    path("modules/<id:module_id>/materials/new/", views.material_create, name="material_create"),
    path(
        "modules/<id:module_id>/assignments/new/", views.assignment_create, name="assignment_create"
    ),
    path("materials/<id:material_id>/file/", views.material_file, name="material_file"),
    path("materials/<id:material_id>/delete/", views.material_delete, name="material_delete"),
    path("assignments/<id:assignment_id>/", views.assignment, name="assignment"),
    path("works/<id:submission_id>/", views.submission, name="submission"),
    path("work-files/<id:file_id>/", views.submission_file, name="submission_file"),
]
