"""Grade arithmetic — the one place that says what a correct average is.

ENGINEERING.md:
- weighted average of a student in a subject and period: Σ(mark × weight) / Σ(weight) over
  the marks of the 5-point scale; pass/fail and attendance marks do not enter it; shown with
  two decimals;
- suggested period mark by school thresholds (default 5 from 4.60, 4 from 3.60, 3 from 2.60),
  never rounding silently: 4.59 suggests 4;
- success rate = share of students with final marks 5, 4 or 3; quality rate = share with 5
  or 4; the denominator excludes students exempted or without marks.

Averages are Decimals rounded half-up to two places only for display (``quantize2``); the
comparisons with thresholds use the exact value."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

DEFAULT_THRESHOLDS = (Decimal("4.60"), Decimal("3.60"), Decimal("2.60"))
FIVE_POINT_VALUES = {"5": 5, "4": 4, "3": 3, "2": 2, "1": 1}
# Final-mark values that mean "no mark to count" rather than a result.
EXEMPT_VALUES = {"осв"}
# ENGINEERING.md excludes "students exempted or without marks" from the denominator and says
# nothing else about «н/а». «Не аттестован» is what a teacher records exactly when a student
# has no marks to attest, so it stays read as "without marks" (the behaviour before the
# audit; the document is silent on «н/а» by name).
NO_MARK_VALUES = {"", None, "н/а"}
SUCCESS_VALUES = {"5", "4", "3"}
QUALITY_VALUES = {"5", "4"}
TWO = Decimal("0.01")


def points_of(value: str) -> int | None:
    """1..5 for the five-point scale, None for pass/fail and attendance."""
    return FIVE_POINT_VALUES.get(str(value).strip())


def weighted_average(marks: Iterable[tuple[int | None, int]]) -> Decimal | None:
    """``marks``: (points, weight) pairs; points None (pass/fail) are skipped."""
    total = 0
    weights = 0
    for points, weight in marks:
        if points is None:
            continue
        if weight <= 0:
            raise ValueError("weight must be positive")
        total += points * weight
        weights += weight
    if weights == 0:
        return None
    return Decimal(total) / Decimal(weights)


def average_from_sums(total: int | None, weights: int | None) -> Decimal | None:
    """Σ(points × weight) and Σ(weight) summed by the database → the same value
    ``weighted_average`` gives for the marks behind the sums (None without weights)."""
    if not weights:
        return None
    return Decimal(total or 0) / Decimal(weights)


def quantize2(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(TWO, rounding=ROUND_HALF_UP)


def suggested_mark(
    average: Decimal | None, thresholds: tuple[Decimal, Decimal, Decimal] = DEFAULT_THRESHOLDS
) -> str | None:
    """The period mark the averages suggest. Compares the exact average with the thresholds,
    so 4.599… stays a 4 even though it is displayed as 4,60 — never rounding silently
    upward; a teacher decides."""
    if average is None:
        return None
    five, four, three = (Decimal(str(t)) for t in thresholds)
    if average >= five:
        return "5"
    if average >= four:
        return "4"
    if average >= three:
        return "3"
    return "2"


def thresholds_of(organisation: object) -> tuple[Decimal, Decimal, Decimal]:
    return (
        Decimal(str(getattr(organisation, "threshold_5", DEFAULT_THRESHOLDS[0]))),
        Decimal(str(getattr(organisation, "threshold_4", DEFAULT_THRESHOLDS[1]))),
        Decimal(str(getattr(organisation, "threshold_3", DEFAULT_THRESHOLDS[2]))),
    )


def mean(values: Iterable[Decimal | None]) -> Decimal | None:
    """Plain mean of the values that exist (e.g. "my average" = mean of my subject averages)."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    return sum(present, Decimal(0)) / Decimal(len(present))


@dataclass(frozen=True)
class Rates:
    counted: int  # the denominator: students with a mark, exempt excluded
    success: Decimal | None  # percent, exact
    quality: Decimal | None
    excellent: int
    good: int
    satisfactory: int
    failing: int  # «2», «незач»
    passed: int = 0  # «зач»: counted, but neither success nor quality


def rates(final_values: Iterable[str | None]) -> Rates:
    """Success and quality rates (in percent) over one final mark per student.

    As ENGINEERING.md writes it: success = share of students with 5, 4 or 3, quality = share
    with 5 or 4, the denominator without exempt students and students without marks. So a
    «зач» is a mark (the student is counted) that is not 5, 4 or 3: it is not success — except
    where the subject is graded pass/fail only (no 5/4/3/2 at all): there success is the
    share of «зач» and there is no quality rate."""
    counted = excellent = good = satisfactory = failing = passed = fails_pf = 0
    for value in final_values:
        if value in NO_MARK_VALUES or value in EXEMPT_VALUES:
            continue
        counted += 1
        if value == "незач":
            fails_pf += 1
        if value == "5":
            excellent += 1
        elif value == "4":
            good += 1
        elif value == "3":
            satisfactory += 1
        elif value == "зач":
            passed += 1
        else:
            failing += 1
    if counted == 0:
        return Rates(0, None, None, 0, 0, 0, 0)
    hundred = Decimal(100)
    if excellent + good + satisfactory == 0 and failing == fails_pf:
        # A subject graded pass/fail only (ОРКСЭ, a first grade): every counted mark is «зач»
        # or «незач», 5/4/3 cannot occur, so success is the share of «зач» and quality does
        # not apply — not a 0 % for everyone, also when every student got «незач».
        return Rates(counted, hundred * passed / counted, None, 0, 0, 0, failing, passed)
    success = hundred * (excellent + good + satisfactory) / counted
    quality = hundred * (excellent + good) / counted
    return Rates(counted, success, quality, excellent, good, satisfactory, failing, passed)


def student_result(values: Iterable[str | None]) -> str | None:
    """One student's result over several subjects, for rates over students: the lowest
    counted mark — a student is «успевающий» with 5, 4 or 3 in every subject graded on the
    five-point scale and counts for quality with 5 or 4 in each. A «зач» (a subject graded
    pass/fail, ОРКСЭ for instance) does not lower the result, a «незач» or «2» does; a student
    with only «зач» has the result «зач». None when nothing counts (all exempt / no marks).

    A student with a mark of the five-point scale is judged on that scale: a «незач» next to
    it fails them as a «2» would, so that rates over such students keep their quality rate —
    only students with pass/fail marks alone make a pass/fail-only result («зач»/«незач»)."""
    counted = [v for v in values if v and v not in NO_MARK_VALUES and v not in EXEMPT_VALUES]
    if not counted:
        return None
    five_point = any(v in FIVE_POINT_VALUES for v in counted)
    for value in counted:
        if value not in SUCCESS_VALUES and value != "зач":
            return "2" if value == "незач" and five_point else value
    graded = [v for v in counted if v in SUCCESS_VALUES]
    return min(graded) if graded else "зач"


def subject_result(final: str | None, year: str | None, periods: dict[int, str]) -> str | None:
    """A student's result in a subject for a year (ENGINEERING.md): the final mark, else the
    year mark, else the latest period mark (``periods``: period number → mark)."""
    if final:
        return final
    if year:
        return year
    latest = next((periods[n] for n in sorted(periods, reverse=True) if periods[n]), None)
    return latest or None
