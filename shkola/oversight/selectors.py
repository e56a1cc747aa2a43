"""Reads of the oversight pages (H1): the figures of the schools of an official's territory,
from the journal's ``school_figures`` (the same numbers the school's own report shows) and
the portfolio's activity counts. Aggregates only — no child's name, no link to a child.
Each page is a fixed number of queries whatever the number of schools."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from shkola.core import exports
from shkola.journal import grading
from shkola.journal import selectors as journal
from shkola.portfolio import selectors as portfolio
from shkola.schools.models import (
    ClassUnit,
    Organisation,
    OrganisationKind,
    Subject,
    Territory,
)


def schools_of(viewer: Any) -> list[Organisation]:
    """The schools of the official's territory (a region: of all its municipalities)."""
    ids = viewer.territory_ids
    if not ids:
        return []
    return list(
        Organisation.objects.filter(territory_id__in=ids, kind=OrganisationKind.SCHOOL)
        .select_related("territory")
        .order_by("territory__name", "short_name", "id")
    )


def school_of(viewer: Any, organisation_id: int) -> Organisation:
    org = (
        Organisation.objects.select_related("territory")
        .filter(
            id=organisation_id,
            territory_id__in=viewer.territory_ids or [0],
            kind=OrganisationKind.SCHOOL,
        )
        .first()
    )
    if org is None:
        raise Http404
    return org


def class_of(viewer: Any, class_id: int) -> ClassUnit:
    class_unit = (
        ClassUnit.objects.select_related("parallel__organisation__territory")
        .filter(
            id=class_id,
            parallel__organisation__territory_id__in=viewer.territory_ids or [0],
            parallel__organisation__kind=OrganisationKind.SCHOOL,
            parallel__academic_year__is_current=True,
        )
        .first()
    )
    if class_unit is None:
        raise Http404
    return class_unit


@dataclass
class Row:
    label: str
    figures: journal.Figures
    url: str = ""
    group: str = ""  # the municipality on a regional official's page
    key: str = ""  # the row's id in the page («school-12»)


@dataclass
class Table:
    key: str  # the ?xlsx= name and the table's id
    title: str
    first_column: str
    rows: list[Row] = field(default_factory=list)
    portfolio: bool = True  # achievements are counted per student, not per subject


def figures_of(
    spans: dict[int, journal.Span],
    level: str,
    today: dt.date,
    class_id: int | None = None,
) -> dict[Any, journal.Figures]:
    """The journal's figures plus the portfolio's activity, per row key."""
    figures = journal.school_figures(spans, level, today, class_id)
    if level != "subject" and spans:
        for key, (added, confirmed) in portfolio.achievement_activity(
            spans.values(), journal.STUDENT_KEYS[level], class_id
        ).items():
            if key is None:
                continue
            f = figures[key]
            f.achievements_added, f.achievements_confirmed = added, confirmed
    return figures


def _query(choice: journal.PeriodChoice) -> str:
    return f"?period={choice.key}"


def territory_report(
    schools: list[Organisation], choice: journal.PeriodChoice, today: dt.date
) -> Table:
    spans = journal.figure_spans([o.id for o in schools], choice)
    figures = figures_of(spans, "school", today)
    table = Table("schools", _("Школы"), _("Школа"))
    for org in schools:
        table.rows.append(
            Row(
                org.short_name,
                figures.get(org.id, journal.Figures()),
                reverse("oversight:school", args=[org.id]) + _query(choice),
                org.territory.name,
                f"school-{org.id}",
            )
        )
    return table


def school_report(
    org: Organisation, choice: journal.PeriodChoice, today: dt.date
) -> tuple[journal.Figures, list[Table]]:
    """The school's total and its tables per parallel, class and subject."""
    spans = journal.figure_spans([org.id], choice)
    total = figures_of(spans, "school", today).get(org.id, journal.Figures())
    classes = list(
        ClassUnit.objects.filter(
            parallel__organisation=org, parallel__academic_year__is_current=True
        )
        .select_related("parallel")
        .order_by("parallel__grade", "letter", "id")
    )
    by_grade = figures_of(spans, "parallel", today)
    by_class = figures_of(spans, "class", today)
    by_subject = journal.school_figures(spans, "subject", today)
    subjects = list(
        Subject.objects.filter(id__in=[k for k in by_subject if k is not None]).order_by("name")
    )
    grades = sorted({c.parallel.grade for c in classes} | {k for k in by_grade if k is not None})
    parallels = Table("parallels", _("По параллелям"), _("Параллель"))
    parallels.rows = [
        Row(_("%(grade)s классы") % {"grade": g}, by_grade.get(g, journal.Figures()))
        for g in grades
    ]
    class_table = Table("classes", _("По классам"), _("Класс"))
    class_table.rows = [
        Row(
            c.name,
            by_class.get(c.id, journal.Figures()),
            reverse("oversight:class", args=[c.id]) + _query(choice),
            key=f"class-{c.id}",
        )
        for c in classes
    ]
    subject_table = Table("subjects", _("По предметам"), _("Предмет"), portfolio=False)
    subject_table.rows = [Row(s.name, by_subject[s.id]) for s in subjects]
    return total, [parallels, class_table, subject_table]


def class_report(
    class_unit: ClassUnit, choice: journal.PeriodChoice, today: dt.date
) -> tuple[journal.Figures, list[Table]]:
    org_id = class_unit.parallel.organisation_id
    spans = journal.figure_spans([org_id], choice)
    total = figures_of(spans, "class", today, class_unit.id).get(class_unit.id, journal.Figures())
    by_subject = journal.school_figures(spans, "subject", today, class_unit.id)
    subjects = list(
        Subject.objects.filter(id__in=[k for k in by_subject if k is not None]).order_by("name")
    )
    table = Table("subjects", _("По предметам"), _("Предмет"), portfolio=False)
    table.rows = [Row(s.name, by_subject[s.id]) for s in subjects]
    return total, [table]


def municipalities(viewer: Any) -> list[Territory]:
    return list(Territory.objects.filter(id__in=viewer.territory_ids).order_by("kind", "name"))


# --------------------------------------------------------------------------- charts and Excel


def _number(value: Decimal | None, places: int) -> float | None:
    if value is None:
        return None
    return float(value.quantize(Decimal(1).scaleb(-places)))


def chart_data(table: Table) -> dict[str, Any]:
    """Success and quality per row for Chart.js (json_script), rounded as the table shows."""
    success = [_number(r.figures.success, 1) for r in table.rows]
    quality = [_number(r.figures.quality, 1) for r in table.rows]
    if all(v is None for v in success + quality):
        return {}  # nothing to compare: no chart, the table says «—»
    return {
        "labels": [r.label for r in table.rows],
        "success": success,
        "quality": quality,
        "average": [_number(grading.quantize2(r.figures.average), 2) for r in table.rows],
    }


def columns(table: Table) -> list[str]:
    names = [
        table.first_column,
        _("Обучающихся в расчёте"),
        _("Успеваемость, %"),
        _("Качество, %"),
        _("Средний балл"),
        _("Пропущено уроков"),
        _("Из них по уважительной причине"),
        _("Уроков проведено"),
        _("Уроков без темы"),
        _("Уроков без отметок"),
        _("Отметок выставлено позже дня урока"),
    ]
    if table.portfolio:
        names += [_("Достижений добавлено"), _("Достижений подтверждено")]
    return names


def row_values(table: Table, row: Row) -> list[Any]:
    f = row.figures
    values: list[Any] = [
        row.label,
        f.counted,
        _number(f.success, 1),
        _number(f.quality, 1),
        _number(grading.quantize2(f.average), 2),
        f.missed,
        f.excused,
        f.lessons,
        f.without_topic,
        f.without_marks,
        f.late_marks,
    ]
    if table.portfolio:
        values += [f.achievements_added, f.achievements_confirmed]
    return values


def table_xlsx(table: Table, heading: str, period_label: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = exports.sheet_title(str(table.title))
    exports.append_row(ws, [heading, period_label])
    ws["A1"].font = Font(bold=True)
    exports.append_row(ws, columns(table))
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in table.rows:
        exports.append_row(ws, row_values(table, row))
    ws.column_dimensions["A"].width = 36
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
