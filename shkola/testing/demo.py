"""Demo online tests: the demo ``teacher`` (maths in 7А) has a bank of «Алгебра» questions of
every type — one with a picture — and one published test for 7А that the demo ``student``
sees in «Тесты». Building another test from the bank and assigning it is left to the user."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from shkola.accounts.models import User
from shkola.core import clock
from shkola.schools.models import Student, Subject

from . import services

BANK = [
    (
        "single",
        "Линейные уравнения",
        "Решите уравнение 3x − 7 = 11. Чему равен x?",
        {"options": "4\n6\n18\n−6", "correct": "2"},
        1,
        "2.1",
        "1.1",
    ),
    (
        "multiple",
        "Степени",
        "Какие выражения равны a⁶?",
        {"options": "a² · a³\na² · a⁴\n(a³)²\na¹² : a²", "correct": "2, 3"},
        2,
        "1.4",
        "1.2",
    ),
    (
        "short",
        "Одночлены",
        "Как называется сумма одночленов? Ответ — одно слово.",
        {"accepted": "многочлен\nполином"},
        1,
        "2.3",
        "1.1",
    ),
    (
        "number",
        "Линейная функция",
        "Прямая y = kx + 2 проходит через точку (3; 8). Найдите k.",
        {"value": "2", "tolerance": "0"},
        1,
        "3.1",
        "2.1",
    ),
    (
        "matching",
        "Формулы сокращённого умножения",
        "Сопоставьте выражение и его разложение.",
        {
            "left": "a² − b²\n(a + b)²\n(a − b)²",
            "right": "(a − b)(a + b)\na² + 2ab + b²\na² − 2ab + b²",
        },
        3,
        "2.4",
        "1.3",
    ),
    (
        "ordering",
        "Линейные уравнения",
        "Расположите шаги решения уравнения 2(x + 3) = 10 по порядку.",
        {
            "items": "Раскрыть скобки: 2x + 6 = 10\nПеренести 6: 2x = 4\nРазделить на 2: x = 2\nПроверить: 2(2 + 3) = 10"
        },
        2,
        "2.1",
        "1.4",
    ),
    (
        "free",
        "Линейная функция",
        "По графику на рисунке определите, возрастает или убывает функция, и объясните почему.",
        {},
        3,
        "3.1",
        "2.2",
    ),
    (
        "single",
        "Линейная функция",
        "Какая из функций — линейная?",
        {"options": "y = x²\ny = 2x − 5\ny = 1/x\ny = √x", "correct": "2"},
        1,
        "3.1",
        "2.1",
    ),
    ("number", "Степени", "Вычислите 2⁵ − 5².", {"value": "7", "tolerance": "0"}, 1, "1.4", "1.2"),
]


def _graph() -> SimpleUploadedFile:
    image = Image.new("RGB", (360, 240), "white")
    draw = ImageDraw.Draw(image)
    draw.line((30, 210, 340, 210), fill="black", width=2)
    draw.line((60, 230, 60, 20), fill="black", width=2)
    draw.line((40, 220, 330, 40), fill="navy", width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return SimpleUploadedFile("grafik.png", out.getvalue(), content_type="image/png")


def testing_demo_fill() -> int:
    teacher = User.objects.get(username="teacher")
    student = Student.objects.select_related("current_class__parallel__organisation").get(
        user__username="student"
    )
    school = student.organisation
    subject = Subject.objects.get(organisation=school, name="Алгебра")
    questions = []
    for kind, topic, text, data, points, kes, kt in BANK:
        questions.append(
            services.question_save(
                owner=teacher,
                organisation=school,
                subject=subject,
                kind=kind,
                text=text,
                data=data,
                points=points,
                topic=topic,
                kes_codes=kes,
                kt_codes=kt,
                shared=kind in ("single", "number"),
                image=_graph() if kind == "free" else None,
            )
        )
    now = clock.now().replace(second=0, microsecond=0)
    test = services.test_save(
        owner=teacher,
        organisation=school,
        subject=subject,
        title="Линейные уравнения и функции",
        description="Пять заданий. Ответы сохраняются сразу; последнее задание проверит учитель.",
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=14),
        time_limit_minutes=20,
        attempts_allowed=2,
        class_units=[student.current_class],  # type: ignore[list-item]
    )
    for question in (questions[0], questions[3], questions[4], questions[5], questions[6]):
        services.test_item_add(test=test, question=question)
    services.test_publish(test=test)
    return len(questions)
