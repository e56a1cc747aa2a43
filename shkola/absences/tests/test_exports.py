"""«Посещаемость класса за неделю» in Excel (issue 12, I4): the page's week with its marks and
the notes that cover them, names as text, in a query budget that does not grow."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shkola.absences import services
from shkola.core.testing.factories import enrol, guardian_of
from shkola.core.testing.spreadsheets import assert_shown_as_text, download_filename, workbook_of
from shkola.journal.models import Attendance
from shkola.portfolio import services as portfolio_services

from .test_views import note_of


def rows_of(response):  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    return [[c.value for c in row] for row in workbook_of(response.content).active.iter_rows()]


def test_the_attendance_week_downloads_like_the_page(client, world):
    w = world
    portfolio_services.student_card_update(
        student=w.classmate,
        by=guardian_of(w.classmate),
        data={"last_name": "=1+1"},
        may_edit_identity=True,
    )
    w.classmate.refresh_from_db()
    Attendance.objects.create(student=w.classmate, lesson=w.lessons[0], kind="н")
    # «б» for the child whose note is then accepted: accepting turns it «у»
    Attendance.objects.create(student=w.student, lesson=w.lessons[0], kind="б")
    services.absence_note_accept(note=note_of(w, day=2), by=w.school.class_teacher)
    client.force_login(w.school.class_teacher)
    page_url = reverse("absences:class_week", kwargs={"class_id": w.school.class_unit.id})
    xlsx = reverse("absences:class_week_xlsx", kwargs={"class_id": w.school.class_unit.id})
    page = client.get(page_url + "?week=2026-09-02").content.decode()
    assert f'href="{xlsx}?week=2026-08-31"' in page

    response = client.get(xlsx + "?week=2026-09-02")

    assert download_filename(response) == "Посещаемость 7А 31.08.2026.xlsx"
    rows = rows_of(response)
    assert rows[0][0] == "Посещаемость класса 7А за неделю"
    assert rows[3] == ["Обучающийся", "Пн 31", "Вт 1", "Ср 2", "Чт 3", "Пт 4", "Сб 5", "Пропусков"]
    by_name = {r[0]: r for r in rows[4:]}
    classmate = f"{w.classmate.last_name} {w.classmate.first_name}"
    student = f"{w.student.last_name} {w.student.first_name}"
    assert by_name[classmate][1:] == [None, None, "н", None, None, None, 1]
    assert by_name[student][1:] == [None, None, "у (по записке: 1)", None, None, None, 1]
    assert_shown_as_text(workbook_of(response.content), classmate)
    # a subject teacher has no class week, like the page
    client.force_login(w.school.teacher)
    assert client.get(xlsx).status_code == 404


@pytest.mark.parametrize("extra", [0, 20])
def test_the_attendance_export_keeps_its_budget(
    client, world, extra, django_assert_max_num_queries
):
    w = world
    for _ in range(extra):
        student = enrol(w.school, w.school.class_unit)
        Attendance.objects.create(student=student, lesson=w.lessons[0], kind="н")
    client.force_login(w.school.class_teacher)
    xlsx = reverse("absences:class_week_xlsx", kwargs={"class_id": w.school.class_unit.id})
    with django_assert_max_num_queries(17):
        rows = rows_of(client.get(xlsx + "?week=2026-09-02"))
    assert len(rows) == 4 + 3 + extra
