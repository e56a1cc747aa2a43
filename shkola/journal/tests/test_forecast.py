"""The forecast «Что нужно для…» (issue 13, X1) against hand-computed cases.

Default thresholds: 5 from 4.60, 4 from 3.60, 3 from 2.60. A mark of value v and weight w
moves Σ(points × weight) − t·Σ(weight) by (v − t)·w; the forecast asks for the fewest marks
that bring it to ≥ 0 (reach) or says how many lower marks keep it ≥ 0 (keep)."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from shkola.journal.grading import (
    DEFAULT_THRESHOLDS,
    Route,
    forecast,
    forecast_line_text,
    forecast_status_text,
    quantize2,
    suggested_mark,
    weighted_average,
)

TEST = "Контрольная работа"
ORAL = "Ответ на уроке"


def texts(fc, scheme="quarters"):
    return [forecast_line_text(line, scheme) for line in fc.lines]


def test_two_fives_for_tests_or_ten_for_answers():
    # Ответ на уроке (вес 1): 4, 4, 4, 5, 5 → 22 over 5; Контрольная работа (вес 5): 4 → 20
    # over 5. S = 42, W = 10, average 4.20 → 4.
    # For a 5: 4.60 × 10 − 42 = 4 short; a five of weight 5 brings (5 − 4.6) × 5 = 2 → 2
    # fives (92/20 = 4.60 exactly); of weight 1 it brings 0.4 → 10 fives (92/20 again).
    # The everyday form is «Ответ на уроке» (5 marks against 1).
    # To keep the 4: 42 − 3.60 × 10 = 6 to spare; a three of weight 5 takes (3.6 − 3) × 5 = 3
    # → 2 threes (72/20 = 3.60), of weight 1 takes 0.6 → 10 threes (72/20).
    marks = [(4, 1, ORAL)] * 3 + [(5, 1, ORAL)] * 2 + [(4, 5, TEST)]
    fc = forecast(marks=marks, lessons_left=12)
    assert fc.status == "ok" and fc.current == "4"
    reach, keep = fc.lines
    assert (reach.mark, reach.kind, reach.routes) == (
        5,
        "reach",
        (Route(2, 5, TEST, 5), Route(10, 5, ORAL, 1)),
    )
    assert (keep.mark, keep.kind, keep.routes) == (
        4,
        "keep",
        (Route(2, 3, TEST, 5), Route(10, 3, ORAL, 1)),
    )
    assert texts(fc) == [
        "Чтобы выйти на 5: две пятёрки (Контрольная работа, вес 5) "
        "или 10 пятёрок (Ответ на уроке, вес 1).",
        "4 уже выходит; чтобы её сохранить, можно получить не больше двух троек "
        "(Контрольная работа, вес 5) или не больше 10 троек (Ответ на уроке, вес 1).",
    ]


def test_exactly_at_the_threshold_is_reached_with_nothing_to_spare():
    # 5, 5, 4, 5, 4 of weight 1: 23/5 = 4.60 exactly → 5; 23 − 4.6 × 5 = 0 to spare, so one
    # four (weight 1) brings it to 27/6 = 4.5 → 4.
    fc = forecast(marks=[(v, 1, ORAL) for v in (5, 5, 4, 5, 4)], lessons_left=10)
    assert fc.current == "5"
    (keep,) = fc.lines
    assert (keep.kind, keep.routes) == ("keep", (Route(0, 4, ORAL, 1),))
    assert texts(fc) == [
        "5 уже выходит, но без запаса: её опустит четвёрка (Ответ на уроке, вес 1)."
    ]


def test_one_mark_short():
    # 5, 5, 4, 4 of weight 1: 18/4 = 4.50 → 4. For a 5: 4.6 × 4 − 18 = 0.4 short, one five
    # brings 0.4 → 23/5 = 4.60. The 4 has 18 − 3.6 × 4 = 3.6 to spare = 6 threes (0.6 each),
    # more than the 5 lessons left: the 4 is safe.
    fc = forecast(marks=[(v, 1, ORAL) for v in (5, 5, 4, 4)], lessons_left=5)
    assert fc.current == "4"
    assert [(x.mark, x.kind) for x in fc.lines] == [(5, "reach"), (4, "safe")]
    assert fc.lines[0].routes == (Route(1, 5, ORAL, 1),)
    assert texts(fc) == [
        "Чтобы выйти на 5: одна пятёрка (Ответ на уроке, вес 1).",
        "4 уже выходит и сохранится, даже если до конца четверти будут одни тройки.",
    ]


def test_shown_as_4_60_is_not_a_5():
    # Контрольная (вес 5): 5 ×6, 4, 3; ответ (вес 1): 5, 3 → S = 150 + 20 + 15 + 5 + 3 = 193,
    # W = 42: 4.5952… is displayed «4,60» but suggests 4 (never rounding silently).
    # Short by 4.6 × 42 − 193 = 0.2: one five of either weight.
    marks = [(5, 5, TEST)] * 6 + [(4, 5, TEST), (3, 5, TEST), (5, 1, ORAL), (3, 1, ORAL)]
    average = weighted_average((p, w) for p, w, _ in marks)
    assert quantize2(average) == Decimal("4.60") and suggested_mark(average) == "4"
    fc = forecast(marks=marks, lessons_left=3)
    assert fc.current == "4"
    assert fc.lines[0].routes == (Route(1, 5, TEST, 5),)  # the tests are also the everyday form


def test_unreachable_by_the_lessons_left_and_higher_marks_when_fours_do_not_fit():
    # Контрольная (вес 5): 3, 3 → 30 over 10; ответ (вес 1): 4, 4, 4 → 12 over 3;
    # S = 42, W = 13, average 3.23 → 3.
    # 5: short by 4.6 × 13 − 42 = 17.8; a five of weight 5 brings 2 → 9 fives > 4 lessons.
    # 4: short by 3.6 × 13 − 42 = 4.8; a four of weight 5 brings 2 → 3 fours (fit in 4);
    #    of weight 1, 0.4 → 12 fours: more than the lessons left, not offered.
    # 3: 42 − 2.6 × 13 = 8.2 to spare; a two of weight 5 takes 3 → 2 twos (62/23 = 2.70;
    #    a third: 72/28 = 2.57 → 2); of weight 1 it takes 0.6 → 13 twos, not fewer than 4.
    marks = [(3, 5, TEST)] * 2 + [(4, 1, ORAL)] * 3
    fc = forecast(marks=marks, lessons_left=4)
    assert fc.current == "3"
    assert texts(fc) == [
        "5 уже не получить в этой четверти: нужно 9 пятёрок (Контрольная работа, вес 5), "
        "а уроков осталось 4.",
        "Чтобы выйти на 4: три четвёрки (Контрольная работа, вес 5).",
        "3 уже выходит; чтобы её сохранить, можно получить не больше двух двоек "
        "(Контрольная работа, вес 5).",
    ]
    # With 2 lessons left three fours do not fit, but one five does: 4.8 / ((5 − 3.6) × 5).
    fc = forecast(marks=marks, lessons_left=2)
    assert fc.lines[1].routes == (Route(1, 5, TEST, 5),)
    assert texts(fc)[1] == "Чтобы выйти на 4: одна пятёрка (Контрольная работа, вес 5)."


def test_a_planned_form_of_the_subject_is_offered_though_no_mark_has_it_yet():
    # Only answers so far: 4, 4 (weight 1) → 4.00. A «Контрольная работа» (вес 5) is planned.
    # 5: short by 4.6 × 2 − 8 = 1.2; one five of weight 5 (brings 2) or 3 of weight 1.
    fc = forecast(marks=[(4, 1, ORAL)] * 2, forms=[(TEST, 5)], lessons_left=6)
    assert fc.lines[0].routes == (Route(1, 5, TEST, 5), Route(3, 5, ORAL, 1))


def test_the_everyday_form_alone_when_it_needs_as_few_marks():
    # Самостоятельная (вес 3): 2, 3 → 15 over 6 = 2.50 → 2; a «Контрольная работа» (вес 5)
    # is planned. 8 lessons left.
    # 3: short by 2.6 × 6 − 15 = 0.6; a three brings 0.4 × 5 = 2 or 0.4 × 3 = 1.2 → one
    #    three either way: the lighter, everyday form is named.
    # 4: short by 3.6 × 6 − 15 = 6.6; a four brings 2 (→ 4 fours) or 1.2 (→ 6 fours).
    # 5: short by 4.6 × 6 − 15 = 12.6; a five brings 2 (→ 7 fives) or 1.2 (→ 11 > 8 lessons).
    own = "Самостоятельная работа"
    fc = forecast(marks=[(2, 3, own), (3, 3, own)], forms=[(TEST, 5)], lessons_left=8)
    by_mark = {line.mark: line.routes for line in fc.lines}
    assert by_mark == {
        5: (Route(7, 5, TEST, 5),),
        4: (Route(4, 4, TEST, 5), Route(6, 4, own, 3)),
        3: (Route(1, 3, own, 3),),
    }
    assert texts(fc)[2] == "Чтобы выйти на 3: одна тройка (Самостоятельная работа, вес 3)."


def test_no_lessons_left_in_a_running_period():
    fc = forecast(marks=[(4, 1, ORAL)], lessons_left=0)
    assert texts(fc) == [
        "5 уже не получить в этой четверти: уроков по предмету до конца четверти не осталось.",
        "4 уже выходит.",
    ]


def test_no_marks_yet():
    fc = forecast(marks=[], forms=[(TEST, 5)], lessons_left=10)
    assert (fc.status, fc.current, fc.lines) == ("no_marks", None, ())
    assert forecast_status_text(fc) == "Отметок пока нет: прогноз появится после первой отметки."
    over = forecast(marks=[], lessons_left=0, ended=True)
    assert (over.status, forecast_status_text(over)) == ("no_marks_over", "Отметок за период нет.")


def test_a_pass_fail_subject_has_no_forecast():
    fc = forecast(marks=[(None, 1, ""), (None, 1, "")], lessons_left=10)
    assert (fc.status, fc.lines) == ("pass_fail", ())
    assert forecast_status_text(fc) == ""


@pytest.mark.parametrize(
    ("closed", "scheme", "expected"),
    [
        (True, "quarters", "5 уже не получить в этой четверти: четверть закрыта."),
        (False, "quarters", "5 уже не получить в этой четверти: четверть закончилась."),
        (False, "trimesters", "5 уже не получить в этом триместре: триместр закончился."),
        (True, "halves", "5 уже не получить в этом полугодии: полугодие закрыто."),
    ],
)
def test_a_closed_or_ended_period(closed, scheme, expected):
    # 5, 4 → 4.50 → 4; nothing more can be given, so only «5 is out of reach» is said.
    fc = forecast(marks=[(5, 1, ORAL), (4, 1, ORAL)], lessons_left=7, closed=closed, ended=True)
    assert fc.current == "4"
    assert texts(fc, scheme) == [expected]


def test_an_ended_period_says_it_once():
    # 2, 3 → 2.50 → 2 in a quarter that is over: one line, not one per mark.
    fc = forecast(marks=[(2, 1, ORAL), (3, 1, ORAL)], lessons_left=0, ended=True)
    assert texts(fc) == ["3 и выше уже не получить в этой четверти: четверть закончилась."]
    # A 5 in it: nothing more to say (the suggested mark is on the page).
    assert forecast(marks=[(5, 1, ORAL)], lessons_left=0, closed=True).lines == ()


def test_a_two_now_gets_a_line_for_every_mark():
    # 2, 2, 3 of weight 1: 7/3 = 2.33 → 2. 3: short by 2.6 × 3 − 7 = 0.8, a three brings 0.4
    # → 2 threes (13/5 = 2.60); 4: short by 3.6 × 3 − 7 = 3.8, a four brings 0.4 → 10 fours;
    # 5: short by 4.6 × 3 − 7 = 6.8, a five brings 0.4 → 17 fives.
    fc = forecast(marks=[(2, 1, ORAL), (2, 1, ORAL), (3, 1, ORAL)], lessons_left=20)
    assert [(x.mark, x.routes[0].count, x.routes[0].value) for x in fc.lines] == [
        (5, 17, 5),
        (4, 10, 4),
        (3, 2, 3),
    ]


def test_school_thresholds_change_the_counts():
    # 5 from 4.50: 5, 5, 4, 4 → 4.50 is already a 5 with nothing to spare.
    fc = forecast(
        marks=[(v, 1, ORAL) for v in (5, 5, 4, 4)],
        lessons_left=5,
        thresholds=(Decimal("4.50"), Decimal("3.50"), Decimal("2.50")),
    )
    assert fc.current == "5" and fc.lines[0].routes == (Route(0, 4, ORAL, 1),)


def test_a_threshold_the_scale_cannot_reach():
    # A school asking 5.00 for a 5: after a 4 no number of fives makes the average 5.
    fc = forecast(
        marks=[(4, 1, ORAL)],
        lessons_left=30,
        thresholds=(Decimal("5.00"), Decimal("3.60"), Decimal("2.60")),
    )
    assert texts(fc)[0] == "5 уже не получить в этой четверти."


def _mark_after(marks, extra, thresholds=DEFAULT_THRESHOLDS):
    return suggested_mark(weighted_average([(p, w) for p, w, _ in marks] + extra), thresholds)


@pytest.mark.parametrize(
    "thresholds", [DEFAULT_THRESHOLDS, (Decimal("4.55"), Decimal("3.5"), Decimal("2.5"))]
)
def test_every_count_agrees_with_the_suggested_mark_rule(thresholds):
    # For many small mark sets: n proposed marks make suggested_mark reach the mark and n − 1
    # do not; n allowed lower marks keep it and n + 1 do not — the same rule, no rounding.
    rank = {"5": 5, "4": 4, "3": 3, "2": 2}
    checked = 0
    for values in itertools.product((2, 3, 4, 5), repeat=3):
        for weights in ((1, 1, 1), (5, 1, 3), (2, 5, 1)):
            marks = [(v, w, f"w{w}") for v, w in zip(values, weights, strict=True)]
            fc = forecast(marks=marks, lessons_left=1000, thresholds=thresholds)
            for line in fc.lines:
                for r in line.routes:
                    add = [(r.value, r.weight)]
                    if line.kind == "reach":
                        assert rank[_mark_after(marks, add * r.count, thresholds)] >= line.mark
                        assert rank[_mark_after(marks, add * (r.count - 1), thresholds)] < line.mark
                    elif line.kind == "keep":
                        assert rank[_mark_after(marks, add * r.count, thresholds)] == line.mark
                        assert rank[_mark_after(marks, add * (r.count + 1), thresholds)] < line.mark
                    checked += 1
    assert checked > 300
