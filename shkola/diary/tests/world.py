"""A small school with hand-countable marks for the diary tests.

7А: Mathematics (Mon/Wed/Fri, 2nd lesson) and Russian (Tue, 1st lesson); 7Б: Mathematics.
Today is pinned to Wednesday 18 November 2026 (the 2nd quarter: 3 Nov – 28 Dec).

Marks of the 2nd quarter (value, weight):
- anna (7А):  Mathematics 5·1, 4·5 (test «Контрольная №2», comment), 3·3  → 34/9 = 3.777…
              Russian 5·1 and «зач» (does not count)                     → 5
              my average = (3.777… + 5) / 2 = 4.388…
- boris (7А): Mathematics 2·1 → 2; Russian 4·1 → 4; average 3
- vera (7А):  no marks
- gleb (7Б):  Mathematics 5·1 → 5; average 5
Class 7А: Mathematics (3.777… + 2)/2 = 2.888…; Russian 4.5; class average (4.388… + 3)/2 =
3.694…; parallel 7: (4.388… + 3 + 5)/3 = 4.129…, Mathematics (3.777… + 2 + 5)/3 = 3.592…"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from shkola.core.testing.factories import (
    School,
    UserFactory,
    guardian_of,
    make_school,
)
from shkola.journal.models import Attendance, Homework, Mark, Remark
from shkola.schools.models import Subject
from shkola.timetable import services as tt
from shkola.timetable.models import Lesson

TODAY = dt.date(2026, 11, 18)


@dataclass
class World:
    school: School
    anna: Any
    boris: Any
    vera: Any
    gleb: Any
    russian: Subject
    parent: Any  # anna's and gleb's parent
    other_parent: Any  # boris's parent
    period: Any


def lesson(school: School, subject: Subject, day: dt.date, class_unit: Any = None) -> Lesson:
    return Lesson.objects.get(subject=subject, date=day, class_unit=class_unit or school.class_unit)


def mark(student: Any, lesson_: Lesson, value: str, weight: int = 1, **kw: Any) -> Mark:
    points = int(value) if value.isdigit() else None
    return Mark.objects.create(
        student=student, lesson=lesson_, value=value, points=points, weight=weight, **kw
    )


def build_world() -> World:
    school = make_school(n_students=3)
    anna, boris, vera = school.students
    for s, (last, first, middle, sex) in zip(
        school.students,
        [
            ("Антонова", "Анна", "Сергеевна", "f"),
            ("Борисов", "Борис", "Петрович", "m"),
            ("Волкова", "Вера", "Игоревна", "f"),
        ],
        strict=True,
    ):
        s.last_name, s.first_name, s.middle_name, s.sex = last, first, middle, sex
        s.user = UserFactory()
        s.save()
    russian = Subject.objects.create(organisation=school.organisation, name="Русский язык")
    tt.timetable_entry_create(
        academic_year=school.year,
        weekday=2,
        lesson_number=1,
        subject=russian,
        teacher=school.teacher,
        room=school.rooms[1],
        class_unit=school.class_unit,
    )
    class_b, (gleb,) = school.add_class(7, "Б", 1)
    gleb.last_name, gleb.first_name = "Глебов", "Глеб"
    gleb.save()
    tt.timetable_entry_create(
        academic_year=school.year,
        weekday=1,
        lesson_number=3,
        subject=school.subject,
        teacher=school.teacher,
        room=school.rooms[2],
        class_unit=class_b,
    )
    tt.lessons_generate(
        academic_year=school.year, start=school.year.start, end=dt.date(2026, 11, 30)
    )
    math = school.subject
    forms = school.control_forms
    # The 2nd quarter.
    mon, tue, wed, fri = (dt.date(2026, 11, d) for d in (16, 17, 18, 13))
    test_form = forms["Контрольная работа"]
    Lesson.objects.filter(subject=math, date=mon, class_unit=school.class_unit).update(
        topic="Линейные уравнения", control_form=test_form
    )
    mark(anna, lesson(school, math, fri), "5")
    mark(
        anna,
        lesson(school, math, mon),
        "4",
        5,
        control_form=test_form,
        work_name="Контрольная №2",
        comment="Ошибка в задаче 3",
    )
    mark(
        anna,
        lesson(school, math, wed),
        "3",
        3,
        control_form=forms["Самостоятельная работа"],
    )
    mark(anna, lesson(school, russian, tue), "5")
    mark(anna, lesson(school, russian, tue), "зач")
    mark(boris, lesson(school, math, mon), "2")
    mark(boris, lesson(school, russian, tue), "4")
    mark(gleb, lesson(school, math, mon, class_b), "5")
    # A first-quarter mark that must not enter the 2nd quarter.
    mark(anna, lesson(school, math, dt.date(2026, 10, 2)), "2", 5)
    # A homework-journal mark: shown in its own journal, never in the average.
    mark(anna, lesson(school, math, wed), "2", journal="homework", comment="Не сдано")
    Attendance.objects.create(
        student=anna, lesson=lesson(school, russian, dt.date(2026, 11, 10)), kind="б"
    )
    Attendance.objects.create(student=boris, lesson=lesson(school, math, mon), kind="н")
    Lesson.objects.filter(subject=russian, date=dt.date(2026, 11, 10)).update(
        topic="Причастный оборот"
    )
    Homework.objects.create(
        lesson=lesson(school, russian, dt.date(2026, 11, 10)), text="Упражнение 112"
    )
    Homework.objects.create(lesson=lesson(school, math, wed), text="№ 245, 247")
    Remark.objects.create(
        student=anna,
        author=school.teacher,
        kind="remark",
        text="Разговаривала на уроке",
    )
    Remark.objects.create(
        student=anna,
        author=school.teacher,
        kind="comment",
        text="Молодец, хороший ответ",
    )
    parent = guardian_of(anna, gleb)
    other_parent = guardian_of(boris)
    return World(
        school=school,
        anna=anna,
        boris=boris,
        vera=vera,
        gleb=gleb,
        russian=russian,
        parent=parent,
        other_parent=other_parent,
        period=school.periods[1],
    )
