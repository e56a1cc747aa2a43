"""Browser check (C1): a period has thirty-odd lesson columns; the journal grid opens scrolled
to the latest lesson already given, on a desktop and on a phone, not at the first week."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

TODAY = dt.date(2026, 10, 21)  # a Wednesday near the end of the first quarter


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 800}, {"width": 360, "height": 800}]
)
def test_the_grid_opens_at_todays_lesson(live_server, page, viewport, sign_in, monkeypatch):
    from shkola.core.testing.factories import make_school
    from shkola.timetable.models import Lesson

    monkeypatch.setenv("SHKOLA_TODAY", TODAY.isoformat())
    # Mondays to Fridays, lessons generated for the whole quarter (1 September – 24 October)
    school = make_school(
        n_students=3, weekdays=(1, 2, 3, 4, 5), generate_lessons_until=dt.date(2026, 10, 24)
    )
    today_lesson = Lesson.objects.get(class_unit=school.class_unit, date=TODAY)
    first_lesson = Lesson.objects.filter(class_unit=school.class_unit).order_by("date").first()
    sign_in(page, live_server.url, school.teacher.username)
    page.goto(
        live_server.url + reverse("journal:grid", args=[school.class_unit.id, school.subject.id])
    )
    box = page.locator(".journal-scroll").bounding_box()

    def visible(lesson) -> bool:  # type: ignore[no-untyped-def]
        th = page.locator(f"#lesson-{lesson.id}").bounding_box()
        return th["x"] >= box["x"] and th["x"] + th["width"] <= box["x"] + box["width"] + 1

    assert visible(today_lesson)
    assert not visible(first_lesson)
    assert page.js_errors == []
