"""Reads for the journal's other pages: the list of journals, final marks, a lesson,
the class teacher's week, the deputy's timeliness report, the Excel export. Each page is a
fixed number of queries."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.db.models import Prefetch, Q
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from shkola.accounts.models import User
from shkola.accounts.selectors import Viewer
from shkola.core import exports
from shkola.core.xlsx_table import table_xlsx
from shkola.schools.models import (
    AttestationPeriod,
    ClassUnit,
    ControlForm,
    Organisation,
    Student,
    StudyGroup,
    Subject,
)
from shkola.schools.selectors import current_year, period_on
from shkola.timetable.models import Lesson, TimetableEntry
from shkola.timetable.selectors import teacher_assignments

from . import grading, selectors
from .models import FinalMark, FinalMarkKind, Homework, HomeworkFile
from .selectors import JournalRef

# --------------------------------------------------------------------------- «Мои классы»


@dataclass
class JournalLink:
    title: str
    url: str
    extra: bool
    hours: int = 0


@dataclass
class ClassJournals:
    class_unit: ClassUnit
    journals: list[JournalLink] = field(default_factory=list)
    week_url: str = ""


def _link(class_unit: Any, group: Any, subject: Subject, hours: int = 0) -> JournalLink:
    if group is not None:
        url = reverse("journal:group_grid", args=[group.id, subject.id])
        who = f"{group.class_unit.name}, {group.name}" if group.class_unit_id else group.name
    else:
        url = reverse("journal:grid", args=[class_unit.id, subject.id])
        who = class_unit.name
    return JournalLink(f"{who} · {subject.name}", url, subject.is_extra, hours)


def _school_journals(
    year_id: int, class_ids: set[int] | None = None
) -> dict[int, list[JournalLink]]:
    """Journals per class from the timetable (one query)."""
    qs = TimetableEntry.objects.filter(academic_year_id=year_id).select_related(
        "class_unit__parallel", "group__class_unit__parallel", "subject"
    )
    if class_ids is not None:
        qs = qs.filter(Q(class_unit_id__in=class_ids) | Q(group__class_unit_id__in=class_ids))
    seen: dict[tuple[Any, ...], JournalLink] = {}
    by_class: dict[int, list[JournalLink]] = defaultdict(list)
    for e in qs.order_by("subject__name"):
        key = (e.class_unit_id if not e.group_id else None, e.group_id, e.subject_id)
        if key in seen:
            continue
        link = seen[key] = _link(e.class_unit, e.group, e.subject)
        class_id = e.class_unit_id or (e.group.class_unit_id if e.group else None)
        by_class[class_id or 0].append(link)
    return by_class


def journal_index(viewer: Viewer) -> dict[str, Any]:
    org = viewer.organisation
    year = current_year(org) if org is not None else None
    ctx: dict[str, Any] = {"year": year, "mine": [], "led": [], "school": [], "periods": []}
    if year is None:
        return ctx
    if viewer.is_teacher:
        ctx["mine"] = [
            _link(a["class_unit"], a["group"], a["subject"], a["hours"])
            for a in teacher_assignments(viewer.user, year.id)
        ]
    led = list(
        ClassUnit.objects.filter(
            class_teacher=viewer.user, parallel__academic_year=year
        ).select_related("parallel")
    )
    if led:
        journals = _school_journals(year.id, {c.id for c in led})
        ctx["led"] = [
            ClassJournals(c, journals.get(c.id, []), reverse("journal:class_week", args=[c.id]))
            for c in led
        ]
    if year.organisation_id in viewer.admin_org_ids:
        classes = list(
            ClassUnit.objects.filter(parallel__academic_year=year).select_related("parallel")
        )
        journals = _school_journals(year.id)
        ctx["school"] = [
            ClassJournals(c, journals.get(c.id, []), reverse("journal:class_week", args=[c.id]))
            for c in classes
        ]
        extra = journals.get(0, [])
        if extra:
            ctx["school_extra"] = extra
        ctx["periods"] = list(
            AttestationPeriod.objects.filter(academic_year=year)
            .select_related("closed_by")
            .order_by("scheme", "number")
        )
    return ctx


# --------------------------------------------------------------------------- final marks


def journals_of_student(viewer: Viewer, student: Student, subject_id: int) -> list[JournalRef]:
    """The class journal of the subject and the journals of the student's groups in it."""
    refs = []
    if student.current_class_id:
        try:
            refs.append(
                selectors.journal_ref(
                    viewer, class_id=student.current_class_id, subject_id=subject_id
                )
            )
        except Http404:
            pass
    for group in StudyGroup.objects.filter(students=student, subject_id=subject_id).only("id"):
        try:
            refs.append(selectors.journal_ref(viewer, group_id=group.id, subject_id=subject_id))
        except Http404:
            pass
    return refs


def final_mark_now(
    student: Student, ref: JournalRef, kind: str, period: AttestationPeriod | None
) -> FinalMark | None:
    return FinalMark.objects.filter(
        student_id=student.id,
        subject_id=ref.subject.id,
        academic_year_id=ref.year.id,
        kind=kind,
        period_id=period.id if period else None,
    ).first()


def finals_table(ref: JournalRef, *, is_admin: bool, may_edit: bool) -> dict[str, Any]:
    """Period averages, suggested and set period marks, year, exam and final marks."""
    from . import cells
    from .services import FinalCell

    students = selectors.roster(ref)
    periods = selectors.periods_for(ref)
    ids = [s.id for s in students]
    finals: dict[tuple[int, str, int | None], FinalMark] = {
        (f.student_id, f.kind, f.period_id): f
        for f in FinalMark.objects.filter(
            student_id__in=ids, subject_id=ref.subject.id, academic_year_id=ref.year.id
        )
    }
    thresholds = grading.thresholds_of(ref.organisation)
    averages = {p.id: selectors.subject_averages(ids, p, [ref.subject.id]) for p in periods}
    year_closed = bool(periods) and all(p.is_closed for p in periods)
    save_url = reverse("journal:final_save")
    rows = []
    for s in students:
        pcells = []
        for p in periods:
            avg = averages[p.id].get((s.id, ref.subject.id))
            editable = may_edit and (is_admin or not p.is_closed)
            cell = FinalCell(
                s.id, ref.subject.id, FinalMarkKind.PERIOD, p.id, finals.get((s.id, "period", p.id))
            )
            pcells.append(
                {
                    "average": avg,
                    "suggested": grading.suggested_mark(avg, thresholds),
                    "html": cells.final_cell_html(cell, editable=editable, save_url=save_url),
                    "text": cell.text,
                }
            )
        others = []
        other_texts = []
        for kind in (FinalMarkKind.YEAR, FinalMarkKind.EXAM, FinalMarkKind.FINAL):
            cell = FinalCell(s.id, ref.subject.id, kind, None, finals.get((s.id, kind, None)))
            others.append(
                cells.final_cell_html(
                    cell, editable=may_edit and (is_admin or not year_closed), save_url=save_url
                )
            )
            other_texts.append(cell.text)
        rows.append({"student": s, "periods": pcells, "others": others, "other_texts": other_texts})
    return {"periods": periods, "rows": rows, "year_closed": year_closed}


# --------------------------------------------------------------------------- a lesson


def lesson_page(lesson: Lesson) -> dict[str, Any]:
    ref = selectors.journal_ref_of_lesson(lesson)
    return {
        "control_forms": list(
            ControlForm.objects.filter(organisation_id=lesson.subject.organisation_id)
        ),
        "homework": list(
            Homework.objects.filter(lesson=lesson)
            .select_related("student")
            .prefetch_related(Prefetch("files", queryset=HomeworkFile.objects.order_by("id")))
            .order_by("id")
        ),
        "students": selectors.roster(ref),
    }


def subjects_of_school(organisation_id: int) -> list[Subject]:
    return list(Subject.objects.filter(organisation_id=organisation_id).order_by("name"))


# --------------------------------------------------------------------------- the class teacher's week


def class_of_viewer(viewer: Viewer, class_id: int) -> ClassUnit:
    return selectors.staff_class(viewer, class_id)


def class_week(class_unit: ClassUnit, monday: dt.date) -> dict[str, Any]:
    """Rows students, columns subjects: the week's main-journal marks and the period average."""
    sunday = monday + dt.timedelta(days=6)
    week = selectors.class_week_marks(class_unit.id, monday, sunday)
    students, subjects, marks = week.students, week.subjects, week.marks
    ids = [s.id for s in students]
    period = period_on(
        class_unit.parallel.academic_year, monday, class_unit.parallel.effective_scheme
    )
    averages = selectors.subject_averages(ids, period, [s.id for s in subjects]) if period else {}
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


# --------------------------------------------------------------------------- timeliness


@dataclass
class TeacherTimeliness:
    teacher: User
    lessons: int
    without_topic: int
    without_marks: int
    late_marks: int

    @property
    def ok(self) -> bool:
        return not (self.without_topic or self.without_marks or self.late_marks)


def timeliness(viewer: Viewer, monday: dt.date, today: dt.date) -> dict[str, Any]:
    """Per teacher for a week: lessons given, lessons without a topic, lessons with no marks
    at all, marks entered after the lesson's day. Three queries. Today's lessons are not
    judged yet (the teacher has until the end of the day), so a lesson counts from the day
    after it was given."""
    end = min(monday + dt.timedelta(days=6), today - dt.timedelta(days=1))
    lessons = Lesson.objects.filter(
        subject__organisation_id__in=viewer.admin_org_ids,
        date__gte=monday,
        date__lte=end,
        is_cancelled=False,
    )
    per_teacher = selectors.timeliness_counts(lessons, "teacher_id", "lesson__teacher_id")
    teachers = {u.id: u for u in User.objects.filter(id__in=per_teacher)}
    rows = [
        TeacherTimeliness(teachers[tid], c.lessons, c.without_topic, c.without_marks, c.late_marks)
        for tid, c in per_teacher.items()
    ]
    rows.sort(
        key=lambda r: (
            r.ok,
            -(r.without_topic + r.without_marks + r.late_marks),
            r.teacher.last_name,
        )
    )
    return {
        "rows": rows,
        "monday": monday,
        "sunday": monday + dt.timedelta(days=6),
        "until": end,
    }


# --------------------------------------------------------------------------- Excel


def grid_xlsx(grid: selectors.Grid) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    # Every value goes through core.exports: names and topics are typed by people (a family
    # edits a child's name) and must stay text, never become formulas.
    ws.title = exports.sheet_title(str(grid.period.name))
    exports.append_row(ws, [grid.ref.title, str(grid.period.name)])
    ws["A1"].font = Font(bold=True)
    header = ["ФИО"] + [f"{x.date:%d.%m}" for x in grid.lessons] + ["Средний"]
    if grid.with_finals:
        header += ["Расчётная", "За период"]
    exports.append_row(ws, header)
    exports.append_row(
        ws,
        ["Тема / форма"]
        + [
            f"{x.topic}{' · ' + x.control_form.name if x.control_form else ''}"
            for x in grid.lessons
        ],
    )
    for row in grid.rows:
        line: list[Any] = [row.student.full_name] + [c.text for c in row.cells]
        avg = grading.quantize2(row.average)
        line.append(float(avg) if isinstance(avg, Decimal) else None)
        if grid.with_finals:
            line += [row.suggested or "", row.final.text if row.final else ""]
        exports.append_row(ws, line)
    ws.column_dimensions["A"].width = 32
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------- the school's figures


def school_report(
    organisation: Organisation, choice: selectors.PeriodChoice, today: dt.date
) -> dict[str, Any]:
    """The school's total and its classes, from ``selectors.school_figures``."""
    spans = selectors.figure_spans([organisation.id], choice)
    total = selectors.school_figures(spans, "school", today).get(
        organisation.id, selectors.Figures()
    )
    by_class = selectors.school_figures(spans, "class", today)
    classes = list(
        ClassUnit.objects.filter(
            parallel__organisation=organisation, parallel__academic_year__is_current=True
        )
        .select_related("parallel")
        .order_by("parallel__grade", "letter", "id")
    )
    return {
        "organisation": organisation,
        "total": total,
        "rows": [(c, by_class.get(c.id, selectors.Figures())) for c in classes],
    }


def _number(value: Any) -> float | None:
    """An average as the page shows it (two decimals), as a number a spreadsheet can sum."""
    avg = grading.quantize2(value) if value is not None else None
    return float(avg) if isinstance(avg, Decimal) else None


def _week_title(monday: dt.date) -> str:
    sunday = monday + dt.timedelta(days=6)
    return f"{_('Неделя')}: {monday:%d.%m.%Y} — {sunday:%d.%m.%Y}"


def class_week_xlsx(week: dict[str, Any]) -> bytes:
    """The class teacher's week (reports.class_week): a row a student; for each subject the
    week's marks and the period average; the mean and the place."""
    subjects = week["subjects"]
    header = [_("Обучающийся")]
    for subject in subjects:
        name = subject.short_name or subject.name
        header += [name, f"{name}: {_('ср.')}"]
    header += [_("Ср."), _("Место")]
    rows = []
    for row in week["rows"]:
        line: list[Any] = [f"{row['student'].last_name} {row['student'].first_name}"]
        for cell in row["cells"]:
            line += [" ".join(str(m.value) for m in cell["marks"]), _number(cell["average"])]
        line += [_number(row["mean"]), row.get("place")]
        rows.append(line)
    period = week["period"]
    return table_xlsx(
        sheet=week["class_unit"].name,
        title=[
            f"{_('Класс')} {week['class_unit'].name}: {_('отметки за неделю')}",
            _week_title(week["monday"])
            + (f"; {_('средний балл')}: {period.name}" if period else ""),
        ],
        header=header,
        rows=rows,
        widths=[30] + [10] * (2 * len(subjects)) + [8, 8],
    )


def finals_xlsx(ref: JournalRef, table: dict[str, Any]) -> bytes:
    """«Итоговые отметки» (reports.finals_table): per period the average, the suggested and
    the set mark; then the year, exam and final marks."""
    header = [_("Обучающийся")]
    for period in table["periods"]:
        header += [
            f"{period.name}: {_('средний')}",
            f"{period.name}: {_('расчётная')}",
            str(period.name),
        ]
    header += [_("Год"), _("Экзамен"), _("Итог")]
    rows = []
    for row in table["rows"]:
        line: list[Any] = [f"{row['student'].last_name} {row['student'].first_name}"]
        for cell in row["periods"]:
            line += [_number(cell["average"]), cell["suggested"] or "", cell["text"]]
        line += row["other_texts"]
        rows.append(line)
    return table_xlsx(
        sheet=_("Итоговые отметки"),
        title=[f"{_('Итоговые отметки')}: {ref.title}", f"{_('Учебный год')} {ref.year.name}"],
        header=header,
        rows=rows,
        widths=[30] + [12] * (3 * len(table["periods"]) + 3),
    )


def timeliness_xlsx(report: dict[str, Any]) -> bytes:
    """«Своевременность заполнения журнала» (reports.timeliness) in the page's order."""
    rows = [
        [
            r.teacher.full_name or r.teacher.username,
            r.lessons,
            r.without_topic,
            r.without_marks,
            r.late_marks,
        ]
        for r in report["rows"]
    ]
    until = report["until"]
    note = (
        f"{_('Уроки по')} {until:%d.%m.%Y} {_('включительно')}"
        if until >= report["monday"]
        else _("На этой неделе ещё не было законченного учебного дня.")
    )
    return table_xlsx(
        sheet=_("Своевременность"),
        title=[
            _("Своевременность заполнения журнала"),
            f"{_week_title(report['monday'])}; {note}",
        ],
        header=[
            _("Учитель"),
            _("Уроков"),
            _("Без темы"),
            _("Без отметок"),
            _("Отметки позже дня урока"),
        ],
        rows=rows,
        widths=(36, 10, 12, 14, 26),
    )
