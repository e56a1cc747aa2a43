from shkola.core.testing.matrix import Case, expect

ADMIN_ONLY = expect(404, anonymous=302, curator=200)


def _other_school_class(w):  # type: ignore[no-untyped-def]
    return {"class_id": w.other_student.current_class_id}


CASES = [
    Case("accounts:login", expect(302, anonymous=200)),  # signed-in users are sent home
    Case("accounts:logout", expect(405, anonymous=302)),  # POST only
    Case("accounts:switch_child", expect(405, anonymous=302)),
    # public: registration by code, confirmation link, «Забыли пароль?»
    Case("accounts:register", expect(200)),
    Case("accounts:register_details", expect(302)),  # no code entered yet → back to the code
    Case("accounts:register_done", expect(200)),
    Case("accounts:email_confirm", expect(400), kwargs=lambda w: {"token": "forged"}),
    Case("accounts:email_confirm_resend", expect(405, anonymous=302)),
    Case("accounts:password_reset", expect(200)),
    Case("accounts:password_reset_done", expect(200)),
    Case(
        "accounts:password_reset_confirm",
        expect(200),  # the page says the link is invalid
        kwargs=lambda w: {"uidb64": "MQ", "token": "set-password"},
    ),
    Case("accounts:password_reset_complete", expect(200)),
    # «Мои данные»
    Case("accounts:profile", expect(200, anonymous=302)),
    Case("accounts:profile_access", expect(200, anonymous=302)),
    Case("accounts:sessions_end", expect(405, anonymous=302)),
    Case("accounts:profile_children", expect(200, anonymous=302, student=404)),
    Case("accounts:password_change", expect(200, anonymous=302)),
    # school administration
    Case("accounts:invitations", ADMIN_ONLY),
    Case(
        "accounts:invitations_class",
        ADMIN_ONLY,
        kwargs=lambda w: {"class_id": w.class_unit.id},
    ),
    Case(
        "accounts:invitations_class",
        expect(404, anonymous=302),
        kwargs=_other_school_class,
        label="another school's class",
    ),
    Case(
        "accounts:invitations_print",
        ADMIN_ONLY,
        kwargs=lambda w: {"class_id": w.class_unit.id},
    ),
    Case(
        "accounts:invitations_print",
        expect(404, anonymous=302),
        kwargs=_other_school_class,
        label="another school's class",
    ),
    Case(
        "accounts:invitation_revoke",
        expect(405, anonymous=302),
        kwargs=lambda w: {"invitation_id": 1},
    ),
    Case(
        "accounts:invitation_reissue",
        expect(405, anonymous=302),
        kwargs=lambda w: {"invitation_id": 1},
    ),
    Case("accounts:people", ADMIN_ONLY),
    Case("accounts:people", ADMIN_ONLY, query="q=а", label="search"),
    Case(
        "accounts:person",
        ADMIN_ONLY,
        kwargs=lambda w: {"user_id": w.users["parent"].pk},
    ),
    Case(
        "accounts:person",
        expect(404, anonymous=302),
        kwargs=lambda w: {"user_id": w.users["parent2"].pk},
        label="another school's parent",
    ),
    Case("accounts:merge", ADMIN_ONLY),
    Case(
        "accounts:lockout_reset",
        expect(405, anonymous=302),
        kwargs=lambda w: {"attempt_id": 1},
    ),
    Case("accounts:audit", ADMIN_ONLY),
]
