"""Reads for the school administration's people pages; every lookup is scoped to the
schools the viewer administers (anything else is None, so the view answers 404)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q

from shkola.accounts.models import ORGANISATION_ROLES, RoleAssignment, User
from shkola.schools.models import (
    LEAVING_ACTIONS,
    ClassUnit,
    Enrolment,
    Guardianship,
    Organisation,
    Student,
)
from shkola.schools.selectors import current_year

LIST_LIMIT = 300


def admin_schools(admin_org_ids: set[int]) -> list[Organisation]:
    return list(Organisation.objects.filter(id__in=admin_org_ids).order_by("short_name"))


def school_classes(organisation: Organisation) -> list[ClassUnit]:
    """The classes of the school's current year, for the order forms and the filter."""
    year = current_year(organisation)
    if year is None:
        return []
    return list(
        ClassUnit.objects.filter(parallel__organisation=organisation, parallel__academic_year=year)
        .select_related("parallel__academic_year")
        .order_by("parallel__grade", "letter")
    )


@dataclass(frozen=True)
class StudentList:
    classes: list[ClassUnit]
    students: list[Student]
    total: int
    limit: int


def student_list(
    organisation: Organisation,
    *,
    class_id: int | None = None,
    without_class: bool = False,
    query: str = "",
    limit: int | None = LIST_LIMIT,
) -> StudentList:
    """The school's students: those in a class and those without one (new, or expelled).
    The page shows the first `limit`; the Excel export (limit=None) takes every one found."""
    students = Student.objects.filter(organisation=organisation)
    if without_class:
        students = students.filter(current_class__isnull=True)
    elif class_id is not None:
        students = students.filter(current_class_id=class_id)
    for word in query.split()[:3]:
        # SQLite folds the case of Latin letters only: «иванов» must still find «Иванов».
        match = Q()
        for variant in {word, word.lower(), word.capitalize()}:
            for name in ("last_name", "first_name", "middle_name"):
                match |= Q(**{f"{name}__icontains": variant})
            if variant.isdigit():
                match |= Q(snils__contains=variant)
        students = students.filter(match)
    students = students.select_related("current_class__parallel").order_by(
        "current_class__parallel__grade", "current_class__letter", "last_name", "first_name"
    )
    return StudentList(
        classes=school_classes(organisation),
        students=list(students[:limit] if limit is not None else students),
        total=students.count(),
        limit=limit if limit is not None else LIST_LIMIT,
    )


def admin_student(admin_org_ids: set[int], student_id: int) -> Student | None:
    return (
        Student.objects.filter(id=student_id, organisation_id__in=admin_org_ids)
        .select_related("organisation", "current_class__parallel__academic_year", "user")
        .first()
    )


@dataclass(frozen=True)
class HistoryLine:
    enrolment: Enrolment
    start: dt.date
    end: dt.date | None  # the day the next order changed the class; None while it lasts


@dataclass(frozen=True)
class StudentCard:
    student: Student
    history: list[HistoryLine]
    guardianships: list[Guardianship]
    classes: list[ClassUnit] = field(default_factory=list)


def student_card(student: Student) -> StudentCard:
    """The education history as periods in classes (from one order to the next) and the
    legal representatives."""
    enrolments = list(
        Enrolment.objects.filter(student=student)
        .select_related("class_unit__parallel")
        .order_by("date", "id")
    )
    history = []
    for i, line in enumerate(enrolments):
        following = enrolments[i + 1] if i + 1 < len(enrolments) else None
        end = (
            line.date if line.action in LEAVING_ACTIONS else (following.date if following else None)
        )
        history.append(HistoryLine(enrolment=line, start=line.date, end=end))
    guardianships = list(
        Guardianship.objects.filter(student=student)
        .select_related("guardian__user")
        .order_by("guardian__last_name", "guardian__first_name")
    )
    return StudentCard(
        student=student,
        history=list(reversed(history)),
        guardianships=guardianships,
        classes=school_classes(student.organisation),
    )


def admin_guardianship(student: Student, guardianship_id: int) -> Guardianship | None:
    return (
        Guardianship.objects.filter(id=guardianship_id, student=student)
        .select_related("guardian", "student")
        .first()
    )


@dataclass(frozen=True)
class StaffMember:
    user: User
    roles: list[RoleAssignment]
    classes: list[ClassUnit]


def staff_list(organisation: Organisation) -> list[StaffMember]:
    """Everyone with a role in the school, with those roles and the classes they lead."""
    roles = RoleAssignment.objects.filter(organisation=organisation).order_by("role")
    users = (
        User.objects.filter(roles__organisation=organisation, roles__role__in=ORGANISATION_ROLES)
        .distinct()
        .prefetch_related(
            Prefetch("roles", queryset=roles, to_attr="school_roles"),
            Prefetch(
                "led_classes",
                queryset=ClassUnit.objects.filter(
                    parallel__organisation=organisation,
                    parallel__academic_year=current_year(organisation),
                ).select_related("parallel"),
                to_attr="school_classes",
            ),
        )
        .order_by("last_name", "first_name", "middle_name")
    )
    return [
        StaffMember(user=u, roles=u.school_roles, classes=u.school_classes)  # type: ignore[attr-defined]
        for u in users
    ]


def staff_member(organisation: Organisation, user_id: int) -> StaffMember | None:
    found = [m for m in _staff_of(organisation, user_id)]
    return found[0] if found else None


def _staff_of(organisation: Organisation, user_id: int) -> list[StaffMember]:
    user = User.objects.filter(id=user_id, roles__organisation=organisation).distinct().first()
    if user is None:
        return []
    roles = list(
        RoleAssignment.objects.filter(user=user, organisation=organisation).order_by("role")
    )
    classes = list(
        ClassUnit.objects.filter(class_teacher=user, parallel__organisation=organisation)
        .select_related("parallel")
        .order_by("parallel__grade", "letter")
    )
    return [StaffMember(user=user, roles=roles, classes=classes)]


def role_assignment(organisation: Organisation, assignment_id: int) -> RoleAssignment | None:
    return (
        RoleAssignment.objects.filter(id=assignment_id, organisation=organisation)
        .select_related("user")
        .first()
    )


def role_assignment_in(admin_org_ids: set[int], assignment_id: int) -> Any:
    return (
        RoleAssignment.objects.filter(id=assignment_id, organisation_id__in=admin_org_ids)
        .select_related("user", "organisation")
        .first()
    )
