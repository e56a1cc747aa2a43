from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("switch-child/", views.switch_child, name="switch_child"),
    path("profile/", views.profile, name="profile"),
    path("password/", views.password_change, name="password_change"),
]
