"""«Учителя и администрация» and «Коллеги» over HTTP: who is listed, what is shown."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from shkola.accounts.models import Role, RoleAssignment, SpecialistKind
from shkola.core.testing.factories import UserFactory, guardian_of, make_school, staff, subgroup
from shkola.schools.models import Subject
from shkola.timetable import services as timetable_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    monkeypatch.setenv("SHKOLA_TODAY", "2026-11-20")
    return dt.date(2026, 11, 20)


def compose_url() -> str | None:
    try:
        return reverse("messaging:compose")
    except NoReverseMatch:
        return None


def add_subject_teacher(
    school: Any, name: str, *, weekday: int, lesson: int = 4, group: Any = None
) -> Any:
    teacher = staff(school.organisation, last_name=f"Учитель-{name}")
    timetable_services.timetable_entry_create(
        academic_year=school.year,
        weekday=weekday,
        lesson_number=lesson,
        subject=Subject.objects.create(organisation=school.organisation, name=name),
        teacher=teacher,
        class_unit=None if group else school.class_unit,
        group=group,
    )
    return teacher


def test_a_parent_sees_the_childs_teachers_class_teacher_and_administration(client, today):
    # given a class with a maths teacher, an English teacher of one subgroup only
    school = make_school(n_students=2)
    child, other = school.students
    english = add_subject_teacher(school, "Английский язык", weekday=2)
    german_group = subgroup(school, "Немецкий", [other])
    german = add_subject_teacher(school, "Немецкий язык", weekday=4, group=german_group)
    parent = guardian_of(child)
    # when the parent opens «Учителя и администрация»
    client.force_login(parent)
    response = client.get(reverse("people:teachers"))
    html = response.content.decode()
    # then the child's teachers are there per subject, with the class teacher and the curator
    assert response.status_code == 200
    assert "Математика" in html and school.teacher.full_name in html
    assert "Английский язык" in html and english.full_name in html
    assert german.full_name not in html  # the subgroup the child is not in
    assert school.class_teacher.full_name in html
    assert school.curator.full_name in html and "Куратор" in html
    url = compose_url()
    if url is not None:  # the messaging app is merged in: «Написать» leads to it
        assert f"{url}?to={school.class_teacher.id}" in html
        assert f"{url}?to={school.teacher.id}" in html
    else:
        assert "Написать" not in html


def test_phone_and_email_appear_only_where_their_owner_allowed(client, today):
    school = make_school(n_students=1)
    school.teacher.phone, school.teacher.email = "+79990001122", "math@example.org"
    school.teacher.save()
    school.class_teacher.phone, school.class_teacher.email = "+79993334455", "ct@example.org"
    school.class_teacher.show_phone = True
    school.class_teacher.save()
    parent = guardian_of(school.students[0])
    client.force_login(parent)
    html = client.get(reverse("people:teachers")).content.decode()
    assert "+79990001122" not in html and "math@example.org" not in html
    assert "+79993334455" in html  # allowed
    assert "ct@example.org" not in html  # the e-mail was not
    client.force_login(school.curator)
    html = client.get(reverse("people:colleagues")).content.decode()
    assert "+79990001122" not in html and "math@example.org" not in html
    assert "+79993334455" in html and "ct@example.org" not in html


def test_the_profile_form_sets_what_others_see(client, today):
    school = make_school(n_students=1)
    teacher = school.teacher
    teacher.email = "teacher@example.org"
    teacher.save()
    client.force_login(teacher)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "Показывать телефон" in page and "Показывать e-mail" in page
    response = client.post(
        reverse("accounts:profile"),
        {
            "last_name": teacher.last_name,
            "first_name": teacher.first_name,
            "middle_name": "",
            "birth_date": "",
            "email": "teacher@example.org",
            "phone": "+79995556677",
            "signature": "",
            "show_phone": "on",
        },
    )
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert teacher.show_phone is True and teacher.show_email is False
    client.force_login(guardian_of(school.students[0]))
    html = client.get(reverse("people:teachers")).content.decode()
    assert "+79995556677" in html and "teacher@example.org" not in html


def test_staff_see_their_colleagues_with_positions_and_not_another_school(client, today):
    school = make_school(n_students=1)
    other = make_school(n_students=1)
    psychologist = UserFactory(last_name="Психологова")
    RoleAssignment.objects.create(
        user=psychologist,
        role=Role.SPECIALIST,
        organisation=school.organisation,
        specialist_kind=SpecialistKind.PSYCHOLOGIST,
    )
    client.force_login(school.teacher)
    response = client.get(reverse("people:colleagues"))
    html = response.content.decode()
    assert response.status_code == 200
    assert school.curator.full_name in html
    assert "Психолог" in html and psychologist.full_name in html
    assert f"классный руководитель {school.class_unit.name}" in html
    assert other.teacher.full_name not in html and other.curator.full_name not in html
    url = compose_url()
    if url is not None:
        assert f"{url}?to={school.curator.id}" in html
        assert f"{url}?to={school.teacher.id}" not in html  # not to oneself


def test_families_and_staff_get_only_their_own_page(client, today):
    school = make_school(n_students=1)
    parent = guardian_of(school.students[0])
    client.force_login(parent)
    assert client.get(reverse("people:colleagues")).status_code == 404
    client.force_login(school.teacher)
    assert client.get(reverse("people:teachers")).status_code == 404


def _count(client: Any, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_teachers_page_costs_the_same_for_one_and_many_teachers(client, today):
    school = make_school(n_students=1)
    client.force_login(guardian_of(school.students[0]))
    few = _count(client, reverse("people:teachers"))
    for n in range(8):
        add_subject_teacher(school, f"Предмет {n}", weekday=1 + n % 5, lesson=4 + n // 5)
        staff(school.organisation, Role.DEPUTY)
    assert _count(client, reverse("people:teachers")) == few


def test_the_colleagues_page_costs_the_same_for_few_and_many_colleagues(client, today):
    school = make_school(n_students=1)
    client.force_login(school.curator)
    few = _count(client, reverse("people:colleagues"))
    for n in range(10):
        add_subject_teacher(school, f"Предмет {n}", weekday=1 + n % 5, lesson=4 + n // 5)
        class_unit, _students = school.add_class(9, f"В{n}", n_students=0)
        class_unit.class_teacher = staff(school.organisation)
        class_unit.save()
    assert _count(client, reverse("people:colleagues")) == few
