"""Who gets what from each roster URL (see shkola/core/testing/matrix.py): only the school's
administration (``curator``); a family, a teacher, an official — also a parent with children
in two schools and a teacher who is a parent elsewhere — gets a 404, and so does the curator
for another school's student, representative, staff member or role."""

from __future__ import annotations

from typing import Any

from shkola.core.testing.matrix import Case, expect

ADMIN_ONLY = expect(404, anonymous=302, curator=200)
NOBODY = expect(404, anonymous=302)


def _student(w: Any) -> dict[str, int]:
    return {"student_id": w.student.id}


def _other_student(w: Any) -> dict[str, int]:
    return {"student_id": w.other_student.id}


def _guardianship(w: Any) -> dict[str, int]:
    link = w.student.guardianships.order_by("id").first()
    return {"student_id": w.student.id, "guardianship_id": link.id}


def _other_guardianship(w: Any) -> dict[str, int]:
    link = w.other_student.guardianships.order_by("id").first()
    return {"student_id": w.other_student.id, "guardianship_id": link.id}


def _foreign_guardianship(w: Any) -> dict[str, int]:
    # A link of another student, asked for under the curator's own student.
    link = w.other_family_student.guardianships.order_by("id").first()
    return {"student_id": w.student.id, "guardianship_id": link.id}


def _teacher(w: Any) -> dict[str, int]:
    return {"user_id": w.users["teacher"].id}


def _other_teacher(w: Any) -> dict[str, int]:
    return {"user_id": w.users["teacher2"].id}


def _parent_user(w: Any) -> dict[str, int]:
    return {"user_id": w.users["parent"].id}


def _role(w: Any) -> dict[str, int]:
    return {"assignment_id": w.users["teacher"].roles.filter(organisation=w.school).first().id}


def _other_role(w: Any) -> dict[str, int]:
    return {"assignment_id": w.users["teacher2"].roles.first().id}


CASES = [
    Case("roster:students", ADMIN_ONLY),
    Case("roster:students", ADMIN_ONLY, query="class=none&q=%D0%B0", label="filtered"),
    Case("roster:students", ADMIN_ONLY, query="class=99999999999999999999999", label="bad id"),
    Case("roster:students_xlsx", ADMIN_ONLY),
    Case("roster:students_xlsx", ADMIN_ONLY, query="class=none&q=%D0%B0", label="filtered"),
    Case("roster:students_xlsx", ADMIN_ONLY, query="class=abc&school=x", label="bad id"),
    Case("roster:student_add", ADMIN_ONLY),
    Case("roster:student", ADMIN_ONLY, kwargs=_student),
    Case("roster:student", NOBODY, kwargs=_other_student, label="another school"),
    Case("roster:student_edit", ADMIN_ONLY, kwargs=_student),
    Case("roster:student_edit", NOBODY, kwargs=_other_student, label="another school"),
    Case("roster:enrol", ADMIN_ONLY, kwargs=_student),
    Case("roster:enrol", NOBODY, kwargs=_other_student, label="another school"),
    Case("roster:transfer", ADMIN_ONLY, kwargs=_student),
    Case("roster:transfer", NOBODY, kwargs=_other_student, label="another school"),
    Case("roster:expel", ADMIN_ONLY, kwargs=_student),
    Case("roster:expel", NOBODY, kwargs=_other_student, label="another school"),
    Case("roster:guardian_add", ADMIN_ONLY, kwargs=_student),
    Case("roster:guardian_add", NOBODY, kwargs=_other_student, label="another school"),
    # GET asks «Удалить связь …?»; only the POST from that page unlinks.
    Case("roster:guardian_unlink", ADMIN_ONLY, kwargs=_guardianship),
    Case("roster:guardian_unlink", NOBODY, kwargs=_other_guardianship, label="another school"),
    Case("roster:guardian_unlink", NOBODY, kwargs=_foreign_guardianship, label="another child"),
    Case("roster:staff", ADMIN_ONLY),
    Case("roster:staff_xlsx", ADMIN_ONLY),
    Case("roster:staff_add", ADMIN_ONLY),
    Case("roster:staff_member", ADMIN_ONLY, kwargs=_teacher),
    Case("roster:staff_member", NOBODY, kwargs=_other_teacher, label="another school"),
    Case("roster:staff_member", NOBODY, kwargs=_parent_user, label="not staff"),
    Case("roster:role_end", ADMIN_ONLY, kwargs=_role),
    Case("roster:role_end", NOBODY, kwargs=_other_role, label="another school"),
]
