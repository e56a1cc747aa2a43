"""Writing user text into downloaded files safely, and naming those files.

Every export goes through these helpers (issue 9): a name a family typed («=HYPERLINK(...)»)
must reach a teacher's spreadsheet as the text it is, never as a live formula, and each
download is named after what it holds, in Russian, with an ASCII fallback for old clients.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What a spreadsheet program takes as the start of a formula (OWASP «CSV injection»).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")

# Characters an .xlsx cannot hold (openpyxl raises IllegalCharacterError on them): control
# characters other than tab, newline and carriage return.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Characters Excel refuses in a sheet title.
_BAD_SHEET_TITLE = re.compile(r"[\\*?:/\[\]]")


def clean_text(value: str) -> str:
    """The text without characters an .xlsx file cannot store."""
    return _ILLEGAL_XML.sub("", value)


def set_cell(ws: Any, row: int, column: int, value: Any) -> Any:
    """Write `value` into a worksheet cell; text is always stored as a text cell.

    openpyxl turns any str starting with «=» into a formula. We store the exact text as a
    string cell and set the quote prefix, so Excel and LibreOffice show the name as typed and
    do not turn it into a formula even when the teacher edits the cell."""
    if isinstance(value, str):
        text = clean_text(value)
        cell = ws.cell(row=row, column=column)
        cell.value = text
        cell.data_type = "s"
        if text.startswith(FORMULA_TRIGGERS):
            cell.quotePrefix = True
        return cell
    return ws.cell(row=row, column=column, value=value)


def append_row(ws: Any, values: Iterable[Any]) -> int:
    """Append a row like `ws.append`, but with every text value written by `set_cell`."""
    used = ws.max_row > 1 or any(cell.value is not None for cell in ws[1])
    row = ws.max_row + 1 if used else 1
    for column, value in enumerate(values, start=1):
        set_cell(ws, row, column, value)
    return row


def sheet_title(text: str) -> str:
    """A sheet title Excel accepts: no \\ * ? : / [ ], at most 31 characters, not empty."""
    title = _BAD_SHEET_TITLE.sub(" ", clean_text(text)).strip("' ")[:31].strip()
    return title or "Лист"


# Russian → Latin for the ASCII fallback name (simplified passport transliteration).
_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch  y  e iu ia".split(" "),
        strict=True,
    )
)


def ascii_filename(name: str) -> str:
    out = []
    for ch in name:
        low = ch.lower()
        if low in _TRANSLIT:
            latin = _TRANSLIT[low]
            out.append(latin.capitalize() if ch != low else latin)
        elif ch.isascii() and (ch.isalnum() or ch in "._-"):
            out.append(ch)
        else:
            out.append("_")
    return re.sub(r"_+", "_", "".join(out)).strip("_") or "export"


def download_name(*parts: Any, extension: str) -> str:
    """«Журнал 7А Алгебра 2 четверть.xlsx»: the parts, cleaned of characters that are not
    allowed in file names, joined with spaces."""
    words = " ".join(str(p) for p in parts if p not in (None, ""))
    words = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", words)
    words = re.sub(r"\s+", " ", words).strip(" .") or "export"
    return f"{words[:150]}.{extension}"


def attachment_header(filename: str) -> str:
    """Content-Disposition with an ASCII `filename` for old clients and RFC 5987 `filename*`
    with the real (Cyrillic) name, which every current browser prefers."""
    fallback = ascii_filename(filename.rsplit(".", 1)[0])
    extension = filename.rsplit(".", 1)[1] if "." in filename else ""
    if extension:
        fallback = f"{fallback}.{ascii_filename(extension)}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_header(filename)
    return response
