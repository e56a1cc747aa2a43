"""The ORM versions of the diary week's and the report card's reads, as they were before they
were compiled once per process (issue 14). Tests only."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse

from shkola.accounts.models import User
from shkola.diary.selectors import (
    ATTENDANCE_LABELS,
    DiaryDay,
    DiaryLesson,
    DiaryWeek,
    HomeworkItem,
    SubjectForecast,
    grade_of,
    mark_view,
    monday_of,
    subject_forecast,
    year_id_of,
)
from shkola.journal import grading
from shkola.journal import selectors as journal_selectors
from shkola.journal.models import Attendance, Homework, JournalKind, Mark
from shkola.schools.models import (
    AcademicYear,
    AttestationPeriod,
    Enrolment,
    Holiday,
    Student,
    StudyGroup,
    Subject,
)
from shkola.schools.selectors import holiday_on
from shkola.timetable.models import BellSlot, Lesson


def periods_of_student_years(student: Student) -> list[AttestationPeriod]:
    class_ids = Enrolment.objects.filter(student_id=student.id, class_unit__isnull=False).values(
        "class_unit_id"
    )
    years = AcademicYear.objects.filter(
        Q(parallels__class_units__id__in=class_ids) | Q(id=year_id_of(student) or 0)
    )
    return list(
        AttestationPeriod.objects.filter(academic_year__in=years)
        .select_related("academic_year")
        .order_by("-academic_year__start", "number")
    )


def group_ids_of(student: Student) -> list[int]:
    return list(
        StudyGroup.students.through.objects.filter(student_id=student.id).values_list(
            "studygroup_id", flat=True
        )
    )


def student_lessons(student: Student, *, with_marked_cancelled: bool = False) -> QuerySet[Lesson]:
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


def homework_by_lesson(student: Student, lesson_ids: list[int]) -> dict[int, list[HomeworkItem]]:
    result: dict[int, list[HomeworkItem]] = defaultdict(list)
    if not lesson_ids:
        return result
    rows = (
        Homework.objects.filter(lesson_id__in=lesson_ids)
        .filter(Q(student__isnull=True) | Q(student_id=student.id))
        .order_by("id", "files__id")
        .values("id", "lesson_id", "text", "files__id", "files__name", "files__size")
    )
    by_id: dict[int, HomeworkItem] = {}
    for row in rows:
        item = by_id.get(row["id"])
        if item is None:
            item = by_id[row["id"]] = HomeworkItem(text=row["text"])
            result[row["lesson_id"]].append(item)
        if row["files__id"]:
            item.files.append(
                {
                    "id": row["files__id"],
                    "url": reverse("diary:homework_file", args=[row["files__id"]]),
                    "name": row["files__name"],
                    "size": row["files__size"],
                }
            )
    return result


def diary_week(student: Student, monday: dt.date, today: dt.date) -> DiaryWeek:
    monday = monday_of(monday)
    saturday = monday + dt.timedelta(days=5)
    sunday = monday + dt.timedelta(days=6)
    bells = BellSlot.objects.filter(
        organisation_id=student.organisation_id, number=OuterRef("lesson_number")
    )
    lessons = (
        student_lessons(student, with_marked_cancelled=True)
        .filter(date__gte=monday, date__lte=saturday)
        .annotate(
            bell_start=Subquery(bells.values("start")[:1]),
            bell_end=Subquery(bells.values("end")[:1]),
            attendance_kind=Subquery(
                Attendance.objects.filter(lesson=OuterRef("pk"), student_id=student.id).values(
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
    )
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
    ) in lessons:
        teacher = teachers.get(teacher_id)
        if teacher is None:
            teacher = teachers[teacher_id] = User(
                last_name=last, first_name=first, middle_name=middle
            ).short_name
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
    marks = (
        Mark.objects.filter(
            student_id=student.id,
            journal=JournalKind.MAIN,
            lesson__date__gte=monday,
            lesson__date__lte=saturday,
        )
        .order_by("id")
        .values_list("lesson_id", "value", "work_name", "comment", "control_form__name")
    )
    for lesson_id, value, work_name, comment, form_name in marks:
        if lesson_id in rows:
            rows[lesson_id].marks.append(mark_view(value, work_name, comment, form_name))
    for lesson_id, items in homework_by_lesson(student, list(rows)).items():
        rows[lesson_id].homework = items
    grade = grade_of(student)
    holidays = [
        h
        for h in Holiday.objects.filter(
            academic_year__organisation_id=student.organisation_id,
            start__lte=saturday,
            end__gte=monday,
        )
        if h.applies_to_grade(grade)
    ]
    by_day: dict[dt.date, list[DiaryLesson]] = defaultdict(list)
    for row in rows.values():
        by_day[row.date].append(row)
    days = []
    for offset in range(6):
        day = monday + dt.timedelta(days=offset)
        if offset == 5 and not by_day.get(day):
            continue
        days.append(
            DiaryDay(
                date=day,
                is_today=day == today,
                holiday=holiday_on(day, holidays),  # type: ignore[arg-type]
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


@dataclass
class LessonDate:
    lesson: Lesson
    marks: list[Mark]


@dataclass
class SubjectRow:
    subject: Subject
    marks: list[Mark] = field(default_factory=list)
    dates: list[LessonDate] = field(default_factory=list)
    average: Decimal | None = None
    suggested: str | None = None
    forecast: SubjectForecast | None = None

    @property
    def works(self) -> list[Mark]:
        return [m for m in self.marks if m.work_name or m.comment]


def _rows_from(
    lessons: list[Lesson],
    marks: list[Mark],
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


def report_card(
    student: Student, period: AttestationPeriod, *, today: dt.date | None = None
) -> list[SubjectRow]:
    lessons = list(
        student_lessons(student, with_marked_cancelled=True)
        .filter(date__gte=period.start, date__lte=period.end)
        .select_related("subject", "group", "control_form")
        .order_by("date", "lesson_number")
        .exclude(journal_selectors.extra_education_q())
    )
    marks = list(
        journal_selectors.main_average_marks(period.start, period.end)
        .filter(student_id=student.id)
        .select_related("lesson__subject", "lesson__group", "control_form")
        .order_by("lesson__date", "lesson__lesson_number", "id")
    )
    return _rows_from(
        lessons, marks, student.organisation, (period, today) if today is not None else None
    )
