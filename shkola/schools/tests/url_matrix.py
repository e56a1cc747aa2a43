"""«Обучающиеся»: staff look students up; families and officials have no roster."""

from __future__ import annotations

from shkola.core.testing.matrix import Case, expect

CASES = [
    Case(
        "schools:students",
        expect(200, anonymous=302, student=404, parent=404, official=404),
    ),
]
