"""Demo courses: the demo ``teacher`` has a course «Алгебра: решаем текстовые задачи» for 7А
with two modules (text, a file and a link; an assignment in each), and an open course
(«открытая запись») for the school. The demo ``student`` (7А) sent the first assignment and
got it back with feedback. Everything goes through the services."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from shkola.accounts.models import User
from shkola.schools.models import Student, Subject

from . import services
from .models import MaterialKind

LESSON_TEXT = """<h3>Как читать условие</h3>
<p>Прочитайте задачу <strong>два раза</strong>: сначала целиком, потом по предложению.</p>
<ol>
<li>Выпишите, что известно.</li>
<li>Обозначьте неизвестное буквой <em>x</em>.</li>
<li>Составьте уравнение и проверьте ответ по условию.</li>
</ol>"""

WORKSHEET = (
    "Задачи на движение\n"
    "1. Из двух городов навстречу друг другу выехали два автобуса...\n"
    "2. Лодка прошла по течению 24 км и вернулась обратно...\n"
).encode()


def courses_demo_fill(*, today: dt.date) -> int:
    teacher = User.objects.get(username="teacher")
    student = Student.objects.select_related("current_class__parallel__organisation").get(
        user__username="student"
    )
    class_unit = student.current_class
    if class_unit is None:
        return 0
    school = class_unit.parallel.organisation
    subject = Subject.objects.filter(organisation=school, name="Алгебра").first()
    course = services.course_create(
        organisation=school,
        by=teacher,
        title="Алгебра: решаем текстовые задачи",
        description=(
            "Короткий курс для 7 класса: как читать условие, составлять уравнение "
            "и проверять ответ. Два модуля, в каждом — материалы и задание."
        ),
        subject=subject,
        teachers=[teacher],
        class_units=[class_unit],
        starts_on=today - dt.timedelta(days=14),
        ends_on=today + dt.timedelta(days=30),
    )
    first = services.module_create(course=course, title="Составляем уравнение по условию")
    services.material_add(
        module=first, kind=MaterialKind.TEXT, title="Памятка: как решать", text=LESSON_TEXT
    )
    services.material_add(
        module=first,
        kind=MaterialKind.FILE,
        title="Лист с задачами",
        upload=SimpleUploadedFile("zadachi.txt", WORKSHEET, content_type="text/plain"),
    )
    task = services.assignment_create(
        module=first,
        title="Три задачи на движение",
        instructions="Решите задачи 1–3 из листа. Запишите уравнение и ответ; можно приложить фото.",
        due_on=today - dt.timedelta(days=3),
        is_marked=True,
    )
    second = services.module_create(course=course, title="Задачи на проценты")
    services.material_add(
        module=second,
        kind=MaterialKind.LINK,
        title="Тренажёр: проценты",
        url="https://example.org/procenty",
    )
    services.assignment_create(
        module=second,
        title="Скидки и наценки",
        instructions="Придумайте и решите две задачи про скидку в магазине.",
        due_on=today + dt.timedelta(days=7),
        is_marked=False,
    )
    services.materials_open(module=first, student=student)
    work = services.submission_save(
        assignment=task,
        student=student,
        text="1) x + (x + 10) = 90, x = 40 км/ч.\n2) 24/(x+2) + 24/(x-2) = 5, x = 10 км/ч.\n3) —",
    )
    services.submission_return(
        submission=work,
        by=teacher,
        feedback="Первые две решены верно. В третьей не хватает уравнения — допишите его на уроке.",
    )
    services.course_create(
        organisation=school,
        by=teacher,
        title="Подготовка к ОГЭ по математике",
        description="Разбор заданий первой части ОГЭ. Запись открыта для учеников 7–9 классов.",
        subject=subject,
        teachers=[teacher],
        open_enrolment=True,
    )
    return 2
