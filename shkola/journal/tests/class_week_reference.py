"""The class teacher's week as ``reports.class_week`` built it before issue 14 (commit
e252e22), frozen for ``test_class_week_html``: every read is the ORM one. Do not refactor."""

# ruff: noqa
# mypy: ignore-errors
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, cast

from django.db.models import Q

from shkola.journal import grading, selectors
from shkola.journal.models import Mark
from shkola.schools.models import ClassUnit, CurriculumItem, Subject
from shkola.schools.selectors import period_on, students_of_class
from shkola.timetable.models import Lesson

from .grid_reference import reference_subject_averages


def reference_class_week(class_unit: ClassUnit, monday: dt.date) -> dict[str, Any]:
    """Rows students, columns subjects: the week's main-journal marks and the period average."""
    sunday = monday + dt.timedelta(days=6)
    students = list(
        students_of_class(class_unit).only("id", "last_name", "first_name", "middle_name")
    )
    ids = [s.id for s in students]
    lessons = Lesson.objects.filter(
        Q(class_unit_id=class_unit.id) | Q(group__class_unit_id=class_unit.id),
        date__gte=monday,
        date__lte=sunday,
    ).exclude(selectors.extra_education_q())
    subject_ids = set(
        CurriculumItem.objects.filter(class_unit=class_unit).values_list("subject_id", flat=True)
    ) | set(lessons.values_list("subject_id", flat=True))
    subjects = list(Subject.objects.filter(id__in=subject_ids, is_extra=False).order_by("name"))
    marks: dict[tuple[int, int], list[Mark]] = defaultdict(list)
    for m in (
        selectors.main_average_marks(monday, sunday)
        .filter(student_id__in=ids, lesson__in=lessons)
        .select_related("lesson")
        .only("id", "student_id", "value", "lesson__subject_id", "lesson__date")
        .order_by("lesson__date", "id")
    ):
        marks[(m.student_id, m.lesson.subject_id)].append(m)
    period = period_on(
        class_unit.parallel.academic_year, monday, class_unit.parallel.effective_scheme
    )
    averages = reference_subject_averages(ids, period, [s.id for s in subjects]) if period else {}
    rows = []
    for s in students:
        row_avgs = [averages.get((s.id, subj.id)) for subj in subjects]
        rows.append(
            {
                "student": s,
                "cells": [
                    {
                        "marks": marks.get((s.id, subj.id), []),
                        "average": averages.get((s.id, subj.id)),
                    }
                    for subj in subjects
                ],
                "mean": grading.mean(row_avgs),
            }
        )
    # The class rating: by the mean of subject averages, best first.
    ranked = sorted(
        (r for r in rows if r["mean"] is not None), key=lambda r: -cast(float, r["mean"])
    )
    for place, r in enumerate(ranked, start=1):
        r["place"] = place
    return {
        "class_unit": class_unit,
        "monday": monday,
        "sunday": sunday,
        "subjects": subjects,
        "rows": rows,
        "period": period,
    }
