"""Reads for «Учителя и администрация» (a family) and «Коллеги» (staff).

A contact shows the phone or the e-mail only when its owner allowed it in the profile
(``User.show_phone``/``show_email``); the selectors never hand the hidden value to a
template. Each list costs a fixed number of queries whatever the number of people."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext

from shkola.accounts.models import ADMIN_ROLES, ORGANISATION_ROLES, Role, RoleAssignment, User


@dataclass
class Contact:
    user_id: int
    name: str
    phone: str = ""
    email: str = ""
    positions: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)


def contact_of(user: Any, positions: list[str] | None = None) -> Contact:
    return Contact(
        user_id=user.id,
        name=user.full_name or user.username,
        phone=user.phone if user.show_phone else "",
        email=user.email if user.show_email else "",
        positions=list(positions or []),
    )


def _position(role: RoleAssignment) -> str:
    if role.role == Role.SPECIALIST and role.specialist_kind:
        return str(role.get_specialist_kind_display())
    return str(role.get_role_display())


def _administration(organisation_ids: Any) -> list[Contact]:
    by_user: dict[int, Contact] = {}
    for role in (
        RoleAssignment.objects.filter(organisation_id__in=organisation_ids, role__in=ADMIN_ROLES)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "role")
    ):
        contact = by_user.setdefault(role.user_id, contact_of(role.user))
        if _position(role) not in contact.positions:
            contact.positions.append(_position(role))
    return list(by_user.values())


def family_contacts(student: Any) -> dict[str, Any]:
    """The student's teachers per subject (from the timetable of the class and of the
    student's groups), the class teacher and the school's administration."""
    from shkola.timetable.models import TimetableEntry

    subjects: dict[str, list[Contact]] = {}
    if student.current_class_id is not None:
        entries = (
            TimetableEntry.objects.filter(
                # A subgroup's lesson also names the class: only the student's own groups.
                Q(class_unit_id=student.current_class_id, group__isnull=True)
                | Q(group__students=student),
                academic_year__is_current=True,
                academic_year__organisation_id=student.organisation_id,
            )
            .select_related("subject", "teacher")
            .order_by("subject__name", "teacher__last_name", "teacher__first_name")
        )
        seen: set[tuple[int, int]] = set()
        for entry in entries:
            key = (entry.subject_id, entry.teacher_id)
            if key in seen:
                continue
            seen.add(key)
            subjects.setdefault(entry.subject.name, []).append(contact_of(entry.teacher))
    class_unit = student.current_class
    class_teacher = None
    if class_unit is not None and class_unit.class_teacher_id:
        teacher = User.objects.filter(pk=class_unit.class_teacher_id).first()
        if teacher is not None:
            class_teacher = contact_of(teacher, [str(Role.CLASS_TEACHER.label)])
    return {
        "subjects": sorted(subjects.items()),
        "class_teacher": class_teacher,
        "administration": _administration([student.organisation_id]),
    }


def colleagues(viewer: Any) -> list[dict[str, Any]]:
    """Per school where the viewer works: its staff with their positions, the classes they
    lead and the subjects they teach."""
    from shkola.schools.models import ClassUnit, Organisation
    from shkola.timetable.models import TimetableEntry

    org_ids = sorted(viewer.staff_org_ids)
    if not org_ids:
        return []
    people: dict[tuple[int, int], Contact] = {}
    for role in (
        RoleAssignment.objects.filter(organisation_id__in=org_ids, role__in=ORGANISATION_ROLES)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__middle_name", "role")
    ):
        key = (role.organisation_id or 0, role.user_id)
        contact = people.setdefault(key, contact_of(role.user))
        if role.role != Role.CLASS_TEACHER and _position(role) not in contact.positions:
            contact.positions.append(_position(role))
    for class_unit in ClassUnit.objects.filter(
        parallel__organisation_id__in=org_ids,
        parallel__academic_year__is_current=True,
        class_teacher__isnull=False,
    ).select_related("parallel"):
        led_by = people.get((class_unit.parallel.organisation_id, class_unit.class_teacher_id or 0))
        if led_by is not None:
            led_by.positions.append(
                gettext("классный руководитель %(name)s") % {"name": class_unit.name}
            )
    for org_id, teacher_id, subject in (
        TimetableEntry.objects.filter(
            academic_year__organisation_id__in=org_ids, academic_year__is_current=True
        )
        .values_list("academic_year__organisation_id", "teacher_id", "subject__name")
        .distinct()
        .order_by("subject__name")
    ):
        teaches = people.get((org_id, teacher_id))
        if teaches is not None and subject not in teaches.subjects:
            teaches.subjects.append(subject)
    organisations = Organisation.objects.filter(id__in=org_ids).order_by("id")
    return [
        {
            "organisation": organisation,
            "people": [c for (o, _u), c in people.items() if o == organisation.id],
        }
        for organisation in organisations
    ]
