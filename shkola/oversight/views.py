"""Oversight pages: parse → authorise (rules) → one selector → render, or the Excel file of
one of the page's tables (``?xlsx=<table>``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from shkola.accounts.selectors import viewer_from_request
from shkola.core import clock, exports
from shkola.core.vendor import chartjs_path
from shkola.journal import selectors as journal

from . import selectors


def _viewer(request: HttpRequest) -> Any:
    viewer = viewer_from_request(request)
    user = request.user
    if not hasattr(user, "_shkola_viewer"):
        user._shkola_viewer = viewer  # type: ignore[union-attr]
    if not user.has_perm("oversight.view"):
        raise Http404
    return viewer


def _period(request: HttpRequest, org_ids: list[int]) -> dict[str, Any]:
    """The period asked for, if the territory's schools have it; else the default one with a
    note naming the parameter (a bad value is never an error page)."""
    choices, default = journal.period_choices(org_ids, clock.today())
    raw = request.GET.get("period")
    wanted = journal.parse_period_choice(raw) if raw else None
    note = ""
    if raw and wanted not in choices:
        note = _("Период «%(value)s» не найден: показан период «%(default)s».") % {
            "value": raw[:40],
            "default": default.label,
        }
        wanted = None
    return {"choice": wanted or default, "choices": choices, "period_note": note}


def _render(request: HttpRequest, template: str, ctx: dict[str, Any], heading: str) -> HttpResponse:
    wanted = request.GET.get("xlsx")
    if wanted:
        table = next((t for t in ctx["tables"] if t.key == wanted), None)
        if table is not None:
            content = selectors.table_xlsx(table, heading, ctx["choice"].label)
            name = exports.download_name(
                heading, table.title, ctx["choice"].label, extension="xlsx"
            )
            return exports.xlsx_response(content, name)
    for table in ctx["tables"]:
        table.columns = selectors.columns(table)  # type: ignore[attr-defined]
    ctx["chartjs"] = chartjs_path()
    return render(request, template, ctx)


@login_required
@require_GET
def territory(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    schools = selectors.schools_of(viewer)
    ctx = _period(request, [o.id for o in schools])
    table = selectors.territory_report(schools, ctx["choice"], clock.today())
    territories = selectors.municipalities(viewer)
    heading = ", ".join(t.name for t in territories if t.kind == t.Kind.REGION) or ", ".join(
        t.name for t in territories
    )
    ctx.update(
        {
            "heading": heading,
            "tables": [table],
            "chart": selectors.chart_data(table),
            "grouped": len({r.group for r in table.rows}) > 1,
        }
    )
    return _render(request, "oversight/territory.html", ctx, heading or _("Территория"))


@login_required
@require_GET
def school(request: HttpRequest, organisation_id: int) -> HttpResponse:
    viewer = _viewer(request)
    org = selectors.school_of(viewer, organisation_id)
    if not request.user.has_perm("oversight.view_school", org):
        raise Http404
    ctx = _period(request, [org.id])
    total, tables = selectors.school_report(org, ctx["choice"], clock.today())
    ctx.update(
        {
            "organisation": org,
            "total": total,
            "tables": tables,
            "chart": selectors.chart_data(tables[1]),
        }
    )
    return _render(request, "oversight/school.html", ctx, org.short_name)


@login_required
@require_GET
def class_unit(request: HttpRequest, class_id: int) -> HttpResponse:
    viewer = _viewer(request)
    unit = selectors.class_of(viewer, class_id)
    org = unit.parallel.organisation
    if not request.user.has_perm("oversight.view_school", org):
        raise Http404
    ctx = _period(request, [org.id])
    total, tables = selectors.class_report(unit, ctx["choice"], clock.today())
    ctx.update(
        {
            "organisation": org,
            "class_unit": unit,
            "total": total,
            "tables": tables,
            "chart": selectors.chart_data(tables[0]),
        }
    )
    return _render(
        request, "oversight/class.html", ctx, f"{org.short_name} {unit.name} {_('класс')}"
    )
