"""«Переход на новый учебный год» in the demo world: classes a grade up (7А → 8А), the 9th and
11th grades leave, students without a class are listed, and the old year is read-only, its
marks included, for the administration as well."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shkola.accounts.models import AuditEvent
from shkola.core.clock import today
from shkola.journal import services as journal_services
from shkola.journal.models import Mark
from shkola.schools import services as school_services
from shkola.schools.models import (
    AcademicYear,
    ClassUnit,
    Enrolment,
    EnrolmentAction,
    Holiday,
    Parallel,
    PeriodScheme,
    Student,
)
from shkola.timetable.models import Lesson
from shkola.yearsetup import services as year_services

pytestmark = pytest.mark.django_db


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rollover_form(year: AcademicYear, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "action": "rollover",
        "name": "Следующий",
        "start": (year.end + dt.timedelta(days=90)).isoformat(),
        "end": (year.end + dt.timedelta(days=360)).isoformat(),
        "order_number": "112-о",
        "graduating": ["9", "11"],
    }
    data.update(overrides)
    return data


def enrol(w: Any, grade: int, letter: str, last_name: str) -> Student:
    class_unit = year_services.class_add(
        organisation=w.school, year=w.year, grade=grade, letter=letter, by=None
    )
    student = school_services.student_create(
        organisation=w.school,
        last_name=last_name,
        first_name="Иван",
        birth_date=dt.date(2010, 1, 1),
        sex="m",
    )
    school_services.enrolment_record(
        student=student,
        action=EnrolmentAction.ADMIT,
        date=w.year.start,
        order_number="1",
        class_unit=class_unit,
    )
    return student


def test_classes_move_up_graduates_leave_and_the_old_year_closes(demo_world):
    w = demo_world
    curator = as_user(w.users["curator"])
    old_7a = w.class_unit
    # Given 9А, 10Б and 11А (10–11 by halves) with a student each
    ninth, tenth, eleventh = (
        enrol(w, grade, letter, name)
        for grade, letter, name in (
            (9, "А", "Девятов"),
            (10, "Б", "Десятов"),
            (11, "А", "Одиннадцатов"),
        )
    )
    Parallel.objects.filter(academic_year=w.year, grade__in=(10, 11)).update(
        period_scheme=PeriodScheme.HALVES
    )

    response = curator.post(reverse("yearsetup:rollover"), rollover_form(w.year))

    assert response.status_code == 302
    new = AcademicYear.objects.get(organisation=w.school, name="Следующий")
    assert new.is_current
    old = AcademicYear.objects.get(pk=w.year.pk)
    assert not old.is_current and old.closed_at is not None
    assert not old.periods.filter(closed_at__isnull=True).exists()
    # 7А → 8А, with its class teacher and its students
    student = Student.objects.get(pk=w.student.pk)
    assert student.current_class.parallel.academic_year == new
    assert student.current_class.name == f"8{old_7a.letter}"
    assert student.current_class.class_teacher_id == old_7a.class_teacher_id
    promote = Enrolment.objects.filter(student=student).order_by("-id").first()
    assert promote.action == EnrolmentAction.PROMOTE and promote.order_number == "112-о"
    # the old 7А keeps its history
    assert ClassUnit.objects.filter(pk=old_7a.pk).exists()
    # 9th graders leave, and no 10th grade is made of them; nobody sits in 12th grade
    ninth.refresh_from_db()
    assert ninth.current_class is None
    assert Enrolment.objects.filter(student=ninth, action=EnrolmentAction.GRADUATE).exists()
    eleventh.refresh_from_db()
    assert eleventh.current_class is None
    grades = dict(new.parallels.values_list("grade", "period_scheme"))
    assert set(grades) == {4, 6, 8, 11}
    # 10Б → 11Б, and the 11th grade keeps its halves
    tenth.refresh_from_db()
    assert tenth.current_class.name == "11Б"
    assert grades[11] == PeriodScheme.HALVES
    assert new.periods.filter(scheme=PeriodScheme.HALVES).count() == 2
    assert new.periods.filter(scheme=PeriodScheme.QUARTERS).count() == 4
    # and the rollover is in the audit log, with its order
    event = AuditEvent.objects.filter(organisation=w.school, kind="data_change").latest("id")
    assert event.actor == w.users["curator"]
    assert event.details["action"] == "year_rollover" and event.details["order_number"] == "112-о"
    # and graduates are not «without a class» on the page
    page = curator.get(reverse("yearsetup:rollover")).content.decode()
    assert ninth.last_name not in page.split('id="unplaced"')[1]


def test_a_mark_cannot_be_set_in_the_old_year_after_rollover(demo_world):
    w = demo_world
    lesson = (
        Lesson.objects.filter(
            academic_year=w.year, class_unit=w.class_unit, date__lt=today(), period__isnull=False
        )
        .order_by("-date")
        .first()
    )
    assert lesson is not None
    curator = as_user(w.users["curator"])
    curator.post(reverse("yearsetup:rollover"), rollover_form(w.year))
    marks_before = Mark.objects.filter(lesson=lesson).count()
    cell = journal_services.cell_load(lesson=lesson, student=w.student)

    # even the administration, who may edit a closed period, is refused
    with pytest.raises(ValidationError) as error:
        journal_services.mark_set(
            lesson=lesson,
            student=w.student,
            text="5",
            fingerprint=cell.fingerprint,
            user=w.users["curator"],
            may_edit_closed=True,
        )
    assert "Учебный год закрыт" in error.value.message_dict["period"][0]
    assert Mark.objects.filter(lesson=lesson).count() == marks_before


def test_the_old_year_is_read_only_in_the_wizard(demo_world):
    w = demo_world
    curator = as_user(w.users["curator"])
    curator.post(reverse("yearsetup:rollover"), rollover_form(w.year))
    count = Holiday.objects.filter(academic_year=w.year).count()
    url = reverse("yearsetup:holidays") + f"?year={w.year.id}"
    page = curator.get(url).content.decode()
    assert 'id="year-read-only"' in page and 'id="holiday-form"' not in page
    response = curator.post(
        url,
        {"name": "Ещё", "start": w.year.start.isoformat(), "end": w.year.start.isoformat()},
    )
    assert response.status_code == 200
    assert "закрыт" in response.content.decode()
    assert Holiday.objects.filter(academic_year=w.year).count() == count


def test_bad_rollover_input_names_the_field_and_changes_nothing(demo_world):
    w = demo_world
    curator = as_user(w.users["curator"])
    years = AcademicYear.objects.filter(organisation=w.school).count()
    response = curator.post(
        reverse("yearsetup:rollover"),
        rollover_form(
            w.year, start=w.year.end.isoformat(), order_number=" ", graduating=["9", "77"]
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Начало: новый год начинается после окончания текущего" in html
    assert "Номер приказа: укажите приказ" in html
    assert "Выпускные параллели" in html
    assert AcademicYear.objects.filter(organisation=w.school).count() == years
    assert AcademicYear.objects.get(pk=w.year.pk).closed_at is None


def test_a_student_without_a_class_is_listed_and_placed(demo_world):
    w = demo_world
    curator = as_user(w.users["curator"])
    lost = Student.objects.create(
        organisation=w.school,
        last_name="Бесклассный",
        first_name="Пётр",
        birth_date=dt.date(2014, 3, 1),
        sex="m",
    )
    page = curator.get(reverse("yearsetup:rollover")).content.decode()
    assert "Бесклассный" in page.split('id="unplaced"')[1]
    bad = curator.post(
        reverse("yearsetup:rollover"),
        {"action": "place", "student": lost.id, "class_unit": "", "order_number": ""},
    )
    assert "Класс: выберите класс" in bad.content.decode()
    foreign = ClassUnit.objects.filter(parallel__organisation=w.other_school).first()
    still = curator.post(
        reverse("yearsetup:rollover"),
        {"action": "place", "student": lost.id, "class_unit": foreign.id, "order_number": "1"},
    )
    assert "Класс: выберите класс" in still.content.decode()
    ok = curator.post(
        reverse("yearsetup:rollover"),
        {
            "action": "place",
            "student": lost.id,
            "class_unit": w.class_unit.id,
            "order_number": "15-о",
        },
    )
    assert ok.status_code == 302
    lost.refresh_from_db()
    assert lost.current_class == w.class_unit


def test_another_schools_student_cannot_be_placed(demo_world):
    w = demo_world
    curator = as_user(w.users["curator"])
    response = curator.post(
        reverse("yearsetup:rollover"),
        {"action": "place", "student": w.other_student.id, "class_unit": w.class_unit.id},
    )
    assert response.status_code == 404


def test_the_diary_shows_the_past_year_after_rollover(demo_world):
    w = demo_world
    mark = (
        Mark.objects.filter(student=w.student, lesson__academic_year=w.year)
        .select_related("lesson")
        .order_by("-lesson__date")
        .first()
    )
    assert mark is not None
    as_user(w.users["curator"]).post(reverse("yearsetup:rollover"), rollover_form(w.year))
    student = as_user(w.users["student"])

    now = student.get(reverse("diary:report")).content.decode()
    past = student.get(reverse("diary:report") + f"?year={w.year.id}").content.decode()

    # the switch offers both years; the past one shows its periods and the marks it kept
    assert 'id="diary-year"' in now and w.year.name in now and "Следующий" in now
    assert f'<option value="{w.year.id}" selected>' in past
    period = w.year.periods.filter(start__lte=mark.lesson.date, end__gte=mark.lesson.date).first()
    past_period = student.get(
        reverse("diary:report") + f"?year={w.year.id}&period={period.id}"
    ).content.decode()
    assert f"subject-{mark.lesson.subject_id}" in past_period


def test_a_period_of_the_closed_year_cannot_be_reopened(demo_world):
    w = demo_world
    curator = as_user(w.users["curator"])
    curator.post(reverse("yearsetup:rollover"), rollover_form(w.year))
    period = w.year.periods.order_by("number").first()

    response = curator.post(
        reverse("journal:period_toggle", kwargs={"period_id": period.id}),
        {"action": "reopen"},
        follow=True,
    )

    assert "Учебный год закрыт: период открыть нельзя." in response.content.decode()
    period.refresh_from_db()
    assert period.closed_at is not None


def test_the_portfolio_marks_card_shows_the_past_year_after_rollover(demo_world, monkeypatch):
    w = demo_world
    subject_ids = set(
        Mark.objects.filter(student=w.student, lesson__academic_year=w.year).values_list(
            "lesson__subject__name", flat=True
        )
    )
    assert subject_ids
    as_user(w.users["curator"]).post(reverse("yearsetup:rollover"), rollover_form(w.year))
    # a day of the new year: the old one is past
    monkeypatch.setenv("SHKOLA_TODAY", (w.year.end + dt.timedelta(days=100)).isoformat())
    parent = as_user(w.users["parent"] if "parent" in w.users else w.users["student"])
    page = reverse("portfolio:rating", kwargs={"student_id": w.student.id})

    now = parent.get(page)
    past = parent.get(page + f"?year={w.year.id}")
    garbage = parent.get(page + "?year=%27x%00")

    assert now.status_code == past.status_code == garbage.status_code == 200
    # the switch offers both years; the past one shows the averages its marks give
    assert 'id="rating-year"' in now.content.decode()
    assert f'<option value="{w.year.id}" selected>' in past.content.decode()
    assert f'<option value="{w.year.id}" selected>' not in now.content.decode()
    marks_card = past.content.decode().split("Результаты учебной деятельности")[1]
    assert any(f"<td>{name}</td>" in marks_card for name in subject_ids)
    # the new year has no marks yet, and garbage falls back to it
    for response in (now, garbage):
        card = response.content.decode().split("Результаты учебной деятельности")[1]
        assert "В журнале пока нет отметок." in card


def test_the_portfolio_rating_query_count_does_not_grow_with_a_second_year(demo_world):
    w = demo_world
    student = as_user(w.users["student"])
    page = reverse("portfolio:rating", kwargs={"student_id": w.student.id})
    student.get(page)
    with CaptureQueriesContext(connection) as one_year:
        assert student.get(page).status_code == 200
    as_user(w.users["curator"]).post(reverse("yearsetup:rollover"), rollover_form(w.year))
    student.get(page)
    with CaptureQueriesContext(connection) as two_years:
        assert 'id="rating-year"' in student.get(page).content.decode()
    assert len(two_years.captured_queries) <= len(one_year.captured_queries)
