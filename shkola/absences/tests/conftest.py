from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shkola.core.testing.factories import School, guardian_of
from shkola.timetable.models import Lesson


def pdf(name: str = "spravka.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf"
    )


@dataclass
class World:
    school: School
    student: Any
    classmate: Any
    parent: Any
    # 2, 4, 7, 9, 11 September, lesson 2; and lesson 3 on 7 September
    lessons: list[Lesson]
    third: Lesson


def _lesson(school: School, day: int, number: int = 2) -> Lesson:
    return Lesson.objects.create(
        academic_year=school.year,
        period=school.periods[0],
        class_unit=school.class_unit,
        subject=school.subject,
        teacher=school.teacher,
        date=dt.date(2026, 9, day),
        lesson_number=number,
    )


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    # Given today is 7 September: lessons of 2, 4 and 7 September given, 9 and 11 to come
    monkeypatch.setenv("SHKOLA_TODAY", "2026-09-07")
    return dt.date(2026, 9, 7)


@pytest.fixture
def world(school: School, today: dt.date) -> World:
    lessons = [_lesson(school, day) for day in (2, 4, 7, 9, 11)]
    third = _lesson(school, 7, 3)
    student = school.students[0]
    return World(school, student, school.students[1], guardian_of(student), lessons, third)
