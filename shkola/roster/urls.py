from django.urls import path

from . import views

app_name = "roster"
urlpatterns = [
    path("students/", views.students, name="students"),
    path("students/xlsx/", views.students_xlsx, name="students_xlsx"),
    path("students/add/", views.student_add, name="student_add"),
    path("students/<id:student_id>/", views.student, name="student"),
    path("students/<id:student_id>/edit/", views.student_edit, name="student_edit"),
    path("students/<id:student_id>/enrol/", views.student_enrol, name="enrol"),
    path("students/<id:student_id>/transfer/", views.student_transfer, name="transfer"),
    path("students/<id:student_id>/expel/", views.student_expel, name="expel"),
    path("students/<id:student_id>/guardians/add/", views.guardian_add, name="guardian_add"),
    path(
        "students/<id:student_id>/guardians/<id:guardianship_id>/unlink/",
        views.guardian_unlink,
        name="guardian_unlink",
    ),
    path("staff/", views.staff, name="staff"),
    path("staff/xlsx/", views.staff_xlsx, name="staff_xlsx"),
    path("staff/add/", views.staff_add, name="staff_add"),
    path("staff/<id:user_id>/", views.staff_member, name="staff_member"),
    path("roles/<id:assignment_id>/end/", views.role_end, name="role_end"),
]
