"""The home page per role: a student's (or child's) day and the next holidays; a teacher's
lessons; an official's schools of their territory."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from shkola.accounts.selectors import active_student, viewer_from_request
from shkola.schools.selectors import current_year, is_school_day, next_holiday, territory_schools
from shkola.timetable.selectors import student_day, teacher_day

from .clock import today
from .pages import home_feeds


def home_context(request: HttpRequest) -> dict[str, Any]:
    viewer = viewer_from_request(request)
    day = today()
    ctx: dict[str, Any] = {"today": day}
    student = active_student(request)
    if student is not None:
        ctx["student"] = student
        grade = student.current_class.parallel.grade if student.current_class else None
        ctx["student_lessons"] = student_day(student, day)
        year = current_year(student.organisation_id, on=day)
        if year is not None:
            ctx["school_day"] = is_school_day(year, day, grade=grade)
            ctx["next_holiday"] = next_holiday(year, day, grade=grade)
    if viewer.is_teacher:
        from shkola.journal.selectors import journal_url_for_lesson

        ctx["teacher_lessons"] = teacher_day(viewer.user, day)
        for row in ctx["teacher_lessons"]:
            row.journal_url = journal_url_for_lesson(row.lesson)  # type: ignore[attr-defined]
        if viewer.organisation is not None and "next_holiday" not in ctx:
            year = current_year(viewer.organisation, on=day)
            if year is not None:
                ctx["next_holiday"] = next_holiday(year, day)
    if viewer.is_official:
        # Until the oversight pages (H1) exist, the official's home says what they oversee.
        ctx["territory_schools"] = territory_schools(viewer.territory_ids)
    ctx["home_feeds"] = home_feeds(request, viewer)
    return ctx
