"""One main average, one definition (``selectors.main_average_marks``): every page that shows
a student's average in a subject shows the same number.

Given Анна with, in mathematics in the first quarter,
- a «5» on a lesson that is held,
- a «3» on a lesson a timetable change later flagged cancelled (kept because it has marks):
  the teacher gave it and the grid shows it, so it counts,
- a «2» in an extra-education group of the same subject: it has its own journal, not counted,
- a «2» in the homework journal: not counted,
her main average is (5 + 3) / 2 = 4,00 everywhere — not 5,00 (cancelled left out), not
3,33 (extra education counted) and not 3,00 (homework counted)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from shkola.core.testing.factories import guardian_of
from shkola.journal import services
from shkola.journal.models import JournalKind
from shkola.schools.models import StudyGroup
from shkola.timetable.models import Lesson

pytestmark = pytest.mark.django_db


def _lesson(school, day, group=None):
    return Lesson.objects.create(
        academic_year=school.year,
        period=school.periods[0],
        class_unit=None if group else school.class_unit,
        group=group,
        subject=school.subject,
        teacher=school.teacher,
        date=day,
        lesson_number=2,
    )


def _give(school, lesson, student, text, journal=JournalKind.MAIN):
    services.mark_set(
        lesson=lesson,
        student=student,
        text=text,
        fingerprint=services.cell_load(lesson=lesson, student=student, journal=journal).fingerprint,
        user=school.teacher,
        journal=journal,
    )


@pytest.fixture
def anna(school, monkeypatch):
    monkeypatch.setenv("SHKOLA_TODAY", "2026-09-10")
    anna = school.students[0]
    held = _lesson(school, dt.date(2026, 9, 2))
    dropped = _lesson(school, dt.date(2026, 9, 4))
    club = StudyGroup.objects.create(
        organisation=school.organisation,
        academic_year=school.year,
        kind=StudyGroup.Kind.EXTRA,
        name="Математический кружок",
        class_unit=school.class_unit,
        subject=school.subject,
    )
    club.students.set([anna])
    _give(school, held, anna, "5")
    _give(school, held, anna, "2", journal=JournalKind.HOMEWORK)
    _give(school, dropped, anna, "3")
    _give(school, _lesson(school, dt.date(2026, 9, 3), group=club), anna, "2")
    # The timetable changed: the lesson of 4 September is no longer in it, but it is kept
    # (flagged) because it has a mark — what timetable.services does.
    Lesson.objects.filter(pk=dropped.pk).update(is_cancelled=True)
    anna.club = club
    return anna


def _text(response):
    assert response.status_code == 200, response
    return re.sub(r"\s+", " ", response.content.decode())


def test_every_page_shows_the_same_main_average(client, school, anna):
    period = f"?period={school.periods[0].id}"

    # The teacher's grid: the mark on the cancelled lesson is there, and the average is 4,00
    client.force_login(school.teacher)
    grid = _text(
        client.get(reverse("journal:grid", args=[school.class_unit.id, school.subject.id]) + period)
    )
    assert f'id="avg-{anna.id}">4,00<' in grid
    assert f'id="sug-{anna.id}">4<' in grid
    # the extra-education group's own journal shows the group's own average
    club_grid = _text(
        client.get(reverse("journal:group_grid", args=[anna.club.id, school.subject.id]) + period)
    )
    assert f'id="avg-{anna.id}">2,00<' in club_grid

    # The period marks page of the subject
    client.force_login(school.curator)
    finals = _text(
        client.get(reverse("journal:finals", args=[school.class_unit.id, school.subject.id]))
    )
    assert "4,00" in finals and "3,33" not in finals and "5,00" not in finals

    # The class teacher's week
    client.force_login(school.class_teacher)
    week = _text(
        client.get(
            reverse("journal:class_week", args=[school.class_unit.id]), {"week": "2026-09-01"}
        )
    )
    assert "4,00" in week and "3,33" not in week and "5,00" not in week

    # The parent's diary: the week lists the cancelled lesson with its mark, the report card
    # and the averages page say 4,00
    client.force_login(guardian_of(anna))
    diary_week = _text(client.get(reverse("diary:week"), {"week": "2026-09-01"}))
    assert "Урок снят из расписания" in diary_week
    assert re.search(r'<span class="mark mark-3"[^>]*>3</span>', diary_week)
    report = _text(client.get(reverse("diary:report") + period))
    assert re.search(r'report-avg[^"]*">\s*4,00', report)
    assert "04.09 <b" in report  # the cancelled lesson's date, with its mark
    averages = _text(client.get(reverse("diary:averages") + period))
    assert f'id="avg-subject-{school.subject.id}"' in averages
    row = averages.split(f'id="avg-subject-{school.subject.id}"')[1].split("</tr>")[0]
    assert '<td class="text-end fw-bold">4,00</td>' in row
    assert 'id="avg-mine">4,00<' in averages

    # The portfolio's rating and its «Контроль» averages: the journal's number
    rating = _text(client.get(reverse("portfolio:rating", args=[anna.id])))
    academic = rating.split("Мой средний балл (журнал)")[1]
    assert "4,00" in academic and "3,33" not in academic and "5,00" not in academic
    control = _text(client.get(reverse("portfolio:control", args=[anna.id])))
    assert "4,00" in control or '"values": [4.0]' in control


def test_the_report_card_excel_has_the_same_average(client, school, anna):
    from io import BytesIO

    from openpyxl import load_workbook

    client.force_login(guardian_of(anna))
    response = client.get(reverse("diary:report_xlsx") + f"?period={school.periods[0].id}")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert 4.0 in values or "4,00" in values
