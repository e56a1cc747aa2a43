"""«Обучающиеся» and «Сотрудники» in Excel: the page's rows with the page's filters, people's
text kept as text, a query budget that does not grow with the school."""

from __future__ import annotations

import pytest
from django.test import Client

from shkola.accounts.models import Role
from shkola.core.testing.factories import enrol, staff
from shkola.core.testing.spreadsheets import (
    assert_shown_as_text,
    download_filename,
    text_values,
    workbook_of,
)

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def rows_of(content: bytes) -> list[list[object]]:
    ws = workbook_of(content).active
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_the_student_list_downloads_with_the_page_filters(school):
    # Given a second class with a student whose surname looks like a formula
    other_class, _ = school.add_class(8, "Б", n_students=0)
    formula = enrol(school, other_class, last_name="=1+1", first_name="Вера")
    page = as_user(school.curator).get("/roster/students/", {"class": other_class.id})
    # The page offers the download with its own filter
    assert f'href="/roster/students/xlsx/?class={other_class.id}"' in page.content.decode()

    # When the curator downloads the list of 8Б
    response = as_user(school.curator).get("/roster/students/xlsx/", {"class": other_class.id})

    # Then the file holds that class only, and the name is text
    assert response.status_code == 200
    assert download_filename(response) == f"Обучающиеся {school.organisation.short_name} 8Б.xlsx"
    rows = rows_of(response.content)
    assert rows[0][0] == f"Обучающиеся: {school.organisation.short_name}"
    assert rows[1][0] == "Класс: 8Б"
    assert rows[3][:3] == ["№", "ФИО", "Класс"]
    assert rows[4][:3] == [1, formula.full_name, "8Б"]
    assert len(rows) == 5
    workbook = workbook_of(response.content)
    assert_shown_as_text(workbook, formula.full_name)
    assert school.students[0].full_name not in text_values(workbook)


def test_the_student_export_searches_like_the_page(school):
    anna = school.students[0]
    response = as_user(school.curator).get("/roster/students/xlsx/", {"q": anna.last_name})
    names = text_values(workbook_of(response.content))
    assert anna.full_name in names
    assert f"Класс: все классы; поиск: «{anna.last_name}»" in names


def test_the_student_export_keeps_its_query_budget(school, django_assert_max_num_queries):
    client = as_user(school.curator)
    school.add_class(8, "Б", n_students=25)
    with django_assert_max_num_queries(16):
        response = client.get("/roster/students/xlsx/")
    assert response.status_code == 200
    assert len(rows_of(response.content)) == 4 + 28


def test_the_staff_list_downloads_with_roles_and_classes(school, django_assert_max_num_queries):
    client = as_user(school.curator)
    odd = staff(school.organisation, Role.TEACHER, last_name="@Петров", first_name="Иван")
    for _ in range(10):
        staff(school.organisation, Role.TEACHER)
    page = client.get("/roster/staff/")
    assert 'href="/roster/staff/xlsx/"' in page.content.decode()

    with django_assert_max_num_queries(14):
        response = client.get("/roster/staff/xlsx/")

    assert download_filename(response) == f"Сотрудники {school.organisation.short_name}.xlsx"
    rows = rows_of(response.content)
    assert rows[2] == ["№", "ФИО", "Логин", "Роли", "Классное руководство"]
    assert len(rows) == 3 + 3 + 11
    by_login = {row[2]: row for row in rows[3:]}
    teacher_row = by_login[school.class_teacher.username]
    assert "Учитель" in teacher_row[3] and "Классный руководитель" in teacher_row[3]
    assert teacher_row[4] == "7А"
    assert_shown_as_text(workbook_of(response.content), odd.full_name)


def test_another_schools_curator_gets_their_own_school_only(school):
    from shkola.core.testing.factories import make_school

    other = make_school()
    response = as_user(other.curator).get("/roster/students/xlsx/")
    assert school.students[0].full_name not in text_values(workbook_of(response.content))
    assert as_user(school.teacher).get("/roster/students/xlsx/").status_code == 404
