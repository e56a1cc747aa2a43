"""«Мастер учебного года» and «Переход на новый учебный год»: the school's administration
(``curator``) only; everyone else, teachers and families alike, gets a 404. A year of another
school cannot be chosen: ``?year=`` of it falls back to the curator's own current year."""

from __future__ import annotations

from typing import Any

from shkola.core.testing.matrix import Case, expect

ADMIN_ONLY = expect(404, anonymous=302, curator=200)


def _other_year(w: Any) -> str:
    return f"year={w.other_school.years.first().id}&school={w.other_school.id}"


CASES = [
    Case("yearsetup:dates", ADMIN_ONLY),
    Case("yearsetup:dates", ADMIN_ONLY, query=_other_year, label="another school's year"),
    Case("yearsetup:dates", ADMIN_ONLY, query="year=abc&school=99999999999999999999"),
    Case("yearsetup:holidays", ADMIN_ONLY),
    Case("yearsetup:bells", ADMIN_ONLY),
    Case("yearsetup:classes", ADMIN_ONLY),
    Case("yearsetup:curriculum", ADMIN_ONLY),
    Case("yearsetup:rollover", ADMIN_ONLY),
]
