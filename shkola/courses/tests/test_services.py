"""Courses through their services: sanitising, uploads, links, sign-up, works, feedback and
the mark that goes into the journal exactly as if typed in the grid."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from shkola.core.testing.factories import make_school
from shkola.courses import selectors, services
from shkola.courses.models import MaterialView, Submission, SubmissionStatus
from shkola.journal.models import Mark, MarkHistory
from shkola.schools import services as school_services
from shkola.timetable.models import Lesson

from .conftest import pdf

pytestmark = pytest.mark.django_db


def _lesson(world, day: dt.date) -> Lesson:
    return Lesson.objects.get(class_unit=world.school.class_unit, date=day)


# ------------------------------------------------------------------ materials


def test_rich_text_is_sanitised_before_it_is_stored(world):
    material = services.material_add(
        module=world.module,
        kind="text",
        title="Памятка",
        text=(
            '<p onclick="steal()">Читайте <b>дважды</b></p><script>alert(1)</script>'
            '<a href="javascript:alert(2)">плохая</a> <a href="https://example.org">хорошая</a>'
            '<img src=x onerror="alert(3)"><style>p{}</style>'
        ),
    )
    html = material.body_html
    assert "<script" not in html and "alert(1)" not in html
    assert "onclick" not in html and "onerror" not in html and "<img" not in html
    assert "javascript:" not in html
    assert "<b>дважды</b>" in html
    assert 'href="https://example.org"' in html and "noopener" in html


def test_plain_text_becomes_paragraphs_and_is_escaped(world):
    material = services.material_add(
        module=world.module, kind="text", title="Т", text="a < b\n\nвторой"
    )
    assert material.body_html == "<p>a &lt; b</p>\n\n<p>второй</p>"


def test_a_link_must_be_http_or_https(world):
    for bad in ("javascript:alert(1)", "ftp://example.org/x", "example"):
        with pytest.raises(ValidationError) as exc:
            services.material_add(module=world.module, kind="link", title="С", url=bad)
        assert "Ссылка" in exc.value.message_dict["url"][0]
    ok = services.material_add(
        module=world.module, kind="link", title="С", url="https://example.org/a"
    )
    assert ok.url == "https://example.org/a"


def test_a_file_is_checked_by_its_content(world):
    fake = SimpleUploadedFile("photo.png", b"MZ\x90\x00\x03\x00\x00\x00", "image/png")
    with pytest.raises(ValidationError) as exc:
        services.material_add(module=world.module, kind="file", title="Ф", upload=fake)
    assert "upload" in exc.value.message_dict
    material = services.material_add(module=world.module, kind="file", title="Ф", upload=pdf())
    assert material.file_content_type == "application/pdf" and material.file_size > 0


def test_a_course_needs_a_title_teachers_and_an_audience(world):
    with pytest.raises(ValidationError) as exc:
        services.course_create(
            organisation=world.school.organisation, by=None, title="  ", teachers=[]
        )
    errors = exc.value.message_dict
    assert {"title", "teachers", "class_units"} <= set(errors)
    other = make_school()
    with pytest.raises(ValidationError) as exc:
        services.course_create(
            organisation=world.school.organisation,
            by=None,
            title="Курс",
            teachers=[world.school.teacher],
            class_units=[other.class_unit],
        )
    assert "своей школы" in exc.value.message_dict["class_units"][0]


# ------------------------------------------------------------------ membership and progress


def test_the_class_studies_the_course_and_an_open_course_takes_sign_ups(world):
    assert selectors.is_member(world.course, world.student)
    outsider, kids = world.school.add_class(8, "Б", 1)
    assert not selectors.is_member(world.course, kids[0])
    open_course = services.course_create(
        organisation=world.school.organisation,
        by=world.school.teacher,
        title="Подготовка к ОГЭ",
        teachers=[world.school.teacher],
        open_enrolment=True,
    )
    services.course_sign_up(course=open_course, student=kids[0])
    services.course_sign_up(course=open_course, student=kids[0])  # twice is once
    assert [s.student_id for s in selectors.signups(open_course)] == [kids[0].id]
    assert selectors.is_member(open_course, kids[0])
    services.course_leave(course=open_course, student=kids[0])
    assert selectors.signups(open_course) == []
    with pytest.raises(ValidationError):
        services.course_sign_up(course=world.course, student=kids[0])


def test_progress_counts_opened_materials_works_and_marks(world):
    services.material_add(module=world.module, kind="text", title="А", text="текст")
    services.material_add(module=world.module, kind="link", title="Б", url="https://e.org")
    services.materials_open(module=world.module, student=world.student)
    services.materials_open(module=world.module, student=world.student)  # once per material
    work = services.submission_save(assignment=world.task, student=world.student, text="ответ")
    services.submission_return(
        submission=work,
        by=world.school.teacher,
        feedback="Хорошо",
        mark="5",
        lesson=_lesson(world, dt.date(2026, 9, 16)),
        control_form=world.school.control_forms["Самостоятельная работа"],
    )
    rows = {r.student.id: r for r in selectors.course_progress(world.course)}
    mine = rows[world.student.id]
    assert (mine.materials_opened, mine.materials_total) == (2, 2)
    assert (mine.submitted, mine.returned, mine.late, mine.marks) == (1, 1, 1, ["5"])
    other = rows[world.classmate.id]
    assert (other.materials_opened, other.submitted, other.marks) == (0, 0, [])
    assert MaterialView.objects.filter(student=world.student).count() == 2


# ------------------------------------------------------------------ works


def test_a_work_may_be_sent_again_until_it_is_returned(world, today):
    first = services.submission_save(
        assignment=world.task, student=world.student, text="черновик", files=[pdf("a.pdf")]
    )
    again = services.submission_save(assignment=world.task, student=world.student, text="чисто")
    assert again.pk == first.pk and again.text == "чисто"
    assert [f.name for f in again.files.all()] == ["a.pdf"]  # no new files keep the old
    again = services.submission_save(
        assignment=world.task, student=world.student, text="чисто", files=[pdf("b.pdf")]
    )
    assert [f.name for f in again.files.all()] == ["b.pdf"]  # new files replace them
    services.submission_return(submission=again, by=world.school.teacher, feedback="Верно")
    with pytest.raises(ValidationError) as exc:
        services.submission_save(assignment=world.task, student=world.student, text="ещё")
    assert "уже проверена" in exc.value.message_dict["text"][0]


def test_a_work_after_the_due_date_is_accepted_and_marked_late(world, monkeypatch):
    # Due 15 September; today is the 16th
    late = services.submission_save(assignment=world.task, student=world.student, text="поздно")
    assert late.is_late
    monkeypatch.setenv("SHKOLA_TODAY", "2026-09-15")
    on_time = services.submission_save(
        assignment=world.task, student=world.classmate, text="вовремя"
    )
    assert not on_time.is_late


def test_an_empty_or_oversized_work_is_refused_naming_the_field(world, settings):
    with pytest.raises(ValidationError) as exc:
        services.submission_save(assignment=world.task, student=world.student, text="  ")
    assert "Ответ" in exc.value.message_dict["text"][0]
    too_many = [pdf(f"{i}.pdf") for i in range(6)]
    with pytest.raises(ValidationError) as exc:
        services.submission_save(
            assignment=world.task, student=world.student, text="x", files=too_many
        )
    assert "Файлы" in exc.value.message_dict["files"][0]
    settings.SHKOLA = {**getattr(settings, "SHKOLA", {}), "UPLOAD_MAX_FILE_MB": 0}
    with pytest.raises(ValidationError) as exc:
        services.submission_save(
            assignment=world.task, student=world.student, text="x", files=[pdf()]
        )
    assert "больше" in exc.value.message_dict["files"][0]


# ------------------------------------------------------------------ feedback and the journal


def test_the_mark_goes_into_the_journal_with_history_and_keeps_the_cell(world):
    lesson = _lesson(world, dt.date(2026, 9, 14))
    from shkola.journal import services as journal

    cell = journal.cell_load(lesson=lesson, student=world.student)
    journal.mark_set(
        lesson=lesson,
        student=world.student,
        text="4",
        fingerprint=cell.fingerprint,
        user=world.school.teacher,
    )
    work = services.submission_save(assignment=world.task, student=world.student, text="ответ")
    form = world.school.control_forms["Самостоятельная работа"]
    returned = services.submission_return(
        submission=work,
        by=world.school.teacher,
        feedback="Молодец",
        mark="5",
        lesson=lesson,
        control_form=form,
    )
    assert returned.status == SubmissionStatus.RETURNED and returned.mark_value == "5"
    marks = list(Mark.objects.filter(lesson=lesson, student=world.student).order_by("id"))
    assert [m.value for m in marks] == ["4", "5"]
    assert marks[1].work_name == "Курс «Текстовые задачи»: Три задачи"
    assert marks[1].control_form == form and marks[1].weight == 3
    lesson.refresh_from_db()
    assert lesson.control_form == form
    assert MarkHistory.objects.filter(
        lesson=lesson, student=world.student, new_value="5", changed_by=world.school.teacher
    ).exists()
    # A second mark for the same work is refused: the journal keeps the first.
    with pytest.raises(ValidationError) as exc:
        services.submission_return(
            submission=returned,
            by=world.school.teacher,
            feedback="ещё",
            mark="4",
            lesson=lesson,
        )
    assert "уже в журнале" in exc.value.message_dict["mark"][0]


def test_two_returns_of_one_work_sent_at_once_put_one_mark(world):
    # Given two teachers' pages loaded the same work before either returned it
    lesson = _lesson(world, dt.date(2026, 9, 14))
    work = services.submission_save(assignment=world.task, student=world.student, text="ответ")
    form = world.school.control_forms["Самостоятельная работа"]
    first_page, second_page = Submission.objects.get(pk=work.pk), Submission.objects.get(pk=work.pk)
    services.submission_return(
        submission=first_page,
        by=world.school.teacher,
        feedback="Молодец",
        mark="5",
        lesson=lesson,
        control_form=form,
    )
    # When the second one returns its stale copy with a mark too, it is refused on the locked row
    with pytest.raises(ValidationError) as exc:
        services.submission_return(
            submission=second_page,
            by=world.school.teacher,
            feedback="Хорошо",
            mark="4",
            lesson=lesson,
            control_form=form,
        )
    assert "уже в журнале" in exc.value.message_dict["mark"][0]
    assert [m.value for m in Mark.objects.filter(lesson=lesson, student=world.student)] == ["5"]


def test_a_closed_period_refuses_the_mark_and_nothing_is_returned(world):
    lesson = _lesson(world, dt.date(2026, 9, 14))
    school_services.period_close(period=world.school.periods[0], user=world.school.curator)
    work = services.submission_save(assignment=world.task, student=world.student, text="ответ")
    with pytest.raises(ValidationError) as exc:
        services.submission_return(
            submission=work,
            by=world.school.teacher,
            feedback="Хорошо",
            mark="5",
            lesson=lesson,
            control_form=world.school.control_forms["Ответ на уроке"],
        )
    assert "закрыт" in " ".join(exc.value.message_dict["lesson"])
    work.refresh_from_db()
    assert work.status == SubmissionStatus.SUBMITTED and work.feedback == ""
    assert not Mark.objects.filter(student=world.student).exists()


def test_the_mark_needs_a_lesson_of_the_course_subject_in_the_students_class(world):
    work = services.submission_save(assignment=world.task, student=world.student, text="ответ")
    with pytest.raises(ValidationError) as exc:
        services.submission_return(
            submission=work, by=world.school.teacher, feedback="Ок", mark="5", lesson=None
        )
    assert "lesson" in exc.value.message_dict
    future = _lesson(world, dt.date(2026, 9, 18))
    with pytest.raises(ValidationError) as exc:
        services.submission_return(
            submission=work, by=world.school.teacher, feedback="Ок", mark="5", lesson=future
        )
    assert "Урок" in exc.value.message_dict["lesson"][0]
    lesson = _lesson(world, dt.date(2026, 9, 14))
    with pytest.raises(ValidationError) as exc:
        services.submission_return(
            submission=work, by=world.school.teacher, feedback="Ок", mark="5", lesson=lesson
        )
    assert "Форма контроля" in exc.value.message_dict["control_form"][0]
    with pytest.raises(ValidationError) as exc:
        services.submission_return(
            submission=work, by=world.school.teacher, feedback="", mark="7", lesson=lesson
        )
    assert {"feedback", "mark"} <= set(exc.value.message_dict)
