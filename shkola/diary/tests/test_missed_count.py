"""«Пропущенные уроки» counts in Russian: 1 пропущенный урок, 3 пропущенных урока,
5 пропущенных уроков (the ru catalog's three plural forms, rendered on the page)."""

from __future__ import annotations

import re

import pytest

from shkola.journal.models import Attendance
from shkola.timetable.models import Lesson

from .test_views import page, switch

pytestmark = pytest.mark.django_db


def count_sentence(client) -> str:  # type: ignore[no-untyped-def]
    html = " ".join(page(client, "missed").split())
    found = re.search(r"\d+ пропущенн\w+ урок\w* за период", html)
    assert found, "no count on the page"
    return found.group(0)


def test_the_missed_lessons_page_counts_in_russian(client, world, today):
    client.force_login(world.parent)
    switch(client, world.anna)
    # Given Anna missed one lesson of the quarter (ill on 10 November)
    assert count_sentence(client) == "1 пропущенный урок за период"
    missed = set(Attendance.objects.filter(student=world.anna).values_list("lesson_id", flat=True))
    period = world.school.periods[1]
    others = list(
        Lesson.objects.filter(
            class_unit=world.school.class_unit, date__gte=period.start, date__lte=today
        )
        .exclude(id__in=missed)
        .order_by("date")[:4]
    )
    assert len(others) == 4
    for lesson in others[:2]:
        Attendance.objects.create(student=world.anna, lesson=lesson, kind="н")
    assert count_sentence(client) == "3 пропущенных урока за период"
    for lesson in others[2:]:
        Attendance.objects.create(student=world.anna, lesson=lesson, kind="н")
    assert count_sentence(client) == "5 пропущенных уроков за период"
