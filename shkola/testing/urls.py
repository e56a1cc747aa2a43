from django.urls import path

from . import views

app_name = "testing"
urlpatterns = [
    path("", views.index, name="index"),
    path("bank/", views.bank, name="bank"),
    path("bank/new/", views.question_new, name="question_new"),
    path("bank/<id:question_id>/", views.question_edit, name="question_edit"),
    path("bank/<id:question_id>/image/", views.question_image, name="question_image"),
    path("new/", views.test_new, name="test_new"),
    path("<id:test_id>/", views.test_edit, name="test_edit"),
    path("<id:test_id>/results/", views.results, name="results"),
    path("<id:test_id>/take/", views.take, name="take"),
    path("attempt/<id:attempt_id>/", views.attempt, name="attempt"),
    path("attempt/<id:attempt_id>/answer/", views.answer, name="answer"),
    path("attempt/<id:attempt_id>/finish/", views.finish, name="finish"),
    path(
        "attempt/<id:attempt_id>/q/<id:position>/image/", views.attempt_image, name="attempt_image"
    ),
    path("review/<id:attempt_id>/", views.review, name="review"),
]
