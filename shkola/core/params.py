"""Reading ids and dates people put in URLs and forms, within what the database can hold.

A value Python reads but the database cannot store (an id over 2**63-1 overflows SQLite's
INTEGER; 0001-01-01 minus a week overflows `date`) used to end as a 500. Every id and date
taken from a URL, a query string or a raw POST goes through these helpers: out of range is the
same as «no such object» (a 404 or the default), never an error page (issue 9).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

# The largest primary key a 64-bit signed column (PostgreSQL bigint, SQLite INTEGER) holds.
MAX_ID = 2**63 - 1
# Dates a school journal can mean; a week around them can still be computed.
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)


def parse_id(value: Any) -> int | None:
    """A positive database id from text, else None (empty, not ASCII digits, 0, too big)."""
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def parse_date(value: Any) -> dt.date | None:
    """An ISO date (ГГГГ-ММ-ДД) between MIN_DATE and MAX_DATE, else None."""
    if not isinstance(value, str) or not value.isascii():
        return None
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        return None
    return day if MIN_DATE <= day <= MAX_DATE else None


class IdConverter:
    """`<id:name>` in URL patterns: an id the database can hold; anything longer is no match
    (a 404), where the built-in `<id:...>` passes 99999999999999999999 to the view."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError(value)
        return number

    def to_url(self, value: Any) -> str:
        return str(value)
