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
comparisons with thresholds use the exact value. The forecast («Что нужно для…», ``forecast``)
counts the marks a student needs for each threshold by that same exact comparison."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

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


# --------------------------------------------------------------------------- forecast (X1)


@dataclass(frozen=True)
class Route:
    """``count`` marks of ``value`` for a form (``form`` its name, "" for none) of ``weight``;
    ``count`` None on a keep line means "as many as the lessons left"."""

    count: int
    value: int
    form: str
    weight: int


@dataclass(frozen=True)
class ForecastLine:
    mark: int  # the period mark this line is about: 5, 4 or 3
    kind: str  # "reach", "keep", "safe" (kept whatever), "unreachable"
    routes: tuple[Route, ...] = ()
    # "ended", "closed", "lessons" (more marks needed than lessons left), "scale" (the marks
    # of the scale cannot lift the average to the threshold)
    reason: str = ""
    lessons_left: int = 0


@dataclass(frozen=True)
class Forecast:
    status: str  # "ok", "no_marks", "no_marks_over" (the period is over), "pass_fail"
    current: str | None  # the suggested period mark now
    lines: tuple[ForecastLine, ...] = ()


MARKS_TO_FORECAST = (5, 4, 3)


def _ceil(value: Fraction) -> int:
    return -((-value.numerator) // value.denominator)


def forecast(
    *,
    marks: Iterable[tuple[int | None, int, str]],
    forms: Iterable[tuple[str, int]] = (),
    lessons_left: int,
    thresholds: tuple[Decimal, Decimal, Decimal] = DEFAULT_THRESHOLDS,
    ended: bool = False,
    closed: bool = False,
) -> Forecast:
    """«Что нужно для…»: what a student needs this period in one subject for each threshold.

    ``marks``: the student's marks of the period in the subject as (points, weight, form name)
    — points None for pass/fail, form "" for a mark without a form of control; ``forms``:
    (name, weight) of the forms of control the subject's lessons of the period carry;
    ``lessons_left``: the subject's lessons still to come in the period that can give a mark;
    ``ended``/``closed``: the period is over / closed by the school.

    Decisions (issue 13, X1):

    - Lines: for every mark above the one the average points to now, how to reach it
      («reach»); for the mark it points to, how many marks one lower («3» under a 4) it can
      take and stay («keep»; «safe» when even all the lessons left could not pull it down).
    - Forms proposed: those the subject uses this period — the forms of the student's marks
      in it and of its lessons, held and planned; a form the subject has not used is never
      counted on. The first route is the heaviest of them (fewest marks); the second, the
      form most of the student's marks were given for (the subject's everyday form), when it
      is another one, fits in the lessons left and needs more marks (when it needs as few,
      only the everyday, lighter form is named).
    - To reach a mark k it proposes marks «k» (a «4» to get a 4); only when those cannot do
      it in the lessons left does it propose higher marks, up to «5».
    - Bound: every remaining lesson of the subject (after today, or today without a mark of
      the student yet; not cancelled) can give one more mark, of any form. A mark needing
      more marks than that is out of reach («нужно 9 пятёрок…, а уроков осталось 4»), and so
      is a threshold the marks of the scale cannot lift the average to. Once the period has
      ended or is closed, one line says that the marks above are out of reach.
    - Arithmetic is exact (integers and Fractions of the Decimal thresholds, no float, no
      rounding), and "reached" is exactly ``suggested_mark``'s rule: the exact average ≥ the
      threshold, never the rounded display — 193/42 = 4.5952… is shown «4,60» and still
      needs a five for a 5.
    - No five-point marks: pass/fail marks only → no forecast (status "pass_fail", nothing
      shown); no marks at all → "no_marks" («Отметок пока нет…»), nothing to compute from."""
    marks = list(marks)
    graded = [(p, w, f) for p, w, f in marks if p is not None]
    if not graded:
        if marks:
            return Forecast("pass_fail", None)
        return Forecast("no_marks_over" if ended or closed else "no_marks", None)
    total = sum(p * w for p, w, _ in graded)
    weights = sum(w for _, w, _ in graded)
    current = suggested_mark(weighted_average((p, w) for p, w, _ in graded), thresholds)
    assert current is not None
    used: dict[tuple[str, int], int] = {}
    for _, w, f in graded:
        used[(f, w)] = used.get((f, w), 0) + 1
    candidates = set(used) | {(f, w) for f, w in forms}
    heaviest = max(candidates, key=lambda fw: (fw[1], used.get(fw, 0), fw[0]))
    everyday = max(used, key=lambda fw: (used[fw], fw[1], fw[0]))
    route_forms = [heaviest] + ([everyday] if everyday != heaviest else [])
    by_mark = dict(zip(MARKS_TO_FORECAST, (Fraction(t) for t in thresholds), strict=True))
    left = max(lessons_left, 0)
    lines: list[ForecastLine] = []
    for k in MARKS_TO_FORECAST:
        t = by_mark[k]
        # S − t·W: ≥ 0 exactly when suggested_mark's «average ≥ threshold» holds
        slack = Fraction(total) - t * weights
        if k > int(current):
            if ended or closed:
                # one line for the mark just above: «4 и выше уже не получить…»
                if k == int(current) + 1:
                    reason = "closed" if closed else "ended"
                    lines.append(ForecastLine(k, "unreachable", reason=reason))
                continue
            lines.append(_reach(k, t, -slack, route_forms, left))
        elif k == int(current):
            if ended or closed:
                continue
            lines.append(_keep(k, t, slack, route_forms, left))
    return Forecast("ok", current, tuple(lines))


def _reach(
    k: int, t: Fraction, deficit: Fraction, route_forms: list[tuple[str, int]], left: int
) -> ForecastLine:
    needed: Route | None = None
    for value in range(k, 6):
        if value <= t:  # marks of this value can never lift the average to t
            continue
        routes = []
        for form, weight in route_forms:
            count = _ceil(deficit / ((value - t) * weight))
            routes.append(Route(count, value, form, weight))
        if routes[0].count <= left:
            fitting = tuple(r for r in routes if r.count <= left)
            if len(fitting) == 2 and fitting[0].count == fitting[1].count:
                # as few of the everyday (lighter) form do it: that is the one to name
                fitting = fitting[1:]
            return ForecastLine(k, "reach", fitting, lessons_left=left)
        needed = routes[0]
    if needed is None:
        return ForecastLine(k, "unreachable", reason="scale", lessons_left=left)
    return ForecastLine(k, "unreachable", (needed,), reason="lessons", lessons_left=left)


def _keep(
    k: int, t: Fraction, margin: Fraction, route_forms: list[tuple[str, int]], left: int
) -> ForecastLine:
    lower = k - 1
    if lower >= t:  # a lower mark cannot pull the average under the threshold
        return ForecastLine(k, "safe", lessons_left=left)
    routes = []
    for form, weight in route_forms:
        loss = (t - lower) * weight
        count = int(margin // loss)  # Fraction floor division: exact
        routes.append(Route(count, lower, form, weight))
    if routes[0].count >= left:
        return ForecastLine(k, "safe", (routes[0],), lessons_left=left)
    # the everyday form is named when it allows more lower marks than the heaviest and fewer
    # than the lessons left (else it would say nothing new)
    others = tuple(r for r in routes[1:] if routes[0].count < r.count < left)
    return ForecastLine(k, "keep", (routes[0], *others), lessons_left=left)


# --------------------------------------------------------------------------- forecast wording

# (one, few, many) and the genitive after «не больше» (one, many) of the marks' names
_MARK_NOUNS = {
    5: ("пятёрка", "пятёрки", "пятёрок"),
    4: ("четвёрка", "четвёрки", "четвёрок"),
    3: ("тройка", "тройки", "троек"),
    2: ("двойка", "двойки", "двоек"),
    1: ("единица", "единицы", "единиц"),
}
_NUMBERS = {1: "одна", 2: "две", 3: "три", 4: "четыре"}
_NUMBERS_GENITIVE = {1: "одной", 2: "двух", 3: "трёх", 4: "четырёх"}


def _plural(n: int, forms: tuple[str, str, str]) -> str:
    from shkola.core.templatetags.shkola import plural_ru

    return plural_ru(n, ",".join(forms))


def _count(n: int, value: int) -> str:
    """«одна пятёрка», «две пятёрки», «7 пятёрок»."""
    return f"{_NUMBERS.get(n, str(n))} {_plural(n, _MARK_NOUNS[value])}"


def _count_genitive(n: int, value: int) -> str:
    """After «не больше»: «одной тройки», «двух троек», «21 тройки», «7 троек»."""
    one, few, many = _MARK_NOUNS[value]
    noun = few if n % 10 == 1 and n % 100 != 11 else many
    return f"{_NUMBERS_GENITIVE.get(n, str(n))} {noun}"


def _form(route: Route) -> str:
    from django.utils.translation import gettext as _

    if route.form:
        return _("%(form)s, вес %(weight)s") % {"form": route.form, "weight": route.weight}
    return _("без формы контроля, вес %(weight)s") % {"weight": route.weight}


_PERIOD_WORDS: dict[tuple[str | None, str], dict[str, str]] = {}


def _period_words(scheme: str) -> dict[str, str]:
    """The period's words in the active language, translated once per process and language:
    the report card asks for them once per forecast line (issue 14)."""
    from django.utils.translation import get_language

    key = (get_language(), scheme)
    words = _PERIOD_WORDS.get(key)
    if words is None:
        words = _PERIOD_WORDS[key] = _period_words_translated(scheme)
    return words


def _period_words_translated(scheme: str) -> dict[str, str]:
    from django.utils.translation import gettext as _

    if scheme == "trimesters":
        return {
            "in": _("в этом триместре"),
            "ended": _("триместр закончился"),
            "closed": _("триместр закрыт"),
            "until": _("до конца триместра"),
        }
    if scheme == "halves":
        return {
            "in": _("в этом полугодии"),
            "ended": _("полугодие закончилось"),
            "closed": _("полугодие закрыто"),
            "until": _("до конца полугодия"),
        }
    return {
        "in": _("в этой четверти"),
        "ended": _("четверть закончилась"),
        "closed": _("четверть закрыта"),
        "until": _("до конца четверти"),
    }


def forecast_status_text(fc: Forecast) -> str:
    """The one sentence for a subject without lines (nothing for a pass/fail subject)."""
    from django.utils.translation import gettext as _

    if fc.status == "no_marks":
        return _("Отметок пока нет: прогноз появится после первой отметки.")
    if fc.status == "no_marks_over":
        return _("Отметок за период нет.")
    return ""


def forecast_line_text(line: ForecastLine, scheme: str = "quarters") -> str:
    """One short sentence per threshold, e.g. «Чтобы выйти на 5: две пятёрки (Контрольная
    работа, вес 5) или пять пятёрок (Ответ на уроке, вес 1)»."""
    from django.utils.translation import gettext as _

    words = _period_words(scheme)
    k = line.mark
    if line.kind == "unreachable":
        head = _("%(mark)s уже не получить %(in)s") % {"mark": k, "in": words["in"]}
        if line.reason in ("ended", "closed"):
            if k < 5:
                head = _("%(mark)s и выше уже не получить %(in)s") % {"mark": k, "in": words["in"]}
            return f"{head}: {words[line.reason]}."
        if line.reason == "scale":
            return f"{head}."
        route = line.routes[0]
        if line.lessons_left == 0:
            return _("%(head)s: уроков по предмету %(until)s не осталось.") % {
                "head": head,
                "until": words["until"],
            }
        return _("%(head)s: нужно %(marks)s (%(form)s), а уроков осталось %(left)s.") % {
            "head": head,
            "marks": _count(route.count, route.value),
            "form": _form(route),
            "left": line.lessons_left,
        }
    if line.kind == "reach":
        first, *others = line.routes
        text = _("Чтобы выйти на %(mark)s: %(marks)s (%(form)s)") % {
            "mark": k,
            "marks": _count(first.count, first.value),
            "form": _form(first),
        }
        for other in others:
            text += _(" или %(marks)s (%(form)s)") % {
                "marks": _count(other.count, other.value),
                "form": _form(other),
            }
        return text + "."
    if line.kind == "safe":
        if line.lessons_left == 0:
            return _("%(mark)s уже выходит.") % {"mark": k}
        return _("%(mark)s уже выходит и сохранится, даже если %(until)s будут одни %(lower)s.") % {
            "mark": k,
            "until": words["until"],
            "lower": _MARK_NOUNS[k - 1][1],
        }
    first, *others = line.routes
    if first.count == 0:
        text = _("%(mark)s уже выходит, но без запаса: её опустит %(one)s (%(form)s)") % {
            "mark": k,
            "one": _MARK_NOUNS[first.value][0],
            "form": _form(first),
        }
        for other in others:
            if other.count:
                text += _("; можно не больше %(marks)s (%(form)s)") % {
                    "marks": _count_genitive(other.count, other.value),
                    "form": _form(other),
                }
        return text + "."
    text = _(
        "%(mark)s уже выходит; чтобы её сохранить, можно получить не больше %(marks)s (%(form)s)"
    ) % {
        "mark": k,
        "marks": _count_genitive(first.count, first.value),
        "form": _form(first),
    }
    for other in others:
        text += _(" или не больше %(marks)s (%(form)s)") % {
            "marks": _count_genitive(other.count, other.value),
            "form": _form(other),
        }
    return text + "."
