"""Reads of the diary (D1–D9, F2): everything a student or a parent looks at, shaped for one
page each with a fixed number of queries.

All averaging goes through ``shkola.journal.grading``. Where the database sums Σ(points ×
weight) and Σ(weight) for many students at once, ``grading.average_from_sums`` is the one place that
turns those sums into an average."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncWeek

from shkola.core.compiled import CompiledQuery, instance_from_row, model_columns
from shkola.core.navigation import address_with_id
from shkola.core.templatetags.shkola import mark_class
from shkola.journal import grading
from shkola.journal import selectors as journal_selectors
from shkola.journal.models import (
    Attendance,
    AttendanceKind,
    FinalMark,
    FinalMarkKind,
    Homework,
    HomeworkFile,
    JournalKind,
    Mark,
    Remark,
)
from shkola.schools.models import (
    AcademicYear,
    AttestationPeriod,
    ClassUnit,
    Enrolment,
    Holiday,
    SchoolEvent,
    Student,
    StudyGroup,
    Subject,
)
from shkola.schools.selectors import holidays_of, next_holiday
from shkola.timetable.models import BellSlot, Lesson, TimetableEntry

ATTENDANCE_LABELS = dict(AttendanceKind.choices)  # lazy: translated when rendered
# Attendance kinds that mean the lesson was missed; «оп» (late) is not a missed lesson.
MISSED_KINDS = ("н", "б", "у")


# --------------------------------------------------------------------------- helpers

# The hot reads are compiled once per process (``core.compiled``). A student without a class
# or a year asks for id 0 and every list of groups starts with group 0: no such rows exist,
# and the SQL keeps one shape.
NO_ID = 0


def grade_of(student: Student) -> int | None:
    cu = student.current_class
    return cu.parallel.grade if cu is not None else None


def year_id_of(student: Student) -> int | None:
    cu = student.current_class
    return cu.parallel.academic_year_id if cu is not None else None


def scheme_of(student: Student) -> str:
    cu = student.current_class
    if cu is not None and cu.parallel.period_scheme:
        return cu.parallel.period_scheme
    return student.organisation.period_scheme


_GROUP_IDS = CompiledQuery(
    lambda p: StudyGroup.students.through.objects.filter(student_id=p.student).values_list(
        "studygroup_id", flat=True
    ),
    student=int,
)


def group_ids_of(student: Student) -> list[int]:
    return _GROUP_IDS(student=student.id)


def student_lessons(student: Student, *, with_marked_cancelled: bool = False) -> QuerySet[Lesson]:
    """Lessons the student attends: whole-class lessons and their groups'. The group ids are
    read first (one small query) so PostgreSQL can combine the (class, date) and (group, date)
    indexes instead of scanning every lesson of the school in the date range.

    Lessons a timetable change flagged cancelled are left out — except, with
    ``with_marked_cancelled``, those where the student has a main-journal mark: such a mark
    counts in the average (``journal.selectors.main_average_marks``), so its lesson is shown."""
    q = Q(group_id__in=group_ids_of(student))
    if student.current_class_id:
        q |= Q(class_unit_id=student.current_class_id, group__isnull=True)
    held = Q(is_cancelled=False)
    if with_marked_cancelled:
        held |= Q(
            Exists(
                Mark.objects.filter(
                    lesson_id=OuterRef("pk"), student_id=student.id, journal=JournalKind.MAIN
                )
            )
        )
    return Lesson.objects.filter(q, held)


EXTRA_Q = journal_selectors.extra_education_q("lesson__")


# --------------------------------------------------------------------------- periods


@dataclass
class PeriodChoice:
    periods: list[AttestationPeriod]
    current: AttestationPeriod | None
    error: str = ""
    # the years the student had a class in (``?year=`` switches to a past one)
    years: list[AcademicYear] = field(default_factory=list)
    year: AcademicYear | None = None


# The period's columns, then its year's (``core.compiled.model_columns``).
_PERIOD_COLUMNS = [
    *model_columns(AttestationPeriod),
    *model_columns(AcademicYear, "academic_year__"),
]
_YEAR_ID = model_columns(AcademicYear).index("id")


def _student_years_periods(p: Any) -> QuerySet[Any]:
    class_ids = Enrolment.objects.filter(student_id=p.student, class_unit__isnull=False).values(
        "class_unit_id"
    )
    years = AcademicYear.objects.filter(Q(parallels__class_units__id__in=class_ids) | Q(id=p.year))
    return (
        AttestationPeriod.objects.filter(academic_year__in=years)
        .order_by("-academic_year__start", "number")
        .values_list(*_PERIOD_COLUMNS)
    )


_STUDENT_PERIODS = CompiledQuery(_student_years_periods, student=int, year=int)


def _periods_of_student_years(student: Student) -> list[AttestationPeriod]:
    """Every period of the years of the student's education history in which they had a
    class, and of the current one, with their year: the year switch and the current year's
    periods come from this one query. Compiled once per process; the rows become the same
    model instances ``select_related("academic_year")`` gave (every page passes them on)."""
    years: dict[int, AcademicYear] = {}
    periods = []
    for row in _STUDENT_PERIODS(student=student.id, year=year_id_of(student) or NO_ID):
        period, at = instance_from_row(AttestationPeriod, row, 0)
        year = years.get(row[at + _YEAR_ID])
        if year is None:
            year, _end = instance_from_row(AcademicYear, row, at)
            years[year.id] = year
        period.academic_year = year
        periods.append(period)
    return periods


def _past_year_periods(
    student: Student,
    year: AcademicYear,
    wanted: str | None,
    years: list[AcademicYear],
    today: dt.date,
) -> PeriodChoice:
    """A past year, read-only: its periods in the scheme of the class the student was in."""
    was_in = (
        Enrolment.objects.filter(student_id=student.id, class_unit__parallel__academic_year=year)
        .select_related("class_unit__parallel")
        .order_by("-date", "-id")
        .first()
    )
    scheme = student.organisation.period_scheme
    if was_in is not None and was_in.class_unit is not None:
        scheme = was_in.class_unit.parallel.period_scheme or scheme
    periods = list(
        AttestationPeriod.objects.filter(academic_year=year, scheme=scheme).order_by("number")
    )
    current = next((p for p in periods if str(p.id) == (wanted or "")), None)
    if current is None:
        # the period running today, else the latest one already over: a year closed early
        # has no marks in its future periods
        started = [p for p in periods if p.start <= today]
        current = started[-1] if started else (periods[0] if periods else None)
    return PeriodChoice(periods, current, "", years, year)


def periods_for(
    student: Student, wanted: str | None, today: dt.date, wanted_year: str | None = None
) -> PeriodChoice:
    """The periods of the student's year and the chosen one (``?period=``), else the one
    running today (or just finished, during holidays). ``?year=`` shows a past year."""
    year_id = year_id_of(student)
    every = _periods_of_student_years(student)
    years = list({p.academic_year_id: p.academic_year for p in every}.values())
    chosen_year = next((y for y in years if str(y.id) == (wanted_year or "")), None)
    if chosen_year is not None and chosen_year.id != year_id:
        return _past_year_periods(student, chosen_year, wanted, years, today)
    if year_id is None:
        return PeriodChoice([], None, years=years)
    scheme = scheme_of(student)
    periods = [p for p in every if p.academic_year_id == year_id and p.scheme == scheme]
    error = ""
    if wanted:
        for period in periods:
            if str(period.id) == wanted:
                return PeriodChoice(periods, period)
        error = "Период: такого аттестационного периода нет, показан текущий."
    current = None
    for period in periods:
        if period.start <= today <= period.end:
            current = period
    if current is None:
        earlier = [p for p in periods if p.end < today]
        current = earlier[-1] if earlier else (periods[0] if periods else None)
    current_year = next((y for y in years if y.id == year_id), None)
    return PeriodChoice(periods, current, error, years, current_year)


# --------------------------------------------------------------------------- D1 week


@dataclass
class HomeworkItem:
    text: str
    files: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class MarkView:
    """A mark as the week page shows it: the popover text is ready, so the hot template
    does no lookups of its own."""

    value: str
    css: str
    title: str  # the form of control
    note: str  # work name and comment; a marker and a popover when set


@dataclass
class DiaryLesson:
    """One lesson of the week, read as plain rows (``CompiledQuery``): the week page is the
    busiest page of the system and model instances for every related row cost more than the
    page itself."""

    id: int
    date: dt.date
    number: int
    subject: str
    room: str
    topic: str
    marks: list[MarkView] = field(default_factory=list)
    attendance: str | None = None  # «н», «б», «у», «оп»
    attendance_label: Any = ""
    homework: list[HomeworkItem] = field(default_factory=list)
    time: str = ""
    teacher: str = ""
    test_form: str = ""
    is_cancelled: bool = False  # dropped by a timetable change, kept for the marks it has
    is_substitution: bool = False  # «замена»: another teacher, subject or room for this day


def mark_view(value: str, work_name: str, comment: str, form_name: str | None) -> MarkView:
    note = ". ".join(p for p in (work_name, comment) if p)
    return MarkView(value, mark_class(value), form_name or "", note)


class HolidayRecord:
    """A holiday as the diary shows it (name and dates), read as a plain row."""

    __slots__ = ("id", "name", "start", "end", "grades")

    def __init__(self, id: int, name: str, start: dt.date, end: dt.date, grades: Any) -> None:
        self.id, self.name, self.start, self.end, self.grades = id, name, start, end, grades

    def applies_to_grade(self, grade: int | None) -> bool:
        return not self.grades or grade is None or grade in self.grades

    def __str__(self) -> str:
        return self.name


@dataclass
class DiaryDay:
    date: dt.date
    is_today: bool
    holiday: HolidayRecord | None
    lessons: list[DiaryLesson]


@dataclass
class DiaryWeek:
    monday: dt.date
    sunday: dt.date
    days: list[DiaryDay]
    prev_monday: dt.date
    next_monday: dt.date
    is_current: bool


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _held_or_marked(student: Any) -> Q:
    """``student_lessons(with_marked_cancelled=True)``'s condition on the lesson."""
    return Q(is_cancelled=False) | Q(
        Exists(
            Mark.objects.filter(
                lesson_id=OuterRef("pk"), student_id=student, journal=JournalKind.MAIN
            )
        )
    )


def _attended(groups: Any, class_id: Any) -> Q:
    return Q(group_id__in=groups) | Q(class_unit_id=class_id, group__isnull=True)


_WEEK_LESSONS = CompiledQuery(
    lambda p: (
        Lesson.objects.filter(_attended(p.groups, p.class_id), _held_or_marked(p.student))
        .filter(date__gte=p.start, date__lte=p.end)
        .annotate(
            bell_start=Subquery(
                BellSlot.objects.filter(
                    organisation_id=p.org, number=OuterRef("lesson_number")
                ).values("start")[:1]
            ),
            bell_end=Subquery(
                BellSlot.objects.filter(
                    organisation_id=p.org, number=OuterRef("lesson_number")
                ).values("end")[:1]
            ),
            attendance_kind=Subquery(
                Attendance.objects.filter(lesson=OuterRef("pk"), student_id=p.student).values(
                    "kind"
                )[:1]
            ),
        )
        .order_by("date", "lesson_number")
        .values_list(
            "id",
            "date",
            "lesson_number",
            "topic",
            "subject__name",
            "room__name",
            "teacher_id",
            "teacher__last_name",
            "teacher__first_name",
            "teacher__middle_name",
            "control_form__name",
            "control_form__is_test",
            "bell_start",
            "bell_end",
            "attendance_kind",
            "is_cancelled",
            "is_substitution",
        )
    ),
    groups=[int],
    class_id=int,
    student=int,
    org=int,
    start=dt.date,
    end=dt.date,
)

_WEEK_MARKS = CompiledQuery(
    lambda p: (
        Mark.objects.filter(
            student_id=p.student,
            journal=JournalKind.MAIN,
            lesson__date__gte=p.start,
            lesson__date__lte=p.end,
        )
        .order_by("id")
        .values_list("lesson_id", "value", "work_name", "comment", "control_form__name")
    ),
    student=int,
    start=dt.date,
    end=dt.date,
)

_HOMEWORK = CompiledQuery(
    lambda p: (
        Homework.objects.filter(lesson_id__in=p.lessons)
        .filter(Q(student__isnull=True) | Q(student_id=p.student))
        .order_by("id", "files__id")
        .values_list("id", "lesson_id", "text", "files__id", "files__name", "files__size")
    ),
    lessons=[int],
    student=int,
)

_HOLIDAYS = CompiledQuery(
    lambda p: (
        Holiday.objects.filter(
            academic_year__organisation_id=p.org, start__lte=p.end, end__gte=p.start
        )
        .order_by("start", "id")
        .values_list("id", "name", "start", "end", "grades")
    ),
    org=int,
    start=dt.date,
    end=dt.date,
)


def holidays_between(organisation_id: int, start: dt.date, end: dt.date) -> list[HolidayRecord]:
    """Holidays of the school's years that overlap ``start``..``end``, in order."""
    return [HolidayRecord(*row) for row in _HOLIDAYS(org=organisation_id, start=start, end=end)]


def homework_by_lesson(student: Student, lesson_ids: list[int]) -> dict[int, list[HomeworkItem]]:
    """Homework of the lessons (for the class or for this student) with its files, one query."""
    result: dict[int, list[HomeworkItem]] = defaultdict(list)
    if not lesson_ids:
        return result
    head, tail = address_with_id("diary:homework_file")
    by_id: dict[int, HomeworkItem] = {}
    for hw_id, lesson_id, text, file_id, file_name, file_size in _HOMEWORK(
        lessons=sorted(lesson_ids), student=student.id
    ):
        item = by_id.get(hw_id)
        if item is None:
            item = by_id[hw_id] = HomeworkItem(text=text)
            result[lesson_id].append(item)
        if file_id:
            item.files.append(
                {
                    "id": file_id,
                    "url": f"{head}{file_id}{tail}",
                    "name": file_name,
                    "size": file_size,
                }
            )
    return result


def _short_name(last: str, first: str, middle: str) -> str:
    """``User.short_name`` of a User built from the three names only (no username), as the
    page always showed it, without building the User."""
    initials = "".join(f"{p[0]}." for p in (first, middle) if p)
    return f"{last} {initials}".strip()


def diary_week(student: Student, monday: dt.date, today: dt.date) -> DiaryWeek:
    monday = monday_of(monday)
    saturday = monday + dt.timedelta(days=5)
    sunday = monday + dt.timedelta(days=6)
    rows: dict[int, DiaryLesson] = {}
    teachers: dict[int, str] = {}
    for (
        lesson_id,
        date,
        number,
        topic,
        subject,
        room,
        teacher_id,
        last,
        first,
        middle,
        form,
        is_test,
        start,
        end,
        attendance,
        is_cancelled,
        is_substitution,
    ) in _WEEK_LESSONS(
        groups=[NO_ID, *group_ids_of(student)],
        class_id=student.current_class_id or NO_ID,
        student=student.id,
        org=student.organisation_id,
        start=monday,
        end=saturday,
    ):
        teacher = teachers.get(teacher_id)
        if teacher is None:
            teacher = teachers[teacher_id] = _short_name(last, first, middle)
        rows[lesson_id] = DiaryLesson(
            id=lesson_id,
            date=date,
            number=number,
            subject=subject,
            room=room or "",
            topic=topic,
            time=f"{start:%H:%M}–{end:%H:%M}" if start and end else "",
            teacher=teacher,
            test_form=form if is_test else "",
            attendance=attendance,
            attendance_label=ATTENDANCE_LABELS.get(attendance, ""),
            is_cancelled=is_cancelled,
            is_substitution=is_substitution,
        )
    for lesson_id, value, work_name, comment, form_name in _WEEK_MARKS(
        student=student.id, start=monday, end=saturday
    ):
        if lesson_id in rows:
            rows[lesson_id].marks.append(mark_view(value, work_name, comment, form_name))
    for lesson_id, items in homework_by_lesson(student, list(rows)).items():
        rows[lesson_id].homework = items
    grade = grade_of(student)
    holidays = [
        h
        for h in holidays_between(student.organisation_id, monday, saturday)
        if h.applies_to_grade(grade)
    ]
    by_day: dict[dt.date, list[DiaryLesson]] = defaultdict(list)
    for row in rows.values():
        by_day[row.date].append(row)
    days = []
    for offset in range(6):
        day = monday + dt.timedelta(days=offset)
        if offset == 5 and not by_day.get(day):
            continue  # Saturday only for six-day schools
        days.append(
            DiaryDay(
                date=day,
                is_today=day == today,
                holiday=next((h for h in holidays if h.start <= day <= h.end), None),
                lessons=by_day.get(day, []),
            )
        )
    return DiaryWeek(
        monday=monday,
        sunday=sunday,
        days=days,
        prev_monday=monday - dt.timedelta(days=7),
        next_monday=monday + dt.timedelta(days=7),
        is_current=monday == monday_of(today),
    )


# --------------------------------------------------------------------------- D2 report card


@dataclass
class LessonDate:
    lesson: Any  # Lesson, or CardLesson on the report card
    marks: list[Any]  # Mark, or CardMark on the report card


@dataclass
class SubjectForecast:
    """«Что нужно для…» of one subject: ``grading.forecast`` and its sentences."""

    forecast: grading.Forecast
    lines: list[str]
    note: str  # the one sentence without lines («no marks yet»), else ""

    @property
    def shown(self) -> bool:
        return bool(self.lines or self.note)


def subject_forecast(
    *,
    marks: Iterable[tuple[int | None, int, str | None, int]],
    lessons: Iterable[tuple[int, dt.date, bool, str | None, int | None]],
    period: AttestationPeriod,
    today: dt.date,
    thresholds: tuple[Decimal, Decimal, Decimal],
) -> SubjectForecast:
    """The forecast of one subject from what the pages already read.

    ``marks``: (points, weight, form name, lesson id) of the student's marks in the subject
    that count in the average; ``lessons``: (id, date, cancelled, form name, form weight) of the
    subject's lessons of the period for the student. Lessons left = lessons not cancelled
    after today, and today's lessons where the student has no mark yet (a mark can be given
    on the day of the lesson, ``journal.services.refuse_future_lesson``)."""
    marks = list(marks)
    marked = {lesson_id for *_, lesson_id in marks}
    left = 0
    forms: set[tuple[str, int]] = set()
    for lesson_id, date, cancelled, form, weight in lessons:
        if form:
            forms.add((form, weight or 1))
        if not cancelled and (date > today or (date == today and lesson_id not in marked)):
            left += 1
    fc = grading.forecast(
        marks=[(points, weight, form or "") for points, weight, form, _ in marks],
        forms=sorted(forms),
        lessons_left=left,
        thresholds=thresholds,
        ended=today > period.end,
        closed=period.is_closed,
    )
    return SubjectForecast(
        fc,
        [grading.forecast_line_text(line, period.scheme) for line in fc.lines],
        grading.forecast_status_text(fc),
    )


@dataclass
class SubjectRow:
    subject: Any  # Subject, or CardSubject on the report card
    marks: list[Any] = field(default_factory=list)  # Mark, or CardMark on the report card
    dates: list[LessonDate] = field(default_factory=list)
    average: Decimal | None = None
    suggested: str | None = None
    forecast: SubjectForecast | None = None

    @property
    def works(self) -> list[Any]:
        return [m for m in self.marks if m.work_name or m.comment]

    @property
    def average2(self) -> Decimal | None:
        return grading.quantize2(self.average)


def _rows_from(
    lessons: list[Any],
    marks: list[Any],
    organisation: Any,
    forecast_for: tuple[AttestationPeriod, dt.date] | None = None,
) -> list[SubjectRow]:
    rows: dict[int, SubjectRow] = {}
    marks_by_lesson: dict[int, list[Mark]] = defaultdict(list)
    for mark in marks:
        marks_by_lesson[mark.lesson_id].append(mark)
        row = rows.get(mark.lesson.subject_id)
        if row is None:
            row = rows[mark.lesson.subject_id] = SubjectRow(subject=mark.lesson.subject)
        row.marks.append(mark)
    for lesson in lessons:
        row = rows.get(lesson.subject_id)
        if row is None:
            row = rows[lesson.subject_id] = SubjectRow(subject=lesson.subject)
        row.dates.append(LessonDate(lesson, marks_by_lesson.get(lesson.id, [])))
    thresholds = grading.thresholds_of(organisation)
    for row in rows.values():
        row.average = grading.weighted_average((m.points, m.weight) for m in row.marks)
        row.suggested = grading.suggested_mark(row.average, thresholds)
        if forecast_for is not None:
            period, today = forecast_for
            row.forecast = subject_forecast(
                marks=(
                    (m.points, m.weight, m.control_form.name if m.control_form else "", m.lesson_id)
                    for m in row.marks
                ),
                lessons=(
                    (
                        d.lesson.id,
                        d.lesson.date,
                        d.lesson.is_cancelled,
                        d.lesson.control_form.name if d.lesson.control_form else None,
                        d.lesson.control_form.weight if d.lesson.control_form else None,
                    )
                    for d in row.dates
                ),
                period=period,
                today=today,
                thresholds=thresholds,
            )
    return sorted(rows.values(), key=lambda r: r.subject.name)


def _period_marks(student: Student, period: AttestationPeriod, journal: str) -> QuerySet[Mark]:
    return (
        Mark.objects.filter(
            student_id=student.id,
            journal=journal,
            lesson__date__gte=period.start,
            lesson__date__lte=period.end,
        )
        .select_related("lesson__subject", "lesson__group", "control_form")
        .order_by("lesson__date", "lesson__lesson_number", "id")
    )


def _period_lessons(student: Student, period: AttestationPeriod) -> QuerySet[Lesson]:
    return (
        student_lessons(student, with_marked_cancelled=True)
        .filter(date__gte=period.start, date__lte=period.end)
        .select_related("subject", "group", "control_form")
        .order_by("date", "lesson_number")
    )


# The report card reads plain rows (``CompiledQuery``) into these small records; they carry
# the attributes the page, the API and the Excel export read from the models they replace.


class CardSubject:
    __slots__ = ("id", "name")

    def __init__(self, id: int, name: str) -> None:
        self.id, self.name = id, name

    def __str__(self) -> str:
        return self.name


class CardForm:
    """A form of control (its name and weight)."""

    __slots__ = ("id", "name", "weight")

    def __init__(self, id: int, name: str, weight: int) -> None:
        self.id, self.name, self.weight = id, name, weight

    def __str__(self) -> str:
        return self.name


class CardLesson:
    __slots__ = ("id", "date", "topic", "is_cancelled", "subject_id", "subject", "control_form")

    def __init__(
        self,
        id: int,
        date: dt.date,
        topic: str,
        is_cancelled: bool,
        subject: CardSubject,
        control_form: CardForm | None,
    ) -> None:
        self.id, self.date, self.topic, self.is_cancelled = id, date, topic, is_cancelled
        self.subject_id, self.subject, self.control_form = subject.id, subject, control_form


class CardMark:
    __slots__ = (
        "id",
        "value",
        "points",
        "weight",
        "work_name",
        "comment",
        "control_form_id",
        "control_form",
        "lesson_id",
        "lesson",
    )

    def __init__(
        self,
        id: int,
        value: str,
        points: int | None,
        weight: int,
        work_name: str,
        comment: str,
        control_form: CardForm | None,
        lesson: CardLesson,
    ) -> None:
        self.id, self.value, self.points, self.weight = id, value, points, weight
        self.work_name, self.comment = work_name, comment
        self.control_form_id = control_form.id if control_form is not None else None
        self.control_form = control_form
        self.lesson_id, self.lesson = lesson.id, lesson


_CARD_LESSONS = CompiledQuery(
    lambda p: (
        Lesson.objects.filter(_attended(p.groups, p.class_id), _held_or_marked(p.student))
        .filter(date__gte=p.start, date__lte=p.end)
        .exclude(journal_selectors.extra_education_q())
        .order_by("date", "lesson_number")
        .values_list(
            "id",
            "date",
            "topic",
            "is_cancelled",
            "subject_id",
            "subject__name",
            "control_form_id",
            "control_form__name",
            "control_form__weight",
        )
    ),
    groups=[int],
    class_id=int,
    student=int,
    start=dt.date,
    end=dt.date,
)

_CARD_MARKS = CompiledQuery(
    lambda p: (
        journal_selectors.main_average_marks(p.start, p.end)
        .filter(student_id=p.student)
        .order_by("lesson__date", "lesson__lesson_number", "id")
        .values_list(
            "id",
            "value",
            "points",
            "weight",
            "work_name",
            "comment",
            "control_form_id",
            "control_form__name",
            "control_form__weight",
            "lesson_id",
            "lesson__date",
            "lesson__topic",
            "lesson__is_cancelled",
            "lesson__subject_id",
            "lesson__subject__name",
            "lesson__control_form_id",
            "lesson__control_form__name",
            "lesson__control_form__weight",
        )
    ),
    student=int,
    start=dt.date,
    end=dt.date,
)


class _Records:
    """One record per id within a report card, so equal rows share their objects."""

    def __init__(self) -> None:
        self.subjects: dict[int, CardSubject] = {}
        self.forms: dict[int, CardForm] = {}
        self.lessons: dict[int, CardLesson] = {}

    def subject(self, id: int, name: str) -> CardSubject:
        found = self.subjects.get(id)
        if found is None:
            found = self.subjects[id] = CardSubject(id, name)
        return found

    def form(self, id: int | None, name: str | None, weight: int | None) -> CardForm | None:
        if id is None:
            return None
        found = self.forms.get(id)
        if found is None:
            found = self.forms[id] = CardForm(id, name or "", weight or 1)
        return found

    def lesson(self, row: tuple[Any, ...]) -> CardLesson:
        id, date, topic, cancelled, subject_id, subject, form_id, form, weight = row
        found = self.lessons.get(id)
        if found is None:
            found = self.lessons[id] = CardLesson(
                id,
                date,
                topic,
                cancelled,
                self.subject(subject_id, subject),
                self.form(form_id, form, weight),
            )
        return found


def report_card(
    student: Student, period: AttestationPeriod, *, today: dt.date | None = None
) -> list[SubjectRow]:
    """«Табель успеваемости»: per subject of the main curriculum, every mark of the period in
    order, the weighted average and the lesson dates. The marks are
    ``journal.selectors.main_average_marks``, the same the journal and every other page
    average; a lesson later flagged cancelled keeps its date here when it carries a mark.

    With ``today``, each row also gets its forecast (``subject_forecast``), from the marks
    and lessons already read: no query more. Subjects, lessons, forms and marks are plain
    records (``CardSubject``, ``CardLesson``, ``CardForm``, ``CardMark``)."""
    records = _Records()
    lessons = [
        records.lesson(row)
        for row in _CARD_LESSONS(
            groups=[NO_ID, *group_ids_of(student)],
            class_id=student.current_class_id or NO_ID,
            student=student.id,
            start=period.start,
            end=period.end,
        )
    ]
    marks = [
        CardMark(
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            row[5],
            records.form(row[6], row[7], row[8]),
            records.lesson(row[9:]),
        )
        for row in _CARD_MARKS(student=student.id, start=period.start, end=period.end)
    ]
    return _rows_from(
        lessons,
        marks,
        student.organisation,
        (period, today) if today is not None else None,
    )


@dataclass
class ExtraRow:
    subject: Subject
    marks: list[Mark] = field(default_factory=list)
    absences: list[Attendance] = field(default_factory=list)


def extra_journal(student: Student, period: AttestationPeriod) -> list[ExtraRow]:
    """«Журнал ДО»: marks and absences of clubs and extra-education groups."""
    rows: dict[int, ExtraRow] = {}
    for mark in _period_marks(student, period, JournalKind.MAIN).filter(EXTRA_Q):
        subject = mark.lesson.subject
        rows.setdefault(subject.id, ExtraRow(subject)).marks.append(mark)
    absences = (
        Attendance.objects.filter(
            EXTRA_Q,
            student_id=student.id,
            lesson__date__gte=period.start,
            lesson__date__lte=period.end,
        )
        .select_related("lesson__subject")
        .order_by("lesson__date", "lesson__lesson_number")
    )
    for att in absences:
        subject = att.lesson.subject
        rows.setdefault(subject.id, ExtraRow(subject)).absences.append(att)
    return sorted(rows.values(), key=lambda r: r.subject.name)


def homework_journal(student: Student, period: AttestationPeriod) -> list[SubjectRow]:
    """Marks of the separate homework journal; they never enter the main average, so no
    suggested mark is given for them."""
    rows = _rows_from([], list(_period_marks(student, period, JournalKind.HOMEWORK)), None)
    for row in rows:
        row.suggested = None
    return rows


# --------------------------------------------------------------------------- D3 final marks


@dataclass
class FinalRow:
    subject: Subject
    periods: dict[int, str] = field(default_factory=dict)
    year: str = ""
    exam: str = ""
    final: str = ""
    cells: list[str] = field(default_factory=list)


@dataclass
class FinalMarks:
    years: list[AcademicYear]
    year: AcademicYear | None
    period_numbers: list[int]
    rows: list[FinalRow]
    period_names: list[str] = field(default_factory=list)


def final_marks(student: Student, wanted_year: str | None) -> FinalMarks:
    """Period, year, exam and final marks for this and past years."""
    own_year = year_id_of(student)
    years = list(
        AcademicYear.objects.filter(
            Q(id__in=FinalMark.objects.filter(student_id=student.id).values("academic_year_id"))
            | Q(id=own_year or 0)
        ).order_by("-start")
    )
    chosen = next((y for y in years if str(y.id) == (wanted_year or "")), None)
    if chosen is None:
        chosen = next((y for y in years if y.id == own_year), years[0] if years else None)
    if chosen is None:
        return FinalMarks(years, None, [], [])
    rows: dict[int, FinalRow] = {}
    numbers: set[int] = set()
    names: dict[int, str] = {}
    for fm in FinalMark.objects.filter(student_id=student.id, academic_year=chosen).select_related(
        "subject", "period"
    ):
        row = rows.setdefault(fm.subject_id, FinalRow(fm.subject))
        if fm.kind == FinalMarkKind.PERIOD and fm.period is not None:
            row.periods[fm.period.number] = fm.value
            numbers.add(fm.period.number)
            names[fm.period.number] = fm.period.name
        elif fm.kind == FinalMarkKind.YEAR:
            row.year = fm.value
        elif fm.kind == FinalMarkKind.EXAM:
            row.exam = fm.value
        elif fm.kind == FinalMarkKind.FINAL:
            row.final = fm.value
    ordered = sorted(numbers)
    for row in rows.values():
        row.cells = [row.periods.get(n, "") for n in ordered] + [
            row.year,
            row.exam,
            row.final,
        ]
    return FinalMarks(
        years,
        chosen,
        ordered,
        sorted(rows.values(), key=lambda r: r.subject.name),
        [names[n] for n in ordered],
    )


# --------------------------------------------------------------------------- D4 missed lessons


@dataclass
class MissedLesson:
    attendance: Attendance
    homework: list[HomeworkItem]


def missed_lessons(student: Student, period: AttestationPeriod) -> list[MissedLesson]:
    records = list(
        Attendance.objects.filter(
            student_id=student.id,
            kind__in=MISSED_KINDS,
            lesson__date__gte=period.start,
            lesson__date__lte=period.end,
        )
        .select_related("lesson__subject", "lesson__teacher")
        .order_by("-lesson__date", "lesson__lesson_number")
    )
    homework = homework_by_lesson(student, [a.lesson_id for a in records])
    return [MissedLesson(a, homework.get(a.lesson_id, [])) for a in records]


# --------------------------------------------------------------------------- D5 tests


@dataclass
class PlannedTest:
    lesson: Lesson
    marks: list[Mark]
    is_past: bool


@dataclass
class TestMonth:
    first: dt.date
    weeks: list[list[dict[str, Any] | None]]
    tests: list[PlannedTest]


def planned_tests(student: Student, period: AttestationPeriod, today: dt.date) -> list[TestMonth]:
    """«График контрольных работ»: lessons whose form of control is a test
    (``ControlForm.is_test``), past and upcoming, laid out by month."""
    lessons = list(
        student_lessons(student)
        .filter(
            date__gte=period.start,
            date__lte=period.end,
            control_form__is_test=True,
        )
        .select_related("subject", "control_form")
        .order_by("date", "lesson_number")
    )
    marks: dict[int, list[Mark]] = defaultdict(list)
    for mark in Mark.objects.filter(
        student_id=student.id,
        lesson_id__in=[x.id for x in lessons],
        journal=JournalKind.MAIN,
    ).order_by("id"):
        marks[mark.lesson_id].append(mark)
    by_day: dict[dt.date, list[PlannedTest]] = defaultdict(list)
    for lesson in lessons:
        by_day[lesson.date].append(
            PlannedTest(lesson, marks.get(lesson.id, []), lesson.date < today)
        )
    months: list[TestMonth] = []
    first = period.start.replace(day=1)
    while first <= period.end:
        nxt = (first + dt.timedelta(days=32)).replace(day=1)
        weeks: list[list[dict[str, Any] | None]] = []
        day = monday_of(first)
        while day < nxt:
            week: list[dict[str, Any] | None] = []
            for offset in range(7):
                cell = day + dt.timedelta(days=offset)
                if cell.month != first.month:
                    week.append(None)
                else:
                    week.append(
                        {
                            "date": cell,
                            "tests": by_day.get(cell, []),
                            "in_period": period.start <= cell <= period.end,
                            "is_today": cell == today,
                        }
                    )
            weeks.append(week)
            day += dt.timedelta(days=7)
        tests = [t for d, ts in sorted(by_day.items()) if d.month == first.month for t in ts]
        months.append(TestMonth(first, weeks, tests))
        first = nxt
    return months


# --------------------------------------------------------------------------- D6 timetable


@dataclass
class TimetableGrid:
    class_units: list[ClassUnit]
    class_unit: ClassUnit | None
    weekdays: list[tuple[int, str]]
    rows: list[dict[str, Any]]
    days: list[dict[str, Any]] = field(default_factory=list)  # the same, day by day (phones)


WEEKDAY_NAMES = {
    1: "Понедельник",
    2: "Вторник",
    3: "Среда",
    4: "Четверг",
    5: "Пятница",
    6: "Суббота",
}


class ClassNotFound(Exception):
    pass


def timetable_grid(student: Student, wanted_class: str | None) -> TimetableGrid:
    """The weekly timetable of the student's class or any class of the same school and year."""
    year_id = year_id_of(student)
    if year_id is None:
        return TimetableGrid([], None, [], [])
    class_units = list(
        ClassUnit.objects.filter(
            parallel__organisation_id=student.organisation_id,
            parallel__academic_year_id=year_id,
        )
        .select_related("parallel")
        .order_by("parallel__grade", "letter")
    )
    chosen = None
    if wanted_class:
        chosen = next((c for c in class_units if str(c.id) == wanted_class), None)
        if chosen is None:
            raise ClassNotFound(wanted_class)
    else:
        chosen = next((c for c in class_units if c.id == student.current_class_id), None)
    if chosen is None:
        return TimetableGrid(class_units, None, [], [])
    bells = BellSlot.objects.filter(
        organisation_id=student.organisation_id, number=OuterRef("lesson_number")
    )
    entries = list(
        TimetableEntry.objects.filter(
            Q(class_unit_id=chosen.id) | Q(group__class_unit_id=chosen.id),
            academic_year_id=year_id,
        )
        .select_related("subject", "teacher", "room", "group")
        .annotate(
            bell_start=Subquery(bells.values("start")[:1]),
            bell_end=Subquery(bells.values("end")[:1]),
        )
        .order_by("weekday", "lesson_number", "group__name")
    )
    last_day = max([5] + [e.weekday for e in entries])
    weekdays = [(d, WEEKDAY_NAMES[d]) for d in range(1, last_day + 1)]
    numbers = sorted({e.lesson_number for e in entries})
    cells: dict[tuple[int, int], list[TimetableEntry]] = defaultdict(list)
    times: dict[int, tuple[Any, Any]] = {}
    for entry in entries:
        cells[(entry.lesson_number, entry.weekday)].append(entry)
        times.setdefault(entry.lesson_number, (entry.bell_start, entry.bell_end))  # type: ignore[attr-defined]
    rows = [
        {
            "number": n,
            "start": times[n][0],
            "end": times[n][1],
            "cells": [cells.get((n, d), []) for d, _ in weekdays],
        }
        for n in numbers
    ]
    days = [
        {
            "name": name,
            "lessons": [
                {
                    "number": r["number"],
                    "start": r["start"],
                    "end": r["end"],
                    "entries": r["cells"][i],
                }
                for r in rows
                if r["cells"][i]
            ],
        }
        for i, (_, name) in enumerate(weekdays)
    ]
    return TimetableGrid(class_units, chosen, weekdays, rows, days)


@dataclass
class HolidayInfo:
    holidays: list[Holiday]
    upcoming: Any  # schools.selectors.NextHoliday | None


def holiday_info(student: Student, today: dt.date) -> HolidayInfo:
    year_id = year_id_of(student)
    if year_id is None:
        return HolidayInfo([], None)
    year = AcademicYear.objects.get(id=year_id)
    grade = grade_of(student)
    return HolidayInfo(holidays_of(year, grade), next_holiday(year, today, grade=grade))


# --------------------------------------------------------------------------- D8 averages


@dataclass
class SubjectAverages:
    subject_id: int
    name: str
    mine: Decimal | None
    of_class: Decimal | None
    of_parallel: Decimal | None
    forecast: SubjectForecast | None = None


@dataclass
class Averages:
    subjects: list[SubjectAverages]
    mine: Decimal | None
    of_class: Decimal | None
    of_parallel: Decimal | None
    class_size: int
    parallel_size: int
    dynamics: dict[str, Any]
    absences: list[dict[str, Any]]
    absences_total: int
    my_absences: int


def _main_marks_in(period: AttestationPeriod) -> QuerySet[Mark]:
    """The marks that enter the averages: the journal's one definition, five-point only."""
    return journal_selectors.main_average_marks(period.start, period.end).filter(
        points__isnull=False
    )


def averages(
    student: Student, period: AttestationPeriod, *, today: dt.date | None = None
) -> Averages:
    """D8 as ENGINEERING.md and seed 002 define it:

    - my average in a subject: the weighted average of my marks of the period;
    - my average: the mean of my per-subject averages;
    - the class's (parallel's) average in a subject: the mean of the subject averages of the
      class's (parallel's) students who have marks in it, me included;
    - the class's (parallel's) average: the mean of its students' averages, me included;
    - weekly dynamics: the same per week of the period, for me and for the class."""
    cu = student.current_class
    empty = Averages([], None, None, None, 0, 0, {}, [], 0, 0)
    if cu is None:
        return empty
    sums = (
        _main_marks_in(period)
        .filter(student__current_class__parallel_id=cu.parallel_id)
        .values(
            "student_id",
            "student__current_class_id",
            "lesson__subject_id",
            "lesson__subject__name",
        )
        .annotate(total=Sum(F("points") * F("weight")), weights=Sum("weight"))
        .order_by()
    )
    per_student: dict[int, dict[int, Decimal | None]] = defaultdict(dict)
    class_of: dict[int, int] = {}
    names: dict[int, str] = {}
    for row in sums:
        sid = row["student_id"]
        per_student[sid][row["lesson__subject_id"]] = grading.average_from_sums(
            row["total"], row["weights"]
        )
        class_of[sid] = row["student__current_class_id"]
        names[row["lesson__subject_id"]] = row["lesson__subject__name"]
    overall = {sid: grading.mean(subs.values()) for sid, subs in per_student.items()}
    class_ids = [sid for sid in per_student if class_of[sid] == cu.id]
    forecasts = period_forecasts(student, period, today) if today is not None else {}
    subjects = [
        SubjectAverages(
            subject_id=subject_id,
            name=name,
            mine=per_student.get(student.id, {}).get(subject_id),
            of_class=grading.mean(per_student[s].get(subject_id) for s in class_ids),
            of_parallel=grading.mean(subs.get(subject_id) for subs in per_student.values()),
            forecast=forecasts.get(subject_id),
        )
        for subject_id, name in sorted(names.items(), key=lambda kv: kv[1])
    ]
    absence_rows = list(
        Attendance.objects.filter(
            student__current_class_id=cu.id,
            kind__in=MISSED_KINDS,
            lesson__date__gte=period.start,
            lesson__date__lte=period.end,
        )
        .values("kind")
        .annotate(total=Count("id"), mine=Count("id", filter=Q(student_id=student.id)))
        .order_by("kind")
    )
    labels = dict(AttendanceKind.choices)
    absences = [
        {
            "kind": r["kind"],
            "label": labels.get(r["kind"], r["kind"]),
            "total": r["total"],
            "mine": r["mine"],
        }
        for r in absence_rows
    ]
    return Averages(
        subjects=subjects,
        mine=overall.get(student.id),
        of_class=grading.mean(overall[s] for s in class_ids),
        of_parallel=grading.mean(overall.values()),
        class_size=len(class_ids),
        parallel_size=len(per_student),
        dynamics=weekly_dynamics(student, period, today=today),
        absences=absences,
        absences_total=sum(r["total"] for r in absences),
        my_absences=sum(r["mine"] for r in absences),
    )


def period_forecasts(
    student: Student, period: AttestationPeriod, today: dt.date
) -> dict[int, SubjectForecast]:
    """The forecast of every subject of the student's main curriculum in the period, from
    three queries whatever the data: the student's groups, their lessons of the period and
    their marks that count (the report card's definitions: ``main_average_marks``)."""
    marks: dict[int, list[tuple[int | None, int, str | None, int]]] = defaultdict(list)
    for subject_id, *mark in (
        journal_selectors.main_average_marks(period.start, period.end)
        .filter(student_id=student.id)
        .values_list("lesson__subject_id", "points", "weight", "control_form__name", "lesson_id")
    ):
        marks[subject_id].append(tuple(mark))  # type: ignore[arg-type]
    lessons: dict[int, list[tuple[int, dt.date, bool, str | None, int | None]]] = defaultdict(list)
    for subject_id, *lesson_row in (
        _period_lessons(student, period)
        .exclude(journal_selectors.extra_education_q())
        .values_list(
            "subject_id", "id", "date", "is_cancelled", "control_form__name", "control_form__weight"
        )
    ):
        lessons[subject_id].append(tuple(lesson_row))  # type: ignore[arg-type]
    thresholds = grading.thresholds_of(student.organisation)
    return {
        subject_id: subject_forecast(
            marks=marks.get(subject_id, []),
            lessons=lessons.get(subject_id, []),
            period=period,
            today=today,
            thresholds=thresholds,
        )
        for subject_id in set(marks) | set(lessons)
    }


def _num(value: Decimal | None) -> float | None:
    q = grading.quantize2(value)
    return None if q is None else float(q)


def weekly_dynamics(
    student: Student, period: AttestationPeriod, *, today: dt.date | None = None
) -> dict[str, Any]:
    """Per subject and week of the period: my weighted average of that week's marks and the
    class's (the mean of its students' weekly averages). Shaped for the chart. Weeks after
    ``today``'s are left out: in a running period they could only be empty points."""
    cu = student.current_class
    if cu is None:
        return {}
    rows = (
        _main_marks_in(period)
        .filter(student__current_class_id=cu.id)
        .annotate(week=TruncWeek("lesson__date"))
        .values("week", "student_id", "lesson__subject_id", "lesson__subject__name")
        .annotate(total=Sum(F("points") * F("weight")), weights=Sum("weight"))
        .order_by()
    )
    weeks: list[dt.date] = []
    day = monday_of(period.start)
    last = period.end if today is None else min(period.end, today)
    while day <= last:
        weeks.append(day)
        day += dt.timedelta(days=7)
    index = {w: i for i, w in enumerate(weeks)}
    per: dict[tuple[int, int], dict[int, Decimal | None]] = defaultdict(dict)
    names: dict[int, str] = {}
    for row in rows:
        week = row["week"]
        if isinstance(week, dt.datetime):
            week = week.date()
        if week not in index:  # a mark dated after today (a lesson entered ahead)
            continue
        per[(row["lesson__subject_id"], index[week])][row["student_id"]] = (
            grading.average_from_sums(row["total"], row["weights"])
        )
        names[row["lesson__subject_id"]] = row["lesson__subject__name"]
    subjects = []
    for subject_id, name in sorted(names.items(), key=lambda kv: kv[1]):
        mine = [_num(per.get((subject_id, i), {}).get(student.id)) for i in range(len(weeks))]
        of_class = [
            _num(grading.mean(per.get((subject_id, i), {}).values())) for i in range(len(weeks))
        ]
        subjects.append({"id": subject_id, "name": name, "mine": mine, "class": of_class})
    return {"weeks": [w.strftime("%d.%m") for w in weeks], "subjects": subjects}


# --------------------------------------------------------------------------- D9 events, F2


def upcoming_events(
    student: Student, today: dt.date, until: dt.date | None = None
) -> list[SchoolEvent]:
    """Events of the student's school the student takes part in: named personally, with
    their class, or for the whole school (an event with neither classes nor students).
    From `today`, and up to `until` when given (the calendar feed's window)."""
    q = Q(students=student) | Q(class_units__isnull=True, students__isnull=True)
    if student.current_class_id:
        q |= Q(class_units=student.current_class_id)
    ids = SchoolEvent.objects.filter(q).values("id")
    events = SchoolEvent.objects.filter(
        id__in=Subquery(ids),
        organisation_id=student.organisation_id,
        date__gte=today,
    )
    if until is not None:
        events = events.filter(date__lte=until)
    return list(events.order_by("date", "time"))


def remarks_of(student: Student, *, with_remarks: bool) -> list[Remark]:
    """«Комментарии» for everyone who may read the diary; «Замечания» only when the reader
    may see them (parents and staff, never the student: seed 001)."""
    qs = Remark.objects.filter(student_id=student.id).select_related("author", "subject")
    if not with_remarks:
        qs = qs.filter(kind=Remark.Kind.COMMENT)
    return list(qs.order_by("-created_at", "-id"))


# --------------------------------------------------------------------------- files


def homework_file_for(file_id: int) -> HomeworkFile | None:
    return (
        HomeworkFile.objects.select_related("homework__lesson__subject").filter(id=file_id).first()
    )


def attends(student: Student, lesson: Lesson) -> bool:
    return student_lessons(student).filter(id=lesson.id).exists()
