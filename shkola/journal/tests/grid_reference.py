"""The grid page as it was rendered before issue 14 (commit e252e22), frozen for
``test_grid_html``: the ORM selector with model instances, the cell functions and the former
template (``grid_reference.html``, with its per-lesson and per-row loops). Do not "fix" or
refactor this module: it is the expected value the new rendering is compared with.

Every read here is the ORM one, so comparing the pages also compares the compiled reads with
the ORM on the same data."""

# ruff: noqa
# mypy: ignore-errors
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Sequence

from django.db.models import Count, F, Sum
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from shkola.core import clock
from shkola.journal import grading, selectors, services
from shkola.journal.models import Attendance, FinalMark, FinalMarkKind, JournalKind, Mark
from shkola.journal.selectors import JournalRef
from shkola.journal.services import Cell, FinalCell
from shkola.journal.views import _int, _journal_kind, _may, _ref_or_404
from shkola.schools.models import AttestationPeriod, Student
from shkola.timetable.models import Lesson


@cache
def _TEMPLATE() -> Any:
    source = (Path(__file__).parent / "grid_reference.html").read_text()
    return engines["django"].from_string(source)


@dataclass
class ReferenceGridRow:
    student: Student
    cells: list[Any]
    average: Decimal | None
    suggested: str | None
    final: Any


@dataclass
class ReferenceGrid:
    ref: JournalRef
    period: AttestationPeriod
    periods: list[AttestationPeriod]
    journal: str
    lessons: Sequence[Lesson]
    rows: list[ReferenceGridRow]
    with_finals: bool


_MARK_CLASS = {"5": "mark-5", "4": "mark-4", "3": "mark-3", "2": "mark-2", "1": "mark-1"}


def _value_html(cell: Cell) -> str:
    parts = []
    if cell.attendance is not None:
        parts.append(
            f'<b class="att att-{escape(cell.attendance.kind)}">{escape(cell.attendance.kind)}</b>'
        )
    for m in cell.marks:
        css = _MARK_CLASS.get(m.value, "mark-pf")
        parts.append(f'<b class="{css}">{escape(m.value)}</b>')
    return "".join(parts)


def mark_cell_html(
    cell: Cell,
    *,
    editable: bool,
    error: str = "",
    typed: str | None = None,
    conflict: bool = False,
) -> SafeString:
    classes = ["jc"] if editable else ["ro"]
    if cell.has_note:
        classes.append("has-note")
    attrs = f' data-l="{cell.lesson_id}" data-s="{cell.student_id}"'
    if editable:
        attrs += f' data-fp="{cell.fingerprint}"'
    extra = ""
    if error:
        classes.append("conflict" if conflict else "err")
        attrs += f' data-typed="{escape(typed or "")}" data-msg="{escape(error)}" title="{escape(error)}"'
        if conflict:
            extra = f'<span class="typed">{escape(typed or "∅")}?</span>'
        else:
            return mark_safe(
                f'<td class="{" ".join(classes)}"{attrs}><span class="cv typed-bad">'
                f'{escape(typed or "")}</span><i class="bi bi-exclamation-triangle-fill"></i></td>'
            )
    return mark_safe(
        f'<td class="{" ".join(classes)}"{attrs}><span class="cv">{_value_html(cell)}</span>{extra}</td>'
    )


def final_cell_html(
    cell: FinalCell,
    *,
    editable: bool,
    save_url: str,
    error: str = "",
    typed: str | None = None,
    conflict: bool = False,
) -> SafeString:
    classes = ["jc", "jf"] if editable else ["ro", "jf"]
    post = f"student={cell.student_id}&subject={cell.subject_id}&kind={cell.kind}"
    if cell.period_id:
        post += f"&period={cell.period_id}"
    attrs = f' data-post="{escape(post)}"'
    if editable:
        attrs += f' data-fp="{cell.fingerprint}" data-save="{escape(save_url)}"'
    value = cell.text
    extra = ""
    if error:
        classes.append("conflict" if conflict else "err")
        attrs += f' data-typed="{escape(typed or "")}" data-msg="{escape(error)}" title="{escape(error)}"'
        if conflict:
            extra = f'<span class="typed">{escape(typed or "∅")}?</span>'
        else:
            value = typed or ""
    css = _MARK_CLASS.get(value, "mark-pf") if value else ""
    inner = f'<b class="{css}">{escape(value)}</b>' if value else ""
    return mark_safe(
        f'<td class="{" ".join(classes)}"{attrs}><span class="cv">{inner}</span>{extra}</td>'
    )


def row_html(
    cells: list[Cell], *, editable: bool, read_only_lessons: frozenset[int] = frozenset()
) -> SafeString:
    """read_only_lessons: columns nobody may type in, e.g. lessons not given yet."""
    return mark_safe(
        "".join(
            mark_cell_html(c, editable=editable and c.lesson_id not in read_only_lessons)
            for c in cells
        )
    )


def reference_subject_averages(
    student_ids: Iterable[int],
    period: AttestationPeriod,
    subject_ids: Iterable[int] | None = None,
) -> dict[tuple[int, int], Decimal | None]:
    """Weighted averages (exact Decimals) per (student_id, subject_id) in a period, from ONE
    aggregate query: Σ points×weight / Σ weight over ``main_average_marks`` with points
    (pass/fail never counts).

    Pairs with marks are always present; when ``subject_ids`` is given every asked pair is
    present, None where there is nothing to average."""
    students = list(student_ids)
    result: dict[tuple[int, int], Decimal | None] = {}
    if not students:
        return result
    marks = selectors.main_average_marks(period.start, period.end).filter(
        student_id__in=students, points__isnull=False
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


def reference_periods_for(ref: JournalRef) -> list[AttestationPeriod]:
    scheme = ref.organisation.period_scheme
    if ref.class_unit is not None and ref.class_unit.parallel.period_scheme:
        scheme = ref.class_unit.parallel.period_scheme
    return list(
        AttestationPeriod.objects.filter(academic_year_id=ref.year.id, scheme=scheme).order_by(
            "number"
        )
    )


def reference_journal_grid(
    ref: JournalRef,
    period: AttestationPeriod,
    periods: list[AttestationPeriod],
    journal: str = JournalKind.MAIN,
) -> ReferenceGrid:
    """The class–subject–period grid with a fixed number of queries whatever the size:
    students, lessons (with homework counts), marks, attendance, period marks."""
    from shkola.journal.services import Cell, FinalCell

    students = selectors.roster(ref)
    lessons = list(
        selectors.journal_lessons(ref, period.start, period.end)
        .select_related("control_form")
        .annotate(n_homework=Count("homework"))
        .order_by("date", "lesson_number", "id")
    )
    lesson_ids = [x.id for x in lessons]
    cells: dict[tuple[int, int], Cell] = {}
    if lesson_ids:
        for mark in (
            Mark.objects.filter(lesson_id__in=lesson_ids, journal=journal)
            .only(
                "id",
                "student_id",
                "lesson_id",
                "value",
                "points",
                "weight",
                "comment",
                "work_name",
                "version",
            )
            .order_by("id")
        ):
            key = (mark.lesson_id, mark.student_id)
            cell = cells.get(key)
            if cell is None:
                cell = cells[key] = Cell(mark.lesson_id, mark.student_id, journal)
            cell.marks.append(mark)
        if journal == JournalKind.MAIN:
            for att in Attendance.objects.filter(lesson_id__in=lesson_ids).only(
                "id", "student_id", "lesson_id", "kind", "version"
            ):
                key = (att.lesson_id, att.student_id)
                cell = cells.get(key)
                if cell is None:
                    cell = cells[key] = Cell(att.lesson_id, att.student_id, journal)
                cell.attendance = att
    with_finals = journal == JournalKind.MAIN and not ref.is_extra
    finals: dict[int, FinalMark] = {}
    if with_finals and students:
        finals = {
            f.student_id: f
            for f in FinalMark.objects.filter(
                student_id__in=[s.id for s in students],
                subject_id=ref.subject.id,
                academic_year_id=ref.year.id,
                kind=FinalMarkKind.PERIOD,
                period_id=period.id,
            )
        }
    thresholds = grading.thresholds_of(ref.organisation)
    # The main journal shows the student's main average in the subject, the very number the
    # report card, the diary and the period marks show (a class grid and its subgroups' grids
    # agree too). The homework and extra-education journals show their own average.
    shared = journal == JournalKind.MAIN and ref.counts_in_main_average
    main_averages = (
        reference_subject_averages([s.id for s in students], period, [ref.subject.id])
        if shared
        else {}
    )
    rows = []
    for student in students:
        row_cells = [
            cells.get((lesson.id, student.id)) or Cell(lesson.id, student.id, journal)
            for lesson in lessons
        ]
        if shared:
            average = main_averages.get((student.id, ref.subject.id))
        else:
            average = grading.weighted_average(
                (m.points, m.weight) for c in row_cells for m in c.marks
            )
        rows.append(
            ReferenceGridRow(
                student=student,
                cells=row_cells,
                average=average,
                suggested=grading.suggested_mark(average, thresholds) if with_finals else None,
                final=FinalCell(
                    student.id,
                    ref.subject.id,
                    FinalMarkKind.PERIOD,
                    period.id,
                    finals.get(student.id),
                )
                if with_finals
                else None,
            )
        )
    return ReferenceGrid(ref, period, periods, journal, lessons, rows, with_finals)


def reference_grid_page(request: HttpRequest, **ids: Any) -> HttpResponse:
    ref = _ref_or_404(request, "journal.view_journal", **ids)
    journal = _journal_kind(request)
    periods = reference_periods_for(ref)
    period = selectors.choose_period(periods, _int(request.GET.get("period")), clock.today())
    grid = reference_journal_grid(ref, period, periods, journal)
    may_edit = _may(request, "journal.edit_journal", ref)
    is_admin = request.user.has_perm("journal.close_period", period)
    editable = may_edit and (not period.is_closed or is_admin)
    final_url = reverse("journal:final_save")
    future = frozenset(lesson.id for lesson in grid.lessons if services.lesson_is_future(lesson))
    rows = [
        {
            "student": r.student,
            "cells": row_html(r.cells, editable=editable, read_only_lessons=future),
            "average": r.average,
            "suggested": r.suggested,
            "final": final_cell_html(r.final, editable=editable, save_url=final_url)
            if r.final is not None
            else "",
        }
        for r in grid.rows
    ]
    ctx = {
        "grid": grid,
        "ref": ref,
        "rows": rows,
        "editable": editable,
        "may_edit": may_edit,
        "is_admin": is_admin,
        "journal": journal,
        "today": clock.today(),
        "main_url": ref.url(period=period.id),
        "homework_url": ref.url(period=period.id, journal=JournalKind.HOMEWORK),
        "period_urls": [
            (p, ref.url(period=p.id, journal=journal if journal != "main" else "")) for p in periods
        ],
        "finals_url": reverse(
            "journal:group_finals" if ref.group else "journal:finals",
            args=[ref.group.id if ref.group else ref.class_unit.id, ref.subject.id],  # type: ignore[union-attr]
        ),
        "xlsx_url": reverse(
            "journal:group_grid_xlsx" if ref.group else "journal:grid_xlsx",
            args=[ref.group.id if ref.group else ref.class_unit.id, ref.subject.id],  # type: ignore[union-attr]
        )
        + f"?period={period.id}&journal={journal}",
    }
    return HttpResponse(_TEMPLATE().render(ctx, request))
