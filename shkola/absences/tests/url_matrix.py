"""Who gets what from each absence-note URL (see shkola/core/testing/matrix.py)."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile

from shkola.core.testing.matrix import Case, expect

# The demo parent's note about the demo student (7А, led by ``classteacher``): the family,
# the class teacher and the school's administration; another family (the two-school parent,
# the teacher who is a parent elsewhere), a subject teacher, the student and officials: 404.
NOTE = expect(
    404, anonymous=302, parent=200, classteacher=200, curator=200
)  # fmt: skip
FAMILIES = expect(
    404, anonymous=302, parent=200, parent_two_schools=200, teacher_parent=200
)  # fmt: skip
DECIDERS = expect(404, anonymous=302, classteacher=200, curator=200)


def _note(student: Any) -> Any:
    from shkola.absences.models import AbsenceNote

    note = AbsenceNote.objects.filter(student=student).order_by("id").first()
    if note is None:
        note = AbsenceNote.objects.create(
            student=student, date_from=_today(), date_to=_today(), reason="illness"
        )
    return note


def _today() -> Any:
    from shkola.core import clock

    return clock.today()


def _with_scan(w: Any) -> dict[str, Any]:
    from shkola.absences.models import AbsenceNote

    note = AbsenceNote.objects.filter(student=w.student).exclude(file="").order_by("id").first()
    if note is None:
        note = _note(w.student)
    # Each test has its own media root: make sure this test's storage holds the file.
    if not note.file or not note.file.storage.exists(note.file.name or ""):
        note.file.save("spravka.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
        note.file_name = "spravka.pdf"
        note.file_content_type = "application/pdf"
        note.save(update_fields=["file", "file_name", "file_content_type"])
    return {"note_id": note.id}


CASES = [
    Case("absences:mine", FAMILIES),
    Case("absences:create", FAMILIES),
    Case("absences:create", FAMILIES, query="day=2026-13-45", label="bad day"),
    Case("absences:queue", DECIDERS),
    Case("absences:detail", NOTE, kwargs=lambda w: {"note_id": _note(w.student).id}),
    Case("absences:scan", NOTE, kwargs=_with_scan),
    # Another school's family: only that family's own parent.
    Case(
        "absences:detail",
        expect(404, anonymous=302, parent_two_schools=200),
        kwargs=lambda w: {"note_id": _note(w.cross_other_child).id},
        label="two-school family, other school",
    ),
    Case(
        "absences:detail",
        expect(404, anonymous=302, teacher_parent=200),
        kwargs=lambda w: {"note_id": _note(w.teacher_parent_child).id},
        label="teacher's own child, other school",
    ),
    Case(
        "absences:detail",
        expect(404, anonymous=302),
        kwargs=lambda w: {"note_id": _note(w.other_student).id},
        label="other school",
    ),
    Case("absences:class_week", DECIDERS, kwargs=lambda w: {"class_id": w.class_unit.id}),
    Case(
        "absences:class_week",
        expect(404, anonymous=302),
        kwargs=lambda w: {"class_id": w.other_student.current_class_id},
        label="other school",
        query="week=0001-01-01",
    ),
    Case(
        "absences:class_week_xlsx",
        DECIDERS,
        kwargs=lambda w: {"class_id": w.class_unit.id},
        query="week=not-a-date",
    ),
    Case(
        "absences:class_week_xlsx",
        expect(404, anonymous=302),
        kwargs=lambda w: {"class_id": w.other_student.current_class_id},
        label="other school",
    ),
]
