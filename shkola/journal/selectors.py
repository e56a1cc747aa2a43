"""Reads of the journal, for the teacher's pages and for the diary.

The diary calls ``student_period_marks``, ``subject_averages`` and ``final_marks_of``; keep
their signatures stable. Every average goes through ``shkola.journal.grading``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shkola.accounts.selectors import Viewer
from shkola.core.compiled import CompiledQuery, instance_from_row, model_columns
from shkola.schools.models import (
    AcademicYear,
    AttestationPeriod,
    ClassUnit,
    CurriculumItem,
    Organisation,
    Parallel,
    PeriodScheme,
    Student,
    StudyGroup,
    Subject,
)
from shkola.schools.selectors import of_classes
from shkola.timetable.models import Lesson

from . import grading
from .models import (
    Attendance,
    AttendanceKind,
    FinalMark,
    FinalMarkKind,
    FinalMarkValue,
    JournalKind,
    Mark,
    MarkHistory,
)

# --------------------------------------------------------------------------- for the diary


def student_period_marks(
    student: Student, period: AttestationPeriod, journal: str = JournalKind.MAIN
) -> list[Mark]:
    """The student's marks of one journal in a period (by lesson date), oldest first, with
    the lesson (subject, group) and the control form loaded: one query."""
    return list(
        Mark.objects.filter(
            student_id=student.id,
            journal=journal,
            lesson__date__gte=period.start,
            lesson__date__lte=period.end,
        )
        .select_related("lesson__subject", "lesson__group", "control_form")
        .order_by("lesson__date", "lesson__lesson_number", "id")
    )


def extra_education_q(prefix: str = "") -> Q:
    """Lessons (``prefix`` "") or marks (``prefix`` "lesson__") of extra education: a club
    subject or an extra-education group. They have their own journal and average."""
    return Q(**{f"{prefix}subject__is_extra": True}) | Q(
        **{f"{prefix}group__kind": StudyGroup.Kind.EXTRA}
    )


def main_average_marks(start: dt.date, end: dt.date) -> QuerySet[Mark]:
    """THE marks that count in a student's main (report-card) average, dated ``start``..``end``.
    Every page that shows a main average reads through this one queryset — the journal grid,
    period marks, the class week, the diary's report card and averages, the portfolio — so
    they cannot disagree.

    - main journal only: the homework journal has its own page and never counts;
    - extra education (club subjects, extra-education groups) never counts: it has its own
      journal, whose grid shows the group's own average;
    - a mark on a lesson a timetable change later flagged ``is_cancelled`` still counts: the
      teacher gave it and the grid shows it (the lesson was kept precisely because it has
      marks).

    Pass/fail marks are included so lists can show them; ``weighted_average`` and the
    ``points`` filter of the aggregates leave them out of the arithmetic."""
    return Mark.objects.filter(
        journal=JournalKind.MAIN, lesson__date__gte=start, lesson__date__lte=end
    ).exclude(extra_education_q("lesson__"))


def _averages_query(p: Any, *, by_subjects: bool) -> QuerySet[Any]:
    marks = main_average_marks(p.start, p.end).filter(
        student_id__in=p.student_ids, points__isnull=False
    )
    if by_subjects:
        marks = marks.filter(lesson__subject_id__in=p.subject_ids)
    return (
        marks.values("student_id", "lesson__subject_id")
        .annotate(total=Sum(F("points") * F("weight")), weights=Sum("weight"))
        .order_by()
    )


# Compiled once per process (shkola.core.compiled): the grid, the class week, a cell save,
# the report card and the diary all ask for these sums.
_AVERAGES = CompiledQuery(
    lambda p: _averages_query(p, by_subjects=False), student_ids=[int], start=dt.date, end=dt.date
)
_AVERAGES_OF_SUBJECTS = CompiledQuery(
    lambda p: _averages_query(p, by_subjects=True),
    student_ids=[int],
    subject_ids=[int],
    start=dt.date,
    end=dt.date,
)


def subject_averages(
    student_ids: Iterable[int],
    period: AttestationPeriod,
    subject_ids: Iterable[int] | None = None,
) -> dict[tuple[int, int], Decimal | None]:
    """Weighted averages (exact Decimals) per (student_id, subject_id) in a period, from ONE
    aggregate query: Σ points×weight / Σ weight over ``main_average_marks`` with points
    (pass/fail never counts).

    Pairs with marks are always present; when ``subject_ids`` is given every asked pair is
    present, None where there is nothing to average."""
    students = list(student_ids)
    result: dict[tuple[int, int], Decimal | None] = {}
    if not students:
        return result
    subjects = list(subject_ids) if subject_ids is not None else None
    if subjects is not None:
        if not subjects:
            return result
        for sid in students:
            for subj in subjects:
                result[(sid, subj)] = None
        rows = _AVERAGES_OF_SUBJECTS(
            student_ids=students, subject_ids=subjects, start=period.start, end=period.end
        )
    else:
        rows = _AVERAGES(student_ids=students, start=period.start, end=period.end)
    for row in rows:
        result[(row["student_id"], row["lesson__subject_id"])] = grading.average_from_sums(
            row["total"], row["weights"]
        )
    return result


def final_marks_of(student: Student, academic_year: AcademicYear | int) -> list[FinalMark]:
    """Period, year, exam and final marks of a student in a year, with subject and period."""
    year_id = academic_year if isinstance(academic_year, int) else academic_year.id
    return list(
        FinalMark.objects.filter(student_id=student.id, academic_year_id=year_id)
        .select_related("subject", "period")
        .order_by("subject__name", "kind", "period__number")
    )


# --------------------------------------------------------------------------- the teacher's journal


@dataclass
class JournalRef:
    """Which journal: a class (or a subgroup / extra-education group) and a subject."""

    organisation: Organisation
    year: AcademicYear
    subject: Subject
    class_unit: ClassUnit | None = None
    group: StudyGroup | None = None

    @property
    def class_id(self) -> int | None:
        if self.class_unit is not None:
            return self.class_unit.id
        return self.group.class_unit_id if self.group is not None else None

    @property
    def title(self) -> str:
        who = self.group.name if self.group is not None else self.class_unit.name  # type: ignore[union-attr]
        if self.group is not None and self.group.class_unit is not None:
            who = f"{self.group.class_unit.name}, {who}"
        return f"{who} · {self.subject.name}"

    @property
    def is_extra(self) -> bool:
        """An extra-education journal: a club subject or an extra-education group."""
        return bool(
            self.subject.is_extra
            or (self.group is not None and self.group.kind == StudyGroup.Kind.EXTRA)
        )

    @property
    def counts_in_main_average(self) -> bool:
        return not self.is_extra

    def url(self, **query: Any) -> str:
        if self.group is not None:
            base = reverse("journal:group_grid", args=[self.group.id, self.subject.id])
        else:
            base = reverse("journal:grid", args=[self.class_unit.id, self.subject.id])  # type: ignore[union-attr]
        q = urlencode({k: v for k, v in query.items() if v not in (None, "")})
        return f"{base}?{q}" if q else base


_CLASS_COLUMNS = [
    *model_columns(ClassUnit),
    *model_columns(Parallel, "parallel__"),
    *model_columns(Organisation, "parallel__organisation__"),
    *model_columns(AcademicYear, "parallel__academic_year__"),
]
_GROUP_COLUMNS = [
    *model_columns(StudyGroup),
    *model_columns(Organisation, "organisation__"),
    *model_columns(AcademicYear, "academic_year__"),
    *model_columns(ClassUnit, "class_unit__"),
    *model_columns(Parallel, "class_unit__parallel__"),
]
_REF_CLASS = CompiledQuery(
    lambda p: (
        ClassUnit.objects.filter(pk=p.class_id, parallel__organisation_id__in=p.org_ids)
        .order_by()
        .values_list(*_CLASS_COLUMNS)[:1]
    ),
    class_id=int,
    org_ids=[int],
)
_REF_GROUP = CompiledQuery(
    lambda p: (
        StudyGroup.objects.filter(pk=p.group_id, organisation_id__in=p.org_ids)
        .order_by()
        .values_list(*_GROUP_COLUMNS)[:1]
    ),
    group_id=int,
    org_ids=[int],
)
_REF_SUBJECT = CompiledQuery(
    lambda p: (
        Subject.objects.filter(pk=p.subject_id, organisation_id=p.org_id)
        .order_by()
        .values_list(*model_columns(Subject))[:1]
    ),
    subject_id=int,
    org_id=int,
)


def staff_class(viewer: Viewer, class_id: int) -> ClassUnit:
    """A class of one of the viewer's schools with its parallel, school and year loaded (the
    class teacher on demand), else 404. Compiled once per process."""
    row = _REF_CLASS.first(class_id=class_id, org_ids=sorted(viewer.staff_org_ids))
    if row is None:
        raise Http404
    class_unit, at = instance_from_row(ClassUnit, row, 0)
    parallel, at = instance_from_row(Parallel, row, at)
    parallel.organisation, at = instance_from_row(Organisation, row, at)
    parallel.academic_year, at = instance_from_row(AcademicYear, row, at)
    class_unit.parallel = parallel
    return class_unit


def journal_ref(
    viewer: Viewer, *, subject_id: int, class_id: int | None = None, group_id: int | None = None
) -> JournalRef:
    """The journal looked up within the viewer's schools; anything else is a 404. Compiled
    once per process; the class (with its parallel, school and year) or the group (with its
    school, year and class) come back as the model instances ``select_related`` would give."""
    orgs = sorted(viewer.staff_org_ids)
    class_unit = group = None
    if group_id is not None:
        row = _REF_GROUP.first(group_id=group_id, org_ids=orgs)
        if row is None:
            raise Http404
        group, at = instance_from_row(StudyGroup, row, 0)
        organisation, at = instance_from_row(Organisation, row, at)
        year, at = instance_from_row(AcademicYear, row, at)
        group.organisation, group.academic_year = organisation, year
        if group.class_unit_id is not None:
            group_class, at = instance_from_row(ClassUnit, row, at)
            group_class.parallel, at = instance_from_row(Parallel, row, at)
            group.class_unit = group_class
        else:
            group.class_unit = None
    else:
        class_unit = staff_class(viewer, class_id or 0)
        organisation = class_unit.parallel.organisation
        year = class_unit.parallel.academic_year
    subject_row = _REF_SUBJECT.first(subject_id=subject_id, org_id=organisation.id)
    if subject_row is None:
        raise Http404
    subject, _at = instance_from_row(Subject, subject_row, 0)
    return JournalRef(organisation, year, subject, class_unit, group)


def journal_ref_of_lesson(lesson: Lesson) -> JournalRef:
    """The journal a lesson belongs to (relations loaded by ``lesson_for_viewer``)."""
    if lesson.group_id is not None:
        group = lesson.group
        assert group is not None
        return JournalRef(group.organisation, lesson.academic_year, lesson.subject, None, group)
    assert lesson.class_unit is not None
    return JournalRef(
        lesson.class_unit.parallel.organisation,
        lesson.academic_year,
        lesson.subject,
        lesson.class_unit,
        None,
    )


def journal_url_for_lesson(lesson: Lesson) -> str:
    """The journal page of a lesson, opened at its period and column. No queries: ids only.
    The home page's «Мои уроки сегодня» links with it."""
    if lesson.group_id is not None:
        base = reverse("journal:group_grid", args=[lesson.group_id, lesson.subject_id])
    else:
        base = reverse("journal:grid", args=[lesson.class_unit_id, lesson.subject_id])
    query = f"?period={lesson.period_id}" if lesson.period_id else ""
    return f"{base}{query}#lesson-{lesson.id}"


_SAVE_LESSON_COLUMNS = [
    *model_columns(Lesson),
    *model_columns(Subject, "subject__"),
    *model_columns(Organisation, "subject__organisation__"),
    *model_columns(AttestationPeriod, "period__"),
]
# Compiled once per process: a mark save runs it on every cell (issue 14).
_LESSON_FOR_SAVE = CompiledQuery(
    lambda p: (
        Lesson.objects.filter(pk=p.lesson_id, subject__organisation_id__in=p.org_ids)
        .order_by()
        .values_list(*_SAVE_LESSON_COLUMNS)[:1]
    ),
    lesson_id=int,
    org_ids=[int],
)


def lesson_for_viewer(viewer: Viewer, lesson_id: int, *, for_save: bool = False) -> Lesson:
    """A lesson of one of the viewer's schools, else 404. ``for_save`` loads only what saving
    a cell reads (subject with its school, period): on PostgreSQL the full 13-table join took
    longer to plan than the whole rest of a save. That one is compiled once per process."""
    if for_save:
        row = _LESSON_FOR_SAVE.first(lesson_id=lesson_id, org_ids=sorted(viewer.staff_org_ids))
        if row is None:
            raise Http404
        lesson, at = instance_from_row(Lesson, row, 0)
        subject, at = instance_from_row(Subject, row, at)
        subject.organisation, at = instance_from_row(Organisation, row, at)
        lesson.subject = subject
        if lesson.period_id is not None:
            lesson.period, at = instance_from_row(AttestationPeriod, row, at)
        else:
            lesson.period = None
        return lesson
    related = (
        "subject",
        "period__academic_year",
        "academic_year",
        "control_form",
        "class_unit__parallel__organisation",
        "group__organisation",
        "group__class_unit__parallel",
        "teacher",
    )
    try:
        return Lesson.objects.select_related(*related).get(
            pk=lesson_id, subject__organisation_id__in=viewer.staff_org_ids
        )
    except Lesson.DoesNotExist:
        raise Http404 from None


def _student_of_lesson_query(p: Any, *, group: bool) -> QuerySet[Any]:
    students = Student.objects.filter(pk=p.student_id, organisation_id=p.org_id)
    if group:
        students = students.filter(study_groups__id=p.owner_id)
    else:
        students = students.filter(current_class_id=p.owner_id)
    return students.order_by("pk").values_list(*model_columns(Student))[:1]


_STUDENT_PARAMS: dict[str, Any] = {"student_id": int, "org_id": int, "owner_id": int}
_STUDENT_OF_CLASS_LESSON = CompiledQuery(
    lambda p: _student_of_lesson_query(p, group=False), **_STUDENT_PARAMS
)
_STUDENT_OF_GROUP_LESSON = CompiledQuery(
    lambda p: _student_of_lesson_query(p, group=True), **_STUDENT_PARAMS
)


def student_of_lesson(lesson: Lesson, student_id: int) -> Student:
    """A student who attends the lesson (the class, or the lesson's group); else 404.
    Compiled once per process."""
    if lesson.group_id is not None:
        query, owner = _STUDENT_OF_GROUP_LESSON, lesson.group_id
    elif lesson.class_unit_id is not None:
        query, owner = _STUDENT_OF_CLASS_LESSON, lesson.class_unit_id
    else:  # neither a class nor a group (no such lessons are made): asked as before
        found = (
            Student.objects.filter(
                pk=student_id,
                organisation_id=lesson.subject.organisation_id,
                current_class_id=None,
            )
            .order_by("pk")
            .first()
        )
        if found is None:
            raise Http404
        return found
    row = query.first(student_id=student_id, org_id=lesson.subject.organisation_id, owner_id=owner)
    if row is None:
        raise Http404
    student, _at = instance_from_row(Student, row, 0)
    return student


def roster(ref: JournalRef) -> list[Student]:
    if ref.group is not None:
        qs = ref.group.students.all()
    else:
        qs = Student.objects.filter(current_class_id=ref.class_unit.id)  # type: ignore[union-attr]
    return list(
        qs.only(
            "id", "last_name", "first_name", "middle_name", "organisation_id", "current_class_id"
        ).order_by("last_name", "first_name", "middle_name", "id")
    )


def journal_lessons(ref: JournalRef, start: dt.date, end: dt.date) -> QuerySet[Lesson]:
    qs = Lesson.objects.filter(subject_id=ref.subject.id, date__gte=start, date__lte=end)
    if ref.group is not None:
        qs = qs.filter(group_id=ref.group.id)
    else:
        qs = qs.filter(class_unit_id=ref.class_unit.id, group__isnull=True)  # type: ignore[union-attr]
    return qs


# The grid holds its rows as plain records (issue 14): a page has about a thousand cells and
# building a model instance per mark cost more than the query. The records carry the attribute
# names of the models, so cells, exports and fingerprints read them alike.


class StudentRecord:
    __slots__ = (
        "id",
        "last_name",
        "first_name",
        "middle_name",
        "organisation_id",
        "current_class_id",
    )

    def __init__(
        self,
        id: int,
        last_name: str,
        first_name: str,
        middle_name: str,
        organisation_id: int,
        current_class_id: int | None,
    ) -> None:
        self.id = id
        self.last_name = last_name
        self.first_name = first_name
        self.middle_name = middle_name
        self.organisation_id = organisation_id
        self.current_class_id = current_class_id

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    @property
    def short_name(self) -> str:
        return f"{self.last_name} {self.first_name}"


class FormRecord:
    __slots__ = ("name", "weight")

    def __init__(self, name: str, weight: int) -> None:
        self.name = name
        self.weight = weight


class LessonRecord:
    """A column of the grid."""

    __slots__ = ("id", "date", "topic", "is_cancelled", "period_id", "control_form", "n_homework")

    def __init__(
        self,
        id: int,
        date: dt.date,
        topic: str,
        is_cancelled: bool,
        period_id: int | None,
        control_form: FormRecord | None,
        n_homework: int,
    ) -> None:
        self.id = id
        self.date = date
        self.topic = topic
        self.is_cancelled = is_cancelled
        self.period_id = period_id
        self.control_form = control_form
        self.n_homework = n_homework


class MarkRecord:
    __slots__ = (
        "id",
        "student_id",
        "lesson_id",
        "value",
        "points",
        "weight",
        "comment",
        "work_name",
        "version",
    )

    def __init__(self, row: tuple[Any, ...]) -> None:
        (
            self.id,
            self.student_id,
            self.lesson_id,
            self.value,
            self.points,
            self.weight,
            self.comment,
            self.work_name,
            self.version,
        ) = row


class AttendanceRecord:
    __slots__ = ("id", "student_id", "lesson_id", "kind", "version")

    def __init__(self, row: tuple[Any, ...]) -> None:
        self.id, self.student_id, self.lesson_id, self.kind, self.version = row


class FinalRecord:
    __slots__ = ("id", "student_id", "value", "version")

    def __init__(self, row: tuple[Any, ...]) -> None:
        self.id, self.student_id, self.value, self.version = row


_STUDENT_ORDER = ("last_name", "first_name", "middle_name", "id")
_STUDENT_FIELDS = (
    "id",
    "last_name",
    "first_name",
    "middle_name",
    "organisation_id",
    "current_class_id",
)
_ROSTER_OF_CLASS = CompiledQuery(
    lambda p: (
        Student.objects.filter(current_class_id=p.class_id)
        .order_by(*_STUDENT_ORDER)
        .values_list(*_STUDENT_FIELDS)
    ),
    class_id=int,
)
_ROSTER_OF_GROUP = CompiledQuery(
    lambda p: (
        Student.objects.filter(study_groups__id=p.group_id)
        .order_by(*_STUDENT_ORDER)
        .values_list(*_STUDENT_FIELDS)
    ),
    group_id=int,
)


def roster_records(ref: JournalRef) -> list[StudentRecord]:
    """``roster`` as plain records: the same students in the same order."""
    if ref.group is not None:
        rows = _ROSTER_OF_GROUP(group_id=ref.group.id)
    else:
        rows = _ROSTER_OF_CLASS(class_id=ref.class_unit.id)  # type: ignore[union-attr]
    return [StudentRecord(*row) for row in rows]


def _grid_lessons_query(p: Any, *, group: bool) -> QuerySet[Any]:
    qs = Lesson.objects.filter(subject_id=p.subject_id, date__gte=p.start, date__lte=p.end)
    if group:
        qs = qs.filter(group_id=p.owner_id)
    else:
        qs = qs.filter(class_unit_id=p.owner_id, group__isnull=True)
    return (
        qs.annotate(n_homework=Count("homework"))
        .order_by("date", "lesson_number", "id")
        .values_list(
            "id",
            "date",
            "topic",
            "is_cancelled",
            "period_id",
            "control_form_id",
            "control_form__name",
            "control_form__weight",
            "n_homework",
        )
    )


_LESSON_PARAMS: dict[str, Any] = {
    "subject_id": int,
    "owner_id": int,
    "start": dt.date,
    "end": dt.date,
}
_GRID_LESSONS_OF_CLASS = CompiledQuery(
    lambda p: _grid_lessons_query(p, group=False), **_LESSON_PARAMS
)
_GRID_LESSONS_OF_GROUP = CompiledQuery(
    lambda p: _grid_lessons_query(p, group=True), **_LESSON_PARAMS
)
_GRID_MARKS = CompiledQuery(
    lambda p: (
        Mark.objects.filter(lesson_id__in=p.lesson_ids, journal=p.journal)
        .order_by("id")
        .values_list(
            "id",
            "student_id",
            "lesson_id",
            "value",
            "points",
            "weight",
            "comment",
            "work_name",
            "version",
        )
    ),
    lesson_ids=[int],
    journal=str,
)
_GRID_ATTENDANCE = CompiledQuery(
    lambda p: (
        Attendance.objects.filter(lesson_id__in=p.lesson_ids)
        .order_by("id")
        .values_list("id", "student_id", "lesson_id", "kind", "version")
    ),
    lesson_ids=[int],
)
_GRID_FINALS = CompiledQuery(
    lambda p: (
        FinalMark.objects.filter(
            student_id__in=p.student_ids,
            subject_id=p.subject_id,
            academic_year_id=p.year_id,
            kind=FinalMarkKind.PERIOD,
            period_id=p.period_id,
        )
        .order_by("id")
        .values_list("id", "student_id", "value", "version")
    ),
    student_ids=[int],
    subject_id=int,
    year_id=int,
    period_id=int,
)


def grid_lessons(ref: JournalRef, start: dt.date, end: dt.date) -> list[LessonRecord]:
    """The journal's lessons in ``start``..``end`` (``journal_lessons``), oldest first, with the
    form of control and the number of homework tasks: the grid's columns."""
    if ref.group is not None:
        query, owner = _GRID_LESSONS_OF_GROUP, ref.group.id
    else:
        query, owner = _GRID_LESSONS_OF_CLASS, ref.class_unit.id  # type: ignore[union-attr]
    return [
        LessonRecord(
            lesson_id,
            date,
            topic,
            is_cancelled,
            period_id,
            FormRecord(form_name, form_weight) if form_id is not None else None,
            n_homework,
        )
        for (
            lesson_id,
            date,
            topic,
            is_cancelled,
            period_id,
            form_id,
            form_name,
            form_weight,
            n_homework,
        ) in query(subject_id=ref.subject.id, owner_id=owner, start=start, end=end)
    ]


class GridRow:
    """A student's row: ``by_lesson`` holds the cells that have something; ``cells`` lists one
    per column (empty ones made on demand, for exports)."""

    __slots__ = ("student", "by_lesson", "lesson_ids", "journal", "average", "suggested", "final")

    def __init__(
        self,
        student: StudentRecord,
        by_lesson: dict[int, Any],
        lesson_ids: list[int],
        journal: str,
        average: Decimal | None,
        suggested: str | None,
        final: Any,
    ) -> None:
        self.student = student
        self.by_lesson = by_lesson  # lesson id → services.Cell
        self.lesson_ids = lesson_ids
        self.journal = journal
        self.average = average
        self.suggested = suggested
        self.final = final  # services.FinalCell or None when the journal has no period marks

    @property
    def cells(self) -> list[Any]:
        from .services import Cell

        found = self.by_lesson
        sid = self.student.id
        return [found.get(lid) or Cell(lid, sid, self.journal) for lid in self.lesson_ids]


@dataclass
class Grid:
    ref: JournalRef
    period: AttestationPeriod
    periods: list[AttestationPeriod]
    journal: str
    lessons: Sequence[LessonRecord]
    rows: list[GridRow]
    with_finals: bool


_PERIOD_FIELDS = (
    "id",
    "academic_year_id",
    "scheme",
    "number",
    "start",
    "end",
    "closed_at",
    "closed_by_id",
)
_PERIODS = CompiledQuery(
    lambda p: (
        AttestationPeriod.objects.filter(academic_year_id=p.year_id, scheme=p.scheme)
        .order_by("number")
        .values_list(*_PERIOD_FIELDS)
    ),
    year_id=int,
    scheme=str,
)


def periods_for(ref: JournalRef) -> list[AttestationPeriod]:
    """The periods of the journal's scheme, with their year (the journal's) attached."""
    scheme = ref.organisation.period_scheme
    if ref.class_unit is not None and ref.class_unit.parallel.period_scheme:
        scheme = ref.class_unit.parallel.period_scheme
    periods = []
    for row in _PERIODS(year_id=ref.year.id, scheme=scheme):
        period = AttestationPeriod(**dict(zip(_PERIOD_FIELDS, row, strict=True)))
        period._state.adding = False
        period._state.db = "default"
        period.academic_year = ref.year
        periods.append(period)
    return periods


def choose_period(
    periods: list[AttestationPeriod], wanted: int | None, today: dt.date
) -> AttestationPeriod:
    for p in periods:
        if p.id == wanted:
            return p
    for p in periods:
        if p.start <= today <= p.end:
            return p
    earlier = [p for p in periods if p.end < today]
    if earlier:
        return earlier[-1]
    if periods:
        return periods[0]
    raise Http404


def journal_grid(
    ref: JournalRef,
    period: AttestationPeriod,
    periods: list[AttestationPeriod],
    journal: str = JournalKind.MAIN,
) -> Grid:
    """The class–subject–period grid with a fixed number of queries whatever the size:
    students, lessons (with homework counts), marks, attendance, period marks, averages. Every
    read is compiled once per process; the rows are plain records."""
    from .services import Cell, FinalCell

    students = roster_records(ref)
    lessons = grid_lessons(ref, period.start, period.end)
    lesson_ids = [x.id for x in lessons]
    cells: dict[int, dict[int, Cell]] = {s.id: {} for s in students}
    if lesson_ids:
        for row in _GRID_MARKS(lesson_ids=lesson_ids, journal=journal):
            mark = MarkRecord(row)
            by_lesson = cells.setdefault(mark.student_id, {})
            cell = by_lesson.get(mark.lesson_id)
            if cell is None:
                cell = by_lesson[mark.lesson_id] = Cell(mark.lesson_id, mark.student_id, journal)
            cell.marks.append(mark)
        if journal == JournalKind.MAIN:
            for row in _GRID_ATTENDANCE(lesson_ids=lesson_ids):
                att = AttendanceRecord(row)
                by_lesson = cells.setdefault(att.student_id, {})
                cell = by_lesson.get(att.lesson_id)
                if cell is None:
                    cell = by_lesson[att.lesson_id] = Cell(att.lesson_id, att.student_id, journal)
                cell.attendance = att
    with_finals = journal == JournalKind.MAIN and not ref.is_extra
    finals: dict[int, FinalRecord] = {}
    if with_finals and students:
        for row in _GRID_FINALS(
            student_ids=[s.id for s in students],
            subject_id=ref.subject.id,
            year_id=ref.year.id,
            period_id=period.id,
        ):
            final = FinalRecord(row)
            finals[final.student_id] = final
    thresholds = grading.thresholds_of(ref.organisation)
    # The main journal shows the student's main average in the subject, the very number the
    # report card, the diary and the period marks show (a class grid and its subgroups' grids
    # agree too). The homework and extra-education journals show their own average.
    shared = journal == JournalKind.MAIN and ref.counts_in_main_average
    main_averages = (
        subject_averages([s.id for s in students], period, [ref.subject.id]) if shared else {}
    )
    rows = []
    for student in students:
        own = cells[student.id]
        if shared:
            average = main_averages.get((student.id, ref.subject.id))
        else:
            average = grading.weighted_average(
                (m.points, m.weight) for c in own.values() for m in c.marks
            )
        rows.append(
            GridRow(
                student,
                own,
                lesson_ids,
                journal,
                average,
                grading.suggested_mark(average, thresholds) if with_finals else None,
                FinalCell(
                    student.id,
                    ref.subject.id,
                    FinalMarkKind.PERIOD,
                    period.id,
                    finals.get(student.id),
                )
                if with_finals
                else None,
            )
        )
    return Grid(ref, period, periods, journal, lessons, rows, with_finals)


_IS_EXTRA_GROUP = CompiledQuery(
    lambda p: (
        StudyGroup.objects.filter(pk=p.group_id, kind=StudyGroup.Kind.EXTRA)
        .order_by()
        .values_list("id")[:1]
    ),
    group_id=int,
)


def _own_average_query(p: Any, *, group: bool) -> QuerySet[Any]:
    lessons = Lesson.objects.filter(subject_id=p.subject_id, date__gte=p.start, date__lte=p.end)
    if group:
        lessons = lessons.filter(group_id=p.owner_id)
    else:
        lessons = lessons.filter(class_unit_id=p.owner_id, group__isnull=True)
    return (
        Mark.objects.filter(student_id=p.student_id, journal=p.journal, lesson__in=lessons)
        .order_by()
        .values_list("points", "weight")
    )


_OWN_AVERAGE_PARAMS: dict[str, Any] = {
    "student_id": int,
    "journal": str,
    "subject_id": int,
    "owner_id": int,
    "start": dt.date,
    "end": dt.date,
}
_OWN_AVERAGE_OF_CLASS = CompiledQuery(
    lambda p: _own_average_query(p, group=False), **_OWN_AVERAGE_PARAMS
)
_OWN_AVERAGE_OF_GROUP = CompiledQuery(
    lambda p: _own_average_query(p, group=True), **_OWN_AVERAGE_PARAMS
)


def cell_average(
    lesson: Lesson, student: Student, journal: str = JournalKind.MAIN
) -> tuple[Decimal | None, str | None]:
    """The student's average in the lesson's journal and period after a save (one query).
    Reads only the lesson's subject (with its school) and period. Compiled once per process."""
    period = lesson.period
    if period is None:
        return None, None
    extra = bool(lesson.subject.is_extra) or (
        lesson.group_id is not None and bool(_IS_EXTRA_GROUP.first(group_id=lesson.group_id))
    )
    if journal == JournalKind.MAIN and not extra:
        average = subject_averages([student.id], period, [lesson.subject_id])[
            (student.id, lesson.subject_id)
        ]
        thresholds = grading.thresholds_of(lesson.subject.organisation)
        return average, grading.suggested_mark(average, thresholds)
    owner: int | None = lesson.class_unit_id
    query = _OWN_AVERAGE_OF_CLASS
    if lesson.group_id is not None:
        query, owner = _OWN_AVERAGE_OF_GROUP, lesson.group_id
    if owner is None:  # neither a class nor a group (no such lessons are made): as before
        lessons = Lesson.objects.filter(
            subject_id=lesson.subject_id,
            date__gte=period.start,
            date__lte=period.end,
            class_unit_id=None,
            group__isnull=True,
        )
        return grading.weighted_average(
            Mark.objects.filter(
                student_id=student.id, journal=journal, lesson__in=lessons
            ).values_list("points", "weight")
        ), None
    pairs = query(
        student_id=student.id,
        journal=journal,
        subject_id=lesson.subject_id,
        owner_id=owner,
        start=period.start,
        end=period.end,
    )
    # The homework and extra-education journals: their own average, no period mark.
    return grading.weighted_average(pairs), None


# --------------------------------------------------------------------------- the class week
# The class teacher's week (reports.class_week): compiled once per process (issue 14). The
# lessons of the class and of its groups are two index-friendly SELECTs joined by UNION: the
# former «class = X OR group's class = X» made PostgreSQL scan every lesson of the week (50 ms
# on the 30-school bench, for each of two queries).


class WeekMark:
    __slots__ = ("id", "student_id", "value", "subject_id")

    def __init__(self, row: tuple[Any, ...]) -> None:
        self.id, self.student_id, self.value, self.subject_id = row


@dataclass
class ClassWeek:
    students: list[StudentRecord]
    subjects: list[Subject]
    marks: dict[tuple[int, int], list[WeekMark]]  # (student id, subject id) → oldest first


def _week_lessons_query(p: Any, *, of_groups: bool) -> QuerySet[Any]:
    lessons = Lesson.objects.filter(date__gte=p.start, date__lte=p.end)
    if of_groups:
        lessons = lessons.filter(group__class_unit_id=p.class_id)
    else:
        lessons = lessons.filter(class_unit_id=p.class_id)
    return lessons.exclude(extra_education_q()).order_by().values_list("id", "subject_id")


_WEEK_PARAMS: dict[str, Any] = {"class_id": int, "start": dt.date, "end": dt.date}
_CLASS_WEEK_STUDENTS = CompiledQuery(
    lambda p: (
        Student.objects.filter(current_class_id=p.class_id)
        .order_by("last_name", "first_name", "middle_name")
        .values_list(*_STUDENT_FIELDS)
    ),
    class_id=int,
)
_CLASS_WEEK_LESSONS = CompiledQuery(
    lambda p: (
        _week_lessons_query(p, of_groups=False)
        .union(_week_lessons_query(p, of_groups=True))
        .order_by()
    ),
    **_WEEK_PARAMS,
)
_CLASS_CURRICULUM = CompiledQuery(
    lambda p: (
        CurriculumItem.objects.filter(class_unit_id=p.class_id)
        .order_by()
        .values_list("subject_id", flat=True)
    ),
    class_id=int,
)
_WEEK_SUBJECTS = CompiledQuery(
    lambda p: (
        Subject.objects.filter(id__in=p.ids, is_extra=False)
        .order_by("name")
        .values_list(*model_columns(Subject))
    ),
    ids=[int],
)
_CLASS_WEEK_MARKS = CompiledQuery(
    lambda p: (
        main_average_marks(p.start, p.end)
        .filter(lesson_id__in=p.lesson_ids)
        .order_by("lesson__date", "id")
        .values_list("id", "student_id", "value", "lesson__subject_id")
    ),
    lesson_ids=[int],
    start=dt.date,
    end=dt.date,
)


def class_week_marks(class_id: int, monday: dt.date, sunday: dt.date) -> ClassWeek:
    """The students of a class (by name), the subjects of its curriculum and of its lessons
    that week (extra education left out, by name), and the week's main-journal marks per
    student and subject, oldest first (``main_average_marks``). Four queries."""
    students = [StudentRecord(*row) for row in _CLASS_WEEK_STUDENTS(class_id=class_id)]
    lessons = _CLASS_WEEK_LESSONS(class_id=class_id, start=monday, end=sunday)
    subject_ids = set(_CLASS_CURRICULUM(class_id=class_id)) | {subject for _id, subject in lessons}
    subjects = [
        instance_from_row(Subject, row, 0)[0] for row in _WEEK_SUBJECTS(ids=sorted(subject_ids))
    ]
    present = {s.id for s in students}
    marks: dict[tuple[int, int], list[WeekMark]] = defaultdict(list)
    lesson_ids = sorted(lesson_id for lesson_id, _subject in lessons)
    for row in _CLASS_WEEK_MARKS(lesson_ids=lesson_ids, start=monday, end=sunday):
        mark = WeekMark(row)
        if mark.student_id in present:
            marks[(mark.student_id, mark.subject_id)].append(mark)
    return ClassWeek(students, subjects, marks)


def cell_history(lesson: Lesson, student: Student, journal: str) -> list[MarkHistory]:
    what = ["mark", "comment", "work_name"]
    if journal == JournalKind.MAIN:
        what.append("attendance")
    return list(
        MarkHistory.objects.filter(lesson_id=lesson.id, student_id=student.id, what__in=what)
        .filter(Q(journal=journal) | Q(journal=""))
        .select_related("changed_by")
        .order_by("-changed_at", "-id")[:100]
    )


def final_history(
    student: Student, subject: Subject, kind: str, period: AttestationPeriod | None
) -> list[MarkHistory]:
    return list(
        MarkHistory.objects.filter(
            student_id=student.id,
            subject_id=subject.id,
            what="final",
            final_kind=kind,
            period_id=period.id if period else None,
        )
        .select_related("changed_by")
        .order_by("-changed_at", "-id")[:100]
    )


# --------------------------------------------------------------------------- figures of schools
# The aggregate figures of one or many schools — success and quality rates, average mark,
# attendance, journal timeliness — for the school administration's own report and for the
# education authority's oversight pages. Both call ``school_figures``, so an official sees
# exactly the numbers the school sees. A fixed number of queries whatever the number of
# schools, classes or students.


@dataclass(frozen=True)
class PeriodChoice:
    """Which stretch of the current school year: one attestation period of a scheme
    («2 четверть») in every school, or the whole year (``scheme`` empty)."""

    scheme: str = ""
    number: int = 0

    @property
    def whole_year(self) -> bool:
        return not self.scheme

    @property
    def key(self) -> str:
        return "year" if self.whole_year else f"{self.scheme}-{self.number}"

    @property
    def label(self) -> str:
        if self.whole_year:
            return str(_("Учебный год"))
        return AttestationPeriod(scheme=self.scheme, number=self.number).name


YEAR = PeriodChoice()


def parse_period_choice(text: Any) -> PeriodChoice | None:
    """``year`` or ``<scheme>-<number>`` («quarters-2»); anything else is None."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    if text == "year":
        return YEAR
    scheme, _sep, number = text.partition("-")
    if scheme not in PeriodScheme.values or not (number.isascii() and number.isdigit()):
        return None
    if len(number) > 2 or not 1 <= int(number) <= 12:
        return None
    return PeriodChoice(scheme, int(number))


def period_choices(
    org_ids: Iterable[int], today: dt.date
) -> tuple[list[PeriodChoice], PeriodChoice]:
    """The periods of the schools' current years, and the default one: the period most
    schools have finished last (its period marks are set), else the whole year. One query."""
    rows = list(
        AttestationPeriod.objects.filter(
            academic_year__organisation_id__in=list(org_ids), academic_year__is_current=True
        )
        .values_list("scheme", "number", "end", "academic_year__organisation_id")
        .order_by()
    )
    seen: dict[PeriodChoice, tuple[set[int], dt.date]] = {}
    for scheme, number, end, org_id in rows:
        choice = PeriodChoice(scheme, number)
        orgs, last = seen.get(choice, (set(), end))
        orgs.add(org_id)
        seen[choice] = (orgs, max(last, end))
    order = {s: i for i, s in enumerate(PeriodScheme.values)}
    choices = sorted(seen, key=lambda c: (order.get(c.scheme, 9), c.number))
    finished = [c for c in choices if seen[c][1] < today]
    default = max(finished, key=lambda c: (len(seen[c][0]), seen[c][1])) if finished else YEAR
    return [*choices, YEAR], default


@dataclass(frozen=True)
class Span:
    """What one school's figures cover: dates, the current year and the chosen period(s)."""

    organisation_id: int
    start: dt.date
    end: dt.date
    year_id: int
    period_id: int | None  # None: the whole year


def figure_spans(org_ids: Iterable[int], choice: PeriodChoice) -> dict[int, Span]:
    """Per school, the chosen period of its current year (schools without it are left out).
    One query."""
    ids = list(org_ids)
    if choice.whole_year:
        return {
            y.organisation_id: Span(y.organisation_id, y.start, y.end, y.id, None)
            for y in AcademicYear.objects.filter(organisation_id__in=ids, is_current=True)
        }
    spans: dict[int, Span] = {}
    for p in AttestationPeriod.objects.filter(
        academic_year__organisation_id__in=ids,
        academic_year__is_current=True,
        scheme=choice.scheme,
        number=choice.number,
    ).select_related("academic_year"):
        org_id = p.academic_year.organisation_id
        spans[org_id] = Span(org_id, p.start, p.end, p.academic_year_id, p.id)
    return spans


@dataclass
class Timeliness:
    lessons: int = 0
    without_topic: int = 0
    without_marks: int = 0
    late_marks: int = 0


def _key_expr(key: Any) -> Any:
    return F(key) if isinstance(key, str) else key


def timeliness_counts(
    lessons: QuerySet[Lesson], key: Any, mark_key: Any, marks: QuerySet[Mark] | None = None
) -> dict[Any, Timeliness]:
    """Per ``key`` (a field path or an expression on the lessons; ``mark_key`` the same seen
    from a mark): lessons given, lessons without a topic, lessons with no marks at all, marks
    entered after the lesson's day. Two queries. The deputy's timeliness page and the
    oversight pages count with it. ``marks``: the marks of exactly those lessons, filtered on
    the lesson's fields (faster than ``lesson__in`` over many schools); by default
    ``lesson__in=lessons``."""
    has_marks = Exists(Mark.objects.filter(lesson_id=OuterRef("pk")))
    result: dict[Any, Timeliness] = {}
    for row in (
        lessons.annotate(figure_key=_key_expr(key))
        .values("figure_key")
        .annotate(
            n=Count("id"),
            no_topic=Count("id", filter=Q(topic="")),
            no_marks=Count("id", filter=~Q(has_marks)),
        )
        .order_by()
    ):
        result[row["figure_key"]] = Timeliness(row["n"], row["no_topic"], row["no_marks"])
    for late in (
        (marks if marks is not None else Mark.objects.filter(lesson__in=lessons))
        .filter(created_at__date__gt=F("lesson__date"))
        .annotate(figure_key=_key_expr(mark_key))
        .values("figure_key")
        .annotate(n=Count("id"))
        .order_by()
    ):
        result.setdefault(late["figure_key"], Timeliness()).late_marks = late["n"]
    return result


FIGURE_LEVELS = ("school", "parallel", "class", "subject")
# Where a student-based row (a mark, an attendance, a final mark, an achievement) belongs.
STUDENT_KEYS = {
    "school": "student__organisation_id",
    "parallel": "student__current_class__parallel__grade",
    "class": "student__current_class_id",
}
MISSED_KINDS = (AttendanceKind.ABSENT, AttendanceKind.ILL, AttendanceKind.EXCUSED)
EXCUSED_KINDS = (AttendanceKind.ILL, AttendanceKind.EXCUSED)
_FINAL_VALUES = tuple(FinalMarkValue.values)


@dataclass
class Figures:
    """One row of a school report: a school, a parallel (key: the grade), a class or a
    subject. Rates in percent, exact (templates round); the average is Σ(mark × weight) /
    Σ(weight) over all the marks of the five-point scale of the row."""

    counted: int = 0  # students in the rates' denominator
    success: Decimal | None = None
    quality: Decimal | None = None
    average: Decimal | None = None
    missed: int = 0  # lessons missed (н, б, у)
    excused: int = 0  # of them for a good reason (б, у)
    lessons: int = 0
    without_topic: int = 0
    without_marks: int = 0
    late_marks: int = 0
    achievements_added: int = 0
    achievements_confirmed: int = 0


def _lesson_key(level: str, prefix: str = "") -> Any:
    if level == "school":
        return f"{prefix}subject__organisation_id"
    if level == "subject":
        return f"{prefix}subject_id"
    if level == "parallel":
        return Coalesce(
            f"{prefix}class_unit__parallel__grade", f"{prefix}group__class_unit__parallel__grade"
        )
    return Coalesce(f"{prefix}class_unit_id", f"{prefix}group__class_unit_id")


def _student_key(level: str, subject_path: str) -> str:
    return subject_path if level == "subject" else STUDENT_KEYS[level]


def _span_q(
    spans: Iterable[Span], org_path: str, date_path: str, until: dt.date | None = None
) -> Q:
    """Rows of each school within its own dates. Schools sharing the same dates (a region's
    calendar usually) make one ``IN`` condition: thirty OR-ed ranges cost the planner."""
    by_dates: dict[tuple[dt.date, dt.date], list[int]] = defaultdict(list)
    for s in spans:
        end = min(s.end, until) if until is not None else s.end
        by_dates[(s.start, end)].append(s.organisation_id)
    q = Q(pk__in=[])
    for (start, end), org_ids in by_dates.items():
        q |= Q(**{f"{org_path}__in": org_ids, f"{date_path}__gte": start, f"{date_path}__lte": end})
    return q


def _rates_by_key(spans: list[Span], level: str, class_id: int | None) -> dict[Any, grading.Rates]:
    """Success and quality per row over each student's result: in a period the period mark,
    over the year the final, else the year, else the latest period mark; over several
    subjects ``grading.student_result``. One query."""
    marks = FinalMark.objects.all()
    if class_id is not None:
        marks = marks.filter(student__current_class_id=class_id)
    key = _student_key(level, "subject_id")
    values: dict[Any, list[str | None]] = defaultdict(list)
    if spans[0].period_id is not None:
        marks = marks.filter(kind=FinalMarkKind.PERIOD, period_id__in=[s.period_id for s in spans])
        if level == "subject":
            for row in marks.values("subject_id", "value").annotate(n=Count("id")).order_by():
                values[row["subject_id"]] += [row["value"]] * row["n"]
        else:
            counts = {f"n{i}": Count("id", filter=Q(value=v)) for i, v in enumerate(_FINAL_VALUES)}
            student_rows: Any = (
                marks.annotate(figure_key=F(key))
                .values("student_id", "figure_key")
                .annotate(**counts)
                .order_by()
            )
            for one in student_rows:
                own = [v for i, v in enumerate(_FINAL_VALUES) for _n in range(one[f"n{i}"])]
                values[one["figure_key"]].append(grading.student_result(own))
        return {k: grading.rates(v) for k, v in values.items()}
    # The whole year: each student's result in each subject first.
    cells: dict[tuple[int, int], dict[str, Any]] = {}
    where: dict[int, Any] = {}
    for student_id, figure_key, subject_id, kind, number, value in (
        marks.filter(academic_year_id__in=[s.year_id for s in spans])
        .annotate(figure_key=F(key))
        .values_list("student_id", "figure_key", "subject_id", "kind", "period__number", "value")
        .order_by()
    ):
        cell = cells.setdefault((student_id, subject_id), {"periods": {}, "year": "", "final": ""})
        if kind == FinalMarkKind.PERIOD and number is not None:
            cell["periods"][number] = value
        elif kind in (FinalMarkKind.YEAR, FinalMarkKind.FINAL):
            cell[kind] = value
        where[student_id] = figure_key
    per_student: dict[int, list[str | None]] = defaultdict(list)
    for (student_id, subject_id), cell in cells.items():
        result = grading.subject_result(cell["final"], cell["year"], cell["periods"])
        if level == "subject":
            values[subject_id].append(result)
        else:
            per_student[student_id].append(result)
    for student_id, results in per_student.items():
        values[where[student_id]].append(grading.student_result(results))
    return {k: grading.rates(v) for k, v in values.items()}


def school_figures(
    spans: dict[int, Span], level: str, today: dt.date, class_id: int | None = None
) -> dict[Any, Figures]:
    """The figures of the schools in ``spans`` (see ``figure_spans``) per ``level``: per
    school (key: organisation id), parallel (grade), class (class id) or subject (subject id),
    optionally within one class. Five queries whatever the number of schools. Today's lessons
    are not judged for timeliness yet (as on the deputy's page)."""
    if level not in FIGURE_LEVELS:
        raise ValueError(level)
    spans_list = list(spans.values())
    result: dict[Any, Figures] = defaultdict(Figures)
    if not spans_list:
        return result
    for k, r in _rates_by_key(spans_list, level, class_id).items():
        f = result[k]
        f.counted, f.success, f.quality = r.counted, r.success, r.quality

    student_key = _student_key(level, "lesson__subject_id")
    start = min(s.start for s in spans_list)
    end = max(s.end for s in spans_list)
    marks = main_average_marks(start, end).filter(
        _span_q(spans_list, "student__organisation_id", "lesson__date"), points__isnull=False
    )
    attendance = Attendance.objects.filter(
        _span_q(spans_list, "student__organisation_id", "lesson__date")
    )
    yesterday = today - dt.timedelta(days=1)
    lessons = Lesson.objects.filter(
        _span_q(spans_list, "subject__organisation_id", "date", yesterday), is_cancelled=False
    )
    # The marks of exactly these lessons, for «entered late».
    lesson_marks = Mark.objects.filter(
        _span_q(spans_list, "lesson__subject__organisation_id", "lesson__date", yesterday),
        lesson__is_cancelled=False,
    )
    if class_id is not None:
        marks = marks.filter(student__current_class_id=class_id)
        attendance = attendance.filter(student__current_class_id=class_id)
        lessons = lessons.filter(of_classes(class_id))
        lesson_marks = lesson_marks.filter(of_classes(class_id, prefix="lesson__"))
    for row in (
        marks.annotate(figure_key=F(student_key))
        .values("figure_key")
        .annotate(total=Sum(F("points") * F("weight")), weights=Sum("weight"))
        .order_by()
    ):
        result[row["figure_key"]].average = grading.average_from_sums(row["total"], row["weights"])
    for absent in (
        attendance.annotate(figure_key=F(student_key))
        .values("figure_key")
        .annotate(
            missed=Count("id", filter=Q(kind__in=MISSED_KINDS)),
            excused=Count("id", filter=Q(kind__in=EXCUSED_KINDS)),
        )
        .order_by()
    ):
        f = result[absent["figure_key"]]
        f.missed, f.excused = absent["missed"], absent["excused"]
    counts = timeliness_counts(
        lessons, _lesson_key(level), _lesson_key(level, "lesson__"), lesson_marks
    )
    for k, t in counts.items():
        f = result[k]
        f.lessons, f.without_topic = t.lessons, t.without_topic
        f.without_marks, f.late_marks = t.without_marks, t.late_marks
    result.pop(None, None)
    return result
