"""Reads of absence notes. Every list runs a fixed number of queries whatever it holds."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When

from shkola.diary.selectors import student_lessons
from shkola.journal.models import Attendance
from shkola.schools.models import ClassUnit, Student
from shkola.schools.selectors import students_of_class
from shkola.timetable.models import Lesson

from .models import AbsenceNote, NoteStatus

HISTORY_LIMIT = 50
FEED_LIMIT = 3


def student_lessons_between(student: Student, start: dt.date, end: dt.date) -> QuerySet[Lesson]:
    return (
        student_lessons(student)
        .filter(date__gte=start, date__lte=end)
        .order_by("date", "lesson_number", "id")
    )


def covered_lessons(note: AbsenceNote) -> QuerySet[Lesson]:
    """The lessons a note is about: the chosen ones, else every lesson of its days."""
    chosen = note.lessons.all()
    if chosen.exists():
        return chosen.order_by("date", "lesson_number")
    return student_lessons_between(note.student, note.date_from, note.date_to)


def _notes() -> QuerySet[AbsenceNote]:
    return AbsenceNote.objects.select_related(
        "student__current_class__parallel", "author", "decided_by"
    ).prefetch_related(
        Prefetch(
            "lessons",
            queryset=Lesson.objects.select_related("subject").order_by("lesson_number"),
        )
    )


def visible_q(viewer: Any) -> Q:
    """Notes a person may open: their children's; as class teacher, their classes'; as the
    school's administration, the school's."""
    q = Q(pk__in=[])
    children = [c.id for c in viewer.children]
    if children:
        q |= Q(student_id__in=children)
    if viewer.led_class_ids:
        q |= Q(student__current_class_id__in=viewer.led_class_ids)
    if viewer.admin_org_ids:
        q |= Q(student__organisation_id__in=viewer.admin_org_ids)
    return q


def note_for(viewer: Any, note_id: int) -> AbsenceNote | None:
    return _notes().filter(visible_q(viewer), pk=note_id).first()


def decider_q(viewer: Any) -> Q | None:
    q: Q | None = None
    if viewer.led_class_ids:
        q = Q(student__current_class_id__in=viewer.led_class_ids)
    if viewer.admin_org_ids:
        admin = Q(student__organisation_id__in=viewer.admin_org_ids)
        q = admin if q is None else q | admin
    return q


def may_decide_any(viewer: Any) -> bool:
    return bool(viewer.led_class_ids or viewer.admin_org_ids)


@dataclass
class Queue:
    pending: list[AbsenceNote]
    decided: list[AbsenceNote]


def queue(viewer: Any) -> Queue:
    """«Записки от родителей»: all pending notes, oldest first, then the latest decided ones."""
    q = decider_q(viewer)
    if q is None:
        return Queue([], [])
    notes = _notes().filter(q)
    pending = list(notes.filter(status=NoteStatus.PENDING).order_by("created_at", "id"))
    decided = list(
        notes.exclude(status=NoteStatus.PENDING).order_by("-created_at", "-id")[:HISTORY_LIMIT]
    )
    return Queue(pending, decided)


def notes_of_family(students: list[Student]) -> list[AbsenceNote]:
    """A parent's notes about their children: pending first, then the newest."""
    if not students:
        return []
    return list(
        _notes()
        .filter(student_id__in=[s.id for s in students])
        .annotate(
            waiting=Case(
                When(status=NoteStatus.PENDING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("waiting", "-created_at", "-id")[:HISTORY_LIMIT]
    )


@dataclass
class StaffFeed:
    count: int
    oldest: list[AbsenceNote]
    kind: str = "staff"


@dataclass
class FamilyFeed:
    notes: list[AbsenceNote]
    kind: str = "family"


def home_feed(viewer: Any) -> StaffFeed | FamilyFeed | None:
    q = decider_q(viewer)
    if q is not None:
        pending = AbsenceNote.objects.filter(q, status=NoteStatus.PENDING)
        oldest = list(
            pending.select_related("student__current_class__parallel").order_by("created_at", "id")[
                :FEED_LIMIT
            ]
        )
        count = len(oldest) if len(oldest) < FEED_LIMIT else pending.count()
        return StaffFeed(count, oldest)
    if viewer.children:
        notes = list(
            AbsenceNote.objects.filter(student_id__in=[c.id for c in viewer.children])
            .select_related("student")
            .order_by("-created_at", "-id")[:FEED_LIMIT]
        )
        return FamilyFeed(notes) if notes else None
    return None


# ------------------------------------------------------------------ the class week


@dataclass
class DayCell:
    kinds: dict[str, int] = field(default_factory=dict)
    by_note: int = 0

    @property
    def items(self) -> list[tuple[str, int]]:
        return sorted(self.kinds.items())


@dataclass
class WeekRow:
    student: Student
    days: list[DayCell]
    missed: int = 0


def _covers(note: AbsenceNote, lesson_id: int, day: dt.date) -> bool:
    chosen = [lesson.id for lesson in note.lessons.all()]
    if chosen:
        return lesson_id in chosen
    return note.date_from <= day <= note.date_to


def class_attendance_week(class_unit: ClassUnit, monday: dt.date) -> dict[str, Any]:
    """«Посещаемость класса за неделю»: per student and day, the attendance marks of the
    week's lessons, and how many of them an accepted absence note covers. Four queries."""
    days = [monday + dt.timedelta(days=i) for i in range(6)]
    students = list(students_of_class(class_unit).only("id", "last_name", "first_name"))
    ids = [s.id for s in students]
    records = list(
        Attendance.objects.filter(
            student_id__in=ids, lesson__date__gte=days[0], lesson__date__lte=days[-1]
        )
        .filter(
            Q(lesson__class_unit_id=class_unit.id) | Q(lesson__group__class_unit_id=class_unit.id)
        )
        .values_list("student_id", "lesson_id", "lesson__date", "kind")
    )
    notes: dict[int, list[AbsenceNote]] = defaultdict(list)
    for note in (
        AbsenceNote.objects.filter(
            student_id__in=ids,
            status=NoteStatus.ACCEPTED,
            date_from__lte=days[-1],
            date_to__gte=days[0],
        )
        .prefetch_related("lessons")
        .only("id", "student_id", "date_from", "date_to")
    ):
        notes[note.student_id].append(note)
    cells: dict[tuple[int, dt.date], DayCell] = defaultdict(DayCell)
    for student_id, lesson_id, day, kind in records:
        cell = cells[(student_id, day)]
        cell.kinds[kind] = cell.kinds.get(kind, 0) + 1
        if any(_covers(n, lesson_id, day) for n in notes.get(student_id, [])):
            cell.by_note += 1
    rows = []
    for s in students:
        row_cells = [cells.get((s.id, day), DayCell()) for day in days]
        # «оп» is a late arrival: the child was there
        missed = sum(n for c in row_cells for k, n in c.kinds.items() if k != "оп")
        rows.append(WeekRow(s, row_cells, missed))
    return {"class_unit": class_unit, "days": days, "rows": rows, "monday": monday}
