"""Reads of the journal, for the teacher's pages and for the diary.

The diary calls ``student_period_marks``, ``subject_averages`` and ``final_marks_of``; keep
their signatures stable. Every average goes through ``shkola.journal.grading``."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import F, Sum

from shkola.schools.models import AcademicYear, AttestationPeriod, Student

from . import grading
from .models import FinalMark, JournalKind, Mark

# --------------------------------------------------------------------------- for the diary


def student_period_marks(
    student: Student, period: AttestationPeriod, journal: str = JournalKind.MAIN
) -> list[Mark]:
    """The student's marks of one journal in a period (by lesson date), oldest first, with
    the lesson (subject, group) and the control form loaded: one query."""
    return list(
        Mark.objects.filter(
            student_id=student.id,
            journal=journal,
            lesson__date__gte=period.start,
            lesson__date__lte=period.end,
        )
        .select_related("lesson__subject", "lesson__group", "control_form")
        .order_by("lesson__date", "lesson__lesson_number", "id")
    )


def subject_averages(
    student_ids: Iterable[int],
    period: AttestationPeriod,
    subject_ids: Iterable[int] | None = None,
) -> dict[tuple[int, int], Decimal | None]:
    """Weighted averages (exact Decimals) per (student_id, subject_id) in a period, from ONE
    aggregate query: Σ points×weight / Σ weight over main-journal marks with points (pass/fail
    and the homework journal never count), extra-education subjects left out.

    Pairs with marks are always present; when ``subject_ids`` is given every asked pair is
    present, None where there is nothing to average."""
    students = list(student_ids)
    result: dict[tuple[int, int], Decimal | None] = {}
    if not students:
        return result
    marks = Mark.objects.filter(
        student_id__in=students,
        journal=JournalKind.MAIN,
        points__isnull=False,
        lesson__date__gte=period.start,
        lesson__date__lte=period.end,
        lesson__subject__is_extra=False,
    )
    subjects = list(subject_ids) if subject_ids is not None else None
    if subjects is not None:
        if not subjects:
            return result
        marks = marks.filter(lesson__subject_id__in=subjects)
        for sid in students:
            for subj in subjects:
                result[(sid, subj)] = None
    rows = (
        marks.values("student_id", "lesson__subject_id")
        .annotate(total=Sum(F("points") * F("weight")), weights=Sum("weight"))
        .order_by()
    )
    for row in rows:
        result[(row["student_id"], row["lesson__subject_id"])] = grading.average_from_sums(
            row["total"], row["weights"]
        )
    return result


def final_marks_of(student: Student, academic_year: AcademicYear | int) -> list[FinalMark]:
    """Period, year, exam and final marks of a student in a year, with subject and period."""
    year_id = academic_year if isinstance(academic_year, int) else academic_year.id
    return list(
        FinalMark.objects.filter(student_id=student.id, academic_year_id=year_id)
        .select_related("subject", "period")
        .order_by("subject__name", "kind", "period__number")
    )
