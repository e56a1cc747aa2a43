"""The report card («Табель успеваемости») as a real .xlsx workbook (I4)."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from shkola.core.exports import clean_text, set_cell

from .selectors import SubjectRow

THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DCE6F5")


def report_card_xlsx(student: Any, period: Any, rows: list[SubjectRow]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Табель"
    class_name = student.current_class.name if student.current_class else ""
    # Names and work names are typed by people; set_cell keeps them text, never formulas.
    set_cell(ws, 1, 1, "Табель успеваемости")
    ws["A1"].font = Font(bold=True, size=14)
    set_cell(
        ws,
        2,
        1,
        f"{student.full_name}, {class_name}; {period.name} ({period.start:%d.%m.%Y} — {period.end:%d.%m.%Y})",
    )
    widest = max([len(r.marks) for r in rows] + [1])
    header = ["Предмет", "Средний балл", "Отметок"] + [f"{i}" for i in range(1, widest + 1)]
    header_row = 4
    for col, title in enumerate(header, start=1):
        cell = set_cell(ws, header_row, col, title)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    set_cell(ws, header_row - 1, 4, "Отметки по порядку (дата)").font = Font(italic=True)
    for i, row in enumerate(rows, start=header_row + 1):
        set_cell(ws, i, 1, row.subject.name)
        avg = row.average2
        avg_cell = ws.cell(row=i, column=2, value=float(avg) if avg is not None else None)
        avg_cell.number_format = "0.00"
        ws.cell(row=i, column=3, value=len(row.marks))
        for j, mark in enumerate(row.marks, start=4):
            value: Any = mark.points if mark.points is not None else mark.value
            cell = set_cell(ws, i, j, value)
            cell.alignment = Alignment(horizontal="center")
            note = mark.lesson.date.strftime("%d.%m")
            if mark.work_name:
                note += f" {mark.work_name}"
            if mark.comment:
                note += f" — {mark.comment}"
            cell.comment = Comment(clean_text(f"{note}; вес {mark.weight}"), "Shkola")
        for col in range(1, len(header) + 1):
            ws.cell(row=i, column=col).border = BORDER
    ws.column_dimensions["A"].width = 32
    ws.column_dimensions["B"].width = 14
    ws.column_dimensions["C"].width = 10
    for col in range(4, len(header) + 1):
        ws.column_dimensions[get_column_letter(col)].width = 5
    ws.freeze_panes = ws.cell(row=header_row + 1, column=2)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
