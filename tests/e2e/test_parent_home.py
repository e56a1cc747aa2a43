"""Browser journey (issue 2, D7): the demo `parent` signs in with the demo password, sees the
active child's lessons today on the home page, switches to the other child and sees that
child's lessons. Screenshots at 1280 and 360 px: test-output/screenshots/home-parent-*.png."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from shkola.core import clock


def _a_day_both_children_study(world: Any) -> dt.date:
    """The latest day up to today on which both children have lessons (the demo region is
    built up to the real date, so the journey never depends on the calendar)."""
    from shkola.timetable.selectors import lessons_of_student

    today = clock.today()
    since = today - dt.timedelta(days=60)
    days = [
        set(lessons_of_student(child, since, today).values_list("date", flat=True))
        for child in (world.student, world.second_child)
    ]
    return max(days[0] & days[1])


def _subjects(student: Any, day: dt.date) -> list[str]:
    from shkola.timetable.selectors import lessons_of_student

    lessons = lessons_of_student(student, day, day).filter(is_cancelled=False)
    return list(lessons.order_by("lesson_number").values_list("subject__name", flat=True))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [1280, 360])
def test_parent_switches_child_and_sees_that_childs_lessons_today(
    page: Any, live_url: str, viewport: int, monkeypatch: Any, screenshot: Any, sign_in: Any
) -> None:
    from shkola.demo.testing import build_demo_world

    world = build_demo_world()
    day = _a_day_both_children_study(world)
    monkeypatch.setenv("SHKOLA_TODAY", day.isoformat())
    tag = "desktop" if viewport > 600 else "phone"

    sign_in(page, live_url, "parent", world.password)  # the demo login, as README gives it
    page.wait_for_selector("#student-today")

    first, second = world.student, world.second_child
    header = page.inner_text("#student-today .student-name")
    active, other = (first, second) if first.short_name in header else (second, first)
    assert active.short_name in header
    lessons = page.locator("#student-today .lesson-subject").all_inner_texts()
    assert lessons == _subjects(active, day) and lessons
    screenshot(page, f"home-parent-{tag}")

    # The switcher names both children; choosing the other one shows their day.
    switcher = page.locator("#child-switcher")
    assert other.first_name in switcher.inner_text()
    switcher.locator(f"button:has-text('{other.first_name}')").click()
    page.wait_for_selector("#student-today")
    assert other.short_name in page.inner_text("#student-today .student-name")
    switched = page.locator("#student-today .lesson-subject").all_inner_texts()
    assert switched == _subjects(other, day) and switched
    assert switched != lessons or _subjects(active, day) == _subjects(other, day)
    screenshot(page, f"home-parent-switched-{tag}")

    # Nothing on the page broke, and nothing is wider than a phone.
    assert page.js_errors == []
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport
