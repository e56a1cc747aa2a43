from django.urls import path

from . import views

app_name = "sso"
urlpatterns = [
    path("unmatched/", views.unmatched, name="unmatched"),
    path(
        "unmatched/<id:unmatched_id>/link/",
        views.unmatched_link,
        name="unmatched_link",
    ),
    path(
        "unmatched/<id:unmatched_id>/dismiss/",
        views.unmatched_dismiss,
        name="unmatched_dismiss",
    ),
    path("<slug:provider>/login/", views.login_start, name="login"),
    path("<slug:provider>/callback/", views.callback, name="callback"),
]
