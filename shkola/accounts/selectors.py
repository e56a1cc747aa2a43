"""Who is looking: the roles, schools, classes and children behind a signed-in user.

Every page builds one ``Viewer`` per request (cached on the request) and the permission
rules read it, so deciding what a person may see costs a fixed handful of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .models import ADMIN_ROLES, Role, RoleAssignment, User

if TYPE_CHECKING:
    from django.http import HttpRequest

    from shkola.schools.models import Student

ACTIVE_STUDENT_SESSION_KEY = "active_student_id"


@dataclass
class Viewer:
    user: User
    roles: list[RoleAssignment] = field(default_factory=list)

    @cached_property
    def own_student(self) -> Student | None:
        from shkola.schools.models import Student

        return (
            Student.objects.select_related("current_class__parallel", "organisation")
            .filter(user=self.user)
            .first()
        )

    @cached_property
    def children(self) -> list[Student]:
        from shkola.schools.models import Student

        return list(
            Student.objects.select_related("current_class__parallel", "organisation")
            .filter(guardianships__guardian__user=self.user)
            .order_by("last_name", "first_name")
        )

    @property
    def is_student(self) -> bool:
        return self.own_student is not None

    @property
    def is_parent(self) -> bool:
        return bool(self.children)

    @cached_property
    def staff_org_ids(self) -> set[int]:
        return {r.organisation_id for r in self.roles if r.organisation_id}

    @cached_property
    def admin_org_ids(self) -> set[int]:
        return {
            r.organisation_id
            for r in self.roles
            if r.organisation_id and r.role in ADMIN_ROLES
        }

    @cached_property
    def teacher_org_ids(self) -> set[int]:
        return {
            r.organisation_id
            for r in self.roles
            if r.organisation_id and r.role in (Role.TEACHER, Role.CLASS_TEACHER)
        }

    @cached_property
    def specialist_org_ids(self) -> set[int]:
        return {
            r.organisation_id
            for r in self.roles
            if r.organisation_id and r.role == Role.SPECIALIST
        }

    @cached_property
    def territory_ids(self) -> set[int]:
        """Territories an official oversees, including every municipality of a region."""
        from shkola.schools.models import Territory

        direct = {r.territory_id for r in self.roles if r.territory_id}
        if not direct:
            return set()
        children = set(
            Territory.objects.filter(parent_id__in=direct).values_list("id", flat=True)
        )
        return direct | children

    @cached_property
    def led_class_ids(self) -> set[int]:
        from shkola.schools.models import ClassUnit

        return set(
            ClassUnit.objects.filter(class_teacher=self.user).values_list(
                "id", flat=True
            )
        )

    @property
    def is_staff_member(self) -> bool:
        return bool(self.staff_org_ids)

    @property
    def is_teacher(self) -> bool:
        return bool(self.teacher_org_ids)

    @property
    def is_class_teacher(self) -> bool:
        return bool(self.led_class_ids)

    @property
    def is_school_admin(self) -> bool:
        return bool(self.admin_org_ids)

    @property
    def is_official(self) -> bool:
        return bool(self.territory_ids)

    @cached_property
    def role_labels(self) -> list[str]:
        labels: list[str] = []
        if self.is_student:
            labels.append(str(_label("student")))
        if self.is_parent:
            labels.append(str(_label("parent")))
        if self.is_class_teacher:
            labels.append(str(Role.CLASS_TEACHER.label))
        for role in Role:
            if role == Role.CLASS_TEACHER:
                continue
            if (
                any(r.role == role for r in self.roles)
                and str(role.label) not in labels
            ):
                labels.append(str(role.label))
        return labels

    @property
    def primary_role(self) -> str:
        return self.role_labels[0] if self.role_labels else ""

    @cached_property
    def organisation(self) -> Any:
        """The school this person works or studies in (the first one when several)."""
        from shkola.schools.models import Organisation

        if self.own_student:
            return self.own_student.organisation
        if self.staff_org_ids:
            return (
                Organisation.objects.filter(id__in=self.staff_org_ids)
                .order_by("id")
                .first()
            )
        if self.children:
            return self.children[0].organisation
        return None


def _label(kind: str) -> str:
    from django.utils.translation import gettext

    return {"student": gettext("Обучающийся"), "parent": gettext("Родитель")}[kind]


def viewer_for(user: User) -> Viewer:
    roles = (
        list(RoleAssignment.objects.filter(user=user)) if user.is_authenticated else []
    )
    return Viewer(user=user, roles=roles)


def viewer_from_request(request: HttpRequest) -> Viewer:
    cached = getattr(request, "_shkola_viewer", None)
    if cached is None:
        cached = viewer_for(request.user)  # type: ignore[arg-type]
        request._shkola_viewer = cached  # type: ignore[attr-defined]
    return cached


def active_student(request: HttpRequest) -> Student | None:
    """The diary's subject: the student themself, or the parent's chosen child."""
    viewer = viewer_from_request(request)
    if viewer.own_student:
        return viewer.own_student
    children = viewer.children
    if not children:
        return None
    wanted = request.session.get(ACTIVE_STUDENT_SESSION_KEY)
    for child in children:
        if child.id == wanted:
            return child
    return children[0]
