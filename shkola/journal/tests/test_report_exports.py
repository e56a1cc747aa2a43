"""The journal's reports in Excel (issue 12, I4): the class week, the final marks and the
timeliness report download what their pages show, with the same week and the same rules,
people's text as text, in a query budget that does not grow with the class."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from shkola.core.testing.factories import enrol, guardian_of
from shkola.core.testing.spreadsheets import (
    assert_shown_as_text,
    download_filename,
    workbook_of,
)
from shkola.journal import services
from shkola.journal.models import Mark
from shkola.portfolio import services as portfolio_services
from shkola.timetable.models import Lesson

pytestmark = pytest.mark.django_db


def rows_of(response) -> list[list[object]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    ws = workbook_of(response.content).active
    return [[c.value for c in row] for row in ws.iter_rows()]


def mark(lesson, student, text, user):  # type: ignore[no-untyped-def]
    fp = services.cell_load(lesson=lesson, student=student).fingerprint
    services.mark_set(lesson=lesson, student=student, text=text, fingerprint=fp, user=user)


def formula_name(student) -> str:  # type: ignore[no-untyped-def]
    portfolio_services.student_card_update(
        student=student, by=guardian_of(student), data={"last_name": "=1+1"}, may_edit_identity=True
    )
    student.refresh_from_db()
    return f"{student.last_name} {student.first_name}"


def test_the_class_week_downloads_the_weeks_marks_and_averages(client, school, lessons):
    # Given a 5 on 2 September for a student whose surname looks like a formula
    anna = school.students[0]
    shown = formula_name(anna)
    mark(lessons[0], anna, "5", school.teacher)
    client.force_login(school.class_teacher)
    url = reverse("journal:class_week", args=[school.class_unit.id])
    page = client.get(url, {"week": "2026-09-01"}).content.decode()
    xlsx = reverse("journal:class_week_xlsx", args=[school.class_unit.id])
    assert f'href="{xlsx}?week=2026-08-31"' in page

    # When the class teacher downloads that week
    response = client.get(xlsx, {"week": "2026-08-31"})

    # Then the workbook is the page: the subject's marks, its average, the mean and the place
    assert download_filename(response) == "Неделя класса 7А 31.08.2026.xlsx"
    rows = rows_of(response)
    assert rows[0][0] == "Класс 7А: отметки за неделю"
    assert rows[1][0] == "Неделя: 31.08.2026 — 06.09.2026; средний балл: 1 четверть"
    assert rows[3] == ["Обучающийся", "Математика", "Математика: ср.", "Ср.", "Место"]
    assert [shown, "5", 5.0, 5.0, 1] in rows
    assert_shown_as_text(workbook_of(response.content), shown)
    # and a week without lessons has no subject columns, like the page
    empty = rows_of(client.get(xlsx, {"week": "2026-09-14"}))
    assert empty[3] == ["Обучающийся", "Ср.", "Место"]
    assert [shown, None, None] in empty


def test_the_final_marks_download_averages_suggestions_and_set_marks(client, school, lessons):
    anna = school.students[0]
    shown = formula_name(anna)
    mark(lessons[0], anna, "5", school.teacher)
    mark(lessons[1], anna, "4", school.teacher)
    services.final_mark_set(
        student=anna,
        subject=school.subject,
        academic_year=school.year,
        kind="period",
        period=school.periods[0],
        text="5",
        fingerprint="0",
        user=school.teacher,
    )
    client.force_login(school.teacher)
    args = [school.class_unit.id, school.subject.id]
    page = client.get(reverse("journal:finals", args=args)).content.decode()
    assert f'href="{reverse("journal:finals_xlsx", args=args)}"' in page

    response = client.get(reverse("journal:finals_xlsx", args=args))

    assert download_filename(response) == "Итоговые отметки 7А Математика 2026 2027.xlsx"
    rows = rows_of(response)
    assert rows[0][0] == "Итоговые отметки: 7А · Математика"
    header = rows[3]
    assert header[:4] == [
        "Обучающийся",
        "1 четверть: средний",
        "1 четверть: расчётная",
        "1 четверть",
    ]
    assert header[-3:] == ["Год", "Экзамен", "Итог"]
    anna_row = next(r for r in rows if r[0] == shown)
    # weighted: (5×5 + 4×1) / 6 = 4.83 → suggested 5, set 5
    assert anna_row[1:4] == [4.83, "5", "5"]
    assert_shown_as_text(workbook_of(response.content), shown)


def test_the_timeliness_report_downloads_per_teacher(client, school, lessons, monkeypatch):
    anna = school.students[0]
    mark(lessons[0], anna, "5", school.teacher)
    Lesson.objects.filter(id=lessons[1].id).update(topic="Проценты")
    school.teacher.last_name = "=HYPERLINK(1)"
    school.teacher.save()
    monkeypatch.setenv("SHKOLA_TODAY", "2026-09-09")
    client.force_login(school.curator)
    page = client.get(reverse("journal:timeliness"), {"week": "2026-08-31"}).content.decode()
    assert 'href="/journal/report/timeliness/xlsx/?week=2026-08-31"' in page

    response = client.get(reverse("journal:timeliness_xlsx"), {"week": "2026-08-31"})

    assert download_filename(response) == "Своевременность заполнения журнала 31.08.2026.xlsx"
    rows = rows_of(response)
    assert rows[3] == ["Учитель", "Уроков", "Без темы", "Без отметок", "Отметки позже дня урока"]
    assert [school.teacher.full_name, 2, 1, 1, 1] in rows
    assert_shown_as_text(workbook_of(response.content), school.teacher.full_name)
    # a teacher (no administration) gets no report, like the page
    client.force_login(school.teacher)
    assert client.get(reverse("journal:timeliness_xlsx")).status_code == 404


@pytest.mark.parametrize("n", [2, 20])
def test_report_exports_keep_their_budgets(client, school, n, django_assert_max_num_queries):
    for _ in range(n):
        enrol(school, school.class_unit)
    for i in range(4):
        lesson = Lesson.objects.create(
            academic_year=school.year,
            period=school.periods[0],
            class_unit=school.class_unit,
            subject=school.subject,
            teacher=school.teacher,
            date=dt.date(2026, 9, 1) + dt.timedelta(days=i),
            lesson_number=2,
        )
        for s in school.class_unit.students.all():
            Mark.objects.create(student=s, lesson=lesson, value="4", points=4)
    client.force_login(school.curator)
    args = [school.class_unit.id, school.subject.id]
    with django_assert_max_num_queries(24):
        assert len(rows_of(client.get(reverse("journal:finals_xlsx", args=args)))) == 4 + 3 + n
    with django_assert_max_num_queries(20):
        week = client.get(
            reverse("journal:class_week_xlsx", args=[school.class_unit.id]), {"week": "2026-09-01"}
        )
        assert len(rows_of(week)) == 4 + 3 + n
    with django_assert_max_num_queries(16):
        assert (
            client.get(reverse("journal:timeliness_xlsx"), {"week": "2026-09-07"}).status_code
            == 200
        )
