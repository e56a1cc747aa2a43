"""Who may see and change what. Every view asks these predicates; nothing else decides.

Object-level permissions are named ``<app>.<verb>_<thing>`` and take the object."""

from __future__ import annotations

from typing import Any

import rules

from .selectors import viewer_for


def _viewer(user: Any):  # noqa: ANN202 - cached per user object
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_shkola_viewer", None)
    if cached is None:
        cached = viewer_for(user)
        user._shkola_viewer = cached
    return cached


def viewer_of(user: Any):  # noqa: ANN201
    return _viewer(user)


@rules.predicate
def is_student_self(user: Any, student: Any) -> bool:
    v = _viewer(user)
    return bool(v and v.own_student and student is not None and v.own_student.id == student.id)


@rules.predicate
def is_guardian_of(user: Any, student: Any) -> bool:
    v = _viewer(user)
    return bool(v and student is not None and any(c.id == student.id for c in v.children))


@rules.predicate
def is_class_teacher_of(user: Any, student: Any) -> bool:
    v = _viewer(user)
    return bool(v and student is not None and student.current_class_id in v.led_class_ids)


@rules.predicate
def is_school_admin_of(user: Any, student: Any) -> bool:
    v = _viewer(user)
    return bool(v and student is not None and student.organisation_id in v.admin_org_ids)


@rules.predicate
def is_specialist_of(user: Any, student: Any) -> bool:
    v = _viewer(user)
    return bool(v and student is not None and student.organisation_id in v.specialist_org_ids)


@rules.predicate
def teaches_student(user: Any, student: Any) -> bool:
    """A teacher with a lesson in the student's class or one of the student's groups."""
    v = _viewer(user)
    if not v or student is None or student.organisation_id not in v.teacher_org_ids:
        return False
    from shkola.timetable.models import TimetableEntry

    return TimetableEntry.objects.filter(teacher=user).filter(
        rules_q_for_student(student)
    ).exists()


def rules_q_for_student(student: Any):  # noqa: ANN201
    from django.db.models import Q

    return Q(class_unit_id=student.current_class_id) | Q(group__students=student)


@rules.predicate
def is_staff_of_org(user: Any, organisation: Any) -> bool:
    v = _viewer(user)
    return bool(v and organisation is not None and organisation.id in v.staff_org_ids)


@rules.predicate
def is_admin_of_org(user: Any, organisation: Any) -> bool:
    v = _viewer(user)
    return bool(v and organisation is not None and organisation.id in v.admin_org_ids)


@rules.predicate
def is_official_of_org(user: Any, organisation: Any) -> bool:
    v = _viewer(user)
    return bool(v and organisation is not None and organisation.territory_id in v.territory_ids)


@rules.predicate
def is_family_of(user: Any, student: Any) -> bool:
    return is_student_self(user, student) or is_guardian_of(user, student)


# A child's personal record: the family, the class teacher, the school's administration,
# the school's specialists (read-only) and the teachers who teach the child.
can_view_student = is_student_self | is_guardian_of | is_class_teacher_of | is_school_admin_of | is_specialist_of | teaches_student
can_edit_student_identity = is_class_teacher_of | is_school_admin_of

rules.add_perm("schools.view_student", can_view_student)
rules.add_perm("schools.edit_student_identity", can_edit_student_identity)
rules.add_perm("schools.view_diary", is_family_of | is_class_teacher_of | is_school_admin_of)
rules.add_perm("schools.view_organisation", is_staff_of_org | is_official_of_org)
rules.add_perm("schools.manage_organisation", is_admin_of_org)
