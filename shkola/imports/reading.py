"""Reading an uploaded spreadsheet (.xlsx or CSV) into a header and rows of text.

Bad files never raise anything but a ValidationError with a Russian message for the «Файл»
field: a file that is not a spreadsheet, an empty one, one too big or too long."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000


@dataclass
class Sheet:
    header: list[str]
    # (row number as the spreadsheet shows it, cell texts)
    rows: list[tuple[int, list[str]]]


def _refuse(message: str) -> ValidationError:
    return ValidationError({"file": message})


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_sheet(content: bytes, name: str) -> Sheet:
    if not content:
        raise _refuse(_("Файл «%(name)s» пустой.") % {"name": name})
    if len(content) > MAX_FILE_BYTES:
        raise _refuse(
            _("Файл «%(name)s» больше %(mb)s МБ.")
            % {"name": name, "mb": MAX_FILE_BYTES // (1024 * 1024)}
        )
    if content.startswith(b"PK\x03\x04"):
        table = _read_xlsx(content, name)
    elif content.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse(
            _("Файл «%(name)s» в старом формате Excel (.xls): сохраните его как .xlsx или CSV.")
            % {"name": name}
        )
    else:
        table = _read_csv(content, name)
    # Trailing empty rows and columns are what spreadsheet programs leave behind.
    numbered = [(i, row) for i, row in enumerate(table, start=1) if any(c for c in row)]
    if not numbered:
        raise _refuse(_("Файл «%(name)s» пустой.") % {"name": name})
    header_no, header = numbered[0]
    rows = numbered[1:]
    if len(rows) > MAX_ROWS:
        raise _refuse(
            _("В файле «%(name)s» больше %(n)s строк: разделите его на несколько файлов.")
            % {"name": name, "n": MAX_ROWS}
        )
    if not rows:
        raise _refuse(_("В файле «%(name)s» нет строк с данными под заголовком.") % {"name": name})
    del header_no
    return Sheet(header=header, rows=rows)


def _read_xlsx(content: bytes, name: str) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as error:
        raise _refuse(
            _("Файл «%(name)s» не читается как таблица Excel (.xlsx).") % {"name": name}
        ) from error
    try:
        sheet = book.worksheets[0]
        table: list[list[str]] = []
        for row in sheet.iter_rows(values_only=True):
            table.append([_cell_text(v) for v in row])
            if len(table) > MAX_ROWS + 50:
                break
        return table
    except Exception as error:  # a damaged sheet inside a valid zip: any parser error
        raise _refuse(
            _("Файл «%(name)s» повреждён: таблицу не удалось прочитать.") % {"name": name}
        ) from error
    finally:
        book.close()


def _read_csv(content: bytes, name: str) -> list[list[str]]:
    if b"\x00" in content[:4096]:
        raise _refuse(_("Файл «%(name)s» — не таблица Excel и не CSV.") % {"name": name})
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _refuse(
            _("Файл «%(name)s» не в кодировке UTF-8: сохраните CSV как «CSV UTF-8».")
            % {"name": name}
        ) from error
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    try:
        return [
            [cell.strip() for cell in row]
            for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        ]
    except csv.Error as error:
        raise _refuse(
            _("Файл «%(name)s» не читается как CSV: %(error)s") % {"name": name, "error": error}
        ) from error
