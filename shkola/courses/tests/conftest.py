from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shkola.core.testing.factories import School, guardian_of, make_school
from shkola.courses import services
from shkola.courses.models import Assignment, Course, Module


def pdf(name: str = "reshenie.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf"
    )


@dataclass
class World:
    school: School
    course: Course
    module: Module
    task: Assignment
    student: Any
    classmate: Any
    parent: Any


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    # Given today is Wednesday 16 September: lessons on Mon/Wed/Fri since 1 September
    monkeypatch.setenv("SHKOLA_TODAY", "2026-09-16")
    return dt.date(2026, 9, 16)


@pytest.fixture
def world(db: Any, today: dt.date) -> World:
    school = make_school(generate_lessons_until=dt.date(2026, 9, 30))
    course = services.course_create(
        organisation=school.organisation,
        by=school.teacher,
        title="Текстовые задачи",
        subject=school.subject,
        teachers=[school.teacher],
        class_units=[school.class_unit],
    )
    module = services.module_create(course=course, title="Движение")
    task = services.assignment_create(
        module=module,
        title="Три задачи",
        instructions="Решите три задачи.",
        due_on=dt.date(2026, 9, 15),
        is_marked=True,
    )
    student = school.students[0]
    return World(school, course, module, task, student, school.students[1], guardian_of(student))
