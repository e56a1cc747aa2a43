"""Who gets what from each people URL (see shkola/core/testing/matrix.py)."""

from __future__ import annotations

from shkola.core.testing.matrix import Case, expect

# A family (a student, a parent — also one whose children study in two schools, or a
# teacher who is a parent elsewhere) sees the active child's teachers.
FAMILIES = expect(
    404, anonymous=302, student=200, parent=200, parent_two_schools=200, teacher_parent=200
)
# Staff see their colleagues; the official and families have no school to work in.
STAFF = expect(200, anonymous=302, student=404, parent=404, official=404, parent_two_schools=404)

CASES = [
    Case("people:teachers", FAMILIES),
    Case("people:colleagues", STAFF),
]
