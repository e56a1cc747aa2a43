"""The journal's URL × role expectations (demo world: ``teacher`` teaches «Алгебра» in 7А,
``classteacher`` leads 7А, ``curator`` administers the school)."""

from __future__ import annotations

from typing import Any

from shkola.core.testing.matrix import Case, expect

STAFF_READ = expect(404, anonymous=302, teacher=200, classteacher=200, curator=200)
NOBODY = expect(404, anonymous=302)
POST_ONLY = expect(405, anonymous=302)


def _lesson(w: Any) -> Any:
    from shkola.timetable.models import Lesson

    return (
        Lesson.objects.filter(class_unit=w.class_unit, subject=w.subject, group__isnull=True)
        .order_by("date")
        .first()
    )


def _grid(w: Any) -> dict[str, int]:
    return {"class_id": w.class_unit.id, "subject_id": w.subject.id}


def _other_grid(w: Any) -> dict[str, int]:
    from shkola.schools.models import Subject

    subject = Subject.objects.filter(organisation=w.other_school).order_by("id").first()
    return {"class_id": w.other_student.current_class_id, "subject_id": subject.id}


def _extra_group(w: Any) -> dict[str, int]:
    from shkola.timetable.models import TimetableEntry

    # A group of another class taught by someone else: neither ``teacher`` nor
    # ``classteacher`` has business there.
    entry = (
        TimetableEntry.objects.filter(academic_year=w.year, group__isnull=False)
        .exclude(teacher__in=[w.users["teacher"], w.users["classteacher"]])
        .exclude(group__class_unit=w.class_unit)
        .order_by("id")
        .first()
    )
    return {"group_id": entry.group_id, "subject_id": entry.subject_id}


def _cell_query(w: Any) -> str:
    return f"lesson={_lesson(w).id}&student={w.student.id}"


def _final_query(w: Any) -> str:
    return f"student={w.student.id}&subject={w.subject.id}&kind=period&period={w.period.id}"


def _homework_file(w: Any) -> dict[str, int]:
    from django.core.files.base import ContentFile

    from shkola.journal.models import Homework, HomeworkFile

    homework = Homework.objects.create(lesson=_lesson(w), text="Параграф 3")
    item = HomeworkFile(homework=homework, name="task.txt", size=4)
    item.file.save("task.txt", ContentFile(b"test"), save=True)
    return {"file_id": item.id}


def _homework(w: Any) -> dict[str, int]:
    from shkola.journal.models import Homework

    lesson = _lesson(w)
    homework, _ = Homework.objects.get_or_create(lesson=lesson, text="Параграф 4")
    return {"lesson_id": lesson.id, "homework_id": homework.id}


def _mark(w: Any) -> dict[str, int]:
    from shkola.journal.models import Mark

    return {"mark_id": Mark.objects.order_by("id").first().id}  # type: ignore[union-attr]


CASES = [
    # A teacher with no lessons yet (``teacher_parent``) has the journal's index, empty.
    Case("journal:index", {**STAFF_READ, "teacher_parent": 200}),
    Case("journal:grid", STAFF_READ, kwargs=_grid),
    Case("journal:grid", NOBODY, kwargs=_other_grid, label="another school"),
    Case("journal:grid_xlsx", STAFF_READ, kwargs=_grid),
    Case("journal:grid_xlsx", NOBODY, kwargs=_other_grid, label="another school"),
    Case("journal:finals", STAFF_READ, kwargs=_grid),
    Case("journal:finals", NOBODY, kwargs=_other_grid, label="another school"),
    Case("journal:finals_xlsx", STAFF_READ, kwargs=_grid),
    Case("journal:finals_xlsx", NOBODY, kwargs=_other_grid, label="another school"),
    # Another class's group: only its teacher and the administration.
    Case("journal:group_grid", expect(404, anonymous=302, curator=200), kwargs=_extra_group),
    Case("journal:group_grid_xlsx", expect(404, anonymous=302, curator=200), kwargs=_extra_group),
    Case("journal:group_finals", expect(404, anonymous=302, curator=200), kwargs=_extra_group),
    Case("journal:group_finals_xlsx", expect(404, anonymous=302, curator=200), kwargs=_extra_group),
    Case("journal:cell_save", POST_ONLY),
    Case("journal:cell_panel", STAFF_READ, query=_cell_query),
    Case("journal:mark_note", POST_ONLY, kwargs=_mark),
    Case("journal:final_save", POST_ONLY),
    Case("journal:final_panel", STAFF_READ, query=_final_query),
    Case("journal:lesson", STAFF_READ, kwargs=lambda w: {"lesson_id": _lesson(w).id}),
    # GET asks «Удалить домашнее задание …?»; only the POST from that page deletes.
    # Only who may edit the lesson (its teacher, the administration); the class teacher reads it.
    Case(
        "journal:homework_delete",
        expect(404, anonymous=302, teacher=200, curator=200),
        kwargs=_homework,
    ),
    Case("journal:homework_file", STAFF_READ, kwargs=_homework_file),
    Case("journal:remarks", STAFF_READ, kwargs=lambda w: {"student_id": w.student.id}),
    Case(
        "journal:remarks",
        NOBODY,
        kwargs=lambda w: {"student_id": w.other_student.id},
        label="another school",
    ),
    Case(
        "journal:class_week",
        expect(404, anonymous=302, classteacher=200, curator=200),
        kwargs=lambda w: {"class_id": w.class_unit.id},
    ),
    Case(
        "journal:class_week",
        NOBODY,
        kwargs=lambda w: {"class_id": w.other_student.current_class_id},
        label="another school",
    ),
    Case(
        "journal:class_week_xlsx",
        expect(404, anonymous=302, classteacher=200, curator=200),
        kwargs=lambda w: {"class_id": w.class_unit.id},
        query="week=2026-09-07",
    ),
    Case(
        "journal:class_week_xlsx",
        NOBODY,
        kwargs=lambda w: {"class_id": w.other_student.current_class_id},
        label="another school",
    ),
    Case("journal:timeliness", expect(404, anonymous=302, curator=200)),
    Case("journal:school_report", expect(404, anonymous=302, curator=200)),
    Case(
        "journal:school_report",
        expect(404, anonymous=302, curator=200),
        query="period=nonsense-1",
        label="bad period",
    ),
    Case("journal:timeliness_xlsx", expect(404, anonymous=302, curator=200)),
    Case(
        "journal:timeliness_xlsx",
        expect(404, anonymous=302, curator=200),
        query="week=not-a-date",
        label="bad week",
    ),
    Case("journal:control_forms", expect(404, anonymous=302, curator=200)),
    Case("journal:period_toggle", POST_ONLY, kwargs=lambda w: {"period_id": w.period.id}),
]
