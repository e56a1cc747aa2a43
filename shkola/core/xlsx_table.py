"""One plain table as an .xlsx workbook: a title, a bold header and rows (issue 12, I4).

The lists of the pages (students, staff, a class week, final marks, timeliness) are exported
as the page shows them; every value goes through core.exports.set_cell, so people's text
(a name «=1+1», a topic) stays text and never becomes a formula."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from .exports import set_cell, sheet_title

HEADER_FILL = PatternFill("solid", fgColor="DCE6F5")


def table_xlsx(
    *,
    sheet: str,
    title: Sequence[str],
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    widths: Sequence[int] = (),
) -> bytes:
    """Title lines first (the first one bold), an empty line, the header, then the rows.
    Numbers stay numbers; None is an empty cell."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(sheet)
    row = 1
    for line in title:
        cell = set_cell(ws, row, 1, line)
        if row == 1:
            cell.font = Font(bold=True, size=13)
        row += 1
    header_row = row + 1 if title else 1
    for column, text in enumerate(header, start=1):
        cell = set_cell(ws, header_row, column, text)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for offset, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            if value is not None:
                set_cell(ws, header_row + offset, column, value)
    for column, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
