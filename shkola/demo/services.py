"""The demo region: one municipality of the Moscow region with its schools, staff, students,
families, a clash-free timetable and a year of journal up to today.

Everything is planned in memory first (names, staffing, timetable, marks) and written in
large batches: ORM ``bulk_create`` for the small tables, PostgreSQL ``COPY`` (or batched
``executemany`` elsewhere) for lessons, marks, attendance and homework. The random
generator and Faker are seeded, so the same ``seed`` gives the same region.

The demo is a data generator, not a user action: it writes through models in bulk instead of
row-by-row services (which validate and audit each write), but it keeps their invariants —
``Student.current_class`` follows the enrolment history, timetable slots never clash and
lessons never fall on holidays."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from faker import Faker

from shkola.absences.demo import absences_demo_fill
from shkola.accounts.models import Role, RoleAssignment, Sex, SpecialistKind, User
from shkola.api.demo import demo_application_ensure
from shkola.core import clock
from shkola.courses.demo import courses_demo_fill
from shkola.extras.demo import extras_demo_fill
from shkola.feeds.demo import feeds_demo_fill
from shkola.journal.models import (
    Attendance,
    FinalMark,
    FinalMarkKind,
    Homework,
    JournalKind,
    Mark,
    Remark,
)
from shkola.messaging.demo import messages_demo_fill
from shkola.portfolio.demo import portfolio_demo_fill
from shkola.privacy.demo import privacy_demo_fill
from shkola.schools import services as school_services
from shkola.schools.models import (
    AcademicYear,
    AttestationPeriod,
    ClassType,
    ClassUnit,
    ControlForm,
    CurriculumItem,
    Enrolment,
    EnrolmentAction,
    Guardian,
    Guardianship,
    Holiday,
    Organisation,
    Parallel,
    RepresentativeKind,
    SchoolEvent,
    Student,
    StudyGroup,
    Subject,
    Territory,
)
from shkola.testing.demo import testing_demo_fill
from shkola.timetable.models import BellSlot, Lesson, Room, TimetableEntry

from . import plan

DEFAULT_SEED = 2026
REGION_NAME = "Московская область"
MUNICIPALITY_NAME = "Городской округ Подольск"
CITY = "г. Подольск"
DEMO_URL = "http://127.0.0.1:8000"
LETTERS = "АБВГ"
WEEKDAYS = (1, 2, 3, 4, 5)
TEACHER_MAX_HOURS = 22


class DemoError(Exception):
    """The demo cannot be built here (e.g. the database already holds a region)."""


# --------------------------------------------------------------------------------------------
# Demo accounts
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    last_name: str
    first_name: str
    middle_name: str
    sex: str
    birth_date: dt.date


DEMO_PEOPLE: dict[str, Person] = {
    "student": Person("Соколова", "Мария", "Андреевна", Sex.FEMALE, dt.date(2000, 1, 1)),
    "parent": Person("Соколова", "Елена", "Викторовна", Sex.FEMALE, dt.date(1986, 4, 17)),
    "teacher": Person("Петров", "Игорь", "Николаевич", Sex.MALE, dt.date(1979, 10, 3)),
    "classteacher": Person("Иванова", "Ольга", "Сергеевна", Sex.FEMALE, dt.date(1983, 2, 25)),
    "curator": Person("Кузнецова", "Наталья", "Владимировна", Sex.FEMALE, dt.date(1975, 6, 9)),
    "official": Person("Морозов", "Дмитрий", "Александрович", Sex.MALE, dt.date(1972, 12, 14)),
    "region": Person("Белова", "Ирина", "Геннадьевна", Sex.FEMALE, dt.date(1969, 7, 30)),
}
SECOND_CHILD = ("Соколов", "Артём", "Андреевич", Sex.MALE)
DEMO_FATHER = ("Соколов", "Андрей", "Петрович")

DEMO_ROLES = {
    "student": "ученица 7 класса",
    "parent": "родитель двух детей одной школы",
    "teacher": "учитель математики в нескольких классах",
    "classteacher": "классный руководитель класса ученицы",
    "curator": "куратор (администратор) школы",
    "official": "специалист муниципального органа управления образованием",
    "region": "специалист регионального органа управления образованием",
    "parent_two_schools": "родитель двух детей из двух разных школ",
    "teacher_parent": "учитель первой школы и родитель ученика второй школы",
}
# Accounts linked to two schools (issue 9): built only when the region has a second school.
CROSS_SCHOOL_PEOPLE: dict[str, Person] = {
    "parent_two_schools": Person(
        "Орлова", "Светлана", "Игоревна", Sex.FEMALE, dt.date(1984, 8, 21)
    ),
    "teacher_parent": Person("Лебедев", "Павел", "Сергеевич", Sex.MALE, dt.date(1981, 3, 5)),
}


@dataclass(frozen=True)
class DemoLogin:
    login: str
    password: str
    who: str


def demo_logins() -> list[DemoLogin]:
    """The demo accounts that exist in the database, with who they are."""
    users = {
        u.username: u
        for u in User.objects.filter(is_demo=True, username__in=list(DEMO_ROLES)).select_related(
            "student"
        )
    }
    rows = []
    for login, role in DEMO_ROLES.items():
        user = users.get(login)
        if user is None:
            continue
        who = f"{user.full_name} — {role}"
        student = getattr(user, "student", None)
        if student is not None and student.current_class_id:
            cu = ClassUnit.objects.select_related("parallel").get(pk=student.current_class_id)
            who = f"{user.full_name} — ученица {cu.name} класса"
        rows.append(DemoLogin(login=login, password=settings.DEMO_PASSWORD, who=who))
    return rows


def demo_logins_table() -> str:
    rows = demo_logins()
    width = max([len(r.login) for r in rows] + [5])
    lines = [f"Демо-доступ: {DEMO_URL}", "", f"{'логин'.ljust(width)}  пароль     кто"]
    lines += [f"{r.login.ljust(width)}  {r.password.ljust(9)}  {r.who}" for r in rows]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Calendar
# --------------------------------------------------------------------------------------------


def _monday_between(year: int, month: int, first_day: int) -> dt.date:
    day = dt.date(year, month, first_day)
    return day + dt.timedelta(days=(7 - day.isoweekday() + 1) % 7)


@dataclass
class Calendar:
    name: str
    start: dt.date
    end: dt.date
    periods: list[tuple[dt.date, dt.date]]
    holidays: list[tuple[str, dt.date, dt.date, list[int]]]

    def holiday_days(self, grade: int) -> set[dt.date]:
        days: set[dt.date] = set()
        for _name, start, end, grades in self.holidays:
            if grades and grade not in grades:
                continue
            day = start
            while day <= end:
                days.add(day)
                day += dt.timedelta(days=1)
        return days


def school_calendar(today: dt.date) -> Calendar:
    """The academic year containing ``today`` (1 Sept – 31 May) with quarters and the Russian
    holidays. In the summer break the year that has just ended is the current one."""
    first = today.year if today.month >= 9 else today.year - 1
    second = first + 1
    start, end = dt.date(first, 9, 1), dt.date(second, 5, 31)
    autumn = _monday_between(first, 10, 25)
    autumn_start, autumn_end = (
        autumn - dt.timedelta(days=2),
        autumn + dt.timedelta(days=6),
    )
    winter_start, winter_end = dt.date(first, 12, 29), dt.date(second, 1, 11)
    spring = _monday_between(second, 3, 23)
    spring_start, spring_end = (
        spring - dt.timedelta(days=2),
        spring + dt.timedelta(days=6),
    )
    february = _monday_between(second, 2, 16)
    holidays: list[tuple[str, dt.date, dt.date, list[int]]] = [
        ("Осенние каникулы", autumn_start, autumn_end, []),
        ("Зимние каникулы", winter_start, winter_end, []),
        (
            "Дополнительные каникулы для первоклассников",
            february - dt.timedelta(days=2),
            february + dt.timedelta(days=6),
            [1],
        ),
        ("Весенние каникулы", spring_start, spring_end, []),
    ]
    for name, day in (
        ("День народного единства", dt.date(first, 11, 4)),
        ("День защитника Отечества", dt.date(second, 2, 23)),
        ("Международный женский день", dt.date(second, 3, 8)),
        ("Праздник Весны и Труда", dt.date(second, 5, 1)),
        ("День Победы", dt.date(second, 5, 9)),
    ):
        if not any(s <= day <= e and not g for _n, s, e, g in holidays):
            holidays.append((name, day, day, []))
    holidays.sort(key=lambda h: h[1])
    periods = [
        (start, autumn_start - dt.timedelta(days=1)),
        (autumn_end + dt.timedelta(days=1), winter_start - dt.timedelta(days=1)),
        (winter_end + dt.timedelta(days=1), spring_start - dt.timedelta(days=1)),
        (spring_end + dt.timedelta(days=1), end),
    ]
    return Calendar(
        name=f"{first}/{second}",
        start=start,
        end=end,
        periods=periods,
        holidays=holidays,
    )


def bell_times() -> list[tuple[int, dt.time, dt.time]]:
    """8:30, 45-minute lessons; breaks of 10, 15, 20, 20, 15, 10 minutes."""
    breaks = [10, 15, 20, 20, 15, 10]
    current = dt.datetime(2000, 1, 1, 8, 30)
    bells = []
    for number in range(1, 8):
        finish = current + dt.timedelta(minutes=45)
        bells.append((number, current.time(), finish.time()))
        if number <= len(breaks):
            current = finish + dt.timedelta(minutes=breaks[number - 1])
    return bells


# --------------------------------------------------------------------------------------------
# Fast writes
# --------------------------------------------------------------------------------------------


class RowWriter:
    """Inserts plain tuples: COPY on PostgreSQL, batched executemany elsewhere."""

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"

    def insert(self, model: type, fields: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        meta = model._meta  # type: ignore[attr-defined]
        model_fields = [meta.get_field(name.removesuffix("_id")) for name in fields]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in model_fields)
        table = connection.ops.quote_name(meta.db_table)
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            adapters: list[Callable[[Any], Any] | None] = []
            for f in model_fields:
                kind = f.get_internal_type()
                if kind == "DateTimeField":
                    adapters.append(connection.ops.adapt_datetimefield_value)
                elif kind == "DateField":
                    adapters.append(connection.ops.adapt_datefield_value)
                else:
                    adapters.append(None)
            marks = ", ".join(["%s"] * len(fields))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
            if any(adapters):
                rows = [
                    tuple(
                        a(v) if a is not None and v is not None else v
                        for a, v in zip(adapters, row, strict=False)
                    )
                    for row in rows
                ]
            for i in range(0, len(rows), 5000):
                cursor.executemany(sql, rows[i : i + 5000])

    def next_id(self, model: type) -> int:
        last = model.objects.order_by("-id").values_list("id", flat=True).first()  # type: ignore[attr-defined]
        return (last or 0) + 1

    def reset_sequences(self, models: Iterable[type]) -> None:
        statements = connection.ops.sequence_reset_sql(no_style(), list(models))
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)


# --------------------------------------------------------------------------------------------
# The build
# --------------------------------------------------------------------------------------------


@dataclass
class SchoolSpec:
    number: int
    grades: list[int]
    letters: dict[int, int]  # grade → number of classes
    sizes: dict[str, int] = field(default_factory=dict)  # «7Б» → number of students
    students_range: tuple[int, int] = (22, 28)
    demo: bool = False  # holds the demo accounts
    peers: bool = False  # holds teacher2 / student2 / parent2 of the tiny build


@dataclass
class BuildReport:
    schools: int = 0
    students: int = 0
    teachers: int = 0
    lessons: int = 0
    marks: int = 0
    attendance: int = 0
    homework: int = 0
    seconds: float = 0.0
    portfolio: dict[str, int] = field(default_factory=dict)
    portfolio_seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"Школ: {self.schools}, обучающихся: {self.students}, учителей: {self.teachers}, "
            f"уроков: {self.lessons}, отметок: {self.marks}, пропусков: {self.attendance}, "
            f"домашних заданий: {self.homework}. Время: {self.seconds:.1f} с."
            + (
                f"\nПортфолио: обучающихся {self.portfolio.get('students', 0)}, "
                f"достижений {self.portfolio.get('achievements', 0)}, "
                f"кружков {self.portfolio.get('clubs', 0)}, "
                f"диагностик {self.portfolio.get('diagnostics', 0)}. "
                f"Время: {self.portfolio_seconds:.1f} с."
                if self.portfolio
                else ""
            )
        )


def demo_specs(*, schools: int, size: str, rng: random.Random) -> list[SchoolSpec]:
    if size == "tiny":
        return [
            SchoolSpec(
                1,
                [3, 5, 7],
                {3: 2, 5: 2, 7: 2},
                sizes={"7Б": 22},
                students_range=(8, 8),
                demo=True,
            ),
            SchoolSpec(2, [7], {7: 1}, students_range=(8, 8), peers=True),
        ]
    specs = []
    for number in range(1, schools + 1):
        letters = {g: rng.choice((2, 2, 3)) for g in range(1, 12)}
        specs.append(SchoolSpec(number, list(range(1, 12)), letters, demo=number == 1))
    return specs


@dataclass
class Teacher:
    user: User
    specialty: str
    load: int = 0
    room: Room | None = None


@dataclass
class ClassPlan:
    grade: int
    letter: str
    size: int
    unit: ClassUnit | None = None
    students: list[Student] = field(default_factory=list)
    # specialty → teacher (lang split: two teachers)
    teachers: dict[str, list[Teacher]] = field(default_factory=dict)
    groups: list[StudyGroup] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.grade}{self.letter}"

    @property
    def split(self) -> bool:
        return self.size > 20 and plan.LANGUAGE in plan.CURRICULUM[self.grade]


class DemoBuilder:
    def __init__(self, *, seed: int, size: str, today: dt.date) -> None:
        self.seed = seed
        self.size = size
        self.today = today
        self.rng = random.Random(seed)
        self.fake = Faker("ru_RU")
        self.fake.seed_instance(seed)
        self.writer = RowWriter()
        self.calendar = school_calendar(today)
        self.report = BuildReport()
        self.demo_hash = make_password(settings.DEMO_PASSWORD)
        self.snils_next = 112_233_445 + seed % 1000 * 1000
        self.users: dict[str, User] = {}
        self.username_seq = 0
        self.lesson_id = self.writer.next_id(Lesson)
        now = timezone.now()
        self.now = now
        if size == "tiny":
            self.lessons_from = max(self.calendar.start, today - dt.timedelta(days=35))
            self.lessons_to = min(self.calendar.end, today + dt.timedelta(days=14))
        else:
            self.lessons_from, self.lessons_to = self.calendar.start, self.calendar.end
        self.bells = bell_times()

    # ---- people -------------------------------------------------------------------------

    def snils(self) -> str:
        self.snils_next += self.rng.randint(1, 97)
        number = f"{self.snils_next:09d}"
        total = sum(int(d) * (9 - i) for i, d in enumerate(number))
        if total > 101:
            total %= 101
        control = 0 if total in (100, 101) else total
        return f"{number}{control:02d}"

    def phone(self) -> str:
        r = self.rng
        return (
            f"+7 9{r.randint(10, 99)} {r.randint(100, 999)}-{r.randint(10, 99)}-{r.randint(10, 99)}"
        )

    def male_first(self) -> str:
        return self.rng.choice(list(plan.MALE_NAMES))

    def person(self, sex: str, age_from: int, age_to: int, last_name: str | None = None) -> Person:
        father = self.male_first()
        if sex == Sex.MALE:
            first = self.male_first()
            last = last_name or self.fake.last_name_male()
            middle = plan.MALE_NAMES[father][0]
        else:
            first = self.fake.first_name_female()
            last = plan.feminine_last_name(last_name or self.fake.last_name_male())
            middle = plan.MALE_NAMES[father][1]
        birth = self.today - dt.timedelta(days=self.rng.randint(age_from * 365, age_to * 365))
        return Person(last, first, middle, sex, birth)

    def user(self, person: Person, *, username: str | None = None, demo: bool = False) -> User:
        if username is None:
            self.username_seq += 1
            username = f"staff{self.username_seq:05d}"
        user = User(
            username=username,
            last_name=person.last_name,
            first_name=person.first_name,
            middle_name=person.middle_name,
            sex=person.sex,
            birth_date=person.birth_date,
            email=f"{username}@demo.shkola.local",
            # the demo logins can receive letters at once (make demo writes them to var/mail)
            email_confirmed=demo,
            phone=self.phone(),
            snils=self.snils(),
            is_demo=demo,
            password=self.demo_hash if demo else make_password(None),
        )
        return user

    # ---- region -------------------------------------------------------------------------

    def build(self, specs: list[SchoolSpec]) -> BuildReport:
        started = time.monotonic()
        region, _ = Territory.objects.get_or_create(name=REGION_NAME, kind=Territory.Kind.REGION)
        self.municipality = Territory.objects.create(
            name=MUNICIPALITY_NAME, kind=Territory.Kind.MUNICIPALITY, parent=region
        )
        official = self.user(DEMO_PEOPLE["official"], username="official", demo=True)
        official.save()
        RoleAssignment.objects.create(
            user=official, role=Role.MUNICIPAL, territory=self.municipality
        )
        self.users["official"] = official
        # The region's official sees every municipality of the region (oversight, H1).
        regional = self.user(DEMO_PEOPLE["region"], username="region", demo=True)
        regional.save()
        RoleAssignment.objects.create(user=regional, role=Role.REGIONAL, territory=region)
        self.users["region"] = regional
        for spec in specs:
            self.build_school(spec)
        self.writer.reset_sequences([Lesson])
        self.report.schools = len(specs)
        self.report.seconds = time.monotonic() - started
        return self.report

    # ---- one school ---------------------------------------------------------------------

    def build_school(self, spec: SchoolSpec) -> None:
        rng = self.rng
        cal = self.calendar
        curator_person = DEMO_PEOPLE["curator"] if spec.demo else self.person(Sex.FEMALE, 30, 60)
        org = school_services.organisation_register(
            territory=self.municipality,
            short_name=f"МБОУ СОШ №{spec.number}",
            full_name=(
                "Муниципальное бюджетное общеобразовательное учреждение "
                f"«Средняя общеобразовательная школа №{spec.number}»"
            ),
            address=f"142100, {REGION_NAME}, {CITY}, {self.fake.street_name()}, д. {rng.randint(1, 60)}",
            phones=f"+7 (4967) {rng.randint(50, 69)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}",
            admin_last_name=curator_person.last_name,
            admin_first_name=curator_person.first_name,
            admin_middle_name=curator_person.middle_name,
            admin_birth_date=curator_person.birth_date,
            admin_phone=self.phone(),
            admin_email=f"school{spec.number}@demo.shkola.local",
        )
        year = school_services.academic_year_create(
            organisation=org,
            name=cal.name,
            start=cal.start,
            end=cal.end,
            periods=cal.periods,
        )
        periods = list(AttestationPeriod.objects.filter(academic_year=year).order_by("number"))
        Holiday.objects.bulk_create(
            Holiday(academic_year=year, name=name, start=s, end=e, grades=g)
            for name, s, e, g in cal.holidays
        )
        # The registration gave the school the default forms; the demo plan adds its own.
        defaults = set(ControlForm.objects.filter(organisation=org).values_list("name", flat=True))
        ControlForm.objects.bulk_create(
            ControlForm(organisation=org, name=name, weight=w, is_test=t)
            for name, (w, t) in plan.CONTROL_FORMS.items()
            if name not in defaults
        )
        forms = {f.name: f for f in ControlForm.objects.filter(organisation=org)}
        needed = sorted({s for g in spec.grades for s in plan.CURRICULUM[g]})
        subjects = {
            s.name: s
            for s in Subject.objects.bulk_create(
                Subject(organisation=org, name=name, short_name=plan.SUBJECTS[name][0])
                for name in needed
            )
        }
        BellSlot.objects.bulk_create(
            BellSlot(organisation=org, number=n, start=s, end=e) for n, s, e in self.bells
        )

        # Classes and their sizes.
        classes: list[ClassPlan] = []
        for grade in spec.grades:
            for letter in LETTERS[: spec.letters[grade]]:
                name = f"{grade}{letter}"
                size = spec.sizes.get(name) or rng.randint(*spec.students_range)
                classes.append(ClassPlan(grade=grade, letter=letter, size=size))
        by_name = {c.name: c for c in classes}

        # Staff: who teaches what in which class.
        teachers = self.staff_plan(spec, classes)
        admin = self.admin_staff(spec, org, curator_person)
        staff_users = [t.user for t in teachers] + [u for u, _role, _kind in admin]
        User.objects.bulk_create(staff_users, batch_size=1000)
        for user in staff_users:
            if user.username in DEMO_ROLES or user.username in ("teacher2",):
                self.users[user.username] = user
        roles = [RoleAssignment(user=t.user, role=Role.TEACHER, organisation=org) for t in teachers]
        roles += [
            RoleAssignment(user=u, role=role, organisation=org, specialist_kind=kind)
            for u, role, kind in admin
        ]
        self.report.teachers += len(teachers)

        # Rooms: every teacher has their own, so a clash-free teacher means a clash-free room.
        rooms: list[Room] = []
        counters: defaultdict[str, int] = defaultdict(int)
        for t in teachers:
            if t.specialty == "pe":
                counters["pe"] += 1
                name = "Спортзал" if counters["pe"] == 1 else f"Спортзал №{counters['pe']}"
            else:
                floor = 1 if t.specialty.startswith("primary") else 2 + counters["floor"] % 2
                counters[f"f{floor}"] += 1
                counters["floor"] += 1
                name = f"{floor}{counters[f'f{floor}']:02d}"
            t.room = Room(organisation=org, name=name)
            rooms.append(t.room)
        Room.objects.bulk_create(rooms)

        # Parallels and classes with their class teachers.
        parallels = {
            p.grade: p
            for p in Parallel.objects.bulk_create(
                Parallel(organisation=org, academic_year=year, grade=g) for g in spec.grades
            )
        }
        leaders = self.class_teachers(spec, classes, teachers)
        units = [
            ClassUnit(
                parallel=parallels[c.grade],
                letter=c.letter,
                class_type=ClassType.GENERAL,
                class_teacher=leaders[c.name].user,
            )
            for c in classes
        ]
        ClassUnit.objects.bulk_create(units)
        for c, unit in zip(classes, units, strict=False):
            c.unit = unit
            roles.append(
                RoleAssignment(user=leaders[c.name].user, role=Role.CLASS_TEACHER, organisation=org)
            )
        RoleAssignment.objects.bulk_create(roles)

        CurriculumItem.objects.bulk_create(
            CurriculumItem(
                class_unit=c.unit,
                subject=subjects[name],
                hours_per_week=Decimal(hours),
                split_into_groups=c.split and name == plan.LANGUAGE,
            )
            for c in classes
            for name, hours in plan.CURRICULUM[c.grade].items()
        )

        # Students, families, history.
        self.roster(spec, org, classes, by_name)

        # Language subgroups.
        groups: list[StudyGroup] = []
        for c in classes:
            if c.split:
                for n in (1, 2):
                    g = StudyGroup(
                        organisation=org,
                        academic_year=year,
                        kind=StudyGroup.Kind.SUBGROUP,
                        name=f"{c.name} — английский язык, группа {n}",
                        class_unit=c.unit,
                        subject=subjects[plan.LANGUAGE],
                    )
                    c.groups.append(g)
                    groups.append(g)
        StudyGroup.objects.bulk_create(groups)
        through = StudyGroup.students.through
        members = []
        group_of: dict[int, StudyGroup] = {}
        for c in classes:
            if c.split:
                half = (len(c.students) + 1) // 2
                for i, s in enumerate(c.students):
                    g = c.groups[0] if i < half else c.groups[1]
                    members.append(through(studygroup_id=g.id, student_id=s.id))
                    group_of[s.id] = g
        through.objects.bulk_create(members, batch_size=5000)

        entries = self.timetable(spec, year, classes, subjects)
        self.lessons_and_journal(spec, org, year, periods, classes, entries, forms, group_of, admin)
        self.events(org, classes)
        if spec.demo:
            self.school = org
            self.year = year
            self.periods = periods
            self.classes = by_name
        if spec.peers:
            self.other_school = org
            self.peer_classes = by_name

    # ---- staffing -----------------------------------------------------------------------

    def staff_plan(self, spec: SchoolSpec, classes: list[ClassPlan]) -> list[Teacher]:
        teachers: list[Teacher] = []
        by_specialty: dict[str, list[Teacher]] = defaultdict(list)

        def new_teacher(
            specialty: str,
            person: Person | None = None,
            username: str | None = None,
            demo: bool = False,
        ) -> Teacher:
            if person is None:
                sex = (
                    Sex.FEMALE
                    if self.rng.random() < (0.95 if specialty.startswith("primary") else 0.78)
                    else Sex.MALE
                )
                if specialty in ("pe", "obzr", "tech") and self.rng.random() < 0.5:
                    sex = Sex.MALE
                person = self.person(sex, 24, 62)
            t = Teacher(
                user=self.user(person, username=username, demo=demo),
                specialty=specialty,
            )
            teachers.append(t)
            by_specialty[specialty].append(t)
            return t

        def hours_of(c: ClassPlan, specialty: str) -> int:
            return sum(
                h
                for name, h in plan.CURRICULUM[c.grade].items()
                if self.specialty_of(c, name) == specialty
            )

        if spec.demo:
            # Pinned first: the demo teacher takes 7А's mathematics, the class teacher its Russian.
            demo_math = new_teacher("math", DEMO_PEOPLE["teacher"], "teacher", True)
            demo_rus = new_teacher("rus", DEMO_PEOPLE["classteacher"], "classteacher", True)
            seven_a = next(c for c in classes if c.name == "7А")
            for t, sp in ((demo_math, "math"), (demo_rus, "rus")):
                seven_a.teachers[sp] = [t]
                t.load += hours_of(seven_a, sp)

        for c in sorted(classes, key=lambda c: (c.grade, c.letter)):
            specialties = sorted({self.specialty_of(c, name) for name in plan.CURRICULUM[c.grade]})
            for sp in specialties:
                if sp in c.teachers:
                    continue
                hours = hours_of(c, sp)
                if sp.startswith("primary"):
                    c.teachers[sp] = [new_teacher(sp)]
                    continue
                needed = 2 if (sp == "lang" and c.split) else 1
                chosen: list[Teacher] = []
                for _ in range(needed):
                    pool = [
                        t
                        for t in by_specialty[sp]
                        if t not in chosen and t.load + hours <= TEACHER_MAX_HOURS
                    ]
                    t = min(pool, key=lambda t: t.load) if pool else new_teacher(sp)
                    t.load += hours
                    chosen.append(t)
                c.teachers[sp] = chosen
        if spec.peers:
            seven = classes[0]
            seven.teachers["math"][0].user.username = "teacher2"
        return teachers

    @staticmethod
    def specialty_of(c: ClassPlan, subject: str) -> str:
        if c.grade <= 4 and subject in plan.PRIMARY_TEACHER_SUBJECTS:
            return f"primary:{c.name}"
        return plan.SUBJECTS[subject][1]

    def admin_staff(
        self, spec: SchoolSpec, org: Organisation, curator: Person
    ) -> list[tuple[User, str, str]]:
        curator_user = self.user(curator, username="curator" if spec.demo else None, demo=spec.demo)
        return [
            (
                self.user(self.person(self.rng.choice((Sex.MALE, Sex.FEMALE)), 40, 62)),
                Role.DIRECTOR,
                "",
            ),
            (self.user(self.person(Sex.FEMALE, 35, 60)), Role.DEPUTY, ""),
            (curator_user, Role.CURATOR, ""),
            (
                self.user(self.person(Sex.FEMALE, 26, 55)),
                Role.SPECIALIST,
                SpecialistKind.PSYCHOLOGIST,
            ),
        ]

    def class_teachers(
        self, spec: SchoolSpec, classes: list[ClassPlan], teachers: list[Teacher]
    ) -> dict[str, Teacher]:
        leaders: dict[str, Teacher] = {}
        taken: set[int] = set()
        if spec.demo:
            t = next(c for c in classes if c.name == "7А").teachers["rus"][0]
            leaders["7А"] = t
            taken.add(id(t))
            # the demo login ``teacher`` stays a subject teacher only, as the login list says
            taken.update(id(t) for t in teachers if t.user.username == "teacher")
        preference = (
            "rus",
            "math",
            "hist",
            "lang",
            "bio",
            "geo",
            "phys",
            "chem",
            "inf",
        )
        for c in classes:
            if c.name in leaders:
                continue
            if c.grade <= 4:
                t = c.teachers[f"primary:{c.name}"][0]
            else:
                candidates = [
                    t for sp in preference for t in c.teachers.get(sp, []) if id(t) not in taken
                ]
                candidates += [
                    t
                    for t in teachers
                    if id(t) not in taken and not t.specialty.startswith("primary")
                ]
                t = candidates[0]
            leaders[c.name] = t
            taken.add(id(t))
        return leaders

    # ---- roster -------------------------------------------------------------------------

    def roster(
        self,
        spec: SchoolSpec,
        org: Organisation,
        classes: list[ClassPlan],
        by_name: dict[str, ClassPlan],
    ) -> None:
        rng = self.rng
        cal = self.calendar
        students: list[Student] = []
        families: list[list[tuple[Guardian, str]]] = []
        family_of_demo: list[tuple[Guardian, str]] | None = None
        demo_children: dict[str, Student] = {}
        for c in classes:
            for i in range(c.size):
                sex = rng.choice((Sex.MALE, Sex.FEMALE))
                family_last = self.fake.last_name_male()
                father_first = self.male_first()
                demo_role = None
                if spec.demo and i == 0 and c.name in ("7А", "3Б"):
                    demo_role = "student" if c.name == "7А" else "second_child"
                if demo_role == "student":
                    last, first, middle = (
                        DEMO_PEOPLE["student"].last_name,
                        "Мария",
                        "Андреевна",
                    )
                    sex = Sex.FEMALE
                elif demo_role == "second_child":
                    last, first, middle, sex = SECOND_CHILD
                elif sex == Sex.MALE:
                    last, first, middle = (
                        family_last,
                        self.male_first(),
                        plan.MALE_NAMES[father_first][0],
                    )
                else:
                    last = plan.feminine_last_name(family_last)
                    first, middle = (
                        self.fake.first_name_female(),
                        plan.MALE_NAMES[father_first][1],
                    )
                # Born so that the child turned 7 by the 1st of September of the first grade.
                first_sept = dt.date(cal.start.year - (c.grade - 1), 9, 1)
                birth = dt.date(first_sept.year - 8, 9, 2) + dt.timedelta(days=rng.randint(0, 364))
                student = Student(
                    organisation=org,
                    last_name=last,
                    first_name=first,
                    middle_name=middle,
                    birth_date=birth,
                    sex=sex,
                    snils=self.snils(),
                    special_needs=rng.random() < 0.03,
                    current_class=c.unit,
                )
                c.students.append(student)
                students.append(student)
                if demo_role:
                    demo_children[demo_role] = student
                if demo_role and family_of_demo is not None:
                    families.append(family_of_demo)
                    continue
                family: list[tuple[Guardian, str]] = []
                if demo_role:
                    mother = DEMO_PEOPLE["parent"]
                    m_last, m_first, m_middle, m_birth = (
                        mother.last_name,
                        mother.first_name,
                        mother.middle_name,
                        mother.birth_date,
                    )
                    f_last, f_first, f_middle = DEMO_FATHER
                else:
                    mp = self.person(Sex.FEMALE, 26, 48, last_name=family_last)
                    m_last, m_first, m_middle, m_birth = (
                        mp.last_name,
                        mp.first_name,
                        mp.middle_name,
                        mp.birth_date,
                    )
                    f_last, f_first, f_middle = (
                        family_last,
                        father_first,
                        plan.MALE_NAMES[self.male_first()][0],
                    )
                family.append(
                    (
                        Guardian(
                            last_name=m_last,
                            first_name=m_first,
                            middle_name=m_middle,
                            birth_date=m_birth,
                            sex=Sex.FEMALE,
                            phone=self.phone(),
                            snils=self.snils(),
                            email=self.fake.free_email() if rng.random() < 0.7 else "",
                        ),
                        RepresentativeKind.MOTHER,
                    )
                )
                if demo_role or rng.random() < 0.8:
                    family.append(
                        (
                            Guardian(
                                last_name=f_last,
                                first_name=f_first,
                                middle_name=f_middle,
                                birth_date=m_birth - dt.timedelta(days=rng.randint(-700, 2500)),
                                sex=Sex.MALE,
                                phone=self.phone(),
                                email=self.fake.free_email() if rng.random() < 0.4 else "",
                            ),
                            RepresentativeKind.FATHER,
                        )
                    )
                if demo_role:
                    family_of_demo = family
                families.append(family)
        # The demo student's account and the demo parent's.
        user_links: list[tuple[Any, User]] = []
        if spec.demo:
            st = demo_children["student"]
            su = self.user(
                Person(st.last_name, st.first_name, st.middle_name, st.sex, st.birth_date),
                username="student",
                demo=True,
            )
            pu = self.user(DEMO_PEOPLE["parent"], username="parent", demo=True)
            user_links = [(st, su), (family_of_demo[0][0], pu)]  # type: ignore[index]
            self.demo_students = demo_children
        if spec.peers:
            st = classes[0].students[0]
            su = self.user(
                Person(st.last_name, st.first_name, st.middle_name, st.sex, st.birth_date),
                username="student2",
            )
            first_mother = families[0][0][0]
            pu = self.user(
                Person(
                    first_mother.last_name,
                    first_mother.first_name,
                    first_mother.middle_name,
                    Sex.FEMALE,
                    first_mother.birth_date or self.today,
                ),
                username="parent2",
            )
            for u in (su, pu):
                u.password = (
                    self.demo_hash
                )  # usable in tests; these accounts only exist in the tiny build
            user_links = [(st, su), (first_mother, pu)]
            self.peer_student = st
        if user_links:
            User.objects.bulk_create([u for _o, u in user_links])
            for obj, u in user_links:
                obj.user = u
                self.users[u.username] = u
        Student.objects.bulk_create(students, batch_size=2000)
        guardians = {id(g): g for fam in families for g, _k in fam}
        Guardian.objects.bulk_create(list(guardians.values()), batch_size=2000)
        Guardianship.objects.bulk_create(
            [
                Guardianship(guardian=g, student=s, kind=k)
                for s, fam in zip(students, families, strict=False)
                for g, k in fam
            ],
            batch_size=5000,
        )
        self.report.students += len(students)

        # Education history: admission (usually into the first grade) and this year's promotion.
        # Only this year's classes exist, so every line names the current class; the last line
        # is what ``current_class_from_history`` reads, and it matches ``current_class``.
        enrolments: list[Enrolment] = []
        for c in classes:
            for s in c.students:
                entry_grade = 1 if rng.random() < 0.9 else rng.randint(1, c.grade)
                admitted = dt.date(cal.start.year - (c.grade - entry_grade), 9, 1)
                if entry_grade > 1 or c.grade == 1:
                    admitted -= dt.timedelta(days=rng.randint(0, 20))
                enrolments.append(
                    Enrolment(
                        student=s,
                        organisation=org,
                        action=EnrolmentAction.ADMIT,
                        date=admitted,
                        order_number=f"{rng.randint(12, 240)}-у",
                        class_unit=c.unit,
                        class_type=ClassType.GENERAL,
                    )
                )
                if admitted < dt.date(cal.start.year, 6, 1):
                    enrolments.append(
                        Enrolment(
                            student=s,
                            organisation=org,
                            action=EnrolmentAction.PROMOTE,
                            date=dt.date(cal.start.year, 5, 31),
                            order_number=f"{rng.randint(150, 260)}-у",
                            class_unit=c.unit,
                            class_type=ClassType.GENERAL,
                        )
                    )
        Enrolment.objects.bulk_create(enrolments, batch_size=5000)

    # ---- timetable ----------------------------------------------------------------------

    def timetable(
        self,
        spec: SchoolSpec,
        year: AcademicYear,
        classes: list[ClassPlan],
        subjects: dict[str, Subject],
    ) -> list[TimetableEntry]:
        """A clash-free week: a unit is one lesson of one class; a split language lesson is one
        unit with two teachers (its two subgroups sit at the same time)."""
        units: list[tuple[ClassPlan, str, list[Teacher], int]] = []
        for c in classes:
            for name, hours in plan.CURRICULUM[c.grade].items():
                ts = c.teachers[self.specialty_of(c, name)]
                if not (name == plan.LANGUAGE and c.split):
                    ts = ts[:1]
                units.extend((c, name, ts, hours) for _ in range(hours))
        for attempt in range(60):
            rng = random.Random(self.seed * 1000 + spec.number * 97 + attempt)
            placed = self._place(units, rng, relax=attempt >= 30)
            if placed is not None:
                break
        else:  # pragma: no cover - the staffing plan leaves enough slack
            raise DemoError(f"Не удалось составить расписание для школы №{spec.number}.")
        entries: list[TimetableEntry] = []
        for (c, name, ts, _h), (day, number) in placed:
            groups = c.groups if len(ts) == 2 else [None]
            for t, g in zip(ts, groups, strict=False):
                entries.append(
                    TimetableEntry(
                        academic_year=year,
                        class_unit=c.unit,
                        group=g,
                        weekday=day,
                        lesson_number=number,
                        subject=subjects[name],
                        teacher=t.user,
                        room=t.room,
                    )
                )
        return TimetableEntry.objects.bulk_create(entries, batch_size=2000)

    @staticmethod
    def _place(
        units: list[tuple[ClassPlan, str, list[Teacher], int]],
        rng: random.Random,
        relax: bool,
    ) -> list[tuple[tuple[ClassPlan, str, list[Teacher], int], tuple[int, int]]] | None:
        order = list(units)
        rng.shuffle(order)
        order.sort(key=lambda u: (-len(u[2]), -max(t.load for t in u[2]), u[0].grade <= 4))
        class_busy: dict[int, set[tuple[int, int]]] = defaultdict(set)
        teacher_busy: dict[int, set[tuple[int, int]]] = defaultdict(set)
        per_day: dict[tuple[int, str, int], int] = defaultdict(int)
        result = []
        for unit in order:
            c, name, ts, hours = unit
            cmax = plan.max_lessons_per_day(c.grade)
            limit = 1 if hours <= 5 else 2
            busy = class_busy[id(c)]
            best = None
            for day in WEEKDAYS:
                count = sum(1 for d, _n in busy if d == day)
                same = per_day[(id(c), name, day)]
                if same >= limit + (1 if relax else 0):
                    continue
                for number in range(1, cmax + 1):
                    if (day, number) in busy or any(
                        (day, number) in teacher_busy[id(t)] for t in ts
                    ):
                        continue
                    holes = sum(1 for n in range(1, number) if (day, n) not in busy)
                    score = (holes, same, count, number, rng.random())
                    if best is None or score < best[0]:
                        best = (score, day, number)
            if best is None:
                return None
            _score, day, number = best
            busy.add((day, number))
            for t in ts:
                teacher_busy[id(t)].add((day, number))
            per_day[(id(c), name, day)] += 1
            result.append((unit, (day, number)))
        return result

    # ---- lessons and the journal --------------------------------------------------------

    def lessons_and_journal(
        self,
        spec: SchoolSpec,
        org: Organisation,
        year: AcademicYear,
        periods: list[AttestationPeriod],
        classes: list[ClassPlan],
        entries: list[TimetableEntry],
        forms: dict[str, ControlForm],
        group_of: dict[int, StudyGroup],
        admin: list[tuple[User, str, str]],
    ) -> None:
        rng = self.rng
        today = self.today
        tz = timezone.get_current_timezone()
        bell_end = {n: e for n, _s, e in self.bells}
        class_by_unit = {c.unit.id: c for c in classes}  # type: ignore[union-attr]
        subject_names = {e.subject_id: e.subject.name for e in entries}

        # School days of each grade and weekday, with their period.
        def period_of(day: dt.date) -> AttestationPeriod | None:
            for p in periods:
                if p.start <= day <= p.end:
                    return p
            return None

        days_by_grade: dict[int, dict[int, list[tuple[dt.date, AttestationPeriod | None]]]] = {}
        for grade in spec.grades:
            off = self.calendar.holiday_days(grade)
            by_weekday: dict[int, list[tuple[dt.date, AttestationPeriod | None]]] = defaultdict(
                list
            )
            day = self.lessons_from
            while day <= self.lessons_to:
                if day.isoweekday() <= 5 and day not in off:
                    by_weekday[day.isoweekday()].append((day, period_of(day)))
                day += dt.timedelta(days=1)
            days_by_grade[grade] = by_weekday

        # Pupils' ability and illness: a pupil's marks cluster around their level, and an
        # illness keeps them away for several consecutive days.
        ability: dict[int, float] = {}
        subject_bias: dict[tuple[int, int], float] = {}
        ill: set[tuple[int, dt.date]] = set()
        past_days = sorted(
            {d for g in days_by_grade.values() for lst in g.values() for d, _p in lst if d < today}
        )
        for c in classes:
            for s in c.students:
                ability[s.id] = min(4.95, max(2.7, rng.gauss(3.85, 0.55)))
                # About one illness of 2–6 days per pupil in four months.
                episodes = sum(1 for _ in range(len(past_days) // 5) if rng.random() < 0.04)
                for _ in range(episodes):
                    if not past_days:
                        break
                    first = rng.randrange(len(past_days))
                    for d in past_days[first : first + rng.randint(2, 6)]:
                        ill.add((s.id, d))

        # Lessons, in streams: one stream per class (or subgroup) and subject.
        streams: dict[tuple[Any, ...], list[list[Any]]] = defaultdict(list)
        for e in entries:
            c = class_by_unit[e.class_unit_id]
            for day, period in days_by_grade[c.grade][e.weekday]:
                streams[(e.class_unit_id, e.group_id, e.subject_id)].append(
                    [day, e.lesson_number, e, period]
                )

        lesson_rows: list[tuple[Any, ...]] = []
        mark_rows: list[tuple[Any, ...]] = []
        att_rows: list[tuple[Any, ...]] = []
        hw_rows: list[tuple[Any, ...]] = []
        sums: dict[tuple[int, int, int], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
        setters: dict[tuple[int, int, int], int] = {}
        homework_until = today + dt.timedelta(days=7)
        oral, homework_form = forms[plan.ORAL], forms[plan.HOMEWORK_FORM]

        for (unit_id, group_id, subject_id), items in streams.items():
            items.sort(key=lambda x: (x[0], x[1]))
            c = class_by_unit[unit_id]
            name = subject_names[subject_id]
            hours = plan.CURRICULUM[c.grade][name]
            pupils = [
                s
                for s in c.students
                if group_id is None or group_of.get(s.id) and group_of[s.id].id == group_id
            ]
            topics = plan.TOPICS[name]
            offset = (c.grade * 3) % len(topics)
            hw_templates = plan.HOMEWORK.get(name, plan.HOMEWORK["default"])
            test_every = max(4, round(3.5 * hours))
            marked = c.grade not in plan.UNMARKED_GRADES
            pass_fail = name in plan.PASS_FAIL_SUBJECTS
            test_no = 0
            for index, (day, number, entry, period) in enumerate(items):
                lesson_id = self.lesson_id
                self.lesson_id += 1
                past = day < today
                # Planned control forms, past and future (the tests calendar shows them).
                form = None
                if index % test_every == test_every - 1:
                    form = (
                        forms["Контрольный диктант"]
                        if name in plan.DICTATION_SUBJECTS and test_no % 2
                        else forms["Контрольная работа"]
                    )
                    test_no += 1
                elif name in (
                    "Физическая культура",
                    "Музыка",
                    "Изобразительное искусство",
                ):
                    form = None
                else:
                    r = rng.random()
                    if r < 0.07:
                        form = forms["Самостоятельная работа"]
                    elif r < 0.10:
                        form = forms["Проверочная работа"]
                    elif r < 0.17 and name in plan.LAB_SUBJECTS:
                        form = forms["Лабораторная работа"]
                topic = topics[(offset + index) % len(topics)] if past else ""
                at = dt.datetime.combine(day, bell_end[number], tzinfo=tz)
                lesson_rows.append(
                    (
                        lesson_id,
                        year.id,
                        period.id if period else None,
                        entry.id,
                        unit_id,
                        group_id,
                        subject_id,
                        entry.teacher_id,
                        entry.room_id,
                        day,
                        number,
                        topic,
                        form.id if form else None,
                        False,
                        at if past else None,
                    )
                )
                teacher_id = entry.teacher_id
                if day < homework_until and rng.random() < (
                    0.3 if name == "Физическая культура" else 0.85
                ):
                    tpl = rng.choice(hw_templates)
                    p = rng.randint(12, 180)
                    q = rng.randint(1, 12)
                    n = rng.randint(50, 900)
                    text = tpl.format(
                        p=p,
                        p2=p + rng.randint(3, 8),
                        q=q,
                        q2=q + rng.randint(2, 5),
                        n=n,
                        n2=n + rng.randint(1, 9),
                    )
                    hw_rows.append((lesson_id, None, text, teacher_id, min(at, self.now)))
                if not past:
                    continue
                present = []
                for s in pupils:
                    if (s.id, day) in ill:
                        att_rows.append((s.id, lesson_id, "б", 1, teacher_id, at, at))
                        continue
                    r = rng.random()
                    if r < 0.012:
                        att_rows.append((s.id, lesson_id, "н", 1, teacher_id, at, at))
                        continue
                    if r < 0.018:
                        att_rows.append((s.id, lesson_id, "у", 1, teacher_id, at, at))
                        continue
                    if r < 0.026:
                        att_rows.append((s.id, lesson_id, "оп", 1, teacher_id, at, at))
                    present.append(s)
                if not marked or not present:
                    continue
                if form is not None:
                    chosen = [s for s in present if rng.random() < 0.9]
                    mark_form = form
                else:
                    chosen = rng.sample(present, min(len(present), rng.randint(3, 8)))
                    mark_form = oral if rng.random() < 0.7 else homework_form
                if pass_fail and form is None:
                    continue
                work_name = ""
                if form is not None and form.weight >= 3:
                    work_name = f"{form.name}: {topics[(offset + index) % len(topics)]}"[:300]
                for s in chosen:
                    for part in range(2 if mark_form.name == "Контрольный диктант" else 1):
                        if pass_fail:
                            value, points = (
                                ("зач", None) if rng.random() < 0.95 else ("незач", None)
                            )
                        else:
                            key = (s.id, subject_id)
                            bias = subject_bias.get(key)
                            if bias is None:
                                bias = subject_bias[key] = rng.gauss(0, 0.3)
                            spread = 0.85 if form is not None else 0.7
                            shift = -0.15 if form is not None else 0.1
                            points = int(
                                min(
                                    5,
                                    max(
                                        2,
                                        round(ability[s.id] + bias + shift + rng.gauss(0, spread)),
                                    ),
                                )
                            )
                            value = str(points)
                        comment = ""
                        if rng.random() < 0.05:
                            comment = (
                                rng.choice(plan.COMMENTS[:2] + plan.COMMENTS[5:6])
                                if value in ("5", "зач")
                                else rng.choice(plan.COMMENTS[2:5] + plan.COMMENTS[6:])
                            )
                        wn = work_name
                        if part == 1:
                            wn = f"{work_name} (грамматическое задание)"[:300]
                        mark_rows.append(
                            (
                                s.id,
                                lesson_id,
                                JournalKind.MAIN,
                                value,
                                points,
                                mark_form.id,
                                mark_form.weight,
                                comment,
                                wn,
                                1,
                                teacher_id,
                                at,
                                at,
                            )
                        )
                        if points is not None and period is not None:
                            acc = sums[(s.id, subject_id, period.id)]
                            acc[0] += points * mark_form.weight
                            acc[1] += mark_form.weight
                        elif period is not None:
                            sums[(s.id, subject_id, period.id)][2] += 1
                        if period is not None:
                            setters[(s.id, subject_id, period.id)] = teacher_id

        w = self.writer
        w.insert(
            Lesson,
            [
                "id",
                "academic_year_id",
                "period_id",
                "timetable_entry_id",
                "class_unit_id",
                "group_id",
                "subject_id",
                "teacher_id",
                "room_id",
                "date",
                "lesson_number",
                "topic",
                "control_form_id",
                "is_cancelled",
                "topic_set_at",
            ],
            lesson_rows,
        )
        w.insert(
            Mark,
            [
                "student_id",
                "lesson_id",
                "journal",
                "value",
                "points",
                "control_form_id",
                "weight",
                "comment",
                "work_name",
                "version",
                "created_by_id",
                "created_at",
                "updated_at",
            ],
            mark_rows,
        )
        w.insert(
            Attendance,
            [
                "student_id",
                "lesson_id",
                "kind",
                "version",
                "created_by_id",
                "created_at",
                "updated_at",
            ],
            att_rows,
        )
        w.insert(
            Homework,
            ["lesson_id", "student_id", "text", "created_by_id", "created_at"],
            hw_rows,
        )
        self.report.lessons += len(lesson_rows)
        self.report.marks += len(mark_rows)
        self.report.attendance += len(att_rows)
        self.report.homework += len(hw_rows)

        # Period marks for the periods already over, and those periods closed.
        ended = {p.id: p for p in periods if p.end < today}
        t5, t4, t3 = (
            float(org.threshold_5),
            float(org.threshold_4),
            float(org.threshold_3),
        )
        finals = []
        for (student_id, subject_id, period_id), (num, den, passes) in sums.items():
            if period_id not in ended:
                continue
            if den:
                avg = num / den
                value = "5" if avg >= t5 else "4" if avg >= t4 else "3" if avg >= t3 else "2"
            elif passes:
                value = "зач"
            else:
                continue
            finals.append(
                FinalMark(
                    student_id=student_id,
                    subject_id=subject_id,
                    academic_year=year,
                    kind=FinalMarkKind.PERIOD,
                    period_id=period_id,
                    value=value,
                    set_by_id=setters[(student_id, subject_id, period_id)],
                )
            )
        FinalMark.objects.bulk_create(finals, batch_size=5000)
        curator = next(u for u, role, _k in admin if role == Role.CURATOR)
        for ended_period in ended.values():
            closed = dt.datetime.combine(
                ended_period.end + dt.timedelta(days=3), dt.time(16, 0), tzinfo=tz
            )
            AttestationPeriod.objects.filter(pk=ended_period.pk).update(
                closed_at=min(closed, self.now), closed_by=curator
            )

    # ---- events -------------------------------------------------------------------------

    def events(self, org: Organisation, classes: list[ClassPlan]) -> None:
        rng = self.rng
        upper = [c for c in classes if c.grade >= 5] or classes
        plans = [
            (
                "Школьный этап всероссийской олимпиады школьников по математике",
                4,
                dt.time(14, 30),
                "Актовый зал",
                upper,
                0.25,
            ),
            (
                "Экскурсия в музей истории города",
                9,
                dt.time(10, 0),
                "Сбор у главного входа",
                classes[:2],
                1.0,
            ),
            (
                "Спортивные соревнования «Весёлые старты»",
                15,
                dt.time(15, 0),
                "Спортзал",
                classes,
                0.3,
            ),
        ]
        through_c = SchoolEvent.class_units.through
        through_s = SchoolEvent.students.through
        c_rows, s_rows = [], []
        events = []
        for title, days, time_, place, _cls, _share in plans:
            events.append(
                SchoolEvent(
                    organisation=org,
                    title=title,
                    date=self.today + dt.timedelta(days=days),
                    time=time_,
                    place=place,
                    description="Подробности — у классного руководителя.",
                )
            )
        SchoolEvent.objects.bulk_create(events)
        for event, (_t, _d, _tm, _p, cls, share) in zip(events, plans, strict=False):
            for c in cls:
                c_rows.append(through_c(schoolevent_id=event.id, classunit_id=c.unit.id))  # type: ignore[union-attr]
                for i, s in enumerate(c.students):
                    # The demo student (first of her class) takes part in every event of her class.
                    if i == 0 or rng.random() < share:
                        s_rows.append(through_s(schoolevent_id=event.id, student_id=s.id))
        through_c.objects.bulk_create(c_rows)
        through_s.objects.bulk_create(s_rows, batch_size=5000)


def cross_school_accounts(*, school: Organisation, password_hash: str) -> None:
    """Two demo accounts that belong to two schools: ``parent_two_schools`` has a child in
    each school; ``teacher_parent`` teaches in the demo school and has a child in the other.
    Their children are outside the demo family's classes and the peers' class, so every
    other demo role keeps what it saw."""
    other = Organisation.objects.exclude(pk=school.pk).order_by("id").first()
    if other is None:
        return
    demo_family = Student.objects.filter(
        guardianships__guardian__user__username__in=["parent", "parent2"]
    )
    taken_classes = set(
        Student.objects.filter(
            Q(user__username__in=["student", "student2"]) | Q(pk__in=demo_family)
        ).values_list("current_class_id", flat=True)
    )

    def child_in(organisation: Organisation, skip: list[int]) -> Student:
        return (
            Student.objects.filter(organisation=organisation, current_class__isnull=False)
            .exclude(current_class_id__in=taken_classes)
            .exclude(pk__in=skip)
            .order_by("current_class__parallel__grade", "id")
            .first()
        ) or Student.objects.filter(organisation=organisation).exclude(pk__in=skip).order_by(
            "-id"
        ).first()  # type: ignore[return-value]

    first_child = child_in(school, [])
    second_child = child_in(other, [])
    teachers_child = child_in(other, [second_child.pk])
    rng = random.Random(DEFAULT_SEED + 9)
    for login, children, kind in (
        ("parent_two_schools", [first_child, second_child], RepresentativeKind.MOTHER),
        ("teacher_parent", [teachers_child], RepresentativeKind.FATHER),
    ):
        person = CROSS_SCHOOL_PEOPLE[login]
        user = User.objects.create(
            username=login,
            last_name=person.last_name,
            first_name=person.first_name,
            middle_name=person.middle_name,
            sex=person.sex,
            birth_date=person.birth_date,
            email=f"{login}@demo.shkola.local",
            email_confirmed=True,
            phone=f"+7916{rng.randint(1000000, 9999999)}",
            is_demo=True,
            password=password_hash,
        )
        guardian = school_services.guardian_of_user(user=user)
        for child in children:
            Guardianship.objects.create(guardian=guardian, student=child, kind=kind)
        if login == "teacher_parent":
            RoleAssignment.objects.create(user=user, role=Role.TEACHER, organisation=school)


def family_extras(*, organisation: Organisation, year: AcademicYear, today: dt.date) -> None:
    """What the demo family's diary would otherwise show empty (issue 4, D3, F2): a robotics
    club of the demo teacher that mixes the two children's classes («Журнал ДО»), marks of the
    separate homework journal, and a remark and a comment from the class teacher."""
    from shkola.timetable import services as timetable_services

    rng = random.Random(DEFAULT_SEED + 4)
    teacher = User.objects.get(username="teacher")
    class_teacher = User.objects.get(username="classteacher")
    children = list(
        Student.objects.filter(guardianships__guardian__user__username="parent")
        .select_related("current_class__class_teacher")
        .order_by("id")
    )
    classes = [c.current_class for c in children if c.current_class]
    members = list(children)
    for unit in classes:
        members += list(
            Student.objects.filter(current_class=unit).exclude(id__in=[c.id for c in children])[:5]
        )
    club = Subject.objects.create(organisation=organisation, name="Робототехника", is_extra=True)
    group = StudyGroup.objects.create(
        organisation=organisation,
        academic_year=year,
        kind=StudyGroup.Kind.EXTRA,
        name="Кружок «Робототехника»",
        subject=club,
    )
    group.students.set(members)
    room = Room.objects.create(organisation=organisation, name="Лаборатория робототехники")
    # The last lesson of a day that neither class nor the teacher already has.
    entry = None
    for number in (7, 6):
        for weekday in (3, 4, 2, 5, 1):
            busy = TimetableEntry.objects.filter(
                academic_year=year, weekday=weekday, lesson_number=number
            ).filter(
                Q(teacher=teacher) | Q(class_unit__in=classes) | Q(group__class_unit__in=classes)
            )
            if not busy.exists():
                entry = timetable_services.timetable_entry_create(
                    academic_year=year,
                    weekday=weekday,
                    lesson_number=number,
                    subject=club,
                    teacher=teacher,
                    room=room,
                    group=group,
                    effective_from=year.start,
                )
                break
        if entry:
            break
    marks: list[Mark] = []
    absences: list[Attendance] = []
    oral = ControlForm.objects.filter(organisation=organisation, name=plan.ORAL).first()
    topics = [
        "Знакомство с конструктором",
        "Моторы и передачи",
        "Датчик касания",
        "Датчик цвета: езда по линии",
        "Циклы и ветвления",
        "Проект: робот-сортировщик",
    ]
    if entry is not None:
        past = list(Lesson.objects.filter(timetable_entry=entry, date__lt=today).order_by("date"))
        for i, lesson in enumerate(past):
            lesson.topic = topics[i % len(topics)]
            lesson.topic_set_at = timezone.make_aware(
                dt.datetime.combine(lesson.date, dt.time(16, 0))
            )
            for student in members:
                # The demo children are keen: a mark at almost every session, so their
                # «Журнал ДО» is never empty whatever the period.
                roll = (0.0 if i % 6 == 4 else 0.3) if student in children else rng.random()
                if roll < 0.08:
                    absences.append(
                        Attendance(student=student, lesson=lesson, kind="н", created_by=teacher)
                    )
                elif roll < 0.45:
                    value = rng.choice(["5", "5", "4", "зач"])
                    marks.append(
                        Mark(
                            student=student,
                            lesson=lesson,
                            value=value,
                            points=int(value) if value.isdigit() else None,
                            control_form=oral,
                            weight=oral.weight if oral else 1,
                            work_name=rng.choice(
                                ["", "", "Сборка модели", "Программирование датчика"]
                            ),
                            created_by=teacher,
                        )
                    )
        Lesson.objects.bulk_update(past, ["topic", "topic_set_at"])
    # The homework journal: a few checked notebooks per child in their main subjects.
    homework_form = ControlForm.objects.filter(
        organisation=organisation, name=plan.HOMEWORK_FORM
    ).first()
    for child in children:
        lessons = list(
            Lesson.objects.filter(
                class_unit=child.current_class, date__lt=today, subject__is_extra=False
            )
            .filter(Q(group__isnull=True) | Q(group__students=child))
            .exclude(attendance__student=child)
            .order_by("-date")[:60]
        )
        for lesson in rng.sample(lessons, min(8, len(lessons))):
            value = rng.choice(["5", "4", "4", "3"])
            marks.append(
                Mark(
                    student=child,
                    lesson=lesson,
                    journal=JournalKind.HOMEWORK,
                    value=value,
                    points=int(value),
                    control_form=homework_form,
                    weight=homework_form.weight if homework_form else 1,
                    work_name="Проверка тетради",
                    created_by_id=lesson.teacher_id,
                )
            )
        author = (child.current_class and child.current_class.class_teacher) or class_teacher
        she = child.sex == Sex.FEMALE
        Remark.objects.create(
            student=child,
            author=author,
            kind=Remark.Kind.REMARK,
            text=f"{'Забыла' if she else 'Забыл'} сменную обувь, просьба проследить.",
        )
        Remark.objects.create(
            student=child,
            author=author,
            kind=Remark.Kind.COMMENT,
            text=f"Хорошо {'подготовила' if she else 'подготовил'} сообщение к классному часу.",
        )
    Mark.objects.bulk_create(marks)
    Attendance.objects.bulk_create(absences)


def demo_announcements(*, today: dt.date) -> None:
    """Two announcements of the demo school (F4): one pinned for the whole school from the
    curator, one from the class teacher for the families of her class."""
    from shkola.announcements import services as announcement_services

    announcement_services.announcement_publish(
        author=User.objects.get(username="curator"),
        title="Родительское собрание и день открытых дверей",
        body=(
            "Уважаемые родители, обучающиеся и коллеги!\n"
            "В субботу в 10:00 в актовом зале пройдёт общешкольное родительское собрание, "
            "после него — день открытых дверей: кабинеты и кружки открыты до 14:00.\n"
            "Программа: https://example.org/den-otkrytyh-dverey"
        ),
        audience="everyone",
        scope="school",
        valid_from=today - dt.timedelta(days=1),
        valid_to=today + dt.timedelta(days=30),
        pinned=True,
    )
    class_teacher = User.objects.get(username="classteacher")
    class_unit = class_teacher.led_classes.order_by("id").first()
    if class_unit is None:
        return
    announcement_services.announcement_publish(
        author=class_teacher,
        title=f"Экскурсия {class_unit.name} в краеведческий музей",
        body=(
            "В следующую среду после третьего урока класс едет в краеведческий музей. "
            "Вернёмся к 15:00. Нужны согласие родителей и 200 рублей на билет — "
            "сдайте, пожалуйста, до понедельника."
        ),
        audience="families",
        scope="classes",
        class_unit_ids=[class_unit.id],
        valid_from=today,
        valid_to=today + dt.timedelta(days=10),
    )


def demo_region_build(
    *,
    schools: int = 2,
    seed: int = DEFAULT_SEED,
    size: str = "full",
    today: dt.date | None = None,
    portfolio: bool = True,
) -> BuildReport:
    """Build the demo region into an empty database (with filled portfolios unless
    ``portfolio=False``); on PostgreSQL the planner's statistics are refreshed afterwards."""
    if size not in ("full", "tiny"):
        raise DemoError(f"Неизвестный размер: {size}")
    if schools < 1:
        raise DemoError("Нужна хотя бы одна школа.")
    if Organisation.objects.exists():
        raise DemoError(
            "В базе уже есть образовательные организации: демо-данные строятся только в пустой базе. "
            "Создайте новую базу (например, удалите db.sqlite3 и выполните migrate)."
        )
    if User.objects.filter(username__in=[*DEMO_ROLES, "teacher2", "student2", "parent2"]).exists():
        raise DemoError("В базе уже есть демо-учётные записи.")
    builder = DemoBuilder(seed=seed, size=size, today=today or clock.today())
    rng = random.Random(seed)
    specs = demo_specs(schools=schools, size=size, rng=rng)
    started = time.monotonic()
    with transaction.atomic():
        # (On PostgreSQL the deferred foreign-key checks run at COMMIT; the reported time
        # includes them. Checking them immediately was measured no faster.)
        report = builder.build(specs)
        if getattr(builder, "school", None) is not None:
            family_extras(organisation=builder.school, year=builder.year, today=builder.today)
            cross_school_accounts(school=builder.school, password_hash=builder.demo_hash)
            absences_demo_fill(today=builder.today)
            courses_demo_fill(today=builder.today)
            extras_demo_fill(today=builder.today)
            feeds_demo_fill()
            demo_announcements(today=builder.today)
            # A conversation and a class's group message, so the demo inbox is not empty.
            messages_demo_fill()
            # Consents of the demo families; the full demo adds a test child and a done act.
            privacy_demo_fill(school=builder.school, full=size == "full")
            # Online tests: the maths teacher's bank and a test for 7А.
            testing_demo_fill()
            # The mobile app of the OAuth demo (scripts/oauth_demo_client.py).
            demo_application_ensure()
    from shkola.accounts.services import people_cache_drop_all

    people_cache_drop_all()  # people and roles were written in bulk, no signal told the cache
    report.seconds = time.monotonic() - started
    if portfolio:
        started = time.monotonic()
        # Pictures cost most of the time: the demo accounts' school gets them, the rest don't.
        org_ids = list(Organisation.objects.order_by("id").values_list("id", flat=True))
        with_photos = portfolio_demo_fill(
            organisation_ids=org_ids[:1], seed=seed, per_class=3, photos=True
        )
        without = portfolio_demo_fill(
            organisation_ids=org_ids[1:], seed=seed, per_class=3, photos=False
        )
        report.portfolio = {k: with_photos[k] + without.get(k, 0) for k in with_photos}
        report.portfolio_seconds = time.monotonic() - started
    if connection.vendor == "postgresql":
        # Autovacuum may be off or late: without statistics the first pages seq-scan marks.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return report
