"""Timetable reads: a day's lessons for a student, a class or a teacher, with bell times."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from shkola.schools.models import Student

from .models import BellSlot, Lesson, TimetableEntry


@dataclass
class LessonRow:
    lesson: Lesson
    start: dt.time | None
    end: dt.time | None


def bells_of(organisation_id: int) -> dict[int, BellSlot]:
    return {b.number: b for b in BellSlot.objects.filter(organisation_id=organisation_id)}


def _with_bells(lessons: list[Lesson], organisation_id: int | None) -> list[LessonRow]:
    bells = bells_of(organisation_id) if organisation_id else {}
    rows = []
    for lesson in lessons:
        bell = bells.get(lesson.lesson_number)
        rows.append(
            LessonRow(
                lesson=lesson,
                start=bell.start if bell else None,
                end=bell.end if bell else None,
            )
        )
    return rows


def student_lessons_q(student: Student) -> Q:
    """Lessons a student attends: whole-class lessons of their class and lessons of their groups."""
    group_ids = list(student.study_groups.values_list("id", flat=True))
    q = Q(class_unit_id=student.current_class_id, group__isnull=True)
    if group_ids:
        q |= Q(group_id__in=group_ids)
    return q


def lessons_of_student(student: Student, start: dt.date, end: dt.date) -> QuerySet[Lesson]:
    return (
        Lesson.objects.filter(
            student_lessons_q(student),
            date__gte=start,
            date__lte=end,
            is_cancelled=False,
        )
        .select_related("subject", "teacher", "room", "control_form", "group")
        .order_by("date", "lesson_number")
    )


def student_day(student: Student, day: dt.date) -> list[LessonRow]:
    return _with_bells(list(lessons_of_student(student, day, day)), student.organisation_id)


def teacher_day(teacher: Any, day: dt.date) -> list[LessonRow]:
    lessons = list(
        Lesson.objects.filter(teacher=teacher, date=day, is_cancelled=False)
        .select_related("subject", "room", "class_unit__parallel", "group", "control_form")
        .order_by("lesson_number")
    )
    org_id = None
    if lessons:
        org_id = lessons[0].subject.organisation_id
    return _with_bells(lessons, org_id)


def class_week_timetable(class_unit_id: int, academic_year_id: int) -> QuerySet[TimetableEntry]:
    return (
        TimetableEntry.objects.filter(
            Q(class_unit_id=class_unit_id) | Q(group__class_unit_id=class_unit_id),
            academic_year_id=academic_year_id,
        )
        .select_related("subject", "teacher", "room", "group")
        .order_by("weekday", "lesson_number")
    )


def teacher_assignments(teacher: Any, academic_year_id: int | None = None) -> list[dict[str, Any]]:
    """Distinct (class or group, subject) pairs a teacher teaches: the list of their journals."""
    qs = TimetableEntry.objects.filter(teacher=teacher)
    if academic_year_id:
        qs = qs.filter(academic_year_id=academic_year_id)
    qs = qs.select_related("class_unit__parallel", "group", "subject").order_by(
        "class_unit__parallel__grade", "class_unit__letter", "subject__name"
    )
    seen: dict[tuple[int | None, int | None, int], dict[str, Any]] = {}
    for entry in qs:
        key = (entry.class_unit_id, entry.group_id, entry.subject_id)
        if key not in seen:
            seen[key] = {
                "class_unit": entry.class_unit,
                "group": entry.group,
                "subject": entry.subject,
                "hours": 0,
            }
        seen[key]["hours"] += 1
    return list(seen.values())
