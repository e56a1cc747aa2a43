"""«Расписание» and «Замены» (B2): the school's administration (``curator``) edits; a teacher
sees their own week read-only; families and officials have no editor."""

from __future__ import annotations

from typing import Any

from shkola.core.testing.matrix import Case, expect

ADMIN_ONLY = expect(404, anonymous=302, curator=200)
NOBODY = expect(404, anonymous=302)
# Teachers of the demo school (``teacher_parent`` among them) see their own grid.
STAFF = expect(200, anonymous=302, student=404, parent=404, official=404, parent_two_schools=404)


def _lesson(w: Any) -> dict[str, int]:
    from shkola.timetable.models import Lesson

    lesson = Lesson.objects.filter(academic_year=w.year).order_by("id").first()
    assert lesson is not None
    return {"lesson_id": lesson.id}


def _other_lesson(w: Any) -> dict[str, int]:
    from shkola.timetable.models import Lesson

    lesson = Lesson.objects.filter(subject__organisation=w.other_school).order_by("id").first()
    assert lesson is not None
    return {"lesson_id": lesson.id}


CASES = [
    Case("timetable:grid", STAFF),
    Case("timetable:grid", STAFF, query="view=room&id=abc&cell=9-99", label="bad query"),
    Case("timetable:substitutions", ADMIN_ONLY),
    Case(
        "timetable:substitutions",
        {**ADMIN_ONLY, "curator": 422},
        query="date=2026-13-45&teacher=x",
        label="bad date",
    ),
    Case("timetable:substitute", ADMIN_ONLY, kwargs=_lesson),
    Case("timetable:substitute", NOBODY, kwargs=_other_lesson, label="another school"),
]
