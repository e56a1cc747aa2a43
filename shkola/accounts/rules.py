"""Who may see and change what. Every view asks these predicates; nothing else decides.

Object-level permissions are named ``<app>.<verb>_<thing>`` and take the object."""

from __future__ import annotations

from typing import Any

import rules

from .selectors import viewer_for


def _viewer(user: Any):
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_shkola_viewer", None)
    if cached is None:
        cached = viewer_for(user)
        user._shkola_viewer = cached
    return cached


def viewer_of(user: Any):
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

    return TimetableEntry.objects.filter(teacher=user).filter(rules_q_for_student(student)).exists()


def rules_q_for_student(student: Any):
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
can_view_student = (
    is_student_self
    | is_guardian_of
    | is_class_teacher_of
    | is_school_admin_of
    | is_specialist_of
    | teaches_student
)
can_edit_student_identity = is_class_teacher_of | is_school_admin_of

rules.add_perm("schools.view_student", can_view_student)
rules.add_perm("schools.edit_student_identity", can_edit_student_identity)
rules.add_perm("schools.view_diary", is_family_of | is_class_teacher_of | is_school_admin_of)

# Guardians' personal data shown with a student (the portfolio card and anything else that
# lists a child's parents). The one place that decides it; the table is docs/personal-data.md.
# Names go with the card (``schools.view_student``): a teacher must know who the parents are.
# Phones and e-mails are for reaching the family: the class teacher, the administration and
# the school's specialists (social pedagogue, psychologist) who work with the family. A subject
# or club teacher goes through the class teacher. A parent's birth date serves only the
# school's records (the administration).
can_view_guardian_contacts = (
    is_family_of | is_class_teacher_of | is_school_admin_of | is_specialist_of
)
can_view_guardian_birth_date = is_family_of | is_school_admin_of
rules.add_perm("schools.view_guardian_contacts", can_view_guardian_contacts)
rules.add_perm("schools.view_guardian_birth_date", can_view_guardian_birth_date)


@rules.predicate
def is_staff_viewing(user: Any, student: Any) -> bool:
    """Someone other than the student and their own parents opening the student's data: what
    the personal-data access log («Доступ к персональным данным») records."""
    v = _viewer(user)
    return bool(v and student is not None and not is_family_of(user, student))


rules.add_perm("schools.log_data_access", is_staff_viewing)
rules.add_perm("schools.view_organisation", is_staff_of_org | is_official_of_org)
rules.add_perm("schools.manage_organisation", is_admin_of_org)


# --- people and classes ------------------------------------------------------------------


@rules.predicate
def is_admin_of_class(user: Any, class_unit: Any) -> bool:
    v = _viewer(user)
    return bool(
        v and class_unit is not None and class_unit.parallel.organisation_id in v.admin_org_ids
    )


@rules.predicate
def leads_class(user: Any, class_unit: Any) -> bool:
    v = _viewer(user)
    return bool(v and class_unit is not None and class_unit.id in v.led_class_ids)


@rules.predicate
def teaches_class(user: Any, class_unit: Any) -> bool:
    """A teacher with a timetable entry in the class or in one of its subgroups."""
    v = _viewer(user)
    if not v or class_unit is None or not v.teacher_org_ids:
        return False
    from django.db.models import Q

    from shkola.timetable.models import TimetableEntry

    return (
        TimetableEntry.objects.filter(teacher=user)
        .filter(Q(class_unit_id=class_unit.id) | Q(group__class_unit_id=class_unit.id))
        .exists()
    )


@rules.predicate
def is_admin_of_user(user: Any, other: Any) -> bool:
    """The school administration manages the accounts of its students, parents and of staff
    who work only there without administrative powers (see ``user_management_refusal``)."""
    v = _viewer(user)
    if not v or other is None or not v.admin_org_ids:
        return False
    from .selectors import user_manageable

    return user_manageable(v, other)


@rules.predicate
def is_school_admin(user: Any) -> bool:
    v = _viewer(user)
    return bool(v and v.admin_org_ids)


@rules.predicate
def is_official_of_territory(user: Any, territory: Any) -> bool:
    v = _viewer(user)
    return bool(v and territory is not None and territory.id in v.territory_ids)


rules.add_perm("schools.view_class", leads_class | teaches_class | is_admin_of_class)
rules.add_perm("schools.manage_class", leads_class | is_admin_of_class)
rules.add_perm("schools.view_territory", is_official_of_territory)
# Invitation codes, user look-up, temporary passwords, merges, unlocks, the security log.
rules.add_perm("accounts.manage_people", is_school_admin)
rules.add_perm("accounts.manage_invitations", is_admin_of_class)
rules.add_perm("accounts.manage_user", is_admin_of_user)
rules.add_perm("accounts.view_audit", is_admin_of_org)
