"""«Что нужно для…» (issue 13, X1) on the report card and the averages page, with the diary's
small world (world.py; today is Wednesday 18 November 2026, the 2nd quarter runs 3 Nov –
28 Dec and the lessons are generated up to 30 November).

Hand-computed, default thresholds (5 from 4.60, 4 from 3.60, 3 from 2.60):

- anna, Mathematics: 5·1 (no form), 4·5 (Контрольная работа), 3·3 (Самостоятельная) →
  S = 34, W = 9, 3.78 → 4. Lessons left: Fri 20, Mon 23, Wed 25, Fri 27, Mon 30 = 5 (today's
  Wednesday lesson already has her mark). Forms: Контрольная (5) is the heaviest; every form
  has one mark, so the heaviest is also the everyday one.
  5: short by 4.6 × 9 − 34 = 7.4; a five of weight 5 brings 2 → 4 fives (134/29 = 4.62;
     three: 109/24 = 4.54). 4: 34 − 3.6 × 9 = 1.6 to spare, a three of weight 5 takes 3 →
     none (49/14 = 3.50).
- anna, Russian: 5·1 and «зач» → 5. 1 lesson left (Tue 24). 5: 5 − 4.6 = 0.4 to spare, a
  four takes 0.6 → none.
- boris, Mathematics: 2·1 → 2. Lessons left: today's (no mark yet) and the 5 after = 6.
  5: short by 2.6, a five of weight 5 brings 2 → 2 fives; of weight 1 (0.4) → 7 > 6.
  4: short by 1.6 → 1 four of weight 5 (brings 2) or 4 of weight 1 (16 + 2 = 18 over 5 = 3.60).
  3: short by 0.6 → 1 three of weight 5 or 2 of weight 1 (8/3 = 2.67; one: 5/2 = 2.50).
- boris, Russian: 4·1 → 4, 1 lesson left. 5: short by 0.6, a five brings 0.4 → 2 > 1: out
  of reach. 4: 0.4 to spare, a three takes 0.6 → none.
- gleb (7Б), Mathematics: 5·1 → 5, lessons left Mon 23 and Mon 30; no spare for a four.
- vera: no marks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from shkola.diary import selectors
from shkola.schools.models import Subject
from shkola.timetable import services as tt

from .world import TODAY, lesson, mark

pytestmark = pytest.mark.django_db

ANNA_MATH = [
    "Чтобы выйти на 5: четыре пятёрки (Контрольная работа, вес 5).",
    "4 уже выходит, но без запаса: её опустит тройка (Контрольная работа, вес 5).",
]
ANNA_RUSSIAN = ["5 уже выходит, но без запаса: её опустит четвёрка (без формы контроля, вес 1)."]
BORIS_MATH = [
    "Чтобы выйти на 5: две пятёрки (Контрольная работа, вес 5).",
    "Чтобы выйти на 4: одна четвёрка (Контрольная работа, вес 5) "
    "или четыре четвёрки (без формы контроля, вес 1).",
    "Чтобы выйти на 3: одна тройка (Контрольная работа, вес 5) "
    "или две тройки (без формы контроля, вес 1).",
]
BORIS_RUSSIAN = [
    "5 уже не получить в этой четверти: нужно две пятёрки (без формы контроля, вес 1), "
    "а уроков осталось 1.",
    "4 уже выходит, но без запаса: её опустит тройка (без формы контроля, вес 1).",
]
GLEB_MATH = ["5 уже выходит, но без запаса: её опустит четвёрка (без формы контроля, вес 1)."]


def _by_subject(rows):  # type: ignore[no-untyped-def]
    return {row.subject.name: row.forecast for row in rows}


def test_report_card_forecasts_per_subject(world):
    rows = _by_subject(selectors.report_card(world.anna, world.period, today=TODAY))
    math = rows[world.school.subject.name]
    assert math.forecast.current == "4"
    assert math.lines == ANNA_MATH
    assert rows["Русский язык"].lines == ANNA_RUSSIAN
    boris = _by_subject(selectors.report_card(world.boris, world.period, today=TODAY))
    assert boris[world.school.subject.name].lines == BORIS_MATH
    assert boris["Русский язык"].lines == BORIS_RUSSIAN
    assert boris["Русский язык"].forecast.lines[0].reason == "lessons"


def test_no_marks_yet(world):
    rows = _by_subject(selectors.report_card(world.vera, world.period, today=TODAY))
    for forecast in rows.values():
        assert forecast.forecast.status == "no_marks" and forecast.lines == []
        assert forecast.note == "Отметок пока нет: прогноз появится после первой отметки."


def test_a_pass_fail_subject_has_no_forecast(world):
    # ОРКСЭ on Thursdays, only «зач» for anna: nothing to compute, nothing shown.
    orkse = Subject.objects.create(
        organisation=world.school.organisation, name="Основы религиозных культур"
    )
    tt.timetable_entry_create(
        academic_year=world.school.year,
        weekday=4,
        lesson_number=3,
        subject=orkse,
        teacher=world.school.teacher,
        class_unit=world.school.class_unit,
        effective_from=world.school.year.start,
    )
    mark(world.anna, lesson(world.school, orkse, dt.date(2026, 11, 12)), "зач")
    rows = _by_subject(selectors.report_card(world.anna, world.period, today=TODAY))
    assert rows[orkse.name].forecast.status == "pass_fail"
    assert not rows[orkse.name].shown


def test_an_ended_and_a_closed_period(world):
    # The 1st quarter is over: anna's 2·5 (2 October) is a 2, nothing more can be given.
    first = world.school.periods[0]
    assert first.end < TODAY
    rows = _by_subject(selectors.report_card(world.anna, first, today=TODAY))
    assert rows[world.school.subject.name].lines == [
        "3 и выше уже не получить в этой четверти: четверть закончилась."
    ]
    # A closed 2nd quarter: anna's 4 stays a 4, the 5 is out of reach.
    world.period.closed_at = timezone.now()
    world.period.save()
    rows = _by_subject(selectors.report_card(world.anna, world.period, today=TODAY))
    assert rows[world.school.subject.name].lines == [
        "5 уже не получить в этой четверти: четверть закрыта."
    ]


def test_the_averages_page_agrees_with_the_report_card(world):
    # The averages page reads its own three queries; the forecasts must be the same.
    forecasts = selectors.period_forecasts(world.anna, world.period, TODAY)
    card = _by_subject(selectors.report_card(world.anna, world.period, today=TODAY))
    assert forecasts[world.school.subject.id].lines == card[world.school.subject.name].lines
    assert forecasts[world.russian.id].lines == card["Русский язык"].lines


def test_the_student_sees_it_on_both_pages(client, world):
    client.force_login(world.anna.user)
    report = client.get(reverse("diary:report")).content.decode()
    for line in ANNA_MATH + ANNA_RUSSIAN:
        assert line in report
    assert "Что нужно для отметки за 2 четверть" in report
    averages = client.get(reverse("diary:averages")).content.decode()
    assert f'id="forecast-{world.school.subject.id}"' in averages
    for line in ANNA_MATH + ANNA_RUSSIAN:
        assert line in averages


def _math_lines(response, world):  # type: ignore[no-untyped-def]
    if "rows" in response.context:
        return _by_subject(response.context["rows"])[world.school.subject.name].lines
    (math,) = [
        s for s in response.context["data"].subjects if s.subject_id == world.school.subject.id
    ]
    return math.forecast.lines


def test_a_parent_of_two_sees_the_chosen_childs(client, world):
    # (gleb's mathematics line reads like anna's Russian one: compared per subject too)
    client.force_login(world.parent)
    client.post(reverse("accounts:switch_child"), {"student": world.gleb.id, "next": "/"})
    for name in ("report", "averages"):
        response = client.get(reverse(f"diary:{name}"))
        assert response.context["student"] == world.gleb
        assert _math_lines(response, world) == GLEB_MATH
        html = response.content.decode()
        assert GLEB_MATH[0] in html
        assert ANNA_MATH[0] not in html and ANNA_MATH[1] not in html
    client.post(reverse("accounts:switch_child"), {"student": world.anna.id, "next": "/"})
    for name in ("report", "averages"):
        response = client.get(reverse(f"diary:{name}"))
        assert _math_lines(response, world) == ANNA_MATH
        html = response.content.decode()
        assert ANNA_MATH[0] in html and ANNA_MATH[1] in html


def test_the_other_parent_sees_only_their_child(client, world):
    client.force_login(world.other_parent)
    html = client.get(reverse("diary:report")).content.decode()
    for line in BORIS_MATH + BORIS_RUSSIAN:
        assert line in html
    assert ANNA_MATH[0] not in html
