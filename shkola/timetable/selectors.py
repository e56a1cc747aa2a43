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


# --------------------------------------------------------------------------- the editor (B2)

GRID_VIEWS = ("class", "teacher", "room")


@dataclass
class GridCell:
    weekday: int
    number: int
    entries: list[TimetableEntry]


@dataclass
class GridRow:
    number: int
    bell: BellSlot | None
    cells: list[GridCell]


@dataclass
class EditorChoices:
    classes: list[Any]
    teachers: list[Any]
    rooms: list[Any]
    subjects: list[Any]
    groups: list[Any]
    bells: dict[int, BellSlot]


def editor_choices(organisation_id: int, academic_year_id: int) -> EditorChoices:
    """What the grid's switch and cell form offer: a fixed number of queries."""
    from shkola.accounts.models import Role, User
    from shkola.schools.models import ClassUnit, StudyGroup, Subject

    from .models import Room

    return EditorChoices(
        classes=list(
            ClassUnit.objects.filter(parallel__academic_year_id=academic_year_id)
            .select_related("parallel")
            .order_by("parallel__grade", "letter")
        ),
        teachers=list(
            User.objects.filter(
                roles__organisation_id=organisation_id,
                roles__role__in=[Role.TEACHER, Role.CLASS_TEACHER],
            )
            .distinct()
            .order_by("last_name", "first_name", "id")
        ),
        rooms=list(Room.objects.filter(organisation_id=organisation_id)),
        subjects=list(Subject.objects.filter(organisation_id=organisation_id).order_by("name")),
        groups=list(
            StudyGroup.objects.filter(academic_year_id=academic_year_id)
            .select_related("class_unit__parallel")
            .order_by("name")
        ),
        bells=bells_of(organisation_id),
    )


def week_grid(
    *, academic_year_id: int, bells: dict[int, BellSlot], view: str, target_id: int
) -> list[GridRow]:
    """Days × lesson numbers of a class, a teacher or a room: one query for the entries
    whatever their number. Rows are the bells plus any number an entry has beyond them."""
    qs = TimetableEntry.objects.filter(academic_year_id=academic_year_id)
    if view == "class":
        qs = qs.filter(Q(class_unit_id=target_id) | Q(group__class_unit_id=target_id))
    elif view == "teacher":
        qs = qs.filter(teacher_id=target_id)
    else:
        qs = qs.filter(room_id=target_id)
    entries = list(
        qs.select_related("subject", "teacher", "room", "group", "class_unit__parallel").order_by(
            "weekday", "lesson_number", "group__name", "id"
        )
    )
    by_cell: dict[tuple[int, int], list[TimetableEntry]] = {}
    for entry in entries:
        by_cell.setdefault((entry.weekday, entry.lesson_number), []).append(entry)
    numbers = sorted(set(bells) | {n for _day, n in by_cell})
    return [
        GridRow(
            number=n,
            bell=bells.get(n),
            cells=[GridCell(day, n, by_cell.get((day, n), [])) for day in range(1, 7)],
        )
        for n in numbers
    ]


def day_lessons_for_substitution(
    *, academic_year_id: int, day: dt.date, teacher_id: int | None, class_id: int | None
) -> list[Lesson]:
    """A school day's lessons, narrowed to a teacher (the one who is absent, or who already
    gives a substitution) or a class: one query."""
    qs = Lesson.objects.filter(academic_year_id=academic_year_id, date=day, is_cancelled=False)
    if teacher_id:
        qs = qs.filter(Q(teacher_id=teacher_id) | Q(replaced_teacher_id=teacher_id))
    if class_id:
        qs = qs.filter(Q(class_unit_id=class_id) | Q(group__class_unit_id=class_id))
    if not teacher_id and not class_id:
        qs = qs.filter(is_substitution=True)
    return list(
        qs.select_related(
            "subject",
            "teacher",
            "room",
            "group",
            "class_unit__parallel",
            "replaced_teacher",
            "replaced_subject",
            "replaced_room",
        ).order_by("lesson_number", "class_unit__parallel__grade", "class_unit__letter", "id")
    )


def busy_at(lesson: Lesson) -> tuple[set[int], set[int]]:
    """Teachers and rooms already taken at the lesson's date and number (by other lessons),
    so the substitution form can mark them: one query."""
    rows = (
        Lesson.objects.filter(
            date=lesson.date, lesson_number=lesson.lesson_number, is_cancelled=False
        )
        .exclude(id=lesson.id)
        .values_list("teacher_id", "room_id")
    )
    teachers: set[int] = set()
    rooms: set[int] = set()
    for teacher_id, room_id in rows:
        teachers.add(teacher_id)
        if room_id:
            rooms.add(room_id)
    return teachers, rooms
