"""The home page per role.

- A family (a student, or a parent for the active child): today's lessons and the next
  school day's, each with its homework; the marks new since the previous visit; days to the
  holidays.
- A teacher: today's lessons and the achievements waiting for their confirmation.
- The school administration: what waits for the school — achievements to confirm, locked
  logins, and the journal's timeliness this week with the teachers furthest behind.
- An official: the schools of their territory.

Feeds other apps register (messages, announcements, absence notes…) come from
``core.pages.home_feeds``. Every part runs a fixed number of queries whatever the data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from shkola.accounts.selectors import Viewer, active_student, viewer_from_request
from shkola.core.clock import today
from shkola.core.pages import home_feeds
from shkola.diary.selectors import HomeworkItem, homework_by_lesson
from shkola.journal.models import Mark
from shkola.schools.models import Student
from shkola.schools.selectors import current_year, is_school_day, next_holiday, territory_schools
from shkola.timetable.selectors import LessonRow, bells_of, lessons_of_student, teacher_day

from .services import home_visit_record

# How far ahead the family's «next school day» is looked for (a week covers any weekend).
LOOKAHEAD_DAYS = 7
NEW_MARKS_SHOWN = 8
WORST_TEACHERS_SHOWN = 5


@dataclass
class PlannedLesson:
    row: LessonRow
    homework: list[HomeworkItem] = field(default_factory=list)


@dataclass
class SchoolDay:
    date: dt.date
    lessons: list[PlannedLesson]
    is_tomorrow: bool = False


@dataclass
class NewMarks:
    since: dt.datetime
    marks: list[Mark]
    count: int
    first_visit: bool = False


def family_days(student: Student, day: dt.date) -> tuple[SchoolDay, SchoolDay | None]:
    """Today's lessons and the next day with lessons (tomorrow, or Monday on a Friday) within
    a week, with the homework set for each lesson. Four queries."""
    lessons = list(lessons_of_student(student, day, day + dt.timedelta(days=LOOKAHEAD_DAYS)))
    todays = [x for x in lessons if x.date == day]
    later = [x for x in lessons if x.date > day]
    next_date = later[0].date if later else None
    nexts = [x for x in later if x.date == next_date]
    homework = homework_by_lesson(student, [x.id for x in todays + nexts])
    bells = bells_of(student.organisation_id) if lessons else {}

    def planned(items: list[Any]) -> list[PlannedLesson]:
        result = []
        for lesson in items:
            bell = bells.get(lesson.lesson_number)
            row = LessonRow(lesson, bell.start if bell else None, bell.end if bell else None)
            result.append(PlannedLesson(row, homework.get(lesson.id, [])))
        return result

    upcoming = None
    if next_date is not None:
        upcoming = SchoolDay(
            next_date, planned(nexts), is_tomorrow=next_date == day + dt.timedelta(days=1)
        )
    return SchoolDay(day, planned(todays)), upcoming


def new_marks(student: Student, since: dt.datetime, *, first_visit: bool = False) -> NewMarks:
    """Marks put or changed since ``since``, those of the latest lessons first. Two queries
    at most."""
    marks = Mark.objects.filter(student=student, updated_at__gt=since)
    # The latest lessons first: what happened at school lately reads best that way.
    shown = list(
        marks.select_related("lesson__subject", "control_form").order_by(
            "-lesson__date", "-lesson__lesson_number", "-updated_at", "-id"
        )[:NEW_MARKS_SHOWN]
    )
    count = len(shown) if len(shown) < NEW_MARKS_SHOWN else marks.count()
    return NewMarks(since, shown, count, first_visit)


def family_context(request: HttpRequest, viewer: Viewer, student: Student) -> dict[str, Any]:
    day = today()
    ctx: dict[str, Any] = {"student": student}
    ctx["today_plan"], ctx["next_plan"] = family_days(student, day)
    boundary = home_visit_record(user=viewer.user, student=student, at=timezone.now())
    ctx["new_marks"] = new_marks(student, boundary.since, first_visit=boundary.first_visit)
    grade = student.current_class.parallel.grade if student.current_class else None
    year = current_year(student.organisation_id, on=day)
    if year is not None:
        ctx["school_day"] = is_school_day(year, day, grade=grade)
        ctx["next_holiday"] = next_holiday(year, day, grade=grade)
    return ctx


@dataclass
class TimelinessRow:
    teacher: Any
    lessons: int
    without_topic: int
    without_marks: int
    late_marks: int


@dataclass
class SchoolDashboard:
    achievements: int
    lockouts: int
    week_monday: dt.date
    week_until: dt.date
    lessons_judged: int
    with_topic_share: int | None  # per cent of the judged lessons that have a topic
    with_marks_share: int | None  # … and that have at least one mark
    worst: list[TimelinessRow]
    behind: int  # teachers with anything missing


def school_dashboard(viewer: Viewer, day: dt.date) -> SchoolDashboard:
    """What waits for the school's administration. The journal's timeliness is the same
    report as «Своевременность заполнения» (journal.reports.timeliness): lessons up to
    yesterday, so on a Monday it is last week's."""
    from shkola.accounts.selectors import school_lockout_count
    from shkola.journal.reports import timeliness
    from shkola.portfolio.selectors import review_queue_count

    monday = day - dt.timedelta(days=day.weekday())
    if day == monday:
        monday -= dt.timedelta(days=7)
    report = timeliness(viewer, monday, day)
    rows = report["rows"]
    judged = sum(r.lessons for r in rows)
    with_topic = judged - sum(r.without_topic for r in rows)
    with_marks = judged - sum(r.without_marks for r in rows)
    behind = [r for r in rows if not r.ok]
    return SchoolDashboard(
        achievements=review_queue_count(viewer.user),
        lockouts=school_lockout_count(viewer),
        week_monday=monday,
        week_until=report["until"],
        lessons_judged=judged,
        with_topic_share=round(100 * with_topic / judged) if judged else None,
        with_marks_share=round(100 * with_marks / judged) if judged else None,
        worst=[
            TimelinessRow(
                r.teacher,
                r.lessons,
                r.without_topic,
                r.without_marks,
                r.late_marks,
            )
            for r in behind[:WORST_TEACHERS_SHOWN]
        ],
        behind=len(behind),
    )


def home_context(request: HttpRequest) -> dict[str, Any]:
    viewer = viewer_from_request(request)
    day = today()
    ctx: dict[str, Any] = {"today": day}
    student = active_student(request)
    if student is not None:
        ctx.update(family_context(request, viewer, student))
    if viewer.is_teacher:
        from shkola.journal.selectors import journal_url_for_lesson

        ctx["teacher_lessons"] = teacher_day(viewer.user, day)
        for row in ctx["teacher_lessons"]:
            row.journal_url = journal_url_for_lesson(row.lesson)  # type: ignore[attr-defined]
        if viewer.organisation is not None and "next_holiday" not in ctx:
            year = current_year(viewer.organisation, on=day)
            if year is not None:
                ctx["next_holiday"] = next_holiday(year, day)
    if viewer.is_school_admin:
        ctx["dashboard"] = school_dashboard(viewer, day)
    elif viewer.is_teacher or viewer.is_class_teacher:
        from shkola.portfolio.selectors import review_queue_count

        ctx["achievements_to_confirm"] = review_queue_count(viewer.user)
    if viewer.is_official:
        # Until the oversight pages (H1) exist, the official's home says what they oversee.
        ctx["territory_schools"] = territory_schools(viewer.territory_ids)
    feeds = home_feeds(request, viewer)
    ctx["main_feeds"] = [f for f in feeds if f["column"] == "main"]
    ctx["side_feeds"] = [f for f in feeds if f["column"] != "main"]
    return ctx
