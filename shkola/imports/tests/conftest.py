from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import Workbook

from shkola.core.testing.factories import make_school, staff

STUDENT_HEADER = ["Фамилия", "Имя", "Отчество", "Дата рождения", "Пол", "СНИЛС", "Класс"]
PARENT_HEADER = [
    "Фамилия",
    "Имя",
    "Отчество",
    "СНИЛС",
    "Телефон",
    "Кем приходится",
    "СНИЛС ребёнка",
    "Фамилия ребёнка",
    "Имя ребёнка",
    "Отчество ребёнка",
    "Дата рождения ребёнка",
]


def xlsx(header: list[str], rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(header: list[str], rows: list[list[Any]], delimiter: str = ";") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


@pytest.fixture
def school(db: Any) -> Any:
    s = make_school(n_students=0)
    s.add_class(7, "Б", n_students=0)
    return s


@pytest.fixture
def curator(school: Any) -> Any:
    return school.curator


@pytest.fixture
def deputy(school: Any) -> Any:
    return staff(school.organisation, role="deputy")
