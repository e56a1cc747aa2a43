"""The home page's query budget per role: a fixed number of queries that does not grow when
the school's data does (more marks, homework, achievements waiting, locked logins)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shkola.core import clock
from shkola.journal.models import Homework, Mark
from shkola.timetable.selectors import lessons_of_student

from .test_staff import olympiad

pytestmark = pytest.mark.django_db

# The ceiling per role: what the page runs today (in brackets) plus room for the feeds that
# messages, announcements and absence notes register (each a fixed number of queries too).
BUDGETS = {
    "student": 22,  # (18)
    "parent": 22,  # (18)
    "teacher": 19,  # (15)
    "classteacher": 19,  # (15)
    "curator": 19,  # (15)
    "official": 12,  # (9)
    "parent_two_schools": 22,  # (18)
    "teacher_parent": 28,  # (24) both a teacher's and a family's page
}


def _more_data(world: Any, round_no: int) -> None:
    """More of everything the home pages show, for every role's students and school."""
    now = timezone.now()
    day = clock.today()
    children = [
        world.student,
        world.second_child,
        world.cross_child,
        world.cross_other_child,
        world.teacher_parent_child,
    ]
    for child in children:
        lessons = list(lessons_of_student(child, day - dt.timedelta(days=14), day))[-6:]
        for lesson in lessons:
            Mark.objects.create(student=child, lesson=lesson, value="4")
        upcoming = list(lessons_of_student(child, day, day + dt.timedelta(days=7)))
        Homework.objects.bulk_create(
            [Homework(lesson=lesson, text="Упражнение 5") for lesson in upcoming]
            + [Homework(lesson=lesson, student=child, text="Своё") for lesson in upcoming]
        )
        olympiad(child, world.users["parent"])
    from axes.models import AccessAttempt

    for username in ("student", "parent", "teacher"):
        AccessAttempt.objects.create(
            username=username,
            ip_address=f"10.0.0.{round_no}",
            user_agent="test",
            attempt_time=now,
            failures_since_start=50,
            get_data="",
            post_data="",
            http_accept="",
            path_info="/accounts/login/",
        )
    # lessons of the week without topics, for the journal's timeliness
    from shkola.timetable.models import Lesson

    Lesson.objects.filter(
        subject__organisation=world.school, date__gte=day - dt.timedelta(days=7), date__lt=day
    ).update(topic="")


@pytest.mark.parametrize("role", list(BUDGETS))
def test_the_home_page_budget_does_not_grow_with_the_data(demo_world: Any, role: str) -> None:
    client = Client()
    client.force_login(demo_world.users[role])
    _more_data(demo_world, 1)
    client.get("/")  # the first request of a session and the first visit do one-off work
    with CaptureQueriesContext(connection) as before:
        assert client.get("/").status_code == 200
    _more_data(demo_world, 2)
    with CaptureQueriesContext(connection) as after:
        assert client.get("/").status_code == 200
    assert len(after) == len(before), [q["sql"] for q in after.captured_queries]
    assert len(after) <= BUDGETS[role]
