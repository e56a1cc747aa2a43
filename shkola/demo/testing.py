"""The tiny demo world as a test fixture for every app: real relations, two schools, all
demo accounts. ``build_demo_world`` builds it once into an empty database, or picks up the
one already there."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from shkola.accounts.models import User
from shkola.core import clock
from shkola.schools.models import (
    AcademicYear,
    AttestationPeriod,
    ClassUnit,
    Organisation,
    Student,
    Subject,
    Territory,
)
from shkola.schools.selectors import period_on

from .services import MUNICIPALITY_NAME, demo_region_build

LOGINS = (
    "student",
    "parent",
    "teacher",
    "classteacher",
    "curator",
    "official",
    "region",
    "teacher2",
    "student2",
    "parent2",
    "parent_two_schools",
    "teacher_parent",
)


@dataclass
class DemoWorld:
    password: str
    users: dict[str, User]  # by login; teacher2/student2/parent2 belong to ``other_school``
    municipality: Territory
    school: Organisation
    other_school: Organisation
    year: AcademicYear
    period: AttestationPeriod  # the current one (or the one just finished, during holidays)
    student: Student  # the demo student, 7А
    second_child: Student  # the demo parent's other child, 3Б of the same school
    class_unit: ClassUnit  # the student's class, led by ``classteacher``
    other_family_student: Student  # 7А, not a child of the demo parent
    subject: Subject  # «Алгебра», taught by ``teacher`` in the student's class
    other_student: Student  # student2's Student in the other school
    # parent_two_schools' children: one in ``school``, one in ``other_school``
    cross_child: Student
    cross_other_child: Student
    teacher_parent_child: Student  # teacher_parent (a teacher of ``school``): child in the other


def build_demo_world() -> DemoWorld:
    if not Organisation.objects.exists():
        demo_region_build(size="tiny", portfolio=False)
    return load_demo_world()


def load_demo_world() -> DemoWorld:
    users = {u.username: u for u in User.objects.filter(username__in=LOGINS)}
    student = Student.objects.select_related("current_class__parallel__organisation").get(
        user=users["student"]
    )
    class_unit = student.current_class
    assert class_unit is not None
    school = class_unit.parallel.organisation
    parent_children = Student.objects.filter(guardianships__guardian__user=users["parent"])
    second_child = (
        parent_children.exclude(pk=student.pk).select_related("current_class__parallel").get()
    )
    other_family_student = (
        Student.objects.filter(current_class=class_unit)
        .exclude(pk__in=parent_children)
        .order_by("id")
        .first()
    )
    assert other_family_student is not None
    year = AcademicYear.objects.get(organisation=school, is_current=True)
    period = period_on(year, clock.today())
    assert period is not None
    return DemoWorld(
        password=settings.DEMO_PASSWORD,
        users=users,
        municipality=Territory.objects.get(name=MUNICIPALITY_NAME),
        school=school,
        other_school=Organisation.objects.exclude(pk=school.pk).order_by("id").first(),  # type: ignore[arg-type]
        year=year,
        period=period,
        student=student,
        second_child=second_child,
        class_unit=class_unit,
        other_family_student=other_family_student,
        subject=Subject.objects.get(organisation=school, name="Алгебра"),
        other_student=Student.objects.get(user=users["student2"]),
        cross_child=Student.objects.get(
            guardianships__guardian__user=users["parent_two_schools"], organisation=school
        ),
        cross_other_child=Student.objects.exclude(organisation=school).get(
            guardianships__guardian__user=users["parent_two_schools"]
        ),
        teacher_parent_child=Student.objects.get(
            guardianships__guardian__user=users["teacher_parent"]
        ),
    )
