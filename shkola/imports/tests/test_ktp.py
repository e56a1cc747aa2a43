"""КТП: a plan fills the topics and homework of a class's lessons of a subject, in date order."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from shkola.core.testing.factories import make_school, staff
from shkola.imports import services
from shkola.imports.models import ImportJob
from shkola.journal.models import Homework
from shkola.timetable.models import Lesson

from .conftest import xlsx

pytestmark = pytest.mark.django_db

HEADER = ["Номер урока", "Тема", "Домашнее задание"]


@pytest.fixture
def ktp_school(db: Any) -> Any:
    return make_school(generate_lessons_until=dt.date(2026, 11, 20))


def lessons_of(school: Any) -> list[Lesson]:
    return list(
        Lesson.objects.filter(class_unit=school.class_unit, subject=school.subject).order_by(
            "date", "lesson_number"
        )
    )


def post_plan(client: Client, school: Any, rows: list[list[Any]]) -> Any:
    return client.post(
        reverse("imports:ktp"),
        {
            "journal": f"{school.class_unit.id}-{school.subject.id}",
            "file": SimpleUploadedFile("ктп.xlsx", xlsx(HEADER, rows)),
        },
    )


def test_the_teacher_fills_topics_and_homework_in_date_order(
    ktp_school, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(ktp_school.teacher)
    rows = [[1, "Повторение", "§1, № 5"], [2, "Дроби", ""], [3, "Проценты", "§3"]]

    response = post_plan(client, ktp_school, rows)

    job = ImportJob.objects.get()
    assert response["Location"] == reverse("imports:job", args=[job.id])
    first = lessons_of(ktp_school)[0]
    page = client.get(response["Location"]).content.decode()
    assert f"Урок №1, {first.date:%d.%m.%Y}: Повторение" in page
    assert all(not lesson.topic for lesson in lessons_of(ktp_school))  # the dry run
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:apply", args=[job.id]))

    lessons = lessons_of(ktp_school)
    assert [lesson.topic for lesson in lessons[:4]] == ["Повторение", "Дроби", "Проценты", ""]
    assert list(Homework.objects.filter(lesson=lessons[0]).values_list("text", flat=True)) == [
        "§1, № 5"
    ]
    # Again with a corrected homework: replaced, not doubled.
    rows[0][2] = "§1, № 6"
    post_plan(client, ktp_school, rows)
    job = ImportJob.objects.latest("id")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:apply", args=[job.id]))
    assert list(Homework.objects.filter(lesson=lessons[0]).values_list("text", flat=True)) == [
        "§1, № 6"
    ]


def test_bad_plan_rows_are_refused_with_their_row_and_column(ktp_school):
    total = len(lessons_of(ktp_school))
    rows = [
        [1, "Тема", ""],
        [1, "Снова", ""],
        ["два", "Тема", ""],
        [total + 1, "Тема", ""],
        [4, "", ""],
    ]

    job = services.import_check(
        organisation=ktp_school.organisation,
        kind="ktp",
        content=xlsx(HEADER, rows),
        file_name="ktp.xlsx",
        user=ktp_school.teacher,
        class_unit=ktp_school.class_unit,
        subject=ktp_school.subject,
    )

    found = [(r["number"], c, m) for r in job.report["rows"] for c, m in r["errors"]]
    assert (3, "Номер урока", "урок №1 уже в строке 2.") in found
    assert any(n == 4 and c == "Номер урока" and "«два»" in m for n, c, m in found)
    assert any(
        n == 5 and c == "Номер урока" and f"в расписании {total} уроков" in m for n, c, m in found
    )
    assert (6, "Тема", "не заполнено.") in found
    assert job.status == "refused"


def test_a_teacher_of_another_subject_cannot_load_this_journal(ktp_school):
    stranger = staff(ktp_school.organisation)
    client = Client()
    client.force_login(stranger)

    assert client.get(reverse("imports:ktp")).status_code == 404
    teacher = Client()
    teacher.force_login(ktp_school.teacher)
    other = make_school(generate_lessons_until=dt.date(2026, 9, 30))
    response = post_plan(teacher, other, [[1, "Тема", ""]])
    assert response.status_code == 422
    assert "«Класс и предмет»: выберите из списка." in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_closed_quarter_stays_as_the_journal_has_it_and_the_rest_loads(
    ktp_school, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    lessons = lessons_of(ktp_school)
    first_period = lessons[0].period
    first_period.closed_at = timezone.now()
    first_period.save(update_fields=["closed_at"])
    later = next(i for i, lesson in enumerate(lessons, 1) if lesson.period != first_period)
    client = Client()
    client.force_login(ktp_school.teacher)

    post_plan(client, ktp_school, [[1, "Старая четверть", ""], [later, "Новая четверть", ""]])
    job = ImportJob.objects.get()
    assert job.status == "checked"
    assert job.report["counts"] == {"create": 0, "update": 1, "refuse": 0, "skip": 1}
    assert (
        "останется как есть" in client.get(reverse("imports:job", args=[job.id])).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:apply", args=[job.id]))

    lessons = lessons_of(ktp_school)
    assert lessons[0].topic == ""
    assert lessons[later - 1].topic == "Новая четверть"
