"""The three reads the diary relies on: marks of a period, averages in one query, finals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shkola.journal import selectors
from shkola.journal.models import FinalMark, JournalKind, Mark
from shkola.schools.models import Subject
from shkola.timetable.models import Lesson

pytestmark = pytest.mark.django_db


def lesson_on(school, day, subject=None):
    return Lesson.objects.create(
        academic_year=school.year,
        period=school.periods[0],
        class_unit=school.class_unit,
        subject=subject or school.subject,
        teacher=school.teacher,
        date=day,
        lesson_number=2,
    )


def mark(student, lesson, value, weight=1, journal=JournalKind.MAIN):
    points = int(value) if value.isdigit() else None
    return Mark.objects.create(
        student=student, lesson=lesson, value=value, points=points, weight=weight, journal=journal
    )


def test_subject_averages_weigh_marks_and_skip_pass_fail_homework_and_extra(
    school, django_assert_num_queries
):
    # Given a control test 5 (weight 5), an answer 3 (weight 1), a «зач», a homework-journal 2
    # and a 2 in an extra-education club
    anna, boris = school.students[:2]
    first = lesson_on(school, dt.date(2026, 9, 2))
    second = lesson_on(school, dt.date(2026, 9, 4))
    mark(anna, first, "5", weight=5)
    mark(anna, second, "3")
    mark(anna, second, "зач")
    mark(anna, second, "2", journal=JournalKind.HOMEWORK)
    club = Subject.objects.create(
        organisation=school.organisation, name="Робототехника", is_extra=True
    )
    mark(anna, lesson_on(school, dt.date(2026, 9, 4), club), "2")
    # and a mark from the next period
    mark(anna, lesson_on(school, dt.date(2026, 11, 5)), "2")

    # When the diary asks for the first quarter's averages
    with django_assert_num_queries(1):
        got = selectors.subject_averages(
            [anna.id, boris.id], school.periods[0], [school.subject.id]
        )

    # Then (5×5 + 3×1) / 6 = 4.666…, and Boris has nothing to average
    assert got[(anna.id, school.subject.id)] == Decimal(28) / Decimal(6)
    assert got[(boris.id, school.subject.id)] is None
    all_subjects = selectors.subject_averages([anna.id], school.periods[0])
    assert set(all_subjects) == {(anna.id, school.subject.id)}


def test_student_period_marks_load_lesson_and_control_form(school, django_assert_num_queries):
    anna = school.students[0]
    lesson = lesson_on(school, dt.date(2026, 9, 2))
    Mark.objects.create(
        student=anna,
        lesson=lesson,
        value="4",
        points=4,
        weight=5,
        control_form=school.control_forms["Контрольная работа"],
    )
    with django_assert_num_queries(1):
        marks = selectors.student_period_marks(anna, school.periods[0])
        assert [(m.value, m.lesson.subject.name, m.control_form.name) for m in marks] == [
            ("4", "Математика", "Контрольная работа")
        ]


def test_final_marks_of_a_year(school):
    anna = school.students[0]
    FinalMark.objects.create(
        student=anna,
        subject=school.subject,
        academic_year=school.year,
        kind="period",
        period=school.periods[0],
        value="5",
    )
    FinalMark.objects.create(
        student=anna, subject=school.subject, academic_year=school.year, kind="year", value="4"
    )
    finals = selectors.final_marks_of(anna, school.year)
    assert sorted((f.kind, f.value) for f in finals) == [("period", "5"), ("year", "4")]
