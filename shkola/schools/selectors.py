"""Reads of the school domain: the calendar schedule, periods, classes, rosters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from .models import (
    AcademicYear,
    AttestationPeriod,
    ClassUnit,
    Holiday,
    Organisation,
    SchoolEvent,
    Student,
    StudyGroup,
)

SCHOOL_WEEKDAYS_DEFAULT = 5  # Monday..Friday; a six-day school passes 6


def current_year(
    organisation: Organisation | int, on: dt.date | None = None
) -> AcademicYear | None:
    """The year a school is in on ``on`` (else its current or latest one). Every signed-in
    page asks, so the answer is kept in the shared cache for a short time; the services
    that create or change a year drop it (shkola/accounts/who.py)."""
    from shkola.accounts.who import year_cached

    org_id = organisation if isinstance(organisation, int) else organisation.id
    return year_cached(org_id, on, lambda: _current_year(org_id, on))


def _current_year(org_id: int, on: dt.date | None) -> AcademicYear | None:
    years = AcademicYear.objects.filter(organisation_id=org_id)
    if on is not None:
        found = years.filter(start__lte=on, end__gte=on).first()
        if found:
            return found
    return years.filter(is_current=True).first() or years.order_by("-start").first()


def holidays_of(year: AcademicYear, grade: int | None = None) -> list[Holiday]:
    cached = getattr(year, "_holidays_cache", None)
    if cached is None:
        cached = list(Holiday.objects.filter(academic_year=year).order_by("start"))
        year._holidays_cache = cached  # type: ignore[attr-defined]
    return [h for h in cached if h.applies_to_grade(grade)]


def holiday_on(day: dt.date, holidays: Iterable[Holiday]) -> Holiday | None:
    for holiday in holidays:
        if holiday.start <= day <= holiday.end:
            return holiday
    return None


def is_school_day(
    year: AcademicYear,
    day: dt.date,
    *,
    grade: int | None = None,
    weekdays: int = SCHOOL_WEEKDAYS_DEFAULT,
) -> bool:
    if not (year.start <= day <= year.end):
        return False
    if day.isoweekday() > weekdays:
        return False
    return holiday_on(day, holidays_of(year, grade)) is None


@dataclass(frozen=True)
class NextHoliday:
    holiday: Holiday
    days_left: int  # 0 while the holiday is on


def next_holiday(
    year: AcademicYear, today: dt.date, *, grade: int | None = None
) -> NextHoliday | None:
    """The holiday in progress (days_left 0) or the next one with the days until it starts."""
    for holiday in holidays_of(year, grade):
        if holiday.end < today:
            continue
        return NextHoliday(holiday=holiday, days_left=max(0, (holiday.start - today).days))
    return None


def period_on(
    year: AcademicYear, day: dt.date, scheme: str | None = None
) -> AttestationPeriod | None:
    scheme = scheme or year.organisation.period_scheme
    periods = list(
        AttestationPeriod.objects.filter(academic_year=year, scheme=scheme).order_by("number")
    )
    for period in periods:
        if period.start <= day <= period.end:
            return period
    # Between periods (a holiday): the one just finished.
    earlier = [p for p in periods if p.end < day]
    return earlier[-1] if earlier else (periods[0] if periods else None)


def periods_of(year: AcademicYear, scheme: str | None = None) -> list[AttestationPeriod]:
    scheme = scheme or year.organisation.period_scheme
    return list(
        AttestationPeriod.objects.filter(academic_year=year, scheme=scheme).order_by("number")
    )


def class_units_of(organisation: Organisation, year: AcademicYear) -> QuerySet[ClassUnit]:
    return (
        ClassUnit.objects.filter(parallel__organisation=organisation, parallel__academic_year=year)
        .select_related("parallel", "class_teacher")
        .order_by("parallel__grade", "letter")
    )


def of_classes(class_ids: Iterable[int] | int, prefix: str = "") -> Q:
    """Lessons (or rows of lessons, with ``prefix="lesson__"``) of a class: its own and its
    subgroups'. Written so PostgreSQL reads both through indexes (``core.lookups``)."""
    ids = [class_ids] if isinstance(class_ids, int) else list(class_ids)
    groups = StudyGroup.objects.filter(class_unit_id__in=ids).values("id")
    return Q(**{f"{prefix}class_unit_id__in": ids}) | Q(
        **{f"{prefix}group_id__in_subquery": groups}
    )


def students_of_class(class_unit: ClassUnit | int) -> QuerySet[Student]:
    cid = class_unit if isinstance(class_unit, int) else class_unit.id
    return Student.objects.filter(current_class_id=cid).order_by(
        "last_name", "first_name", "middle_name"
    )


@dataclass(frozen=True)
class Roster:
    """«Обучающиеся»: the students a member of staff may look up, page by page."""

    classes: list[ClassUnit]
    students: list[Student]
    total: int
    limit: int


def roster(
    *,
    whole_school_org_ids: Iterable[int],
    class_ids: Iterable[int],
    class_id: int | None = None,
    query: str = "",
    limit: int = 200,
) -> Roster:
    """Current students of whole schools (administration, specialists) plus of single classes
    (the classes a teacher leads or teaches), optionally of one class or matching a name."""
    from django.db.models import Q

    orgs, only = set(whole_school_org_ids), set(class_ids)
    scope = Student.objects.filter(
        Q(current_class__parallel__organisation_id__in=orgs) | Q(current_class_id__in=only)
    )
    classes = list(
        ClassUnit.objects.filter(id__in=scope.values("current_class_id"))
        .select_related("parallel")
        .order_by("parallel__grade", "letter")
    )
    students = scope
    if class_id is not None:
        students = students.filter(current_class_id=class_id)
    for word in query.split()[:3]:
        # SQLite folds the case of Latin letters only: «иванов» must still find «Иванов».
        match = Q()
        for variant in {word, word.lower(), word.capitalize()}:
            for name in ("last_name", "first_name", "middle_name"):
                match |= Q(**{f"{name}__icontains": variant})
        students = students.filter(match)
    students = students.select_related("current_class__parallel").order_by(
        "current_class__parallel__grade", "current_class__letter", "last_name", "first_name"
    )
    total = students.count()
    return Roster(classes=classes, students=list(students[:limit]), total=total, limit=limit)


# --------------------------------------------------------------------------- school events (D9)


def _events_with_participants() -> QuerySet[SchoolEvent]:
    return SchoolEvent.objects.prefetch_related(
        Prefetch(
            "class_units",
            queryset=ClassUnit.objects.select_related("parallel").order_by(
                "parallel__grade", "letter"
            ),
        ),
        Prefetch(
            "students",
            queryset=Student.objects.select_related("current_class__parallel").order_by(
                "last_name", "first_name", "middle_name"
            ),
        ),
    )


@dataclass(frozen=True)
class SchoolEvents:
    """«События школы»: what is ahead (soonest first) and the latest past events."""

    upcoming: list[SchoolEvent]
    past: list[SchoolEvent]
    more_past: bool  # older events exist beyond ``past_limit``
    past_limit: int


def school_events(
    organisation: Organisation, today: dt.date, *, past_limit: int = 30
) -> SchoolEvents:
    events = _events_with_participants().filter(organisation=organisation)
    # One list for both halves, so participants are prefetched once; the past is cut at
    # ``past_limit`` (plus one, to tell whether there is more) inside the query.
    recent_past = (
        SchoolEvent.objects.filter(organisation=organisation, date__lt=today)
        .order_by("-date", "-time", "-id")
        .values("id")[: past_limit + 1]
    )
    rows = list(
        events.filter(Q(date__gte=today) | Q(id__in=recent_past)).order_by("date", "time", "id")
    )
    past = [e for e in reversed(rows) if e.date < today]
    return SchoolEvents(
        upcoming=[e for e in rows if e.date >= today],
        past=past[:past_limit],
        more_past=len(past) > past_limit,
        past_limit=past_limit,
    )


def school_event(organisation_ids: Iterable[int], event_id: int) -> SchoolEvent | None:
    """One event of the given schools; anything else is not found."""
    return (
        _events_with_participants()
        .select_related("organisation")
        .filter(organisation_id__in=set(organisation_ids), pk=event_id)
        .first()
    )


@dataclass(frozen=True)
class EventChoices:
    """What the event form offers: the school's current classes, and its students by class."""

    classes: list[ClassUnit]
    students_by_class: list[tuple[ClassUnit | None, list[Student]]]


def event_choices(
    organisation: Organisation,
    *,
    keep_class_ids: Iterable[int] = (),
    keep_student_ids: Iterable[int] = (),
) -> EventChoices:
    """The current year's classes and the school's current students. ``keep_*`` are what an
    event already has (a class of an earlier year, a student who has left since), offered as
    well so that saving the event does not silently drop them."""
    year = current_year(organisation)
    classes = ClassUnit.objects.filter(parallel__organisation=organisation).select_related(
        "parallel"
    )
    if year is not None:
        classes = classes.filter(Q(parallel__academic_year=year) | Q(id__in=set(keep_class_ids)))
    class_list = list(classes.order_by("parallel__grade", "letter"))
    students = list(
        Student.objects.filter(organisation=organisation)
        .filter(
            Q(current_class__parallel__organisation=organisation) | Q(id__in=set(keep_student_ids))
        )
        .select_related("current_class__parallel")
        .order_by(
            "current_class__parallel__grade",
            "current_class__letter",
            "last_name",
            "first_name",
            "middle_name",
        )
    )
    grouped: list[tuple[ClassUnit | None, list[Student]]] = []
    for student in students:
        if not grouped or grouped[-1][0] != student.current_class:
            grouped.append((student.current_class, []))
        grouped[-1][1].append(student)
    return EventChoices(classes=class_list, students_by_class=grouped)


@dataclass(frozen=True)
class TerritorySchool:
    """A school an official oversees, with aggregate counts only (no personal data)."""

    organisation: Organisation
    classes: int  # classes of its current academic year
    students: int  # students currently in a class


def territory_schools(territory_ids: Iterable[int]) -> list[TerritorySchool]:
    """The schools of the given territories, by territory and name; three queries."""
    ids = list(territory_ids)
    orgs = list(
        Organisation.objects.filter(territory_id__in=ids)
        .select_related("territory")
        .order_by("territory__name", "short_name")
    )
    org_ids = [o.id for o in orgs]
    classes = dict(
        ClassUnit.objects.filter(
            parallel__organisation_id__in=org_ids, parallel__academic_year__is_current=True
        )
        .values_list("parallel__organisation_id")
        .annotate(n=Count("id"))
        .values_list("parallel__organisation_id", "n")
    )
    students = dict(
        Student.objects.filter(organisation_id__in=org_ids, current_class__isnull=False)
        .values_list("organisation_id")
        .annotate(n=Count("id"))
        .values_list("organisation_id", "n")
    )
    return [TerritorySchool(o, classes.get(o.id, 0), students.get(o.id, 0)) for o in orgs]
