"""The demo world's accounts linked to two schools (issue 9), over HTTP as each person uses
it: ``parent_two_schools`` (a child in each school) and ``teacher_parent`` (a teacher of
the demo school whose child studies in the other one)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from shkola.accounts.models import AuditEvent

pytestmark = pytest.mark.django_db

TWO_SCHOOL_LOGINS = ("parent_two_schools", "teacher_parent")


def _signed_in(w: Any, login: str) -> Client:
    browser = Client()
    browser.force_login(w.users[login])
    return browser


@pytest.mark.parametrize("login", TWO_SCHOOL_LOGINS)
def test_the_curator_cannot_take_over_an_account_linked_to_the_other_school(demo_world, login):
    w = demo_world
    target = w.users[login]
    curator = _signed_in(w, "curator")

    found = curator.get("/accounts/people/", {"q": target.last_name}).content.decode()
    assert target.username in found
    assert f'href="/accounts/people/{target.pk}/"' not in found
    assert "не только с вашей школой" in found
    assert curator.get(f"/accounts/people/{target.pk}/").status_code == 404
    assert curator.post(f"/accounts/people/{target.pk}/").status_code == 404
    page = curator.post(
        "/accounts/people/merge/", {"keep": w.users["parent"].username, "remove": target.username}
    ).content.decode()
    assert "не только с вашей школой" in page
    target.refresh_from_db()
    assert target.is_active and target.check_password(w.password)
    assert not AuditEvent.objects.filter(kind__in=["password_set", "merge"]).exists()


@pytest.mark.parametrize("login", TWO_SCHOOL_LOGINS)
def test_the_curator_sees_but_cannot_lift_their_lock(demo_world, login, settings):
    from axes.models import AccessAttempt

    settings.AXES_FAILURE_LIMIT = 3
    w = demo_world
    target = w.users[login]
    for _i in range(3):
        Client().post("/accounts/login/", {"username": target.username, "password": "wrong"})
    curator = _signed_in(w, "curator")
    lockouts = curator.get("/accounts/people/").content.decode().split('id="lockouts"')[1]
    assert target.username in lockouts and "Разблокировать" not in lockouts
    attempt = AccessAttempt.objects.get(username=target.username)
    assert curator.post(f"/accounts/lockouts/{attempt.pk}/reset/").status_code == 404
    assert AccessAttempt.objects.filter(username=target.username).exists()


def test_the_two_school_parent_reads_both_childrens_diaries(demo_world):
    w = demo_world
    browser = _signed_in(w, "parent_two_schools")
    for child in (w.cross_child, w.cross_other_child):
        assert (
            browser.post(reverse("accounts:switch_child"), {"student": child.id}).status_code == 302
        )
        for page in ("diary:week", "diary:report"):
            html = browser.get(reverse(page), follow=True)
            assert html.status_code == 200
            assert child.last_name in html.content.decode()
        card = browser.get(reverse("portfolio:card", args=[child.id]))
        assert card.status_code == 200
    for stranger in (w.student, w.other_student, w.teacher_parent_child):
        assert browser.get(reverse("diary:week_of", args=[stranger.id])).status_code == 404
        assert browser.get(reverse("portfolio:card", args=[stranger.id])).status_code == 404


def test_the_teacher_parent_sees_no_other_school_student_but_their_own_child(demo_world):
    w = demo_world
    browser = _signed_in(w, "teacher_parent")
    own = w.teacher_parent_child
    html = browser.get(reverse("diary:week"), follow=True)
    assert html.status_code == 200 and own.last_name in html.content.decode()
    assert browser.get(reverse("portfolio:card", args=[own.id])).status_code == 200
    # The other school's students: not even the classmates of the teacher's own child.
    classmate = (
        type(own)
        .objects.filter(current_class=own.current_class)
        .exclude(pk=own.pk)
        .order_by("id")
        .first()
    )
    for stranger in (w.other_student, w.cross_other_child, classmate):
        assert stranger.organisation == w.other_school
        assert browser.get(reverse("diary:week_of", args=[stranger.id])).status_code == 404
        assert browser.get(reverse("portfolio:card", args=[stranger.id])).status_code == 404
    # and no staff page of the other school's class
    assert (
        browser.get(reverse("accounts:invitations_class", args=[own.current_class_id])).status_code
        == 404
    )
    students = browser.get("/school/students/", {"q": own.last_name})
    assert students.status_code == 404
