"""The school's event log («Журнал безопасности») as an Excel file (I4)."""

from __future__ import annotations

import io
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from shkola.core import clock
from shkola.core.exports import append_row, xlsx_response

EXPORT_LIMIT = 100_000


def audit_workbook(events: Any) -> HttpResponse:
    workbook = Workbook()
    ws = workbook.active
    ws.title = "Журнал"
    append_row(
        ws,
        [
            _("Когда"),
            _("Событие"),
            _("Логин"),
            _("Кто"),
            _("О ком"),
            _("Подробности"),
            _("IP-адрес"),
        ],
    )
    for e in events[:EXPORT_LIMIT]:
        details = e.details or {}
        actor = e.actor.full_name if e.actor is not None else ""
        subject = e.subject_user.full_name if e.subject_user is not None else ""
        append_row(
            ws,
            [
                timezone.localtime(e.created_at).strftime("%d.%m.%Y %H:%M:%S"),
                str(e.get_kind_display()),
                e.username,
                actor,
                subject or str(details.get("student_name", "")),
                str(details.get("summary", "")),
                e.ip_address or "",
            ],
        )
    for column, width in zip("ABCDEFG", (18, 34, 18, 30, 30, 60, 16), strict=True):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return xlsx_response(out.getvalue(), f"Журнал безопасности {clock.today():%d.%m.%Y}.xlsx")
