"""Reads of the calendar feeds: whose calendars a person may publish, their links, and the
events of one link, in a fixed number of queries whatever the size of the timetable."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from shkola.accounts.selectors import Viewer
from shkola.diary import selectors as diary_selectors
from shkola.schools.models import Holiday, Student
from shkola.timetable.selectors import bells_of

from .models import CalendarFeed

MOSCOW = ZoneInfo("Europe/Moscow")
# The window a feed carries: a month back (a calendar keeps what was), four months ahead.
DAYS_BACK = 30
DAYS_AHEAD = 120


def family_students(viewer: Viewer) -> list[Student]:
    """The students whose calendar this person may publish: themself, and each child (a
    family with children in two schools gets each child's own calendar)."""
    students: list[Student] = []
    if viewer.own_student is not None:
        students.append(viewer.own_student)
    students += [c for c in viewer.children if all(c.id != s.id for s in students)]
    return students


def active_feeds(owner: Any, student_ids: list[int]) -> list[CalendarFeed]:
    return list(
        CalendarFeed.objects.filter(
            owner=owner, student_id__in=student_ids, revoked_at__isnull=True
        ).order_by("-created_at", "-id")
    )


def own_feed(owner: Any, feed_id: int) -> CalendarFeed | None:
    """One of the person's own links; another person's is not found."""
    return (
        CalendarFeed.objects.filter(pk=feed_id, owner=owner, revoked_at__isnull=True)
        .select_related("student")
        .first()
    )


def feed_by_token_hash(digest: str) -> CalendarFeed | None:
    return (
        CalendarFeed.objects.filter(token_hash=digest, revoked_at__isnull=True)
        .select_related("student__current_class__parallel", "student__organisation")
        .first()
    )


@dataclass(frozen=True)
class FeedEvent:
    uid: str
    summary: str
    # Either timed (aware datetimes) or all-day (dates; `end` exclusive, as iCalendar wants).
    start: dt.datetime | dt.date
    end: dt.datetime | dt.date
    location: str = ""
    description: str = ""


def _lesson_events(feed: CalendarFeed, start: dt.date, end: dt.date) -> list[FeedEvent]:
    student = feed.student
    lessons = (
        diary_selectors.student_lessons(student)
        .filter(date__gte=start, date__lte=end)
        .select_related(
            "subject", "teacher", "room", "control_form", "replaced_teacher", "replaced_subject"
        )
        .order_by("date", "lesson_number")
    )
    # The diary's lessons: a lesson a timetable change cancelled is left out, and a
    # subscribed calendar drops it at its next refresh. A test-only link carries the lessons
    # with a planned test, as «Контрольные работы» in the diary does (ControlForm.is_test).
    if not feed.timetable:
        lessons = lessons.filter(control_form__is_test=True)
    bells = bells_of(student.organisation_id)
    events = []
    for lesson in lessons:
        bell = bells.get(lesson.lesson_number)
        if bell is None:
            # A lesson number the school has no bell for has no time to put in a calendar.
            continue
        is_test = bool(lesson.control_form and lesson.control_form.is_test)
        if not feed.timetable and not is_test:
            continue
        summary = lesson.subject.name
        if is_test and feed.tests:
            summary = f"{lesson.control_form.name}: {summary}"  # type: ignore[union-attr]
        notes = [f"{lesson.lesson_number}-й урок", f"Учитель: {lesson.teacher.short_name}"]
        if lesson.is_substitution:
            summary += " (замена)"
            before = []
            if lesson.replaced_subject and lesson.replaced_subject_id != lesson.subject_id:
                before.append(lesson.replaced_subject.name)
            if lesson.replaced_teacher and lesson.replaced_teacher_id != lesson.teacher_id:
                before.append(lesson.replaced_teacher.short_name)
            if before:
                notes.append("Замена, по расписанию: " + ", ".join(before))
        if lesson.topic:
            notes.append(f"Тема: {lesson.topic}")
        events.append(
            FeedEvent(
                uid=f"lesson-{lesson.id}@shkola",
                summary=summary,
                start=dt.datetime.combine(lesson.date, bell.start, MOSCOW),
                end=dt.datetime.combine(lesson.date, bell.end, MOSCOW),
                location=f"Каб. {lesson.room.name}" if lesson.room else "",
                description="\n".join(notes),
            )
        )
    return events


def _holiday_events(student: Student, start: dt.date, end: dt.date) -> list[FeedEvent]:
    grade = diary_selectors.grade_of(student)
    holidays = Holiday.objects.filter(
        academic_year__organisation_id=student.organisation_id,
        start__lte=end,
        end__gte=start,
    ).order_by("start")
    return [
        FeedEvent(
            uid=f"holiday-{h.id}@shkola",
            summary=h.name,
            start=h.start,
            end=h.end + dt.timedelta(days=1),
        )
        for h in holidays
        if h.applies_to_grade(grade)
    ]


def _school_events(student: Student, start: dt.date, end: dt.date) -> list[FeedEvent]:
    events = []
    for e in diary_selectors.upcoming_events(student, start, until=end):
        if e.time is not None:
            begin = dt.datetime.combine(e.date, e.time, MOSCOW)
            # A school event has no end time: an hour is what a calendar shows best.
            period: tuple[dt.datetime | dt.date, dt.datetime | dt.date] = (
                begin,
                begin + dt.timedelta(hours=1),
            )
        else:
            period = (e.date, e.date + dt.timedelta(days=1))
        events.append(
            FeedEvent(
                uid=f"event-{e.id}@shkola",
                summary=e.title,
                start=period[0],
                end=period[1],
                location=e.place,
                description=e.description,
            )
        )
    return events


def feed_events(feed: CalendarFeed, today: dt.date) -> list[FeedEvent]:
    """What the link carries, from DAYS_BACK before `today` to DAYS_AHEAD after it."""
    start = today - dt.timedelta(days=DAYS_BACK)
    end = today + dt.timedelta(days=DAYS_AHEAD)
    events: list[FeedEvent] = []
    if feed.timetable or feed.tests:
        events += _lesson_events(feed, start, end)
    if feed.holidays:
        events += _holiday_events(feed.student, start, end)
    if feed.events:
        events += _school_events(feed.student, start, end)
    return events
