"""Demo services of the demo school: four published services (one free, one nearly full),
other families' applications waiting for the curator, and the demo parent's child (``student``,
7А) accepted in one of them with nothing pending — so «as parent apply, as curator accept»
can be tried at once. Everything goes through the services."""

from __future__ import annotations

import datetime as dt

from shkola.accounts.models import User
from shkola.schools.models import Student

from . import services
from .models import PriceUnit, ServiceStatus


def _guardian_user(student: Student) -> User | None:
    g = student.guardianships.select_related("guardian__user").order_by("id").first()  # type: ignore[attr-defined]
    return g.guardian.user if g is not None else None


def extras_demo_fill(*, today: dt.date) -> int:
    student = Student.objects.select_related("current_class__parallel", "organisation").get(
        user__username="student"
    )
    school = student.organisation
    curator = User.objects.get(username="curator")
    teacher = User.objects.get(username="teacher")
    staff = list(services.teachers_of(school.pk).exclude(pk__in=[teacher.pk, curator.pk])[:3])
    lead = (staff + [teacher, teacher, teacher])[:3]
    start = today - dt.timedelta(days=today.weekday())
    robotics = services.service_create(
        organisation=school,
        title="Робототехника",
        description="Собираем и программируем роботов LEGO Education SPIKE. Команда школы "
        "выступает на городских соревнованиях.",
        teacher=lead[0],
        schedule="вторник и четверг, 15:00–16:30, каб. 214",
        starts_on=start,
        grade_from=5,
        grade_to=8,
        capacity=12,
        price=2500,
        price_unit=PriceUnit.MONTH,
        status=ServiceStatus.PUBLISHED,
    )
    chess = services.service_create(
        organisation=school,
        title="Шахматный клуб",
        description="Дебюты, задачи, турниры по субботам. Для начинающих и продолжающих.",
        teacher=lead[1],
        schedule="среда, 14:30–16:00, библиотека",
        capacity=20,
        price=0,
        status=ServiceStatus.PUBLISHED,
    )
    english = services.service_create(
        organisation=school,
        title="Английский: подготовка к ОГЭ",
        description="Разбор заданий ОГЭ, устная часть, пробный экзамен в конце курса.",
        teacher=teacher,
        schedule="понедельник, 15:00–16:30",
        starts_on=start,
        ends_on=start + dt.timedelta(weeks=30),
        grade_from=7,
        grade_to=9,
        capacity=10,
        price=12000,
        price_unit=PriceUnit.COURSE,
        status=ServiceStatus.PUBLISHED,
    )
    services.service_create(
        organisation=school,
        title="Группа продлённого дня",
        description="Прогулка, обед, самоподготовка под присмотром воспитателя.",
        teacher=lead[2],
        schedule="понедельник–пятница, 12:30–18:00",
        grade_from=1,
        grade_to=4,
        capacity=25,
        price=3000,
        status=ServiceStatus.PUBLISHED,
    )
    services.service_create(
        organisation=school,
        title="Театральная студия",
        description="Черновик: набор откроется после согласования расписания.",
        schedule="пятница, 15:00–17:00, актовый зал",
        capacity=15,
        price=1500,
        status=ServiceStatus.DRAFT,
    )
    made = 0
    # The demo parent's child attends chess (accepted); nothing of theirs is pending.
    mine = services.application_create(
        service=chess, student=student, applicant=_guardian_user(student)
    )
    services.application_accept(application=mine, by=curator)
    made += 1
    # Other 5–8 graders: robotics nearly full (11 of 12), the rest waiting for the curator.
    demo_family = set(
        Student.objects.filter(
            guardianships__guardian__user__username__in=["parent", "parent_two_schools"]
        ).values_list("id", flat=True)
    )
    others = list(
        Student.objects.filter(
            organisation=school,
            current_class__parallel__grade__gte=5,
            current_class__parallel__grade__lte=8,
        )
        .exclude(pk__in=demo_family)
        .select_related("current_class__parallel")
        .order_by("current_class__parallel__grade", "last_name", "id")[:16]
    )
    for n, child in enumerate(others):
        app = services.application_create(
            service=robotics, student=child, applicant=_guardian_user(child)
        )
        made += 1
        if n < 11:
            services.application_accept(application=app, by=curator)
        elif n == 11:
            services.application_waitlist(application=app, by=curator)
    ninth = (
        Student.objects.filter(organisation=school, current_class__parallel__grade=9)
        .exclude(pk__in=demo_family)
        .order_by("last_name", "id")[:3]
    )
    for child in ninth:
        services.application_create(
            service=english,
            student=child,
            applicant=_guardian_user(child),
            comment="Хотим сдавать ОГЭ по английскому.",
        )
        made += 1
    return made
