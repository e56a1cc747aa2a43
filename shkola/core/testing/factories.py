"""factory_boy factories and a small-school builder shared by every app's tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import factory

from shkola.accounts.models import Role, RoleAssignment, User
from shkola.schools import services as school_services
from shkola.schools.models import (
    AcademicYear,
    AttestationPeriod,
    ClassUnit,
    ControlForm,
    Guardian,
    Guardianship,
    Holiday,
    Organisation,
    Parallel,
    Student,
    StudyGroup,
    Subject,
    Territory,
)
from shkola.timetable.models import BellSlot, Room, TimetableEntry

TEST_PASSWORD = "Very-Secret-Pass-42"


def valid_snils(n: int) -> str:
    """An 11-digit SNILS with a correct checksum for the 9-digit number ``n`` (> 1001998)."""
    number = f"{n:09d}"
    total = sum(int(d) * (9 - i) for i, d in enumerate(number))
    if total > 101:
        total %= 101
    control = 0 if total in (100, 101) else total
    return f"{number}{control:02d}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n:04d}")
    last_name = factory.Faker("last_name_male", locale="ru_RU")
    first_name = factory.Faker("first_name_male", locale="ru_RU")
    middle_name = factory.Faker("middle_name_male", locale="ru_RU")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            obj.save()


class TerritoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory

    name = factory.Sequence(lambda n: f"Городской округ №{n}")
    kind = Territory.Kind.MUNICIPALITY
    parent = factory.LazyFunction(
        lambda: Territory.objects.get_or_create(
            name="Московская область", kind=Territory.Kind.REGION
        )[0]
    )


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    territory = factory.SubFactory(TerritoryFactory)
    short_name = factory.Sequence(lambda n: f"МБОУ СОШ №{n + 1}")
    full_name = factory.LazyAttribute(
        lambda o: f"Муниципальное бюджетное общеобразовательное учреждение «{o.short_name}»"
    )
    address = "г. Подольск, ул. Школьная, д. 1"


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Student

    organisation = factory.SubFactory(OrganisationFactory)
    last_name = factory.Faker("last_name_male", locale="ru_RU")
    first_name = factory.Faker("first_name_male", locale="ru_RU")
    middle_name = factory.Faker("middle_name_male", locale="ru_RU")
    birth_date = dt.date(2013, 5, 17)
    sex = "m"
    snils = factory.Sequence(lambda n: valid_snils(112233000 + n))


class GuardianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guardian

    last_name = factory.Faker("last_name_female", locale="ru_RU")
    first_name = factory.Faker("first_name_female", locale="ru_RU")
    middle_name = factory.Faker("middle_name_female", locale="ru_RU")
    sex = "f"
    phone = "+79161234567"
    email = factory.Sequence(lambda n: f"mother{n}@example.org")


@dataclass
class School:
    """A small, complete school for tests: one year with quarters and holidays, a class with
    students, a teacher with a weekly timetable, and dated lessons from the year's start."""

    organisation: Organisation
    year: AcademicYear
    periods: list[AttestationPeriod]
    parallel: Parallel
    class_unit: ClassUnit
    students: list[Student]
    teacher: User
    class_teacher: User
    curator: User
    subject: Subject
    control_forms: dict[str, ControlForm]
    rooms: list[Room]
    entries: list[TimetableEntry] = field(default_factory=list)

    def add_class(
        self, grade: int, letter: str, n_students: int = 3
    ) -> tuple[ClassUnit, list[Student]]:
        parallel, _ = Parallel.objects.get_or_create(
            organisation=self.organisation, academic_year=self.year, grade=grade
        )
        cu = ClassUnit.objects.create(parallel=parallel, letter=letter)
        students = [enrol(self, cu) for _ in range(n_students)]
        return cu, students


def enrol(school: School | Any, class_unit: ClassUnit, **kwargs: Any) -> Student:
    org = class_unit.parallel.organisation
    student = StudentFactory(organisation=org, **kwargs)
    school_services.enrolment_record(
        student=student,
        action="admit",
        date=class_unit.parallel.academic_year.start,
        order_number="1-у",
        class_unit=class_unit,
    )
    student.refresh_from_db()
    return student


def staff(organisation: Organisation, role: str = Role.TEACHER, **kwargs: Any) -> User:
    user = UserFactory(**kwargs)
    RoleAssignment.objects.create(user=user, role=role, organisation=organisation)
    return user


def guardian_of(*students: Student, username: str | None = None, kind: str = "mother") -> User:
    user = UserFactory(username=username) if username else UserFactory()
    guardian = GuardianFactory(user=user, last_name=user.last_name, first_name=user.first_name)
    for student in students:
        Guardianship.objects.create(guardian=guardian, student=student, kind=kind)
    return user


def make_school(
    *,
    start: dt.date = dt.date(2026, 9, 1),
    end: dt.date = dt.date(2027, 5, 31),
    grade: int = 7,
    letter: str = "А",
    n_students: int = 3,
    subject_name: str = "Математика",
    weekdays: tuple[int, ...] = (1, 3, 5),
    generate_lessons_until: dt.date | None = None,
    organisation: Organisation | None = None,
) -> School:
    org = organisation or OrganisationFactory()
    quarters = [
        (dt.date(start.year, 9, 1), dt.date(start.year, 10, 24)),
        (dt.date(start.year, 11, 3), dt.date(start.year, 12, 28)),
        (dt.date(end.year, 1, 12), dt.date(end.year, 3, 20)),
        (dt.date(end.year, 3, 30), end),
    ]
    year = school_services.academic_year_create(
        organisation=org,
        name=f"{start.year}/{end.year}",
        start=start,
        end=end,
        periods=quarters,
    )
    Holiday.objects.bulk_create(
        [
            Holiday(
                academic_year=year,
                name="Осенние каникулы",
                start=dt.date(start.year, 10, 25),
                end=dt.date(start.year, 11, 2),
            ),
            Holiday(
                academic_year=year,
                name="Зимние каникулы",
                start=dt.date(start.year, 12, 29),
                end=dt.date(end.year, 1, 11),
            ),
            Holiday(
                academic_year=year,
                name="Весенние каникулы",
                start=dt.date(end.year, 3, 21),
                end=dt.date(end.year, 3, 29),
            ),
            Holiday(
                academic_year=year,
                name="Дополнительные каникулы",
                start=dt.date(end.year, 2, 9),
                end=dt.date(end.year, 2, 15),
                grades=[1],
            ),
        ]
    )
    for number, (h, m) in enumerate(
        [(8, 30), (9, 25), (10, 30), (11, 35), (12, 35), (13, 35), (14, 30)], start=1
    ):
        begin = dt.time(h, m)
        finish = (dt.datetime.combine(start, begin) + dt.timedelta(minutes=45)).time()
        BellSlot.objects.create(organisation=org, number=number, start=begin, end=finish)
    forms = {
        name: ControlForm.objects.create(organisation=org, name=name, weight=w, is_test=t)
        for name, w, t in [
            ("Контрольная работа", 5, True),
            ("Самостоятельная работа", 3, False),
            ("Ответ на уроке", 1, False),
            ("Домашняя работа", 1, False),
        ]
    }
    parallel = Parallel.objects.create(organisation=org, academic_year=year, grade=grade)
    class_teacher = staff(org, Role.TEACHER)
    RoleAssignment.objects.create(user=class_teacher, role=Role.CLASS_TEACHER, organisation=org)
    class_unit = ClassUnit.objects.create(
        parallel=parallel, letter=letter, class_teacher=class_teacher
    )
    teacher = staff(org, Role.TEACHER)
    curator = staff(org, Role.CURATOR)
    subject = Subject.objects.create(organisation=org, name=subject_name)
    rooms = [Room.objects.create(organisation=org, name=str(n)) for n in (101, 102, 103)]
    school = School(
        organisation=org,
        year=year,
        periods=list(year.periods.order_by("number")),
        parallel=parallel,
        class_unit=class_unit,
        students=[],
        teacher=teacher,
        class_teacher=class_teacher,
        curator=curator,
        subject=subject,
        control_forms=forms,
        rooms=rooms,
    )
    school.students = [enrol(school, class_unit) for _ in range(n_students)]
    from shkola.timetable import services as tt

    for weekday in weekdays:
        school.entries.append(
            tt.timetable_entry_create(
                academic_year=year,
                weekday=weekday,
                lesson_number=2,
                subject=subject,
                teacher=teacher,
                room=rooms[0],
                class_unit=class_unit,
            )
        )
    if generate_lessons_until is not None:
        tt.lessons_generate(academic_year=year, start=start, end=generate_lessons_until)
    return school


def subgroup(
    school: School, name: str, students: list[Student], subject: Subject | None = None
) -> StudyGroup:
    group = StudyGroup.objects.create(
        organisation=school.organisation,
        academic_year=school.year,
        kind=StudyGroup.Kind.SUBGROUP,
        name=name,
        class_unit=school.class_unit,
        subject=subject or school.subject,
    )
    group.students.set(students)
    return group
