"""Who may write to whom (F1). One place decides it; the compose form, the services and any
other app («Написать» on the people pages) ask here.

- a parent → the teachers of their children, the children's class teachers and the
  administration of the children's schools;
- a student → their teachers and their class teacher;
- a teacher → the students and parents of the classes and groups they teach or lead, and
  their colleagues (everyone on the staff of their school);
- the administration (curator, deputy, director) → anyone of its school, and the officials
  over the school's territory (answering them);
- an official → the administrations of the schools of their territory.

Everything is computed per school: a person linked to two schools (a parent with children in
both, a teacher who is a parent elsewhere) gets the union of what each link allows, and no
link reaches another school's families. Whoever received a message may always answer its
sender (``message_reply``), whatever the list above says.

The allowed set is a ``Q`` over users made of subqueries, so deciding one recipient, a whole
class or a whole school is one query whatever the school's size."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import rules
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from shkola.accounts.models import ADMIN_ROLES, Role, RoleAssignment, User
from shkola.accounts.rules import viewer_of
from shkola.schools.models import ClassUnit, Guardian, Organisation, Student
from shkola.timetable.models import TimetableEntry

TEACHING_ROLES = (Role.TEACHER, Role.CLASS_TEACHER)
# Above this many family members an administration's form lists classes, not people: a
# 1,500-student school has thousands of parents. One person is still reached by ``?to=``.
FAMILY_LIST_LIMIT = 400


def can_use_messages(viewer: Any) -> bool:
    """Anyone signed in who belongs somewhere: a family, a school's staff, an official."""
    return bool(
        viewer
        and (viewer.is_student or viewer.is_parent or viewer.is_staff_member or viewer.is_official)
    )


def _in(subquery: QuerySet[Any]) -> Q:
    return Q(pk__in=subquery)


def _teachers_of(students: list[Any]) -> Q:
    class_ids = [s.current_class_id for s in students if s.current_class_id]
    student_ids = [s.id for s in students]
    # A group's lesson (a subgroup, an elective) also names its class: its teacher teaches
    # the group's students, not the whole class.
    entries = TimetableEntry.objects.filter(
        Q(class_unit_id__in=class_ids, group__isnull=True) | Q(group__students__in=student_ids)
    )
    return _in(entries.values("teacher_id")) | _in(
        ClassUnit.objects.filter(id__in=class_ids).values("class_teacher_id")
    )


def taught_students(user: Any, viewer: Any) -> QuerySet[Student]:
    """Students of the classes and groups the person teaches or leads, in their schools."""
    entries = TimetableEntry.objects.filter(
        teacher=user, academic_year__organisation_id__in=viewer.teacher_org_ids
    )
    return Student.objects.filter(
        Q(current_class_id__in=entries.filter(group__isnull=True).values("class_unit_id"))
        | Q(current_class_id__in=list(viewer.led_class_ids))
        | Q(study_groups__in=entries.filter(group__isnull=False).values("group_id"))
    )


def _families_of(students: QuerySet[Student]) -> Q:
    return _in(students.values("user_id")) | _in(
        Guardian.objects.filter(guardianships__student__in=students.values("id")).values("user_id")
    )


def allowed_recipients_q(user: Any) -> Q:
    """The people ``user`` may write to, as a condition on ``User``; an empty condition that
    matches nobody for someone without a link anywhere."""
    viewer = viewer_of(user)
    nobody = Q(pk__in=[])
    if viewer is None:
        return nobody
    q = nobody
    if viewer.own_student is not None:
        q |= _teachers_of([viewer.own_student])
    children = viewer.children
    if children:
        q |= _teachers_of(children)
        q |= _in(
            RoleAssignment.objects.filter(
                role__in=ADMIN_ROLES, organisation_id__in={c.organisation_id for c in children}
            ).values("user_id")
        )
    if viewer.staff_org_ids:
        q |= _in(
            RoleAssignment.objects.filter(organisation_id__in=viewer.staff_org_ids).values(
                "user_id"
            )
        )
    if viewer.teacher_org_ids or viewer.led_class_ids:
        q |= _families_of(taught_students(user, viewer))
    if viewer.admin_org_ids:
        admin_orgs = viewer.admin_org_ids
        q |= _families_of(Student.objects.filter(organisation_id__in=admin_orgs))
        schools = Organisation.objects.filter(id__in=admin_orgs)
        q |= _in(
            RoleAssignment.objects.filter(
                Q(territory_id__in=schools.values("territory_id"))
                | Q(territory_id__in=schools.values("territory__parent_id"))
            ).values("user_id")
        )
    if viewer.territory_ids:
        q |= _in(
            RoleAssignment.objects.filter(
                role__in=ADMIN_ROLES, organisation__territory_id__in=viewer.territory_ids
            ).values("user_id")
        )
    return q & Q(is_active=True) & ~Q(pk=user.pk)


def allowed_recipients(user: Any) -> QuerySet[User]:
    return User.objects.filter(allowed_recipients_q(user))


def may_write(sender: Any, recipient: Any) -> bool:
    """May ``sender`` start a message to ``recipient``? One query after the viewer."""
    if recipient is None or not getattr(recipient, "pk", None):
        return False
    if not getattr(sender, "is_authenticated", False) or not can_use_messages(viewer_of(sender)):
        return False
    return allowed_recipients(sender).filter(pk=recipient.pk).exists()


# --- group sends -------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupTarget:
    code: str  # "cp:<class id>", "cs:<class id>", "st:<school id>", "sp:<school id>"
    label: str


def _class_label(class_unit: Any, kind: str) -> str:
    if kind == "cp":
        return _("Все родители %(cls)s") % {"cls": class_unit.name}
    return _("Все обучающиеся %(cls)s") % {"cls": class_unit.name}


def group_targets_for(user: Any) -> list[GroupTarget]:
    """The group sends this person may make: the classes they teach or lead (parents,
    students), and for the administration every class, all parents and all teachers of the
    school; a teacher may also write to all the teachers of their school."""
    viewer = viewer_of(user)
    if viewer is None:
        return []
    targets: list[GroupTarget] = []
    schools = {
        o.id: o
        for o in Organisation.objects.filter(id__in=viewer.staff_org_ids).order_by("short_name")
    }
    if viewer.admin_org_ids:
        for org_id in sorted(viewer.admin_org_ids):
            suffix = f" ({schools[org_id]})" if len(schools) > 1 else ""
            targets.append(GroupTarget(f"sp:{org_id}", _("Все родители школы") + suffix))
    for org_id in sorted(viewer.teacher_org_ids | viewer.admin_org_ids):
        suffix = f" ({schools[org_id]})" if len(schools) > 1 else ""
        targets.append(GroupTarget(f"st:{org_id}", _("Все учителя школы") + suffix))
    classes = ClassUnit.objects.filter(parallel__academic_year__is_current=True).select_related(
        "parallel"
    )
    if viewer.admin_org_ids:
        classes = classes.filter(
            Q(parallel__organisation_id__in=viewer.admin_org_ids)
            | Q(id__in=list(viewer.led_class_ids))
            | Q(timetable_entries__teacher=user, timetable_entries__group__isnull=True)
        )
    elif viewer.teacher_org_ids or viewer.led_class_ids:
        classes = classes.filter(
            Q(id__in=list(viewer.led_class_ids))
            | Q(
                timetable_entries__teacher=user,
                timetable_entries__group__isnull=True,
                parallel__organisation_id__in=viewer.teacher_org_ids,
            )
        )
    else:
        return targets
    for class_unit in classes.distinct().order_by("parallel__grade", "letter"):
        targets.append(GroupTarget(f"cp:{class_unit.id}", _class_label(class_unit, "cp")))
        targets.append(GroupTarget(f"cs:{class_unit.id}", _class_label(class_unit, "cs")))
    return targets


def target_q(code: str) -> Q | None:
    """The people a target code names (before the sender's rule narrows it); None for a
    code that means nothing."""
    kind, _sep, raw = code.partition(":")
    if not raw.isdigit() or len(raw) > 12:
        return None
    pk = int(raw)
    if kind == "u":
        return Q(pk=pk)
    if kind == "cp":
        return _in(
            Guardian.objects.filter(guardianships__student__current_class_id=pk).values("user_id")
        )
    if kind == "cs":
        return _in(Student.objects.filter(current_class_id=pk).values("user_id"))
    if kind == "sp":
        return _in(
            Guardian.objects.filter(guardianships__student__organisation_id=pk).values("user_id")
        )
    if kind == "st":
        return _in(
            RoleAssignment.objects.filter(organisation_id=pk, role__in=TEACHING_ROLES).values(
                "user_id"
            )
        )
    return None


# --- the compose form's choices ----------------------------------------------------------


@dataclass
class RecipientGroup:
    label: str
    options: list[tuple[str, str]] = field(default_factory=list)


def recipients_for(user: Any, *, extra_user_id: int | None = None) -> list[RecipientGroup]:
    """The compose form's «Кому», grouped: group sends, staff, students, parents, officials.

    ``extra_user_id`` (from ``?to=``) is added when the rule allows it, so a person the list
    leaves out (one parent of a large school for its administration) can still be chosen."""
    viewer = viewer_of(user)
    if viewer is None or not can_use_messages(viewer):
        return []
    groups: list[RecipientGroup] = []
    targets = group_targets_for(user)
    if targets:
        groups.append(RecipientGroup(_("Рассылки"), [(t.code, t.label) for t in targets]))
    allowed = allowed_recipients(user)
    staff_ids = RoleAssignment.objects.filter(organisation__isnull=False).values("user_id")
    official_ids = RoleAssignment.objects.filter(territory__isnull=False).values("user_id")
    staff = RecipientGroup(_("Сотрудники школы"))
    for person in allowed.filter(pk__in=staff_ids).order_by("last_name", "first_name"):
        staff.options.append((f"u:{person.pk}", person.full_name or person.username))
    officials = RecipientGroup(_("Органы управления образованием"))
    for person in allowed.filter(pk__in=official_ids).order_by("last_name", "first_name"):
        officials.options.append((f"u:{person.pk}", person.full_name or person.username))
    families = allowed.exclude(pk__in=staff_ids).exclude(pk__in=official_ids)
    students = RecipientGroup(_("Обучающиеся"))
    parents = RecipientGroup(_("Родители"))
    listed = {code for g in (staff, officials) for code, _label in g.options}
    if families.count() <= FAMILY_LIST_LIMIT:
        for student in (
            Student.objects.filter(user__in=families)
            .select_related("current_class__parallel")
            .order_by("current_class__parallel__grade", "current_class__letter", "last_name")
        ):
            cls = student.current_class.name if student.current_class else ""
            students.options.append((f"u:{student.user_id}", f"{student.short_name}, {cls}"))
        children: dict[int, list[str]] = {}
        names: dict[int, str] = {}
        for guardian in (
            Guardian.objects.filter(user__in=families)
            .prefetch_related("guardianships__student__current_class__parallel")
            .order_by("last_name", "first_name")
        ):
            assert guardian.user_id is not None
            names[guardian.user_id] = guardian.full_name
            for g in guardian.guardianships.all():
                cls = g.student.current_class.name if g.student.current_class else ""
                children.setdefault(guardian.user_id, []).append(
                    f"{g.student.first_name} {cls}".strip()
                )
        for user_id, name in names.items():
            parents.options.append(
                (f"u:{user_id}", f"{name} ({', '.join(children.get(user_id, []))})")
            )
        listed |= {code for g in (students, parents) for code, _label in g.options}
    groups += [g for g in (staff, students, parents, officials) if g.options]
    if extra_user_id is not None and f"u:{extra_user_id}" not in listed:
        chosen = allowed.filter(pk=extra_user_id).first()
        if chosen is not None:
            label = chosen.full_name or chosen.username
            groups.insert(0, RecipientGroup(_("Адресат"), [(f"u:{chosen.pk}", label)]))
    return groups


@rules.predicate
def may_use_messages(user: Any) -> bool:
    return can_use_messages(viewer_of(user))


rules.add_perm("messaging.use", may_use_messages)
