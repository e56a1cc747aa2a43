"""The login page and the first page of every role (the family's day and new marks, the
teacher's and the curator's are in test_family.py and test_staff.py; budgets in
test_budgets.py)."""

import datetime as dt
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from shkola.core.testing.factories import (
    TEST_PASSWORD,
    UserFactory,
    guardian_of,
    make_school,
)
from shkola.timetable.models import Lesson

pytestmark = pytest.mark.django_db


@pytest.fixture
def friday(monkeypatch):
    monkeypatch.setenv("SHKOLA_TODAY", "2026-11-20")
    return dt.date(2026, 11, 20)


def test_everything_but_the_login_page_needs_an_account(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert client.get(reverse("accounts:login")).status_code == 200


@pytest.mark.parametrize("login", ["nobody-here", "user0001"])
def test_wrong_login_or_password_gives_one_message(client, login):
    UserFactory(username="user0001")
    response = client.post(
        reverse("accounts:login"), {"username": login, "password": "wrong-password"}
    )
    assert response.status_code == 200
    assert "Неверный логин или пароль" in response.content.decode()


def test_a_browser_asking_for_english_still_gets_russian_pages(client):
    response = client.post(
        "/accounts/password-reset/",
        {"email": "a" * 300 + "@example.ru"},
        HTTP_ACCEPT_LANGUAGE="en-US",
    )
    page = response.content.decode()
    assert 'lang="ru"' in page
    assert "Убедитесь, что это значение содержит не более 254 символов" in page
    assert "Ensure this value" not in page


def test_login_with_the_right_password_goes_home(client):
    UserFactory(username="ivanova")
    response = client.post(
        reverse("accounts:login"), {"username": "ivanova", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")


def test_demo_accounts_are_refused_when_debug_is_off(client, settings):
    UserFactory(username="demo-pupil", is_demo=True)
    settings.DEMO_LOGINS_ENABLED = False
    response = client.post(
        reverse("accounts:login"), {"username": "demo-pupil", "password": TEST_PASSWORD}
    )
    assert "Неверный логин или пароль" in response.content.decode()
    settings.DEMO_LOGINS_ENABLED = True
    response = client.post(
        reverse("accounts:login"), {"username": "demo-pupil", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302


def test_logout_is_a_post_and_ends_the_session(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert client.get("/").status_code == 302


def test_a_student_sees_todays_lessons_and_days_until_holidays(client, friday):
    school = make_school(generate_lessons_until=dt.date(2026, 11, 30))
    student = school.students[0]
    student.user = UserFactory()
    student.save()
    Lesson.objects.filter(date=friday).update(topic="Сложение дробей")
    client.force_login(student.user)
    page = client.get("/").content.decode()
    assert "Уроки сегодня" in page
    assert "Математика" in page and "Сложение дробей" in page
    assert "9:25" in page or "09:25" in page  # second lesson by the bells
    # Winter holidays start on 29 December: 39 days from 20 November.
    assert 'id="days-left">39<' in page
    assert "дней до начала" in page


def test_on_a_day_without_lessons_the_student_is_told_so(client, monkeypatch):
    monkeypatch.setenv("SHKOLA_TODAY", "2026-11-21")  # Saturday
    school = make_school(generate_lessons_until=dt.date(2026, 11, 30))
    student = school.students[0]
    student.user = UserFactory()
    student.save()
    client.force_login(student.user)
    assert "Сегодня уроков нет: выходной или каникулы." in client.get("/").content.decode()


def test_a_parent_switches_between_children(client, friday):
    school = make_school(generate_lessons_until=dt.date(2026, 11, 30), n_students=2)
    other_class, (younger,) = school.add_class(3, "Б", 1)
    parent = guardian_of(school.students[0], younger)
    client.force_login(parent)
    page = client.get("/").content.decode()
    assert 'id="child-switcher"' in page
    client.post(
        reverse("accounts:switch_child"),
        {"student": school.students[0].id, "next": "/"},
    )
    page = client.get("/").content.decode()
    assert school.students[0].short_name in page
    assert "Математика" in page
    client.post(reverse("accounts:switch_child"), {"student": younger.id, "next": "/"})
    page = client.get("/").content.decode()
    assert younger.short_name in page
    assert "На сегодня уроков нет." in page  # the younger one's class has no timetable


def test_a_parent_cannot_switch_to_someone_elses_child(client):
    school = make_school(n_students=2)
    parent = guardian_of(school.students[0])
    client.force_login(parent)
    response = client.post(
        reverse("accounts:switch_child"),
        {"student": school.students[1].id},
        follow=True,
    )
    assert "Такого ребёнка нет в вашей учётной записи." in response.content.decode()
    assert school.students[1].short_name not in response.content.decode()


def test_a_teacher_sees_their_lessons_today(client, friday):
    school = make_school(generate_lessons_until=dt.date(2026, 11, 30))
    client.force_login(school.teacher)
    page = client.get("/").content.decode()
    assert "Мои уроки сегодня" in page
    assert "Математика · 7А" in page


def test_pages_carry_a_csp_with_a_nonce(client):
    response = client.get(reverse("accounts:login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "<script " in response.content.decode()
    assert "onclick" not in response.content.decode()


def test_the_menu_lights_one_entry_and_the_diary_lists_its_sections(client, demo_world):
    client.force_login(demo_world.users["parent"])
    html = client.get(reverse("diary:report")).content.decode()
    assert re.findall(r'href="([^"]+)" aria-current="page"', html) == [reverse("diary:report")]
    sections = re.search(r'<nav class="diary-pages.*?</nav>', html, re.S)
    assert sections is not None
    for name in ("missed", "tests", "averages", "events", "remarks"):
        assert f'href="{reverse(f"diary:{name}")}"' in sections[0]


def test_a_curators_admin_pages_fold_into_one_menu(client, demo_world):
    client.force_login(demo_world.users["curator"])
    html = client.get(reverse("accounts:people")).content.decode()
    menu = re.search(r'<li class="nav-item dropdown">\s*<a[^>]*>.*?Школа</a>.*?</ul>', html, re.S)
    assert menu is not None
    for name in ("accounts:invitations", "accounts:people", "accounts:audit", "sso:unmatched"):
        assert f'href="{reverse(name)}"' in menu[0]
    # The open page is lit inside the menu, and the menu itself shows it is the current one.
    assert 'dropdown-toggle active"' in menu[0]
    assert re.findall(r'href="([^"]+)" aria-current="page"', html) == [reverse("accounts:people")]
    # A teacher's single portfolio entry stays a plain link (not a drop-down of one).
    client.force_login(demo_world.users["teacher"])
    html = client.get("/").content.decode()
    assert "Портфолио</a>" not in html
    assert f'<a class="nav-link" href="{reverse("portfolio:queue")}"' in html


def test_the_browsers_favicon_request_finds_an_icon(client):
    # Browsers fetch /favicon.ico by themselves, signed in or not; a 404 there is a console
    # error on every first page.
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith(".svg")
    assert finders.find("img/favicon.svg")
