"""Nothing is marked on a lesson that has not been given yet: not a mark, not attendance —
through the service every path uses (grid, API, import) and in the grid, whose cells of
future lessons are read-only. "Future" is after today in Europe/Moscow (shkola.core.clock)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from shkola.journal.models import Attendance, Mark

from .test_services import save
from .test_views import grid_url, post_cell

pytestmark = pytest.mark.django_db


@pytest.fixture
def seventh_of_september(monkeypatch):
    # Given today is 7 September: lessons of 2, 4 and 7 September given, 9 and 11 to come
    monkeypatch.setenv("SHKOLA_TODAY", "2026-09-07")


@pytest.mark.parametrize("typed", ["5", "н", "у", "б 4", "зач"])
def test_the_service_refuses_marks_and_attendance_for_a_future_lesson(
    school, lessons, seventh_of_september, typed
):
    anna = school.students[0]
    with pytest.raises(ValidationError) as exc:
        save(lessons[3], anna, typed, school.teacher)
    assert "ещё не прошёл" in " ".join(exc.value.message_dict["lesson"])
    assert "9 сентября" in " ".join(exc.value.message_dict["lesson"])
    assert not Mark.objects.filter(lesson__in=lessons).exists()
    assert not Attendance.objects.filter(lesson__in=lessons).exists()


def test_todays_and_past_lessons_take_marks(school, lessons, seventh_of_september):
    anna = school.students[0]
    save(lessons[2], anna, "5", school.teacher)  # today
    save(lessons[1], anna, "н", school.teacher)  # past
    assert Mark.objects.get(lesson=lessons[2]).value == "5"
    assert Attendance.objects.get(lesson=lessons[1]).kind == "н"


def test_a_mark_left_on_a_future_lesson_can_still_be_removed(school, lessons, seventh_of_september):
    # e.g. given before the lesson was moved to a later date
    anna = school.students[0]
    Mark.objects.create(
        student=anna, lesson=lessons[4], value="4", points=4, weight=1, created_by=school.teacher
    )
    save(lessons[4], anna, "", school.teacher)
    assert not Mark.objects.filter(lesson=lessons[4]).exists()


def test_the_grid_refuses_a_future_mark_with_a_russian_error(
    client, school, lessons, seventh_of_september
):
    anna = school.students[0]
    client.force_login(school.teacher)
    response = post_cell(client, lessons[3], anna, "5")
    html = response.content.decode()
    assert response.status_code == 422
    assert "typed-bad" in html and "ещё не прошёл" in html
    assert not Mark.objects.filter(lesson__in=lessons).exists()
    assert post_cell(client, lessons[2], anna, "5").status_code == 200


def test_the_grid_offers_no_input_for_future_lessons(client, school, lessons, seventh_of_september):
    anna = school.students[0]
    client.force_login(school.teacher)
    html = client.get(grid_url(school)).content.decode()

    def cell(lesson) -> str:  # type: ignore[no-untyped-def]
        return html.split(f'data-l="{lesson.id}" data-s="{anna.id}"')[0].rsplit("<td", 1)[1]

    assert [" ro" in cell(lesson) or '"ro' in cell(lesson) for lesson in lessons] == [
        False,
        False,
        False,
        True,
        True,
    ]
    panel = client.get(reverse("journal:cell_panel"), {"lesson": lessons[3].id, "student": anna.id})
    assert panel.status_code == 200
    assert panel.context["may_edit"] is False
