"""Accounts linked to more than one school (issue 9): a parent with children in two schools,
a teacher of one school who is a parent in another. No single school's curator manages
such an account; each school's security log shows what happens to it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from shkola.accounts import services
from shkola.accounts.models import AuditEvent, InvitationKind, User
from shkola.core.testing.factories import TEST_PASSWORD, guardian_of, make_school

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_schools(school: Any) -> tuple[Any, Any]:
    return school, make_school(subject_name="Русский язык")


def _add_child_by_code(parent: User, student: Any, curator: User) -> None:
    """The parent types a parent code of ``student`` into «Мои данные» → «Дети»."""
    [code] = [
        c
        for c in services.invitation_generate(
            class_unit=student.current_class, kind=InvitationKind.PARENT, actor=curator
        )
        if c.student_id == student.pk
    ]
    browser = Client()
    browser.force_login(parent)
    page = browser.post(
        "/accounts/profile/children/", {"code": code.code, "representative_kind": "mother"}
    )
    assert page.status_code == 302


def _people(curator: User, query: str) -> str:
    browser = Client()
    browser.force_login(curator)
    return browser.get("/accounts/people/", {"q": query}).content.decode()


def test_a_parent_with_a_child_in_another_school_gets_no_temporary_password(two_schools):
    first, second = two_schools
    parent = guardian_of(first.students[0])
    _add_child_by_code(parent, second.students[0], second.curator)
    curator = Client()
    curator.force_login(first.curator)

    found = _people(first.curator, parent.username)
    assert parent.username in found
    assert f'href="/accounts/people/{parent.pk}/"' not in found
    assert "связан(а) не только с вашей школой" in found and "Забыли пароль?" in found
    assert curator.post(f"/accounts/people/{parent.pk}/").status_code == 404
    assert User.objects.get(pk=parent.pk).check_password(TEST_PASSWORD)
    with pytest.raises(ValidationError, match="не только с вашей школой"):
        services.password_set_by_curator(actor=first.curator, user=parent)
    # Neither school's curator may: the other school's child is just as exposed.
    with pytest.raises(ValidationError, match="не только с вашей школой"):
        services.password_set_by_curator(actor=second.curator, user=parent)
    assert not AuditEvent.objects.filter(kind="password_set").exists()


def test_a_teacher_who_is_a_parent_in_another_school_is_not_managed_by_either_curator(
    two_schools,
):
    first, second = two_schools
    _add_child_by_code(first.teacher, second.students[1], second.curator)
    browser = Client()
    browser.force_login(first.curator)
    assert browser.post(f"/accounts/people/{first.teacher.pk}/").status_code == 404
    assert "не только с вашей школой" in _people(first.curator, first.teacher.username)
    for curator in (first.curator, second.curator):
        with pytest.raises(ValidationError):
            services.password_set_by_curator(actor=curator, user=first.teacher)
    assert User.objects.get(pk=first.teacher.pk).check_password(TEST_PASSWORD)


def test_accounts_linked_to_another_school_are_not_merged(two_schools):
    first, second = two_schools
    keep = guardian_of(first.students[1])
    remove = guardian_of(first.students[1])
    _add_child_by_code(remove, second.students[2], second.curator)
    browser = Client()
    browser.force_login(first.curator)
    for form in (
        {"keep": keep.username, "remove": remove.username},
        {"keep": remove.username, "remove": keep.username},
    ):
        page = browser.post("/accounts/people/merge/", form).content.decode()
        assert "не только с вашей школой" in page
    assert User.objects.get(pk=remove.pk).is_active and User.objects.get(pk=keep.pk).is_active
    with pytest.raises(ValidationError):
        services.account_merge(actor=first.curator, keep=keep, remove=remove)
    assert not AuditEvent.objects.filter(kind="merge").exists()


def test_a_lock_of_a_person_linked_to_another_school_is_shown_but_not_lifted(two_schools, settings):
    from axes.models import AccessAttempt

    settings.AXES_FAILURE_LIMIT = 3
    first, second = two_schools
    parent = guardian_of(first.students[0])
    _add_child_by_code(parent, second.students[0], second.curator)
    for _i in range(3):
        Client().post("/accounts/login/", {"username": parent.username, "password": "wrong"})
    for curator in (first.curator, second.curator):
        browser = Client()
        browser.force_login(curator)
        lockouts = browser.get("/accounts/people/").content.decode().split('id="lockouts"')[1]
        assert parent.username in lockouts
        assert "Разблокировать" not in lockouts
        assert "блокировка входа снимается сама" in lockouts
        attempt = AccessAttempt.objects.filter(username=parent.username).first()
        assert browser.post(f"/accounts/lockouts/{attempt.pk}/reset/").status_code == 404
    assert AccessAttempt.objects.filter(username=parent.username).count() == 1
    assert not AuditEvent.objects.filter(kind="unlock").exists()


def test_each_school_of_a_person_sees_their_security_events(two_schools):
    first, second = two_schools
    parent = guardian_of(first.students[0])
    _add_child_by_code(parent, second.students[0], second.curator)
    assert (
        Client()
        .post("/accounts/login/", {"username": parent.username, "password": TEST_PASSWORD})
        .status_code
        == 302
    )
    for curator in (first.curator, second.curator):
        browser = Client()
        browser.force_login(curator)
        log = browser.get("/accounts/audit/", {"kind": "login"}).content.decode()
        assert parent.username in log.split("audit-events")[1], curator
    # A school with no link to the person sees nothing of it.
    third = make_school(subject_name="Физика")
    browser = Client()
    browser.force_login(third.curator)
    log = browser.get("/accounts/audit/", {"kind": "login"}).content.decode()
    assert parent.username not in log.split("audit-events")[1]


def test_a_curators_action_is_logged_under_the_school_they_act_for(two_schools, settings):
    """The curator of the second school also teaches in the first: an unlock they make for
    a parent of the second school is that school's event, not the first school's."""
    from axes.models import AccessAttempt

    from shkola.accounts.models import Role, RoleAssignment

    settings.AXES_FAILURE_LIMIT = 3
    first, second = two_schools
    RoleAssignment.objects.create(
        user=second.curator, role=Role.TEACHER, organisation=first.organisation
    )
    parent = guardian_of(second.students[0])
    for _i in range(3):
        Client().post("/accounts/login/", {"username": parent.username, "password": "wrong"})
    browser = Client()
    browser.force_login(second.curator)
    attempt = AccessAttempt.objects.get(username=parent.username)
    assert browser.post(f"/accounts/lockouts/{attempt.pk}/reset/").status_code == 302
    assert AuditEvent.objects.get(kind="unlock").organisation == second.organisation

    services.password_set_by_curator(actor=second.curator, user=parent)
    assert AuditEvent.objects.get(kind="password_set").organisation == second.organisation
    log = browser.get("/accounts/audit/", {"kind": "unlock"}).content.decode()
    assert parent.username in log.split("audit-events")[1]
    first_log = Client()
    first_log.force_login(first.curator)
    log = first_log.get("/accounts/audit/", {"kind": "unlock"}).content.decode()
    assert parent.username not in log.split("audit-events")[1]
