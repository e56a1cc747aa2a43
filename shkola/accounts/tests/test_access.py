"""A6 «Забыли пароль?» and the curator's help, A7 profile and sessions, A8 merges, lockouts,
and the security log."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shkola.accounts import services
from shkola.accounts.models import AuditEvent, Role, RoleAssignment, User, UserSession
from shkola.core.testing.admin import admin_form_data
from shkola.core.testing.factories import (
    TEST_PASSWORD,
    GuardianFactory,
    OrganisationFactory,
    TerritoryFactory,
    guardian_of,
    make_school,
    staff,
    valid_snils,
)
from shkola.schools.models import Guardianship, Student

from .conftest import PARENT

pytestmark = pytest.mark.django_db


def login(client: Client, username: str, password: str = TEST_PASSWORD, ua: str = "Firefox") -> int:
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        HTTP_USER_AGENT=ua,
    ).status_code


# --- «Забыли пароль?» --------------------------------------------------------------------


def test_reset_letter_only_for_a_confirmed_address_and_the_page_never_tells(client, school):
    confirmed = guardian_of(school.students[0])
    User.objects.filter(pk=confirmed.pk).update(email_confirmed=True)
    unconfirmed = guardian_of(school.students[1])
    pages = [
        client.post("/accounts/password-reset/", {"email": email}, follow=True)
        for email in (confirmed.email.upper(), unconfirmed.email, "nobody@example.org")
    ]
    assert len({p.content.decode().count("Проверьте почту") for p in pages}) == 1
    assert [p.redirect_chain[-1][0] for p in pages] == ["/accounts/password-reset/sent/"] * 3
    [letter] = mail.outbox
    assert letter.to == [confirmed.email]
    assert confirmed.username in letter.body
    link = re.search(r"http://testserver(/accounts/password-reset/\S+/\S+/)", letter.body).group(1)
    form = client.get(link, follow=True)
    set_url = form.redirect_chain[-1][0]
    done = client.post(
        set_url,
        {"new_password1": "Brand-New-Pass-9", "new_password2": "Brand-New-Pass-9"},
        follow=True,
    )
    assert "Пароль изменён" in done.content.decode()
    assert AuditEvent.objects.filter(kind="password_reset", subject_user=confirmed).exists()
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
    page = other.get("/accounts/password/").content.decode()
    assert "Пароль был выдан куратором" in page
    weak = other.post(
        "/accounts/password/",
        {"old_password": temporary, "new_password1": "qwerty123", "new_password2": "qwerty123"},
    ).content.decode()
    assert "Подтверждение нового пароля: Введённый пароль слишком широко распространён." in weak
    done = other.post(
        "/accounts/password/",
        {
            "old_password": temporary,
            "new_password1": "Own-Choice-Pass-7",
            "new_password2": "Own-Choice-Pass-7",
        },
        follow=True,
    )
    assert "Пароль изменён" in done.content.decode()
    parent.refresh_from_db()
    assert not parent.must_change_password
    assert other.get("/diary/").status_code == 200
    assert AuditEvent.objects.filter(kind="password_change", subject_user=parent).exists()


def test_profile_resends_the_confirmation_letter(
    client, school, codes, django_capture_on_commit_callbacks
):
    user = services.registration_complete(code=codes["parent"][0].code, **PARENT)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post("/accounts/confirm-resend/", follow=True)
    assert "Письмо отправлено на mother@example.org" in page.content.decode()
    [letter] = mail.outbox
    link = re.search(r"http\S+?(/accounts/confirm/[^/\s]+/)", letter.body).group(1)
    assert link in letter.alternatives[0][0]
    assert "подтверждён" in client.get(link).content.decode()
    assert User.objects.get(pk=user.pk).email_confirmed
    again = client.post("/accounts/confirm-resend/", follow=True).content.decode()
    assert "Адрес уже подтверждён" in again


def test_curator_cannot_touch_another_schools_people(client, school):
    outsider = staff(OrganisationFactory())
    client.force_login(school.curator)
    assert client.get(f"/accounts/people/{outsider.pk}/").status_code == 404
    assert client.post(f"/accounts/people/{outsider.pk}/").status_code == 404
    assert (
        outsider.username
        not in client.get("/accounts/people/", {"q": outsider.last_name}).content.decode()
    )


# --- profile -----------------------------------------------------------------------------


def test_student_cannot_change_name_but_can_change_contacts(school, codes):
    code = codes["student"][0]
    user = services.registration_complete(
        code=code.code,
        username="pupil.one",
        password="Green-Meadow-77",
        personal_data_consent=True,
    )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.profile_update(user=user, email="", phone="", last_name="Хакер")
    assert "меняет школа" in error.value.message_dict["last_name"][0]
    services.profile_update(user=user, email="", phone="+7 999 111 22 33", signature="Петя")
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
    wrong = client.post("/accounts/profile/children/", {"code": codes["student"][1].code})
    assert "код для регистрации обучающегося" in wrong.content.decode()
    page = client.post(
        "/accounts/profile/children/",
        {"code": codes["parent"][1].code, "representative_kind": "father"},
        follow=True,
    )
    html = page.content.decode()
    assert codes["parent"][1].student.full_name in html
    assert "вы — отец" in html  # the representative type the parent chose
    assert Guardianship.objects.filter(guardian__user=user).count() == 2
    again = client.post("/accounts/profile/children/", {"code": codes["parent"][1].code})
    assert "уже использован" in again.content.decode()

    # Each child's diary and portfolio open from the tab, and only that child's.
    second = codes["parent"][1].student
    for url in (
        reverse("diary:week_of", args=[second.pk]),
        reverse("portfolio:card", args=[second.pk]),
    ):
        assert f'href="{url}"' in html
        opened = client.get(url, follow=True)  # the diary link also makes this child active
        assert opened.status_code == 200
        assert second.first_name in opened.content.decode()
    stranger = make_school().students[0]
    assert client.get(reverse("portfolio:card", args=[stranger.pk])).status_code == 404
    assert client.get(reverse("diary:week_of", args=[stranger.pk])).status_code == 404


def test_sessions_are_listed_and_other_browsers_signed_out(school):
    parent = guardian_of(school.students[0])
    phone, laptop = Client(), Client()
    assert login(phone, parent.username, ua="Android Chrome") == 302
    assert login(laptop, parent.username, ua="Windows Firefox") == 302
    page = laptop.get("/accounts/profile/access/").content.decode()
    assert "Android Chrome" in page and "Windows Firefox" in page and "это устройство" in page
    assert UserSession.objects.filter(user=parent).count() == 2
    laptop.post("/accounts/profile/access/end/")
    assert phone.get("/accounts/profile/").status_code == 302  # signed out
    assert laptop.get("/accounts/profile/").status_code == 200
    assert UserSession.objects.filter(user=parent).count() == 1
    assert Session.objects.count() == 1


def test_browsers_signed_out_by_a_password_change_or_expiry_are_not_listed(school):
    parent = guardian_of(school.students[0])
    phone, laptop, tablet = Client(), Client(), Client()
    assert login(phone, parent.username, ua="Android Chrome") == 302
    assert login(laptop, parent.username, ua="Windows Firefox") == 302
    assert login(tablet, parent.username, ua="iPad Safari") == 302
    Session.objects.filter(session_key=tablet.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(minutes=1)
    )
    laptop.post(
        "/accounts/password/",
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "Another-Strong-Pass-7",
            "new_password2": "Another-Strong-Pass-7",
        },
    )
    page = laptop.get("/accounts/profile/access/").content.decode()
    assert "Windows Firefox" in page
    assert "Android Chrome" not in page  # signed out by the new password
    assert "iPad Safari" not in page  # expired


def test_the_access_tab_costs_the_same_queries_however_many_sessions(
    school, django_assert_max_num_queries
):
    parent = guardian_of(school.students[0])
    browsers = [Client() for _ in range(6)]
    for i, browser in enumerate(browsers):
        assert login(browser, parent.username, ua=f"Browser {i}") == 302
    browsers[0].get("/accounts/profile/access/")
    with django_assert_max_num_queries(12):
        page = browsers[0].get("/accounts/profile/access/").content.decode()
    assert all(f"Browser {i}" in page for i in range(6))


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
        Guardianship.objects.filter(guardian__user=keep).values_list("student", flat=True)
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
        code=codes["student"][0].code,
        username="pupil.one",
        password="Green-Meadow-77",
        personal_data_consent=True,
    )
    parent = guardian_of(school.students[1])
    stranger = guardian_of(
        __import__("shkola.core.testing.factories", fromlist=["StudentFactory"]).StudentFactory()
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


def _gosuslugi_mother(child, *, subject: str = "esia-mother-1", snils: str = ""):
    from shkola.accounts.sso.providers import ClaimedChild, SsoPerson

    return SsoPerson(
        subject=subject,
        snils=snils or valid_snils(7_654_321),
        last_name="Иванова",
        first_name="Мария",
        children=(
            ClaimedChild(
                last_name=child.last_name,
                first_name=child.first_name,
                middle_name=child.middle_name,
                birth_date=child.birth_date,
                snils=child.snils,
            ),
            ClaimedChild(
                last_name="Неизвестный",
                first_name="Илья",
                middle_name="",
                birth_date=child.birth_date,
                snils=valid_snils(5_555_555),
            ),
        ),
    )


def test_merge_keeps_sign_in_through_gosuslugi_working(client, school, codes):
    """The mother once came in through Госуслуги (an account made for her) and once
    registered by a paper code; after the merge Госуслуги lead to the kept account."""
    from shkola.accounts.sso.models import UnmatchedChild
    from shkola.accounts.sso.services import sso_sign_in

    first, second = school.students[0], school.students[1]
    Student.objects.filter(pk=first.pk).update(snils=valid_snils(1_234_567))
    first.refresh_from_db()
    person = _gosuslugi_mother(first)
    by_provider = sso_sign_in(provider="gosuslugi", person=person).user
    assert by_provider is not None
    by_code = services.registration_complete(
        code=next(c for c in codes["parent"] if c.student_id == second.id).code,
        **{**PARENT, "username": "maria.ivanova"},
    )
    client.force_login(school.curator)
    page = client.post(
        "/accounts/people/merge/",
        {"keep": by_code.username, "remove": by_provider.username},
        follow=True,
    )
    assert "объединены" in page.content.decode()

    again = sso_sign_in(provider="gosuslugi", person=person)
    assert again.refusal == "" and again.user == by_code
    children = set(
        Guardianship.objects.filter(guardian__user=by_code).values_list("student", flat=True)
    )
    assert children == {first.id, second.id}
    assert UnmatchedChild.objects.get(first_name="Илья").parent == by_code
    assert User.objects.get(pk=by_code.pk).snils == person.snils
    assert AuditEvent.objects.get(kind="merge").details["sso_identities_moved"] == 1


def test_merge_refuses_accounts_with_different_snils(client, school):
    keep = guardian_of(school.students[0])
    other = guardian_of(school.students[1])
    User.objects.filter(pk=keep.pk).update(snils=valid_snils(1_111_111))
    User.objects.filter(pk=other.pk).update(snils=valid_snils(2_222_222))
    client.force_login(school.curator)
    page = client.post("/accounts/people/merge/", {"keep": keep.username, "remove": other.username})
    assert "Отключить учётную запись (логин): У этих учётных записей разные СНИЛС" in (
        page.content.decode()
    )
    assert User.objects.get(pk=other.pk).is_active


# --- brute force and the security log ----------------------------------------------------


def test_lockout_message_curator_unlock_and_log(client, school, settings):
    settings.AXES_FAILURE_LIMIT = 3
    parent = guardian_of(school.students[0])
    attacker = Client()
    for _i in range(3):
        attacker.post("/accounts/login/", {"username": parent.username, "password": "wrong-pass"})
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
    only_failed = client.get("/accounts/audit/", {"kind": "login_failed"}).content.decode()
    assert "Разблокировка" not in only_failed.split("audit-events")[1]


def test_lockout_is_per_login_and_per_address(school, settings):
    settings.AXES_FAILURE_LIMIT = 3
    mother, father, teacher = (
        guardian_of(school.students[0]),
        guardian_of(school.students[1]),
        school.teacher,
    )

    def attempt(username: str, password: str, ip: str) -> Any:
        return Client(REMOTE_ADDR=ip).post(
            "/accounts/login/", {"username": username, "password": password}
        )

    # One login guessed from three addresses: that login is locked everywhere.
    for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        attempt(mother.username, "wrong-pass", ip)
    assert attempt(mother.username, TEST_PASSWORD, "10.0.0.9").status_code == 429
    assert attempt(father.username, TEST_PASSWORD, "10.0.0.9").status_code == 302

    # One address (a school's NAT) with typos in three logins: nobody there is locked out.
    for username in (father.username, teacher.username, "nobody-here"):
        attempt(username, "wrong-pass", "10.0.0.66")
    assert attempt(teacher.username, TEST_PASSWORD, "10.0.0.66").status_code == 302
    assert attempt(father.username, TEST_PASSWORD, "10.0.0.66").status_code == 302


def test_a_login_guessed_from_several_addresses_is_listed_once_and_unlocked_everywhere(
    client, school, settings
):
    settings.AXES_FAILURE_LIMIT = 3
    mother = guardian_of(school.students[0])
    for ip in ("10.0.1.1", "10.0.1.2", "10.0.1.3"):
        Client(REMOTE_ADDR=ip).post(
            "/accounts/login/", {"username": mother.username, "password": "wrong-pass"}
        )
    home = Client(REMOTE_ADDR="10.0.1.3")
    assert login(home, mother.username) == 429

    client.force_login(school.curator)
    page = client.get("/accounts/people/").content.decode()
    lockouts = page.split('id="lockouts"')[1]
    assert lockouts.count(mother.username) == 1
    assert "10.0.1.1, 10.0.1.2, 10.0.1.3" in lockouts
    # three guesses; the refused sign-in from home with the right password is no failure
    assert "неудачных попыток: 3" in lockouts
    unlock = re.search(r'action="(/accounts/lockouts/\d+/reset/)"', lockouts)
    assert unlock
    client.post(unlock.group(1))

    assert login(home, mother.username) == 302
    after = client.get("/accounts/people/").content.decode().split('id="lockouts"')[1]
    assert mother.username not in after and "Заблокированных входов нет" in after


def test_a_login_is_recognised_whatever_its_case(school):
    parent = guardian_of(school.students[0])
    parent.username = "Ivanova.Mama"
    parent.save(update_fields=["username"])
    phone = Client()
    assert login(phone, "ivanova.mama") == 302
    assert phone.get("/").context["user"] == parent
    assert login(Client(), "  IVANOVA.MAMA ") == 302


def test_case_variants_of_a_login_are_one_login_to_lock(school, settings):
    settings.AXES_FAILURE_LIMIT = 3
    parent = guardian_of(school.students[0])
    parent.username = "Petrova"
    parent.save(update_fields=["username"])
    # Each variant alone is one failure; together they are the third, which locks the login.
    statuses = [login(Client(), v, "wrong-pass") for v in ("petrova", "PETROVA", "Petrova")]
    assert statuses == [200, 200, 429]
    assert login(Client(), "petrova") == 429


def test_wrong_password_message_is_the_same_for_unknown_login(client, school):
    parent = guardian_of(school.students[0])
    known = client.post("/accounts/login/", {"username": parent.username, "password": "nope-nope"})
    unknown = client.post("/accounts/login/", {"username": "nobody-here", "password": "nope-nope"})
    assert "Неверный логин или пароль" in known.content.decode()
    assert "Неверный логин или пароль" in unknown.content.decode()


def test_audit_log_shows_only_own_school(client, school):
    outsider = staff(OrganisationFactory())
    login(Client(), outsider.username)
    client.force_login(school.curator)
    assert outsider.username not in client.get("/accounts/audit/").content.decode()


def test_audit_page_query_budget(client, school, django_assert_max_num_queries):
    for _i in range(30):
        services.audit_record(kind="login", actor=school.teacher, subject_user=school.teacher)
    client.force_login(school.curator)
    client.get("/accounts/audit/")  # the first page view also records the session
    with django_assert_max_num_queries(14):
        assert client.get("/accounts/audit/").status_code == 200


def _log_rows(client: Client) -> list[str]:
    table = client.get("/accounts/audit/").content.decode().split('id="audit-events"')[1]
    return [re.sub(r"\s+", " ", row) for row in table.split("<tr")[2:]]


def test_security_log_shows_logins_resets_merges_and_role_changes_to_the_schools_curator(
    school, settings
):
    """Every kind of event the issue names, made the way people make them, reaches the log
    of the school the person belongs to, and no other school's log."""
    parent = guardian_of(school.students[0])
    User.objects.filter(pk=parent.pk).update(email_confirmed=True)
    extra = guardian_of(school.students[1])
    teacher = school.teacher

    browser = Client()
    browser.post("/accounts/login/", {"username": parent.username, "password": "wrong-pass"})
    assert login(browser, parent.username) == 302
    browser.post("/accounts/logout/")
    browser.post("/accounts/password-reset/", {"email": parent.email})
    link = re.search(r"http://testserver(/accounts/password-reset/\S+/\S+/)", mail.outbox[-1].body)
    set_url = browser.get(link.group(1), follow=True).redirect_chain[-1][0]
    browser.post(
        set_url, {"new_password1": "Brand-New-Pass-9", "new_password2": "Brand-New-Pass-9"}
    )

    curator = Client()
    curator.force_login(school.curator)
    curator.post("/accounts/people/merge/", {"keep": parent.username, "remove": extra.username})

    root = User.objects.create_superuser("root.admin", "root@example.org", TEST_PASSWORD)
    admin = Client()
    admin.force_login(root)
    url = f"/admin/accounts/user/{teacher.pk}/change/"
    data = admin_form_data(admin.get(url))
    data.update(
        {
            "roles-TOTAL_FORMS": int(data["roles-TOTAL_FORMS"]) + 1,
            f"roles-{data['roles-TOTAL_FORMS']}-role": "deputy",
            f"roles-{data['roles-TOTAL_FORMS']}-organisation": school.organisation.pk,
        }
    )
    assert admin.post(url, data).status_code == 302
    data = admin_form_data(admin.get(url))
    deputy = RoleAssignment.objects.get(user=teacher, role="deputy")
    index = next(k for k, v in data.items() if k.endswith("-id") and v == deputy.pk)
    data[index.replace("-id", "-DELETE")] = "on"
    assert admin.post(url, data).status_code == 302
    assert not RoleAssignment.objects.filter(user=teacher, role="deputy").exists()

    rows = _log_rows(curator)
    expected = [
        ("Неудачный вход", parent.username),
        ("Вход", parent.username),
        ("Выход", parent.username),
        ("Сброс пароля", parent.username),
        ("Объединение учётных записей", parent.username),
        ("Изменение ролей", teacher.username),
    ]
    for label, username in expected:
        assert any(f"<td>{label}</td>" in r and f"<code>{username}</code>" in r for r in rows), (
            label
        )
    assert sum("Изменение ролей" in r for r in rows) == 2  # given, then taken away
    other = Client()
    other.force_login(staff(OrganisationFactory(), role="curator"))
    theirs = " ".join(_log_rows(other))
    assert parent.username not in theirs and teacher.username not in theirs


# --- CSRF --------------------------------------------------------------------------------


def test_every_form_carries_a_csrf_token_and_a_post_without_it_is_refused(school, codes):
    """CSRF everywhere: each page's POST forms carry the token, and a POST without it changes
    nothing."""
    parent = guardian_of(school.students[0])
    forms_seen = 0

    def post_forms(client: Client, url: str) -> None:
        nonlocal forms_seen
        html = client.get(url).content.decode()
        forms = re.findall(r'<form[^>]*method="post"[^>]*>.*?</form>', html, flags=re.S | re.I)
        assert forms, url
        for form in forms:
            assert 'name="csrfmiddlewaretoken"' in form, (url, form[:200])
        forms_seen += len(forms)

    anonymous = Client(enforce_csrf_checks=True)
    for url in ("/accounts/login/", "/accounts/register/", "/accounts/password-reset/"):
        post_forms(anonymous, url)
    forged = Client(enforce_csrf_checks=True).post(
        "/accounts/login/", {"username": parent.username, "password": TEST_PASSWORD}
    )
    assert forged.status_code == 403

    family = Client(enforce_csrf_checks=True)
    family.force_login(parent)
    for url in (
        "/accounts/profile/",
        "/accounts/profile/access/",
        "/accounts/profile/children/",
        "/accounts/password/",
    ):
        post_forms(family, url)
    other_browser = Client()
    other_browser.force_login(parent)
    assert family.post("/accounts/profile/access/end/").status_code == 403
    assert other_browser.get("/accounts/profile/").status_code == 200  # not signed out
    assert family.post("/accounts/logout/").status_code == 403

    office = Client(enforce_csrf_checks=True)
    office.force_login(school.curator)
    for url in (
        f"/accounts/invitations/class/{school.class_unit.id}/",
        "/accounts/people/merge/",
        f"/accounts/people/{parent.pk}/",
    ):
        post_forms(office, url)
    assert office.post(f"/accounts/people/{parent.pk}/").status_code == 403
    assert not User.objects.get(pk=parent.pk).must_change_password
    assert forms_seen >= 10


# --- what a curator may manage: never accounts above or beside them ----------------------


def _also_parent_of(user: User, student: Student) -> User:
    """Staff elsewhere can be parents here: that tie must not open their account."""
    guardian = GuardianFactory(user=user, last_name=user.last_name, first_name=user.first_name)
    Guardianship.objects.create(guardian=guardian, student=student, kind="father")
    return user


@pytest.fixture
def beyond_the_curator(school):  # type: ignore[no-untyped-def]
    """Accounts tied to the school that its curator must not take over, by what they are."""
    elsewhere = OrganisationFactory()
    child = school.students[0]
    director_elsewhere = guardian_of(child)
    RoleAssignment.objects.create(
        user=director_elsewhere, role=Role.DIRECTOR, organisation=elsewhere
    )
    superuser = guardian_of(child)
    User.objects.filter(pk=superuser.pk).update(is_superuser=True, is_staff=True)
    official = guardian_of(child)
    RoleAssignment.objects.create(user=official, role=Role.MUNICIPAL, territory=TerritoryFactory())
    teacher_elsewhere = staff(school.organisation)
    RoleAssignment.objects.create(user=teacher_elsewhere, role=Role.TEACHER, organisation=elsewhere)
    return {
        "director of the school": staff(school.organisation, Role.DIRECTOR),
        "deputy of the school": staff(school.organisation, Role.DEPUTY),
        "curator of another school, parent here": _also_parent_of(
            staff(elsewhere, Role.CURATOR), child
        ),
        "parent who is a director elsewhere": director_elsewhere,
        "superuser who is a parent here": User.objects.get(pk=superuser.pk),
        "municipal official who is a parent here": official,
        "teacher here and at another school": teacher_elsewhere,
        "the curator themself": school.curator,
    }


def test_curator_cannot_open_or_set_a_password_for_accounts_above_or_beside_them(
    client, school, beyond_the_curator
):
    client.force_login(school.curator)
    for who, user in beyond_the_curator.items():
        password_before = User.objects.get(pk=user.pk).password
        assert client.get(f"/accounts/people/{user.pk}/").status_code == 404, who
        assert client.post(f"/accounts/people/{user.pk}/").status_code == 404, who
        after = User.objects.get(pk=user.pk)
        assert after.password == password_before and not after.must_change_password, who
    assert not AuditEvent.objects.filter(kind="password_set").exists()
    # The search still finds the director's login, but it leads to no password page.
    director = beyond_the_curator["director of the school"]
    found = client.get("/accounts/people/", {"q": director.username}).content.decode()
    assert director.username in found
    assert f"/accounts/people/{director.pk}/" not in found


def test_the_service_refuses_a_temporary_password_over_an_administrators_account(school):
    director = staff(school.organisation, Role.DIRECTOR)
    with pytest.raises(ValidationError) as error:
        services.password_set_by_curator(actor=school.curator, user=director)
    assert "административная роль" in " ".join(error.value.message_dict["user"])


def test_curator_sets_temporary_passwords_for_the_schools_teachers_and_parents(client, school):
    parent = guardian_of(school.students[1])
    client.force_login(school.curator)
    for user in (school.teacher, school.class_teacher, parent):
        found = client.get("/accounts/people/", {"q": user.username}).content.decode()
        assert f"/accounts/people/{user.pk}/" in found
        page = client.post(f"/accounts/people/{user.pk}/").content.decode()
        temporary = re.search(r'<code class="fs-5">(\w+)</code>', page).group(1)
        assert login(Client(), user.username, temporary) == 302


def _merge(client: Client, keep: User, remove: User) -> str:
    page = client.post(
        "/accounts/people/merge/", {"keep": keep.username, "remove": remove.username}
    )
    return re.sub(r"\s+", " ", page.content.decode())


def test_merge_refuses_accounts_above_or_beside_the_curator_and_moves_no_roles(
    client, school, beyond_the_curator
):
    parent = guardian_of(school.students[1])
    client.force_login(school.curator)
    for who, user in beyond_the_curator.items():
        roles_before = set(RoleAssignment.objects.filter(user=user).values_list("pk", flat=True))
        as_removed = _merge(client, parent, user)
        assert "Отключить учётную запись (логин):" in as_removed, who
        assert "объединены" not in as_removed, who
        as_kept = _merge(client, user, parent)
        assert "Оставить учётную запись (логин):" in as_kept, who
        assert User.objects.get(pk=user.pk).is_active, who
        assert (
            set(RoleAssignment.objects.filter(user=user).values_list("pk", flat=True))
            == roles_before
        ), who
    director = beyond_the_curator["parent who is a director elsewhere"]
    assert (
        f"Отключить учётную запись (логин): У «{director.username}» есть административная роль"
        in _merge(client, parent, director)
    )
    assert User.objects.get(pk=parent.pk).is_active
    assert not RoleAssignment.objects.filter(user=parent).exists()
    assert not AuditEvent.objects.filter(kind="merge").exists()


def test_merge_keeps_a_teachers_account_and_never_removes_one(client, school):
    teacher = _also_parent_of(school.teacher, school.students[0])
    duplicate = guardian_of(school.students[1])
    client.force_login(school.curator)

    refused = _merge(client, duplicate, teacher)
    assert "Отключить учётную запись (логин):" in refused
    assert "учётная запись сотрудника школы: при объединении её роли не переносятся" in refused
    assert User.objects.get(pk=teacher.pk).is_active

    done = client.post(
        "/accounts/people/merge/",
        {"keep": teacher.username, "remove": duplicate.username},
        follow=True,
    )
    assert "объединены" in done.content.decode()
    children = set(
        Guardianship.objects.filter(guardian__user=teacher).values_list("student", flat=True)
    )
    assert children == {school.students[0].id, school.students[1].id}
    assert RoleAssignment.objects.filter(user=teacher, role=Role.TEACHER).exists()
    assert not User.objects.get(pk=duplicate.pk).is_active


# --- lockouts behind a reverse proxy and the time left ------------------------------------


def _through_proxy(username: str, password: str, forwarded: str) -> Any:
    """Every browser reaches the app through one nginx at 10.9.0.1."""
    return Client(REMOTE_ADDR="10.9.0.1", HTTP_X_FORWARDED_FOR=forwarded).post(
        "/accounts/login/", {"username": username, "password": password}
    )


def test_behind_a_trusted_proxy_each_forwarded_client_is_locked_on_its_own(school, settings):
    from axes.models import AccessAttempt

    settings.AXES_FAILURE_LIMIT = 3
    settings.TRUSTED_PROXY_COUNT = 1
    teacher, parent = school.teacher, guardian_of(school.students[0])
    # The client may write anything on the left; nginx appends the address it really saw.
    for username in ("nobody-1", "nobody-2", teacher.username):
        _through_proxy(username, "wrong-pass", "198.51.100.250, 203.0.113.5")
    # Failures of different logins behind one address lock nobody.
    assert _through_proxy(teacher.username, TEST_PASSWORD, "203.0.113.5").status_code == 302
    for _i in range(3):
        _through_proxy(parent.username, "wrong-pass", "198.51.100.250, 203.0.113.5")
    assert (
        _through_proxy(parent.username, TEST_PASSWORD, "203.0.113.9, 203.0.113.5").status_code
        == 429
    )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}
    from axes.utils import reset

    reset(username=parent.username)
    other = Client(REMOTE_ADDR="10.9.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert login(other, parent.username) == 302

    failed = set(
        AuditEvent.objects.filter(kind="login_failed").values_list("ip_address", flat=True)
    )
    assert failed == {"203.0.113.5"}
    assert AuditEvent.objects.get(kind="login", subject_user=parent).ip_address == "198.51.100.7"
    assert UserSession.objects.get(user=parent).ip_address == "198.51.100.7"
    page = other.get("/accounts/profile/access/").content.decode()
    assert "198.51.100.7" in page


def test_without_a_trusted_proxy_a_forged_forwarded_header_changes_nothing(school, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.TRUSTED_PROXY_COUNT = 0
    # The session's demo world may hold audit rows of its own (the demo consents).
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    for n in range(3):
        Client(REMOTE_ADDR="10.0.5.5", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").post(
            "/accounts/login/", {"username": school.teacher.username, "password": "wrong-pass"}
        )
    forged = Client(REMOTE_ADDR="10.0.5.5", HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert login(forged, school.teacher.username) == 429
    addresses = set(AuditEvent.objects.filter(id__gt=before).values_list("ip_address", flat=True))
    assert addresses == {"10.0.5.5"}


def test_lockout_page_says_how_long_is_actually_left(school, settings):
    from axes.models import AccessAttempt
    from django.utils import timezone

    settings.AXES_FAILURE_LIMIT = 3
    parent = guardian_of(school.students[0])
    browser = Client()
    for _i in range(3):
        login(browser, parent.username, "wrong-pass")

    def wait_message() -> str:
        page = browser.post(
            "/accounts/login/", {"username": parent.username, "password": TEST_PASSWORD}
        )
        assert page.status_code == 429
        return re.sub(r"\s+", " ", page.content.decode())

    assert "Попробуйте снова через 15 минут" in wait_message()
    # Refused tries while locked do not prolong the lock here, so time visibly runs out.
    settings.AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
    for minutes_ago, expected in (
        (10.5, "через 5 минут"),
        (12.9, "через 3 минуты"),
        (13.2, "через 2 минуты"),
        (14.5, "через 1 минуту"),
    ):
        AccessAttempt.objects.update(
            attempt_time=timezone.now() - dt.timedelta(minutes=minutes_ago)
        )
        assert f"Попробуйте снова {expected}" in wait_message(), minutes_ago


def test_a_lock_has_a_fixed_length_and_a_correct_password_is_no_failure(school, settings):
    """Refused tries while locked, right or wrong, neither count nor prolong the lock: nobody
    can keep someone else's login locked by trying on, and its owner is let in on time."""
    from axes.models import AccessAttempt

    settings.AXES_FAILURE_LIMIT = 3
    parent = guardian_of(school.students[0])
    for _i in range(3):
        assert login(Client(), parent.username, "wrong-pass") in (200, 429)
    locked_at = AccessAttempt.objects.get(username=parent.username).attempt_time
    failed_before = AuditEvent.objects.filter(kind="login_failed").count()
    for password in (TEST_PASSWORD, "wrong-pass", TEST_PASSWORD):
        assert login(Client(), parent.username, password) == 429
    attempt = AccessAttempt.objects.get(username=parent.username)
    assert attempt.failures_since_start == 3
    assert attempt.attempt_time == locked_at
    assert AuditEvent.objects.filter(kind="login_failed").count() == failed_before
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert login(Client(), parent.username) == 302


def test_reset_letters_are_throttled_per_address_and_the_page_stays_the_same(client, school):
    confirmed = guardian_of(school.students[0])
    User.objects.filter(pk=confirmed.pk).update(email_confirmed=True)

    def ask(email: str, ip: str = "10.0.7.1") -> Any:
        return Client(REMOTE_ADDR=ip).post(
            "/accounts/password-reset/", {"email": email}, follow=True
        )

    pages = [ask(confirmed.email, ip=f"10.0.7.{n}") for n in range(1, 5)]
    # Three letters an hour for one address; the fourth request sends none, from anywhere.
    assert len(mail.outbox) == 3
    assert {p.redirect_chain[-1][0] for p in pages} == {"/accounts/password-reset/sent/"}
    assert len({p.content.decode().count("Проверьте почту") for p in pages}) == 1
    assert AuditEvent.objects.filter(kind="reset_request", details__throttled=True).count() == 1


def test_reset_requests_are_throttled_per_client_address(school, settings):
    settings.SHKOLA = {**settings.SHKOLA, "PASSWORD_RESET_PER_IP_HOUR": 3}
    parents = [guardian_of(s) for s in school.students]
    User.objects.filter(pk__in=[p.pk for p in parents]).update(email_confirmed=True)
    browser = Client(REMOTE_ADDR="10.0.8.1")
    for email in ("nobody-1@example.org", "nobody-2@example.org", "nobody-3@example.org"):
        browser.post("/accounts/password-reset/", {"email": email})
    page = browser.post("/accounts/password-reset/", {"email": parents[0].email}, follow=True)
    assert page.redirect_chain[-1][0] == "/accounts/password-reset/sent/"
    assert mail.outbox == []
    Client(REMOTE_ADDR="10.0.8.2").post("/accounts/password-reset/", {"email": parents[0].email})
    [letter] = mail.outbox
    assert letter.to == [parents[0].email]


def _session_cookie(browser: Client, username: str, **extra: str) -> Any:
    page = browser.post(
        "/accounts/login/", {"username": username, "password": TEST_PASSWORD, **extra}
    )
    assert page.status_code == 302
    return page.cookies["sessionid"]


def test_a_session_ends_with_the_browser_unless_remember_me_is_ticked(school):
    parent = guardian_of(school.students[0])
    form = Client().get("/accounts/login/").content.decode()
    assert 'name="remember"' in form and "Запомнить меня" in form

    shared = Client()
    cookie = _session_cookie(shared, parent.username)
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # a browser-session cookie
    assert shared.session.get_expire_at_browser_close()
    assert shared.get("/").status_code == 200

    own = Client()
    cookie = _session_cookie(own, parent.username, remember="on")
    assert int(cookie["max-age"]) == 60 * 60 * 24 * 14
    assert not own.session.get_expire_at_browser_close()


def test_the_card_shows_a_login_locked_by_failures_from_several_addresses(client, school, settings):
    settings.AXES_FAILURE_LIMIT = 3
    parent = guardian_of(school.students[0])
    for ip in ("10.0.9.1", "10.0.9.2", "10.0.9.3"):
        Client(REMOTE_ADDR=ip).post(
            "/accounts/login/", {"username": parent.username, "password": "wrong-pass"}
        )
    assert login(Client(REMOTE_ADDR="10.0.9.4"), parent.username) == 429
    client.force_login(school.curator)
    card = client.get(f"/accounts/people/{parent.pk}/").content.decode()
    assert "Вход заблокирован после неудачных попыток" in card
