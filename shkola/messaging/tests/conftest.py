from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from shkola.accounts.models import Role, RoleAssignment
from shkola.core.testing.factories import (
    School,
    UserFactory,
    enrol,
    guardian_of,
    make_school,
    staff,
    subgroup,
)


@dataclass
class World:
    """School A (7А taught by ``teacher``, led by ``class_teacher``; 8Б where ``group_teacher``
    teaches a subgroup of one student), school B in another territory, and the people linked
    to both."""

    a: School
    b: School
    student_user: Any  # A, 7А
    parent: Any  # of the 7А student
    other_parent: Any  # of an 8Б student outside the subgroup
    group_parent: Any  # of the 8Б student in the subgroup
    group_teacher: Any
    idle_teacher: Any  # on A's staff, teaches nothing
    parent_b: Any
    two_schools_parent: Any  # children in A's 8Б (not in the subgroup) and B's 7А
    teacher_parent: Any  # teacher in A (teaches nothing), parent in B
    official: Any  # over A's territory


def _student_user(student: Any) -> Any:
    user = UserFactory()
    student.user = user
    student.save(update_fields=["user"])
    return user


@pytest.fixture
def world(db: Any) -> World:
    from shkola.messaging.models import Message

    # The session's demo world (when a demo test ran first on this worker) has messages;
    # these tests count their own. The test's transaction puts them back afterwards.
    Message.objects.all().delete()
    a = make_school()
    b = make_school()
    cu8, students8 = a.add_class(8, "Б", n_students=3)
    cu8.class_teacher = staff(a.organisation, Role.TEACHER)
    cu8.save()
    RoleAssignment.objects.create(
        user=cu8.class_teacher, role=Role.CLASS_TEACHER, organisation=a.organisation
    )
    group_teacher = staff(a.organisation, Role.TEACHER)
    group = subgroup(a, "8Б, группа 1", [students8[0]])
    group.class_unit = cu8
    group.save()
    from shkola.timetable import services as tt

    tt.timetable_entry_create(
        academic_year=a.year,
        weekday=2,
        lesson_number=3,
        subject=a.subject,
        teacher=group_teacher,
        room=a.rooms[1],
        group=group,
    )
    official = UserFactory()
    RoleAssignment.objects.create(
        user=official, role=Role.MUNICIPAL, territory=a.organisation.territory
    )
    teacher_parent = staff(a.organisation, Role.TEACHER)
    guardian_of(b.students[1], username=None)
    b_child_of_teacher_parent = enrol(b, b.class_unit)
    from shkola.schools.models import Guardian, Guardianship

    Guardianship.objects.create(
        guardian=Guardian.objects.create(
            user=teacher_parent, last_name=teacher_parent.last_name, first_name="Т"
        ),
        student=b_child_of_teacher_parent,
        kind="father",
    )
    return World(
        a=a,
        b=b,
        student_user=_student_user(a.students[0]),
        parent=guardian_of(a.students[0]),
        other_parent=guardian_of(students8[1]),
        group_parent=guardian_of(students8[0]),
        group_teacher=group_teacher,
        idle_teacher=staff(a.organisation, Role.TEACHER),
        parent_b=guardian_of(b.students[0]),
        two_schools_parent=guardian_of(students8[2], b.students[2]),
        teacher_parent=teacher_parent,
        official=official,
    )
