from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from shkola.core.testing.factories import School, guardian_of, make_school
from shkola.extras import services
from shkola.extras.models import ServiceStatus


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    monkeypatch.setenv("SHKOLA_TODAY", "2026-09-07")
    return dt.date(2026, 9, 7)


def service_of(school: School, **kw: Any) -> Any:
    kw.setdefault("title", "Робототехника")
    kw.setdefault("schedule", "вторник, 15:00")
    kw.setdefault("capacity", 2)
    kw.setdefault("price", 2500)
    kw.setdefault("status", ServiceStatus.PUBLISHED)
    kw.setdefault("teacher", school.teacher)
    return services.service_create(organisation=school.organisation, **kw)


@dataclass
class World:
    school: School
    service: Any
    student: Any
    parent: Any
    others: list[Any]  # the other two children of the class, each with their own parent
    other_parents: list[Any]


@pytest.fixture
def world(school: School, today: dt.date) -> World:
    s = school.students
    return World(
        school=school,
        service=service_of(school),
        student=s[0],
        parent=guardian_of(s[0]),
        others=s[1:],
        other_parents=[guardian_of(c) for c in s[1:]],
    )


@pytest.fixture
def other_school(db: Any) -> School:
    return make_school(n_students=1, grade=5)
