"""Reads of the portfolio. Each page's selector loads its relations in a fixed number of
queries; the rating is computed on read from the school's points table, so changing the
table changes every rating at once and the shown rating always matches the table."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from shkola.core import clock
from shkola.journal import grading
from shkola.journal import selectors as journal_selectors
from shkola.journal.models import FinalMark, FinalMarkKind, Mark
from shkola.schools.models import (
    AcademicYear,
    AttestationPeriod,
    Enrolment,
    Guardianship,
    Student,
    Subject,
)
from shkola.schools.selectors import current_year, period_on, periods_of

from .models import (
    CATEGORY_FIELDS,
    PRESENCE_CATEGORIES,
    ROUND_CATEGORIES,
    SPHERES,
    Achievement,
    AchievementFile,
    AchievementRound,
    Category,
    Club,
    Diagnostic,
    DiagnosticKind,
    PointsItem,
    PointsRule,
    Stage,
    Status,
    StudentChange,
    TestingResult,
    field_label,
)
from .services import default_points, points_key


def student_for(user: Any, student_id: int, perm: str = "portfolio.view") -> Student:
    """The student if ``user`` holds ``perm`` on them; otherwise a 404, never a 403."""
    student = (
        Student.objects.select_related("organisation", "current_class__parallel", "user")
        .filter(pk=student_id)
        .first()
    )
    if student is None or not user.has_perm(perm, student):
        raise Http404
    return student


# ---------------------------------------------------------------- card (E1)


@dataclass
class GuardianRow:
    """A parent as the viewer may see them: fields the viewer may not see are left out, so no
    template can show them by mistake (who sees what: docs/personal-data.md)."""

    last_name: str
    first_name: str
    middle_name: str
    full_name: str
    birth_date: dt.date | None = None
    phone: str = ""
    email: str = ""


@dataclass
class Card:
    student: Student
    guardians: list[GuardianRow]
    history: list[Enrolment]
    changes: list[StudentChange]
    shows_contacts: bool = False
    shows_birth_dates: bool = False


def card_of(student: Student, *, contacts: bool, birth_dates: bool) -> Card:
    """``contacts`` / ``birth_dates``: whether the viewer may see the parents' phones and
    e-mails / birth dates (``schools.view_guardian_contacts`` / ``…_birth_date``)."""
    guardians = [
        GuardianRow(
            last_name=g.guardian.last_name,
            first_name=g.guardian.first_name,
            middle_name=g.guardian.middle_name,
            full_name=g.guardian.full_name,
            birth_date=g.guardian.birth_date if birth_dates else None,
            phone=g.guardian.phone if contacts else "",
            email=g.guardian.email if contacts else "",
        )
        for g in Guardianship.objects.filter(student=student)
        .select_related("guardian")
        .order_by("guardian__last_name", "guardian__first_name")
    ]
    history = list(
        Enrolment.objects.filter(student=student)
        .select_related("organisation", "class_unit__parallel")
        .order_by("date", "id")
    )
    changes = list(StudentChange.objects.filter(student=student).select_related("changed_by")[:30])
    return Card(
        student=student,
        guardians=guardians,
        history=history,
        changes=changes,
        shows_contacts=contacts,
        shows_birth_dates=birth_dates,
    )


# ---------------------------------------------------------------- clubs (E2)


def clubs_of(student: Student) -> list[Club]:
    return list(Club.objects.filter(student=student))


# ---------------------------------------------------------------- achievements and points


def achievements_qs() -> QuerySet[Achievement]:
    return Achievement.objects.select_related("reviewed_by").prefetch_related(
        Prefetch("rounds", queryset=AchievementRound.objects.order_by("id")),
        Prefetch("files", queryset=AchievementFile.objects.order_by("role", "id")),
    )


def achievements_of(student: Student, categories: tuple[str, ...] | list[str]) -> list[Achievement]:
    return list(achievements_qs().filter(student=student, category__in=categories))


def points_table(organisation_id: int) -> dict[str, int]:
    """The school's table over the defaults."""
    table = default_points()
    for rule in PointsRule.objects.filter(organisation_id=organisation_id):
        table[points_key(rule.category, rule.stage, rule.place, rule.item)] = rule.points
    return table


def round_points(achievement: Achievement, stage: str, table: dict[str, int]) -> int:
    for r in achievement.rounds.all():
        if r.stage == stage:
            return table.get(points_key(achievement.category, r.stage, r.place), 0)
    return 0


def item_points(achievement: Achievement, item: str, table: dict[str, int]) -> int:
    flag = achievement.present if item == PointsItem.PRESENCE else achievement.defended
    return table.get(points_key(achievement.category, item=item), 0) if flag else 0


def achievement_points(achievement: Achievement, table: dict[str, int]) -> int:
    """Points an achievement brings; an unconfirmed («н/п») or rejected one brings none."""
    if achievement.status != Status.CONFIRMED:
        return 0
    if achievement.category in ROUND_CATEGORIES:
        return sum(round_points(achievement, s, table) for s in Stage.values)
    return sum(item_points(achievement, i, table) for i in PointsItem.values)


def annotate_points(achievements: list[Achievement], table: dict[str, int]) -> None:
    """Attach ``points``, ``round_cells`` and ``item_cells`` for the templates."""
    for a in achievements:
        a.points = achievement_points(a, table)  # type: ignore[attr-defined]
        places = {r.stage: r.place for r in a.rounds.all()}
        a.round_cells = [  # type: ignore[attr-defined]
            {
                "stage": s,
                "label": label,
                "place": places.get(s, ""),
                "points": round_points(a, s, table) if a.is_confirmed else 0,
            }
            for s, label in Stage.choices
        ]
        a.item_cells = [  # type: ignore[attr-defined]
            {"item": i, "label": label, "points": item_points(a, i, table) if a.is_confirmed else 0,
             "on": a.present if i == PointsItem.PRESENCE else a.defended}
            for i, label in PointsItem.choices
        ]  # fmt: skip
        a.covers = [f for f in a.files.all() if f.role == "cover"]  # type: ignore[attr-defined]
        a.photos = [f for f in a.files.all() if f.role == "photo"]  # type: ignore[attr-defined]
        a.documents = [f for f in a.files.all() if f.role == "file"]  # type: ignore[attr-defined]
        a.field_rows = [  # type: ignore[attr-defined]
            (
                field_label(a.category, n),
                a.get_level_display() if n == "level" else getattr(a, n),
            )
            for n in CATEGORY_FIELDS[a.category]
            if n != "name"
        ]


@dataclass
class SectionScore:
    category: str
    label: str
    count: int
    points: int
    average: Decimal | None
    share: Decimal | None


@dataclass
class SubjectAverage:
    subject: str
    average: Decimal | None


@dataclass
class Rating:
    student: Student
    total: int
    class_average: Decimal | None
    class_size: int
    sections: list[SectionScore]
    round_achievements: list[Achievement]
    presence_achievements: list[Achievement]
    round_sums: list[int]
    presence_sums: list[int]
    pending: int
    academic: list[SubjectAverage] = field(default_factory=list)
    my_average: Decimal | None = None
    year: AcademicYear | None = None
    period: AttestationPeriod | None = None
    # the years of the student's education history (``?year=`` switches the marks card)
    years: list[AcademicYear] = field(default_factory=list)

    @property
    def round_sum_cells(self) -> list[tuple[str, int]]:
        return [
            (str(label), total)
            for (_c, label), total in zip(Stage.choices, self.round_sums, strict=True)
        ]

    @property
    def presence_sum_cells(self) -> list[tuple[str, int]]:
        return [
            (str(label), total)
            for (_c, label), total in zip(PointsItem.choices, self.presence_sums, strict=True)
        ]

    @property
    def round_total(self) -> int:
        return sum(self.round_sums)

    @property
    def presence_total(self) -> int:
        return sum(self.presence_sums)

    @property
    def chart(self) -> dict[str, Any]:
        active = [s for s in self.sections if s.count]
        return {
            "labels": [s.label for s in active],
            "counts": [s.count for s in active],
            "points": [s.points for s in active],
        }


def _totals_by_student(student_ids: list[int], table: dict[str, int]) -> dict[int, int]:
    totals: dict[int, int] = defaultdict(int)
    confirmed = Achievement.objects.filter(
        student_id__in=student_ids, status=Status.CONFIRMED
    ).prefetch_related("rounds")
    for a in confirmed:
        totals[a.student_id] += achievement_points(a, table)
    return totals


def rating_of(student: Student, wanted_year: str | None = None) -> Rating:
    """``wanted_year``: ``?year=`` — one of the student's years shows that year's marks;
    anything else (garbage, a year not in the student's history) shows the current year."""
    table = points_table(student.organisation_id)
    achievements = list(achievements_qs().filter(student=student))
    annotate_points(achievements, table)
    confirmed = [a for a in achievements if a.is_confirmed]
    total = sum(a.points for a in confirmed)  # type: ignore[attr-defined]
    sections = []
    for category, label in Category.choices:
        mine = [a for a in confirmed if a.category == category]
        pts = sum(a.points for a in mine)  # type: ignore[attr-defined]
        sections.append(
            SectionScore(
                category=category,
                label=str(label),
                count=len(mine),
                points=pts,
                average=(Decimal(pts) / len(mine)) if mine else None,
                share=(Decimal(100) * len(mine) / len(confirmed)) if confirmed else None,
            )
        )
    # The class average: mean of every classmate's rating, the student included.
    class_average, class_size = None, 0
    if student.current_class_id:
        ids = list(
            Student.objects.filter(current_class_id=student.current_class_id).values_list(
                "id", flat=True
            )
        )
        totals = _totals_by_student(ids, table)
        class_size = len(ids)
        class_average = grading.mean(Decimal(totals.get(i, 0)) for i in ids)
    rounds = [
        a for a in achievements if a.category in ROUND_CATEGORIES and a.status != Status.REJECTED
    ]
    presence = [
        a for a in achievements if a.category in PRESENCE_CATEGORIES and a.status != Status.REJECTED
    ]
    round_sums = [sum(a.round_cells[i]["points"] for a in rounds) for i in range(len(Stage.values))]  # type: ignore[attr-defined]
    presence_sums = [
        sum(a.item_cells[i]["points"] for a in presence)  # type: ignore[attr-defined]
        for i in range(len(PointsItem.values))
    ]
    year, period, years = _period_of_chosen_year(student, wanted_year)
    academic = subject_averages(student, period)
    return Rating(
        student=student,
        total=total,
        class_average=class_average,
        class_size=class_size,
        sections=sections,
        round_achievements=rounds,
        presence_achievements=presence,
        round_sums=round_sums,
        presence_sums=presence_sums,
        pending=sum(1 for a in achievements if a.status == Status.PENDING),
        academic=academic,
        my_average=grading.mean(s.average for s in academic),
        year=year,
        period=period,
        years=years,
    )


def _period_of_chosen_year(
    student: Student, wanted_year: str | None
) -> tuple[AcademicYear | None, AttestationPeriod | None, list[AcademicYear]]:
    """The chosen year of the student's (the current one unless ``wanted_year`` names another
    year they had a class in), its period — for a past year the one of the student's last
    mark in it — and every year of the student's education history, newest first. One query
    reads the current year and the history, as ``current_year`` alone did."""
    today = clock.today()
    org_id = student.organisation_id
    class_ids = Enrolment.objects.filter(student_id=student.id, class_unit__isnull=False).values(
        "class_unit_id"
    )
    found = list(
        AcademicYear.objects.filter(
            Q(organisation_id=org_id, start__lte=today, end__gte=today)
            | Q(organisation_id=org_id, is_current=True)
            | Q(parallels__class_units__id__in=class_ids)
        )
        .distinct()
        .order_by("-start")
    )
    mine = [y for y in found if y.organisation_id == org_id]
    year = (
        next((y for y in mine if y.start <= today <= y.end), None)
        or next((y for y in mine if y.is_current), None)
        or (mine[0] if mine else current_year(org_id, on=today))
    )
    if year is not None and year not in found:
        found.insert(0, year)
    chosen = next((y for y in found if str(y.id) == (wanted_year or "").strip()), None)
    if chosen is None or (year is not None and chosen.id == year.id):
        if year is None:
            return None, None, found
        return year, period_on(year, today, scheme=_scheme_of(student, year)), found
    was_in = (
        Enrolment.objects.filter(student_id=student.id, class_unit__parallel__academic_year=chosen)
        .select_related("class_unit__parallel")
        .order_by("-date", "-id")
        .first()
    )
    scheme = student.organisation.period_scheme
    if was_in is not None and was_in.class_unit is not None:
        scheme = was_in.class_unit.parallel.period_scheme or scheme
    # a year closed early has no marks in its later periods
    last = (
        Mark.objects.filter(student_id=student.id, lesson__academic_year_id=chosen.id)
        .order_by("-lesson__date")
        .values_list("lesson__date", flat=True)
        .first()
    )
    return chosen, period_on(chosen, last or today, scheme=scheme), found


# ---------------------------------------------------------------- journal reads (E5, E6, E8)


def subject_averages(student: Student, period: AttestationPeriod | None) -> list[SubjectAverage]:
    """The student's weighted average per subject in the period, as the journal and the diary
    compute it (journal selectors → grading.py), so every page shows the same numbers."""
    if period is None:
        return []
    averages = journal_selectors.subject_averages([student.id], period)
    names = dict(
        Subject.objects.filter(id__in=[sid for _s, sid in averages]).values_list("id", "name")
    )
    return sorted(
        (SubjectAverage(subject=names[sid], average=avg) for (_s, sid), avg in averages.items()),
        key=lambda a: a.subject,
    )


def current_period(student: Student) -> tuple[AcademicYear | None, AttestationPeriod | None]:
    year = current_year(student.organisation_id, on=clock.today())
    if year is None:
        return None, None
    return year, period_on(year, clock.today(), scheme=_scheme_of(student, year))


def _scheme_of(student: Student, year: AcademicYear) -> str:
    if student.current_class is not None:
        return student.current_class.parallel.effective_scheme
    return student.organisation.period_scheme


@dataclass
class Control:
    tab: str
    year: AcademicYear | None
    period: AttestationPeriod | None
    averages: list[SubjectAverage]
    test_marks: list[dict[str, Any]]
    diagnostics: list[Diagnostic]
    regional: list[Diagnostic]

    @property
    def averages_chart(self) -> dict[str, Any]:
        shown = [a for a in self.averages if a.average is not None]
        return {
            "labels": [a.subject for a in shown],
            "values": [float(grading.quantize2(a.average) or 0) for a in shown],
        }

    @property
    def tests_chart(self) -> dict[str, Any]:
        """How many «5», «4», «3», «2» each subject's tests got this year: one stacked bar per
        subject stays readable with a dozen subjects, where one line per subject did not."""
        values = ("5", "4", "3", "2")
        subjects = sorted({m["subject"] for m in self.test_marks if m["value"] in values})
        counts = {(m["subject"], m["value"]): 0 for m in self.test_marks}
        for m in self.test_marks:
            counts[(m["subject"], m["value"])] += 1
        return {
            "labels": subjects,
            "series": [
                {"label": value, "data": [counts.get((s, value), 0) for s in subjects]}
                for value in values
            ],
        }

    @property
    def regional_chart(self) -> dict[str, Any]:
        return {
            "labels": [f"{d.subject.name} {d.date:%d.%m}" for d in self.regional],
            "values": [d.percent for d in self.regional],
        }


TABS = {
    "control": (DiagnosticKind.CONTROL, DiagnosticKind.REGIONAL),
    "niko": (DiagnosticKind.NIKO,),
    "vpr": (DiagnosticKind.VPR,),
}


def control_of(student: Student, tab: str) -> Control:
    if tab not in TABS:
        tab = "control"
    year, period = current_period(student)
    averages = subject_averages(student, period)
    test_marks: list[dict[str, Any]] = []
    if year is not None:
        # Marks whose form of control is a test («контрольная»), over the whole year.
        for each in periods_of(year, scheme=_scheme_of(student, year)):
            if each.start > clock.today():
                continue
            for m in journal_selectors.student_period_marks(student, each):
                if m.control_form is not None and m.control_form.is_test:
                    test_marks.append(
                        {
                            "date": m.lesson.date,
                            "subject": m.lesson.subject.name,
                            "value": m.value,
                            "points": m.points,
                            "work": m.work_name,
                            "form": m.control_form.name,
                        }
                    )
    diagnostics = list(
        Diagnostic.objects.filter(student=student).select_related("subject").order_by("date", "id")
    )
    shown = [d for d in diagnostics if d.kind in TABS[tab]]
    regional = [d for d in diagnostics if d.kind == DiagnosticKind.REGIONAL]
    return Control(
        tab=tab,
        year=year,
        period=period,
        averages=averages,
        test_marks=test_marks,
        diagnostics=shown,
        regional=regional,
    )


@dataclass
class AttestationRow:
    subject: str
    periods: list[str]
    year_mark: str
    exam: str
    final: str
    quality: Decimal | None
    success: Decimal | None


@dataclass
class AttestationYear:
    year: AcademicYear
    period_numbers: list[int]
    period_labels: list[str]
    rows: list[AttestationRow]
    quality: Decimal | None
    success: Decimal | None


def _result(cell: dict[str, Any]) -> str:
    """A student's result in a subject for a year: the final mark, else the annual, else the
    latest period mark — so the rates mean something before the year is closed."""
    periods = cell["periods"]
    latest = next((periods[n] for n in sorted(periods, reverse=True) if periods[n]), "")
    return str(cell["final"] or cell["year"] or latest)


def _finals_grid(marks: Any) -> dict[tuple[int, int], dict[str, dict[str, Any]]]:
    """(year id, student id) → subject name → period, annual, exam and final marks."""
    grid: dict[tuple[int, int], dict[str, dict[str, Any]]] = defaultdict(dict)
    for m in marks:
        cell = grid[(m.academic_year_id, m.student_id)].setdefault(
            m.subject.name, {"periods": {}, "year": "", "exam": "", "final": ""}
        )
        if m.kind == FinalMarkKind.PERIOD and m.period is not None:
            cell["periods"][m.period.number] = m.value
        elif m.kind in (FinalMarkKind.YEAR, FinalMarkKind.EXAM, FinalMarkKind.FINAL):
            cell[m.kind] = m.value
    return grid


def _classmates_by_year(student: Student, year_ids: list[int]) -> dict[int, list[int]]:
    """Per year, the students of the class the student was in that year (the student
    included; the student alone when no class is known). Two queries."""
    class_of: dict[int, int] = {}
    for year_id, class_id in (
        Enrolment.objects.filter(
            student_id=student.id, class_unit__parallel__academic_year_id__in=year_ids
        )
        .order_by("date", "id")
        .values_list("class_unit__parallel__academic_year_id", "class_unit_id")
    ):
        class_of[year_id] = class_id
    current = student.current_class
    if current is not None and current.parallel.academic_year_id in year_ids:
        class_of[current.parallel.academic_year_id] = current.id
    members: dict[int, set[int]] = defaultdict(set)
    if class_of:
        for sid, enrolled, now in Student.objects.filter(
            Q(current_class_id__in=class_of.values())
            | Q(enrolments__class_unit_id__in=class_of.values())
        ).values_list("id", "enrolments__class_unit_id", "current_class_id"):
            members[enrolled].add(sid)
            members[now].add(sid)
    return {
        year_id: sorted(members.get(class_of.get(year_id, -1), set()) | {student.id})
        for year_id in year_ids
    }


def attestation_of(student: Student) -> list[AttestationYear]:
    """«Итоги аттестации»: per year and subject the student's period, annual, exam and final
    marks, and the rates as ENGINEERING.md defines them — shares of STUDENTS (grading.rates):
    a subject's quality/success is the class's in that subject (each classmate's result:
    final, else annual, else latest period mark); the year's is the class's over all
    subjects (a student succeeds with 5, 4 or 3 in every subject, ``grading.student_result``).
    A single student's own marks are not "a share of students", so they are not rated alone."""
    own = list(
        FinalMark.objects.filter(student=student).select_related(
            "subject", "academic_year", "period"
        )
    )
    years: dict[int, AcademicYear] = {}
    numbers: dict[int, dict[int, str]] = defaultdict(dict)
    for m in own:
        years[m.academic_year_id] = m.academic_year
        if m.kind == FinalMarkKind.PERIOD and m.period is not None:
            numbers[m.academic_year_id][m.period.number] = str(m.period.name)
    classmates = _classmates_by_year(student, list(years))
    wanted = Q()
    for year_id, ids in classmates.items():
        wanted |= Q(academic_year_id=year_id, student_id__in=ids)
    grid = _finals_grid(
        FinalMark.objects.filter(wanted).select_related("subject", "period") if years else []
    )
    result = []
    for year_id, year in sorted(years.items(), key=lambda kv: kv[1].start, reverse=True):
        nums = sorted(numbers[year_id])
        mine = grid[(year_id, student.id)]
        class_cells = [grid[(year_id, sid)] for sid in classmates[year_id]]
        rows = []
        for subject, cell in sorted(mine.items()):
            by_subject = grading.rates(_result(c[subject]) for c in class_cells if subject in c)
            rows.append(
                AttestationRow(
                    subject=subject,
                    periods=[cell["periods"].get(n, "") for n in nums],
                    year_mark=cell["year"],
                    exam=cell["exam"],
                    final=cell["final"],
                    quality=by_subject.quality,
                    success=by_subject.success,
                )
            )
        overall = grading.rates(
            grading.student_result(_result(c) for c in subjects.values())
            for subjects in class_cells
        )
        result.append(
            AttestationYear(
                year=year,
                period_numbers=nums,
                period_labels=[numbers[year_id][n] for n in nums],
                rows=rows,
                quality=overall.quality,
                success=overall.success,
            )
        )
    return result


# ---------------------------------------------------------------- testing (E7)


def testing_of(student: Student) -> list[TestingResult]:
    return list(TestingResult.objects.filter(student=student).select_related("teacher", "subject"))


# ---------------------------------------------------------------- teacher's queue (E10)


def students_for_staff(user: Any) -> list[Student]:
    """Students whose portfolios a teacher works with: the class they lead and the classes
    and groups they teach (current enrolment only)."""
    from shkola.accounts.rules import viewer_of
    from shkola.timetable.models import TimetableEntry

    viewer = viewer_of(user)
    if viewer is None or not (viewer.teacher_org_ids or viewer.led_class_ids):
        return []
    entries = TimetableEntry.objects.filter(teacher=user)
    q = Q(current_class_id__in=viewer.led_class_ids)
    q |= Q(current_class_id__in=entries.filter(class_unit__isnull=False).values("class_unit_id"))
    q |= Q(study_groups__in=entries.filter(group__isnull=False).values("group_id"))
    return list(
        Student.objects.filter(q)
        .distinct()
        .select_related("current_class__parallel")
        .order_by(
            "current_class__parallel__grade", "current_class__letter", "last_name", "first_name"
        )[:600]
    )


QUEUE_LIMIT = 200  # the oldest first; a confirmed one makes room for the next


def _pending_for(user: Any) -> QuerySet[Achievement] | None:
    """Unconfirmed achievements of the students this person may confirm: their class, the
    students they teach, or the whole school for its administration."""
    from shkola.accounts.rules import viewer_of
    from shkola.timetable.models import TimetableEntry

    viewer = viewer_of(user)
    if viewer is None:
        return None
    q = Q(student__current_class_id__in=viewer.led_class_ids) | Q(
        student__organisation_id__in=viewer.admin_org_ids
    )
    if viewer.teacher_org_ids:
        entries = TimetableEntry.objects.filter(teacher=user)
        q |= Q(
            student__current_class_id__in=entries.filter(
                class_unit__isnull=False, group__isnull=True
            ).values("class_unit_id")
        )
        q |= Q(student__study_groups__in=entries.filter(group__isnull=False).values("group_id"))
    return Achievement.objects.filter(q, status=Status.PENDING)


def review_queue_count(user: Any) -> int:
    """How many achievements wait for this person's confirmation (the home page's counter):
    one query, whatever the queue holds."""
    pending = _pending_for(user)
    return 0 if pending is None else pending.values("id").distinct().count()


def review_queue(user: Any) -> list[Achievement]:
    """The confirmation queue (see ``_pending_for``), the oldest first."""
    pending = _pending_for(user)
    if pending is None:
        return []
    ids = pending.values("id")
    achievements = list(
        achievements_qs()
        .filter(id__in=ids)
        .select_related("student__current_class__parallel", "created_by")
        .order_by("created_at", "id")[:QUEUE_LIMIT]
    )
    for a in achievements:
        places = {r.stage: r.place for r in a.rounds.all()}
        a.round_cells = [  # type: ignore[attr-defined]
            {"stage": s, "label": label, "place": places.get(s, "")} for s, label in Stage.choices
        ]
    return achievements


def achievement_for(user: Any, achievement_id: int, perm: str = "portfolio.view") -> Achievement:
    achievement = (
        achievements_qs()
        .select_related("student__organisation", "student__current_class__parallel")
        .filter(pk=achievement_id)
        .first()
    )
    if achievement is None or not user.has_perm(perm, achievement.student):
        raise Http404
    return achievement


def file_for(user: Any, file_id: int) -> AchievementFile:
    record = (
        AchievementFile.objects.select_related(
            "achievement__student__organisation", "achievement__student__current_class"
        )
        .filter(pk=file_id)
        .first()
    )
    if record is None or not user.has_perm("portfolio.view", record.achievement.student):
        raise Http404
    return record


def spheres() -> list[tuple[str, str]]:
    return [(c.value, str(c.label)) for c in SPHERES]


# ---------------------------------------------------------------- activity for oversight (H1)


def achievement_activity(
    spans: Any, key: str, class_id: int | None = None
) -> dict[Any, tuple[int, int]]:
    """Per ``key`` (a student path: ``student__organisation_id``…): achievements added in
    each school's span and achievements confirmed in it — counts only, no child behind them.
    ``spans``: objects with ``organisation_id``, ``start`` and ``end`` (journal.selectors.Span).
    One query whatever the number of schools."""
    from django.db.models import Count, F

    # Schools sharing the same dates (a region's calendar usually) make one ``IN``
    # condition: thirty OR-ed ranges cost the planner (as journal's ``_span_q``).
    by_dates: dict[tuple[Any, Any], list[int]] = {}
    for s in spans:
        by_dates.setdefault((s.start, s.end), []).append(s.organisation_id)
    added = Q(pk__in=[])
    confirmed = Q(pk__in=[])
    for (start, end), org_ids in by_dates.items():
        org = Q(student__organisation_id__in=org_ids)
        added |= org & Q(created_at__date__gte=start, created_at__date__lte=end)
        confirmed |= (
            org
            & Q(status=Status.CONFIRMED)
            & Q(reviewed_at__date__gte=start, reviewed_at__date__lte=end)
        )
    rows = Achievement.objects.filter(added | confirmed)
    if class_id is not None:
        rows = rows.filter(student__current_class_id=class_id)
    return {
        row["figure_key"]: (row["added"], row["confirmed"])
        for row in rows.annotate(figure_key=F(key))
        .values("figure_key")
        .annotate(added=Count("id", filter=added), confirmed=Count("id", filter=confirmed))
        .order_by()
    }
