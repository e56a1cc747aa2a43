"""The arithmetic against hand-computed cases (issue: «Numbers that must be right»)."""

from decimal import Decimal

import pytest

from shkola.journal.grading import (
    mean,
    points_of,
    quantize2,
    rates,
    student_result,
    suggested_mark,
    thresholds_of,
    weighted_average,
)


def test_weighted_average_with_mixed_control_forms():
    # Контрольная 5 (вес 5) + самостоятельная 3 (вес 3) + ответ 4 (вес 1) + ответ 2 (вес 1)
    # = (25 + 9 + 4 + 2) / 10 = 4.00
    marks = [(5, 5), (3, 3), (4, 1), (2, 1)]
    assert weighted_average(marks) == Decimal("4")


def test_weighted_average_is_not_the_plain_mean():
    # 2 (вес 5) and 5 (вес 1): plain mean 3.5, weighted (10 + 5) / 6 = 2.5
    assert weighted_average([(2, 5), (5, 1)]) == Decimal("2.5")


def test_pass_fail_and_attendance_do_not_enter_the_average():
    values = ["5", "зач", "незач", "н", "б", "4"]
    marks = [(points_of(v), 1) for v in values]
    assert weighted_average(marks) == Decimal("4.5")


def test_no_five_point_marks_means_no_average():
    assert weighted_average([(None, 1), (None, 5)]) is None
    assert weighted_average([]) is None


def test_two_decimals_half_up_for_display():
    # (5*1 + 4*1 + 4*1) / 3 = 4.333… → 4.33; (5 + 5 + 4) / 3 = 4.666… → 4.67
    assert quantize2(weighted_average([(5, 1), (4, 1), (4, 1)])) == Decimal("4.33")
    assert quantize2(weighted_average([(5, 1), (5, 1), (4, 1)])) == Decimal("4.67")


@pytest.mark.parametrize(
    ("average", "expected"),
    [
        ("4.60", "5"),
        ("4.59", "4"),
        ("3.60", "4"),
        ("3.5999", "3"),
        ("2.60", "3"),
        ("2.59", "2"),
        ("1.00", "2"),
    ],
)
def test_suggested_mark_at_the_thresholds(average, expected):
    assert suggested_mark(Decimal(average)) == expected


def test_suggested_mark_never_rounds_silently():
    # 23/5 = 4.6 exactly → 5; 4.5999… displays as 4,60 but suggests 4.
    assert suggested_mark(weighted_average([(5, 3), (4, 1), (4, 1)])) == "5"
    just_below = Decimal("4.5999")
    assert quantize2(just_below) == Decimal("4.60")
    assert suggested_mark(just_below) == "4"


def test_school_thresholds():
    class Org:
        threshold_5 = Decimal("4.50")
        threshold_4 = Decimal("3.50")
        threshold_3 = Decimal("2.50")

    assert suggested_mark(Decimal("4.5"), thresholds_of(Org())) == "5"
    assert suggested_mark(Decimal("4.49"), thresholds_of(Org())) == "4"


def test_rates_exclude_exempt_and_students_without_marks():
    # 8 students: 5,5,4,3,2 counted; one exempt, one «н/а», one with no mark at all.
    result = rates(["5", "5", "4", "3", "2", "осв", "н/а", None])
    assert result.counted == 5
    assert result.success == Decimal(80)  # 4 of 5 with 5/4/3
    assert result.quality == Decimal(60)  # 3 of 5 with 5/4


def test_rates_with_nobody_counted():
    result = rates(["осв", None])
    assert result.counted == 0
    assert result.success is None and result.quality is None


def test_pass_is_counted_but_is_neither_success_nor_quality():
    # ENGINEERING.md: success = share of students with final marks 5, 4 or 3; only exempt
    # students and students without marks leave the denominator. A «зач» is a mark, not 5/4/3.
    result = rates(["зач", "незач", "5"])
    assert result.counted == 3
    assert result.success == Decimal(100) / 3
    assert result.quality == Decimal(100) / 3
    assert (result.passed, result.failing) == (1, 1)


def test_a_pass_fail_subject_has_a_success_rate_of_its_passes_and_no_quality():
    # ОРКСЭ: three «зач», one «незач», one exempt → success 3/4 = 75 %, quality does not apply
    result = rates(["зач", "зач", "незач", "зач", "осв"])
    assert (result.counted, result.success, result.quality) == (4, Decimal(75), None)
    # A first grade without marks at all: everybody passed
    assert rates(["зач"] * 25).success == Decimal(100)


def test_a_students_result_over_subjects_is_the_lowest_counted_mark():
    assert student_result(["5", "4", "осв", None]) == "4"
    assert student_result(["5", "3", "н/а"]) == "3"
    assert student_result(["5", "2"]) == "2"
    # A subject graded pass/fail (ОРКСЭ) does not make a «5» student unsuccessful; «незач» does.
    assert student_result(["5", "зач"]) == "5"
    assert student_result(["4", "незач"]) == "2"  # judged on the five-point scale
    assert student_result(["зач", "незач"]) == "незач"
    assert student_result(["зач", "зач"]) == "зач"
    assert student_result(["осв", "н/а", ""]) is None
    # Two students, «5 and 3» and «4 and 2»: one succeeds, nobody is of quality.
    result = rates([student_result(["5", "3"]), student_result(["4", "2"])])
    assert (result.success, result.quality) == (Decimal(50), Decimal(0))


def test_my_average_is_the_mean_of_my_subject_averages():
    # Математика 4.50, Русский 3.00, Физика — no marks: (4.5 + 3) / 2 = 3.75
    assert mean([Decimal("4.5"), Decimal("3"), None]) == Decimal("3.75")
    assert mean([None]) is None


def test_parallel_average_includes_the_student():
    # The parallel's average is the mean over ALL its students, me included.
    me = Decimal("5")
    others = [Decimal("4"), Decimal("3")]
    assert mean([me, *others]) == Decimal("4")
