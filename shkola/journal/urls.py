from django.urls import path

from . import views

app_name = "journal"
urlpatterns = [
    path("", views.index, name="index"),
    path("class/<id:class_id>/<id:subject_id>/", views.grid, name="grid"),
    path("group/<id:group_id>/<id:subject_id>/", views.group_grid, name="group_grid"),
    path("class/<id:class_id>/<id:subject_id>/xlsx/", views.grid_xlsx, name="grid_xlsx"),
    path(
        "group/<id:group_id>/<id:subject_id>/xlsx/",
        views.group_grid_xlsx,
        name="group_grid_xlsx",
    ),
    path("class/<id:class_id>/<id:subject_id>/finals/", views.finals, name="finals"),
    path("group/<id:group_id>/<id:subject_id>/finals/", views.group_finals, name="group_finals"),
    path("class/<id:class_id>/<id:subject_id>/finals/xlsx/", views.finals_xlsx, name="finals_xlsx"),
    path(
        "group/<id:group_id>/<id:subject_id>/finals/xlsx/",
        views.group_finals_xlsx,
        name="group_finals_xlsx",
    ),
    path("cell/", views.cell_save, name="cell_save"),
    path("cell/panel/", views.cell_panel, name="cell_panel"),
    path("mark/<id:mark_id>/note/", views.mark_note, name="mark_note"),
    path("final/", views.final_save, name="final_save"),
    path("final/panel/", views.final_panel, name="final_panel"),
    path("lesson/<id:lesson_id>/", views.lesson, name="lesson"),
    path(
        "lesson/<id:lesson_id>/homework/<id:homework_id>/delete/",
        views.homework_delete,
        name="homework_delete",
    ),
    path("homework/file/<id:file_id>/", views.homework_file, name="homework_file"),
    path("student/<id:student_id>/remarks/", views.remarks, name="remarks"),
    path("class/<id:class_id>/week/", views.class_week, name="class_week"),
    path("class/<id:class_id>/week/xlsx/", views.class_week_xlsx, name="class_week_xlsx"),
    path("report/timeliness/", views.timeliness, name="timeliness"),
    path("report/school/", views.school_report, name="school_report"),
    path("report/timeliness/xlsx/", views.timeliness_xlsx, name="timeliness_xlsx"),
    path("period/<id:period_id>/toggle/", views.period_toggle, name="period_toggle"),
    path("forms/", views.control_forms, name="control_forms"),
]
