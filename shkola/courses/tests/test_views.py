"""Courses over HTTP: the student's work, the teacher's feedback and mark, the parent's view
of progress, downloads, bad input, and query budgets that do not grow with the data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shkola.core.testing.factories import enrol, guardian_of
from shkola.core.testing.spreadsheets import assert_shown_as_text, formula_cells, workbook_of
from shkola.courses import services
from shkola.courses.models import Submission, SubmissionStatus
from shkola.journal.models import Mark
from shkola.schools import services as school_services
from shkola.timetable.models import Lesson

from .conftest import pdf

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _lesson(world, day: dt.date) -> Lesson:
    return Lesson.objects.get(class_unit=world.school.class_unit, date=day)


def test_the_student_sends_a_work_with_a_file_and_may_send_it_again(world):
    client = client_of(world.student.user if world.student.user else _account(world.student))
    url = reverse("courses:assignment", args=[world.task.id])
    page = client.get(url)
    assert page.status_code == 200 and "Три задачи" in page.text
    sent = client.post(url, {"text": "x = 40", "attachments": [pdf()]})
    assert sent.status_code == 302
    work = Submission.objects.get(student=world.student)
    assert work.is_late and [f.name for f in work.files.all()] == ["reshenie.pdf"]
    page = client.get(url)
    assert "сдано с опозданием" in page.text and "Отправить заново" in page.text
    download = client.get(reverse("courses:submission_file", args=[work.files.get().id]))
    assert download.status_code == 200 and "sandbox" in download["Content-Security-Policy"]
    # A classmate cannot download it, nor open the teacher's review
    other = client_of(_account(world.classmate))
    assert (
        other.get(reverse("courses:submission_file", args=[work.files.get().id])).status_code == 404
    )
    assert other.get(reverse("courses:submission", args=[work.id])).status_code == 404


def test_bad_input_is_a_russian_error_naming_the_field_and_keeps_what_was_typed(world):
    client = client_of(_account(world.student))
    url = reverse("courses:assignment", args=[world.task.id])
    page = client.post(url, {"text": "я" * 10001})
    assert page.status_code == 400 and "Ответ" in page.text and "10000" in page.text
    fake = pdf("photo.jpg")
    page = client.post(url, {"text": "ответ", "attachments": [fake]})
    assert page.status_code == 400 and "photo.jpg" in page.text and "ответ" in page.text
    assert not Submission.objects.filter(student=world.student).exists()


def _account(student):
    from shkola.core.testing.factories import UserFactory

    if student.user_id is None:
        student.user = UserFactory()
        student.save(update_fields=["user"])
    return student.user


def test_the_teacher_returns_the_work_with_a_mark_into_the_journal(world):
    work = services.submission_save(assignment=world.task, student=world.student, text="ответ")
    lesson = _lesson(world, dt.date(2026, 9, 14))
    client = client_of(world.school.teacher)
    url = reverse("courses:submission", args=[work.id])
    page = client.get(url)
    assert page.status_code == 200 and "14 сентября" in page.text
    form = world.school.control_forms["Самостоятельная работа"]
    done = client.post(
        url,
        {"feedback": "Хорошо", "mark": "5", "lesson": lesson.id, "control_form": form.id},
    )
    assert done.status_code == 302
    work.refresh_from_db()
    assert work.status == SubmissionStatus.RETURNED and work.mark_lesson_id == lesson.id
    assert Mark.objects.get(student=world.student, lesson=lesson).value == "5"


def test_a_closed_period_is_refused_clearly_and_the_feedback_stays_on_screen(world):
    work = services.submission_save(assignment=world.task, student=world.student, text="ответ")
    lesson = _lesson(world, dt.date(2026, 9, 14))
    school_services.period_close(period=world.school.periods[0], user=world.school.curator)
    client = client_of(world.school.teacher)
    form = world.school.control_forms["Ответ на уроке"]
    page = client.post(
        reverse("courses:submission", args=[work.id]),
        {"feedback": "Мой отзыв", "mark": "4", "lesson": lesson.id, "control_form": form.id},
    )
    assert page.status_code == 400
    assert "закрыт" in page.text and "Мой отзыв" in page.text
    work.refresh_from_db()
    assert work.status == SubmissionStatus.SUBMITTED


@pytest.mark.parametrize(
    "data",
    [
        {"feedback": "ok", "mark": "9"},
        {"feedback": "ok", "mark": "5", "lesson": "99999999999999999999999"},
        {"feedback": "ok", "mark": "5", "lesson": "abc", "control_form": "-1"},
        {"feedback": "я" * 5000},
    ],
)
def test_no_value_of_the_review_form_is_a_500(world, data):
    work = services.submission_save(assignment=world.task, student=world.student, text="ответ")
    page = client_of(world.school.teacher).post(reverse("courses:submission", args=[work.id]), data)
    assert page.status_code == 400


def test_the_material_page_never_runs_a_teachers_script(world):
    services.material_add(
        module=world.module,
        kind="text",
        title="Т",
        text='<p>Текст</p><script>alert(1)</script><a href="javascript:x()">a</a>',
    )
    page = client_of(_account(world.student)).get(reverse("courses:module", args=[world.module.id]))
    assert page.status_code == 200
    assert "alert(1)" not in page.text and "javascript:x" not in page.text


def test_the_parent_sees_the_progress_of_the_chosen_child(world):
    work = services.submission_save(assignment=world.task, student=world.student, text="ответ")
    services.submission_return(submission=work, by=world.school.teacher, feedback="Молодец!")
    _, (younger,) = world.school.add_class(3, "Б", 1)
    from shkola.schools.models import Guardianship

    Guardianship.objects.create(guardian=world.parent.guardian, student=younger, kind="mother")
    client = client_of(world.parent)
    client.post(reverse("accounts:switch_child"), {"student": world.student.id})
    page = client.get(reverse("courses:mine"))
    assert "Текстовые задачи" in page.text and "сдано: 1 из 1" in page.text
    detail = client.get(reverse("courses:detail", args=[world.course.id]))
    assert detail.status_code == 200 and "Молодец!" in detail.text
    # The parent does not open modules or works: that is the student's
    assert client.get(reverse("courses:module", args=[world.module.id])).status_code == 404
    client.post(reverse("accounts:switch_child"), {"student": younger.id})
    page = client.get(reverse("courses:mine"))
    assert "Текстовые задачи" not in page.text


def test_a_student_signs_up_to_an_open_course_and_the_teacher_sees_it(world):
    course = services.course_create(
        organisation=world.school.organisation,
        by=world.school.teacher,
        title="Робототехника",
        teachers=[world.school.teacher],
        open_enrolment=True,
    )
    client = client_of(_account(world.student))
    assert "Робототехника" in client.get(reverse("courses:mine")).text
    assert (
        client.post(reverse("courses:signup", args=[course.id]), {"action": "join"}).status_code
        == 302
    )
    teacher_page = client_of(world.school.teacher).get(reverse("courses:detail", args=[course.id]))
    assert world.student.last_name in teacher_page.text
    client.post(reverse("courses:signup", args=[course.id]), {"action": "leave"})
    teacher_page = client_of(world.school.teacher).get(reverse("courses:detail", args=[course.id]))
    assert "Пока никто не записался" in teacher_page.text


def test_the_teacher_creates_a_course_with_a_module_and_bad_input_names_the_field(world):
    client = client_of(world.school.teacher)
    page = client.post(reverse("courses:create"), {"title": "", "starts_on": "31.02.2026"})
    assert page.status_code == 400
    assert "Название: заполните поле." in page.text and "Начало" in page.text
    done = client.post(
        reverse("courses:create"),
        {
            "title": "Новый курс",
            "teachers": [world.school.teacher.id],
            "class_units": [world.school.class_unit.id],
        },
    )
    assert done.status_code == 302
    course_id = int(done["Location"].rstrip("/").split("/")[-1])
    page = client.post(reverse("courses:module_create", args=[course_id]), {"title": "x" * 201})
    assert page.status_code == 400 and "200" in page.text
    page = client.post(reverse("courses:module_edit", args=[world.module.id]), {"title": " "})
    assert page.status_code == 400 and "Название модуля" in page.text
    renamed = client.post(reverse("courses:module_edit", args=[world.module.id]), {"title": "Ок"})
    assert renamed.status_code == 302
    world.module.refresh_from_db()
    assert world.module.title == "Ок"
    page = client.post(
        reverse("courses:material_create", args=[world.module.id]),
        {"kind": "link", "title": "Ссылка", "url": "javascript:alert(1)"},
    )
    assert page.status_code == 400 and "http" in page.text


def test_the_progress_table_exports_user_text_as_text(world):
    world.course.title = "=1+1"
    world.course.save()
    enrol(world.school, world.school.class_unit, last_name="=HYPERLINK(1)")
    response = client_of(world.school.teacher).get(
        reverse("courses:progress_xlsx", args=[world.course.id])
    )
    assert response.status_code == 200
    book = workbook_of(response.content)
    assert formula_cells(book) == []
    assert_shown_as_text(book, "=HYPERLINK(1)")


def _more_data(world, n: int) -> None:
    for i in range(n):
        module = services.module_create(course=world.course, title=f"Модуль {i}")
        services.material_add(module=module, kind="text", title=f"Т{i}", text="текст")
        task = services.assignment_create(module=module, title=f"З{i}", instructions="сделать")
        for student in world.school.students:
            services.submission_save(assignment=task, student=student, text="ответ")
        enrol(world.school, world.school.class_unit)
        guardian_of(world.school.students[0])
        services.course_create(
            organisation=world.school.organisation,
            by=world.school.teacher,
            title=f"Курс {i}",
            teachers=[world.school.teacher],
            class_units=[world.school.class_unit],
        )


@pytest.mark.parametrize("n", [1, 4])
def test_the_pages_keep_their_query_budget(world, n):
    _more_data(world, n)
    student = client_of(_account(world.student))
    teacher = client_of(world.school.teacher)
    parent = client_of(world.parent)
    pages = [
        (student, reverse("courses:mine"), 23),
        (student, reverse("courses:detail", args=[world.course.id]), 24),
        (student, reverse("courses:module", args=[world.module.id]), 24),
        (student, reverse("courses:assignment", args=[world.task.id]), 20),
        (parent, reverse("courses:mine"), 23),
        (parent, reverse("courses:detail", args=[world.course.id]), 24),
        (teacher, reverse("courses:teach"), 20),
        (teacher, reverse("courses:detail", args=[world.course.id]), 22),
        (teacher, reverse("courses:assignment", args=[world.task.id]), 22),
        (teacher, reverse("courses:progress", args=[world.course.id]), 20),
    ]
    over = []
    for client, url, budget in pages:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        if len(queries) > budget:
            over.append(f"{url}: {len(queries)} > {budget}")
    assert over == []
