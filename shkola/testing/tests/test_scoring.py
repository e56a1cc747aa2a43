"""Hand-computed scores of each question type (rules: shkola/testing/models.py docstring)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shkola.testing.models import Question, QuestionKind, Test
from shkola.testing.services import answer_score, mark_for, question_data_clean


def q(kind: str, raw: dict) -> Question:
    return Question(kind=kind, data=question_data_clean(kind, raw), points=4)


@pytest.mark.parametrize(
    ("kind", "raw", "answer", "expected"),
    [
        ("single", {"options": "a\nb\nc", "correct": "2"}, [1], "4.00"),
        ("single", {"options": "a\nb\nc", "correct": "2"}, [0], "0.00"),
        ("single", {"options": "a\nb\nc", "correct": "2"}, None, "0.00"),
        # 2 right of 3, none wrong: 4 × 2/3 = 2.67
        ("multiple", {"options": "a\nb\nc\nd", "correct": "1 2 3"}, [0, 1], "2.67"),
        # 3 right, 1 wrong: 4 × (3 − 1)/3 = 2.67
        ("multiple", {"options": "a\nb\nc\nd", "correct": "1 2 3"}, [0, 1, 2, 3], "2.67"),
        # 1 right, 1 wrong of 2 right: 0
        ("multiple", {"options": "a\nb\nc\nd", "correct": "1, 2"}, [0, 3], "0.00"),
        ("multiple", {"options": "a\nb\nc\nd", "correct": "1, 2"}, [0, 1], "4.00"),
        # ё/е, case and spaces do not matter
        ("short", {"accepted": "Ёлка зелёная\nель"}, "  елка   ЗЕЛЕНАЯ ", "4.00"),
        ("short", {"accepted": "ель"}, "сосна", "0.00"),
        ("number", {"value": "3,14", "tolerance": "0,01"}, "3.15", "4.00"),
        ("number", {"value": "3,14", "tolerance": "0,01"}, "3,16", "0.00"),
        ("number", {"value": "-2", "tolerance": ""}, "-2,0", "4.00"),
        # 2 of 3 pairs: 4 × 2/3
        ("matching", {"left": "a\nb\nc", "right": "1\n2\n3"}, [0, 1, 1], "2.67"),
        # items 0 and 3 in place of 4: 4 × 2/4 = 2
        ("ordering", {"items": "a\nb\nc\nd"}, [0, 2, 1, 3], "2.00"),
    ],
)
def test_score(kind: str, raw: dict, answer: object, expected: str) -> None:
    assert answer_score(q(kind, raw), 4, answer) == Decimal(expected)


def test_free_answer_waits_for_the_teacher() -> None:
    assert answer_score(q("free", {}), 4, "текст") is None


def test_mark_scale_thresholds_are_inclusive() -> None:
    test = Test(mark5_percent=85, mark4_percent=65, mark3_percent=45)
    assert [mark_for(test, p) for p in (100, 85, 84.99, 65, 45, 44.9, 0)] == [
        "5", "5", "4", "4", "3", "2", "2",
    ]  # fmt: skip
    # 17 of 20 = 85 % exactly, whatever float division says
    assert mark_for(test, 17 / 20 * 100) == "5"


@pytest.mark.parametrize(
    ("kind", "raw", "field"),
    [
        ("single", {"options": "a", "correct": "1"}, "options"),
        ("single", {"options": "a\nb", "correct": "1 2"}, "correct"),
        ("single", {"options": "a\nb", "correct": "7"}, "correct"),
        ("multiple", {"options": "a\nb", "correct": ""}, "correct"),
        ("short", {"accepted": " \n "}, "accepted"),
        ("number", {"value": "три", "tolerance": "0"}, "value"),
        ("number", {"value": "3", "tolerance": "-1"}, "tolerance"),
        ("matching", {"left": "a\nb", "right": "1\n2\n3"}, "right"),
        ("ordering", {"items": "один"}, "items"),
        ("nonsense", {}, "kind"),
    ],
)
def test_bad_question_names_the_field(kind: str, raw: dict, field: str) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        question_data_clean(kind, raw)
    assert field in exc.value.message_dict


def test_kinds_cover_the_issue() -> None:
    assert set(QuestionKind.values) == {
        "single", "multiple", "short", "number", "matching", "ordering", "free",
    }  # fmt: skip
