"""A6 «Забыли пароль?» and the curator's help, A7 profile and sessions, A8 merges, lockouts,
and the security log."""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client

from shkola.accounts import services
from shkola.accounts.models import AuditEvent, User, UserSession
from shkola.core.testing.factories import (
    TEST_PASSWORD,
    OrganisationFactory,
    guardian_of,
    staff,
)
from shkola.schools.models import Guardianship

from .conftest import PARENT

pytestmark = pytest.mark.django_db


def login(
    client: Client, username: str, password: str = TEST_PASSWORD, ua: str = "Firefox"
) -> int:
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        HTTP_USER_AGENT=ua,
    ).status_code


# --- «Забыли пароль?» --------------------------------------------------------------------


def test_reset_letter_only_for_a_confirmed_address_and_the_page_never_tells(
    client, school
):
    confirmed = guardian_of(school.students[0])
    User.objects.filter(pk=confirmed.pk).update(email_confirmed=True)
    unconfirmed = guardian_of(school.students[1])
    pages = [
        client.post("/accounts/password-reset/", {"email": email}, follow=True)
        for email in (confirmed.email.upper(), unconfirmed.email, "nobody@example.org")
    ]
    assert len({p.content.decode().count("Проверьте почту") for p in pages}) == 1
    assert [p.redirect_chain[-1][0] for p in pages] == [
        "/accounts/password-reset/sent/"
    ] * 3
    [letter] = mail.outbox
    assert letter.to == [confirmed.email]
    assert confirmed.username in letter.body
    link = re.search(
        r"http://testserver(/accounts/password-reset/\S+/\S+/)", letter.body
    ).group(1)
    form = client.get(link, follow=True)
    set_url = form.redirect_chain[-1][0]
    done = client.post(
        set_url,
        {"new_password1": "Brand-New-Pass-9", "new_password2": "Brand-New-Pass-9"},
        follow=True,
    )
    assert "Пароль изменён" in done.content.decode()
    assert AuditEvent.objects.filter(
        kind="password_reset", subject_user=confirmed
    ).exists()
    again = client.get(link, follow=True)  # single use
    assert "уже использована или устарела" in again.content.decode()


def test_curator_finds_a_login_and_sets_a_temporary_password(client, school):
    parent = guardian_of(school.students[0])
    client.force_login(school.curator)
    found = client.get("/accounts/people/", {"q": parent.last_name}).content.decode()
    assert parent.username in found and "Родитель" in found
    page = client.post(f"/accounts/people/{parent.pk}/").content.decode()
    temporary = re.search(r'<code class="fs-5">(\w+)</code>', page).group(1)
    parent.refresh_from_db()
    assert parent.must_change_password
    assert AuditEvent.objects.filter(
        kind="password_set", subject_user=parent, actor=school.curator
    ).exists()
    other = Client()
    assert login(other, parent.username, temporary) == 302
    assert other.get("/diary/", follow=False).url == "/accounts/password/"


def test_curator_cannot_touch_another_schools_people(client, school):
    outsider = staff(OrganisationFactory())
    client.force_login(school.curator)
    assert client.get(f"/accounts/people/{outsider.pk}/").status_code == 404
    assert client.post(f"/accounts/people/{outsider.pk}/").status_code == 404
    assert (
        outsider.username
        not in client.get(
            "/accounts/people/", {"q": outsider.last_name}
        ).content.decode()
    )


# --- profile -----------------------------------------------------------------------------


def test_student_cannot_change_name_but_can_change_contacts(school, codes):
    code = codes["student"][0]
    user = services.registration_complete(
        code=code.code, username="pupil.one", password="Green-Meadow-77"
    )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.profile_update(user=user, email="", phone="", last_name="Хакер")
    assert "меняет школа" in error.value.message_dict["last_name"][0]
    services.profile_update(
        user=user, email="", phone="+7 999 111 22 33", signature="Петя"
    )
    user.refresh_from_db()
    assert user.phone == "+79991112233" and user.signature == "Петя"


def test_parent_profile_keeps_input_on_error_and_reconfirms_new_email(
    client, school, codes, django_capture_on_commit_callbacks
):
    user = services.registration_complete(code=codes["parent"][0].code, **PARENT)
    User.objects.filter(pk=user.pk).update(email_confirmed=True)
    client.force_login(user)
    bad = client.post(
        "/accounts/profile/",
        {
            "last_name": "Петрова",
            "first_name": "Мария",
            "email": "new@example.org",
            "phone": "999",
        },
    ).content.decode()
    assert "Мобильный телефон:" in bad and 'value="Петрова"' in bad
    user.refresh_from_db()
    assert user.last_name == "Иванова"  # nothing half-saved
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/accounts/profile/",
            {
                "last_name": "Петрова",
                "first_name": "Мария",
                "email": "new@example.org",
                "phone": "+79161112233",
            },
        )
    user.refresh_from_db()
    assert (user.last_name, user.email, user.email_confirmed) == (
        "Петрова",
        "new@example.org",
        False,
    )
    assert mail.outbox[-1].to == ["new@example.org"]
    assert "не подтверждена" in client.get("/accounts/profile/").content.decode()


def test_parent_adds_a_child_by_code_in_children_tab(client, school, codes):
    user = services.registration_complete(code=codes["parent"][0].code, **PARENT)
    client.force_login(user)
    wrong = client.post(
        "/accounts/profile/children/", {"code": codes["student"][1].code}
    )
    assert "код для регистрации обучающегося" in wrong.content.decode()
    page = client.post(
        "/accounts/profile/children/", {"code": codes["parent"][1].code}, follow=True
    )
    html = page.content.decode()
    assert codes["parent"][1].student.full_name in html
    assert Guardianship.objects.filter(guardian__user=user).count() == 2
    again = client.post(
        "/accounts/profile/children/", {"code": codes["parent"][1].code}
    )
    assert "уже использован" in again.content.decode()


def test_sessions_are_listed_and_other_browsers_signed_out(school):
    parent = guardian_of(school.students[0])
    phone, laptop = Client(), Client()
    assert login(phone, parent.username, ua="Android Chrome") == 302
    assert login(laptop, parent.username, ua="Windows Firefox") == 302
    page = laptop.get("/accounts/profile/access/").content.decode()
    assert (
        "Android Chrome" in page
        and "Windows Firefox" in page
        and "это устройство" in page
    )
    assert UserSession.objects.filter(user=parent).count() == 2
    laptop.post("/accounts/profile/access/end/")
    assert phone.get("/accounts/profile/").status_code == 302  # signed out
    assert laptop.get("/accounts/profile/").status_code == 200
    assert UserSession.objects.filter(user=parent).count() == 1
    assert Session.objects.count() == 1


# --- merge -------------------------------------------------------------------------------


def test_curator_merges_two_accounts_of_one_parent(client, school):
    keep = guardian_of(school.students[0])
    extra = guardian_of(school.students[1])
    User.objects.filter(pk=keep.pk).update(phone="")
    User.objects.filter(pk=extra.pk).update(phone="+79160000000")
    extra_browser = Client()
    extra_browser.force_login(extra)
    client.force_login(school.curator)
    page = client.post(
        "/accounts/people/merge/",
        {"keep": keep.username, "remove": extra.username},
        follow=True,
    )
    assert "объединены" in page.content.decode()
    children = set(
        Guardianship.objects.filter(guardian__user=keep).values_list(
            "student", flat=True
        )
    )
    assert children == {school.students[0].id, school.students[1].id}
    extra.refresh_from_db()
    keep.refresh_from_db()
    assert not extra.is_active and keep.phone == "+79160000000"
    assert extra_browser.get("/").status_code == 302
    event = AuditEvent.objects.get(kind="merge")
    assert event.actor == school.curator and event.details["removed"] == extra.username


def test_merge_refuses_student_accounts_and_strangers(client, school, codes):
    student = services.registration_complete(
        code=codes["student"][0].code, username="pupil.one", password="Green-Meadow-77"
    )
    parent = guardian_of(school.students[1])
    stranger = guardian_of(
        __import__(
            "shkola.core.testing.factories", fromlist=["StudentFactory"]
        ).StudentFactory()
    )
    client.force_login(school.curator)
    page = client.post(
        "/accounts/people/merge/", {"keep": parent.username, "remove": student.username}
    )
    assert "только учётные записи родителей" in page.content.decode()
    page = client.post(
        "/accounts/people/merge/",
        {"keep": parent.username, "remove": stranger.username},
    )
    assert "не найден среди родителей вашей школы" in page.content.decode()
    assert stranger.is_active and User.objects.get(pk=stranger.pk).is_active


# --- brute force and the security log ----------------------------------------------------


def test_lockout_message_curator_unlock_and_log(client, school, settings):
    settings.AXES_FAILURE_LIMIT = 3
    parent = guardian_of(school.students[0])
    attacker = Client()
    for _i in range(3):
        attacker.post(
            "/accounts/login/", {"username": parent.username, "password": "wrong-pass"}
        )
    locked = attacker.post(
        "/accounts/login/", {"username": parent.username, "password": TEST_PASSWORD}
    )
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "Вход временно заблокирован" in text and "15 минут" in text
    client.force_login(school.curator)
    people = client.get("/accounts/people/").content.decode()
    assert parent.username in people and "Разблокировать" in people
    from axes.models import AccessAttempt

    attempt = AccessAttempt.objects.get(username=parent.username)
    client.post(f"/accounts/lockouts/{attempt.pk}/reset/")
    assert login(attacker, parent.username) == 302
    log = client.get("/accounts/audit/").content.decode()
    for label in ("Неудачный вход", "Блокировка", "Разблокировка", "Вход"):
        assert label in log
    only_failed = client.get(
        "/accounts/audit/", {"kind": "login_failed"}
    ).content.decode()
    assert "Разблокировка" not in only_failed.split("audit-events")[1]


def test_wrong_password_message_is_the_same_for_unknown_login(client, school):
    parent = guardian_of(school.students[0])
    known = client.post(
        "/accounts/login/", {"username": parent.username, "password": "nope-nope"}
    )
    unknown = client.post(
        "/accounts/login/", {"username": "nobody-here", "password": "nope-nope"}
    )
    assert "Неверный логин или пароль" in known.content.decode()
    assert "Неверный логин или пароль" in unknown.content.decode()


def test_audit_log_shows_only_own_school(client, school):
    outsider = staff(OrganisationFactory())
    login(Client(), outsider.username)
    client.force_login(school.curator)
    assert outsider.username not in client.get("/accounts/audit/").content.decode()


def test_audit_page_query_budget(client, school, django_assert_max_num_queries):
    for _i in range(30):
        services.audit_record(
            kind="login", actor=school.teacher, subject_user=school.teacher
        )
    client.force_login(school.curator)
    client.get("/accounts/audit/")  # the first page view also records the session
    with django_assert_max_num_queries(14):
        assert client.get("/accounts/audit/").status_code == 200
