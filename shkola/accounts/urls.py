from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("switch-child/", views.switch_child, name="switch_child"),
    # registration by code (A4) and e-mail confirmation (A5)
    path("register/", views.register, name="register"),
    path("register/details/", views.register_details, name="register_details"),
    path("register/done/", views.register_done, name="register_done"),
    path("confirm/<str:token>/", views.email_confirm, name="email_confirm"),
    path("confirm-resend/", views.email_confirm_resend, name="email_confirm_resend"),
    # «Забыли пароль?» (A6)
    path("password-reset/", views.password_reset, name="password_reset"),
    path("password-reset/sent/", views.password_reset_done, name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        views.password_reset_complete,
        name="password_reset_complete",
    ),
    # «Мои данные» (A7)
    path("profile/", views.profile, name="profile"),
    path("profile/access/", views.profile_access, name="profile_access"),
    path("profile/access/end/", views.sessions_end, name="sessions_end"),
    path("profile/children/", views.profile_children, name="profile_children"),
    path("password/", views.password_change, name="password_change"),
    # school administration (A3, A6, A8)
    path("invitations/", views.invitations, name="invitations"),
    path(
        "invitations/class/<id:class_id>/",
        views.invitations_class,
        name="invitations_class",
    ),
    path(
        "invitations/class/<id:class_id>/print/",
        views.invitations_print,
        name="invitations_print",
    ),
    path(
        "invitations/<id:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "invitations/<id:invitation_id>/reissue/",
        views.invitation_reissue,
        name="invitation_reissue",
    ),
    path("people/", views.people, name="people"),
    path("people/<id:user_id>/", views.person, name="person"),
    path("people/merge/", views.merge, name="merge"),
    path("lockouts/<id:attempt_id>/reset/", views.lockout_reset, name="lockout_reset"),
    path("audit/", views.audit, name="audit"),
]
