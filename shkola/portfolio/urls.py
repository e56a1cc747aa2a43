from django.urls import path

from . import views

app_name = "portfolio"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("confirm/", views.queue, name="queue"),
    path("points/", views.points, name="points"),
    path("diagnostics/import/", views.diagnostics_import, name="diagnostics_import"),
    path("students/<id:student_id>/", views.card, name="card"),
    path("students/<id:student_id>/edit/", views.card_edit, name="card_edit"),
    path("students/<id:student_id>/photo/", views.student_photo, name="student_photo"),
    path("students/<id:student_id>/rating/", views.rating, name="rating"),
    path("students/<id:student_id>/clubs/", views.clubs, name="clubs"),
    path("students/<id:student_id>/clubs/add/", views.club_add, name="club_add"),
    path(
        "students/<id:student_id>/clubs/<id:club_id>/",
        views.club_edit,
        name="club_edit",
    ),
    path(
        "students/<id:student_id>/clubs/<id:club_id>/delete/",
        views.club_delete,
        name="club_delete",
    ),
    path("students/<id:student_id>/interests/", views.interests, name="interests"),
    path("students/<id:student_id>/olympiads/", views.olympiads, name="olympiads"),
    path(
        "students/<id:student_id>/achievements/add/<str:category>/",
        views.achievement_add,
        name="achievement_add",
    ),
    path("students/<id:student_id>/control/", views.control, name="control"),
    path(
        "students/<id:student_id>/diagnostics/add/",
        views.diagnostic_add,
        name="diagnostic_add",
    ),
    path("students/<id:student_id>/attestation/", views.attestation, name="attestation"),
    path("students/<id:student_id>/testing/", views.testing, name="testing"),
    path("students/<id:student_id>/testing/add/", views.testing_add, name="testing_add"),
    path(
        "achievements/<id:achievement_id>/",
        views.achievement_edit,
        name="achievement_edit",
    ),
    path(
        "achievements/<id:achievement_id>/delete/",
        views.achievement_delete,
        name="achievement_delete",
    ),
    path(
        "achievements/<id:achievement_id>/rounds/",
        views.round_set,
        name="round_set",
    ),
    path(
        "achievements/<id:achievement_id>/confirm/",
        views.achievement_confirm,
        name="achievement_confirm",
    ),
    path(
        "achievements/<id:achievement_id>/reject/",
        views.achievement_reject,
        name="achievement_reject",
    ),
    path("files/<id:file_id>/", views.file_view, name="file"),
    path("files/<id:file_id>/delete/", views.file_delete, name="file_delete"),
]
