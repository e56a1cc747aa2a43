from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from shkola.core import clock
from shkola.core.testing.factories import School
from shkola.testing import services
from shkola.testing.models import Question, QuestionKind, Test
from shkola.timetable.models import Lesson

RAW = {
    QuestionKind.SINGLE: {"options": "2\n3\n4", "correct": "2"},
    QuestionKind.MULTIPLE: {"options": "2\n3\n4\n9", "correct": "1, 2"},
    QuestionKind.SHORT: {"accepted": "Ёлка\nель"},
    QuestionKind.NUMBER: {"value": "3,14", "tolerance": "0,01"},
    QuestionKind.MATCHING: {"left": "a\nb\nc", "right": "1\n2\n3"},
    QuestionKind.ORDERING: {"items": "один\nдва\nтри\nчетыре"},
    QuestionKind.FREE: {},
}


def make_question(
    school: School, kind: str, *, points: int = 2, owner: Any = None, **kw: Any
) -> Question:
    return services.question_save(
        owner=owner or school.teacher,
        organisation=school.organisation,
        subject=school.subject,
        kind=kind,
        text=f"Вопрос {kind}",
        data=RAW[QuestionKind(kind)],
        points=points,
        **kw,
    )


@dataclass
class World:
    school: School
    questions: dict[str, Question]
    test: Test
    student: Any
    lesson: Lesson


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    monkeypatch.setenv("SHKOLA_TODAY", "2026-10-07")
    return dt.date(2026, 10, 7)


@pytest.fixture
def world(school: School, today: dt.date) -> World:
    questions = {
        kind: make_question(school, kind, kes_codes=f"1.{i}", kt_codes=f"2.{i}")
        for i, kind in enumerate(QuestionKind.values, start=1)
    }
    now = clock.now()
    test = services.test_save(
        owner=school.teacher,
        organisation=school.organisation,
        subject=school.subject,
        title="Дроби",
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=1),
        time_limit_minutes=30,
        attempts_allowed=2,
        shuffle_options=False,
        class_units=[school.class_unit],
    )
    for q in questions.values():
        services.test_item_add(test=test, question=q)
    services.test_publish(test=test)
    lesson = Lesson.objects.create(
        academic_year=school.year,
        period=school.periods[0],
        class_unit=school.class_unit,
        subject=school.subject,
        teacher=school.teacher,
        date=dt.date(2026, 10, 7),
        lesson_number=2,
    )
    return World(school, questions, test, school.students[0], lesson)
