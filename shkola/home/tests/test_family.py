"""The family's home page: today's and the next school day's lessons with homework, and the
marks new since the previous visit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shkola.core.testing.factories import UserFactory, guardian_of, make_school
from shkola.home.models import HomeVisit
from shkola.home.services import (
    FIRST_VISIT_WINDOW,
    VISIT_GAP,
    MarksBoundary,
    home_visit_record,
)
from shkola.journal.models import Homework, Mark
from shkola.timetable.models import Lesson

pytestmark = pytest.mark.django_db


def school_with_pupil(**kwargs):  # type: ignore[no-untyped-def]
    school = make_school(generate_lessons_until=dt.date(2026, 11, 30), **kwargs)
    student = school.students[0]
    student.user = UserFactory()
    student.save()
    return school, student


def section(html: str, element_id: str) -> str:
    """The card with this id: up to the next card of the page (each has a home-order class)."""
    start = html.index(f'id="{element_id}"')
    end = html.find("home-order-", start)
    return html[start : end if end != -1 else None]


def test_on_a_friday_the_family_sees_todays_lessons_and_mondays_with_their_homework(
    client, monkeypatch
):
    # Given lessons on Mondays, Wednesdays and Fridays, and homework set for two of them
    monkeypatch.setenv("SHKOLA_TODAY", "2026-11-20")
    school, student = school_with_pupil()
    friday = Lesson.objects.get(class_unit=school.class_unit, date=dt.date(2026, 11, 20))
    monday = Lesson.objects.get(class_unit=school.class_unit, date=dt.date(2026, 11, 23))
    Homework.objects.create(lesson=friday, text="№ 214, 216")
    Homework.objects.create(lesson=monday, text="Выучить правило на с. 40")
    Homework.objects.create(lesson=monday, student=school.students[1], text="Чужое задание")
    # When the student opens the home page
    client.force_login(student.user)
    html = client.get("/").content.decode()
    # Then today's card has Friday's homework, and the next day is Monday with its own
    today_card = section(html, "student-today")
    assert "№ 214, 216" in today_card and "с. 40" not in today_card
    next_card = section(html, "student-next")
    assert "Уроки: понедельник, 23 ноября" in next_card
    assert "Выучить правило на с. 40" in next_card
    assert "Чужое задание" not in html  # another student's personal homework
    assert f"{reverse('diary:week')}?week=2026-11-23" in next_card


def test_on_a_weekday_before_a_lesson_day_the_card_says_tomorrow(client, monkeypatch):
    monkeypatch.setenv("SHKOLA_TODAY", "2026-11-19")  # Thursday; lessons every weekday
    _school, student = school_with_pupil(weekdays=(1, 2, 3, 4, 5))
    client.force_login(student.user)
    html = client.get("/").content.decode()
    assert "Уроки завтра" in section(html, "student-next")


def test_without_lessons_in_the_coming_week_there_is_no_next_day_card(client, monkeypatch):
    monkeypatch.setenv("SHKOLA_TODAY", "2026-11-30")  # the last generated day
    _school, student = school_with_pupil()
    client.force_login(student.user)
    html = client.get("/").content.decode()
    assert 'id="student-today"' in html and 'id="student-next"' not in html


def _mark(school, student, day: dt.date, value: str, at: dt.datetime) -> Mark:  # type: ignore[no-untyped-def]
    mark = Mark.objects.create(
        student=student,
        lesson=Lesson.objects.get(class_unit=school.class_unit, date=day),
        value=value,
        created_by=school.teacher,
    )
    Mark.objects.filter(pk=mark.pk).update(updated_at=at, created_at=at)
    return mark


def test_the_boundary_of_new_moves_only_after_a_pause_of_half_an_hour():
    school, student = school_with_pupil()
    user = student.user
    t0 = timezone.now() - dt.timedelta(days=2)
    week_back = MarksBoundary(t0 - FIRST_VISIT_WINDOW, first_visit=True)
    # the first visit counts the last week as new
    assert home_visit_record(user=user, student=student, at=t0) == week_back
    # a reload ten minutes later is the same visit: the boundary stays
    t1 = t0 + dt.timedelta(minutes=10)
    assert home_visit_record(user=user, student=student, at=t1) == week_back
    # 25 minutes on: still the same visit, since every opening extends it
    t2 = t1 + dt.timedelta(minutes=25)
    assert home_visit_record(user=user, student=student, at=t2) == week_back
    # coming back after a pause: new is what came after the previous visit's last opening
    t3 = t2 + VISIT_GAP
    assert home_visit_record(user=user, student=student, at=t3) == MarksBoundary(t2, False)
    # and a reload of that visit keeps it
    t4 = t3 + dt.timedelta(minutes=1)
    assert home_visit_record(user=user, student=student, at=t4) == MarksBoundary(t2, False)
    # a late answer of an earlier request does not move the last opening back
    assert home_visit_record(user=user, student=student, at=t3) == MarksBoundary(t2, False)
    assert HomeVisit.objects.get(user=user, student=student).last_seen == t4


def test_a_visit_needs_an_aware_moment():
    _school, student = school_with_pupil()
    with pytest.raises(ValueError):
        home_visit_record(user=student.user, student=student, at=dt.datetime(2026, 11, 20, 18, 0))


def test_marks_are_new_until_the_family_comes_back_after_a_pause(client, monkeypatch):
    # Given a mark from yesterday evening and the parent's visit just after it
    monkeypatch.setenv("SHKOLA_TODAY", "2026-11-20")
    school, student = school_with_pupil()
    parent = guardian_of(student)
    now = timezone.now()
    _mark(school, student, dt.date(2026, 11, 18), "2", now - dt.timedelta(days=1))
    home_visit_record(user=parent, student=student, at=now - dt.timedelta(hours=20))
    home_visit_record(user=parent, student=student, at=now - dt.timedelta(hours=2))
    # and today's «5», given after that visit
    _mark(school, student, dt.date(2026, 11, 20), "5", now - dt.timedelta(hours=1))
    client.force_login(parent)
    # When the parent opens the home page
    marks = section(client.get("/").content.decode(), "new-marks")
    # Then only the «5» is new; reloading the page keeps it new
    assert 'class="mark mark-5"' in marks and "mark-2" not in marks
    assert 'id="new-marks-count">1<' in marks
    again = section(client.get("/").content.decode(), "new-marks")
    assert 'class="mark mark-5"' in again
    # When the parent comes back after the pause (their last opening was long ago)
    HomeVisit.objects.filter(user=parent).update(last_seen=now - dt.timedelta(minutes=40))
    later = section(client.get("/").content.decode(), "new-marks")
    # Then nothing is new and the page says since when
    assert "mark-5" not in later and "С прошлого посещения" in later


def test_each_child_has_its_own_visit(client, monkeypatch):
    monkeypatch.setenv("SHKOLA_TODAY", "2026-11-20")
    school, student = school_with_pupil(n_students=2)
    sister = school.students[1]
    parent = guardian_of(student, sister)
    now = timezone.now()
    for child in (student, sister):
        home_visit_record(user=parent, student=child, at=now - dt.timedelta(hours=3))
    _mark(school, sister, dt.date(2026, 11, 20), "4", now - dt.timedelta(hours=1))
    client.force_login(parent)
    client.post(reverse("accounts:switch_child"), {"student": student.id, "next": "/"})
    assert "mark-4" not in section(client.get("/").content.decode(), "new-marks")
    # the student's own visits do not move the parent's boundary
    student_client = Client()
    student_client.force_login(student.user)
    student_client.get("/")
    client.post(reverse("accounts:switch_child"), {"student": sister.id, "next": "/"})
    assert 'class="mark mark-4"' in section(client.get("/").content.decode(), "new-marks")
    assert HomeVisit.objects.filter(user=parent).count() == 2


def test_on_the_first_visit_the_last_week_is_new(client, monkeypatch):
    monkeypatch.setenv("SHKOLA_TODAY", "2026-11-20")
    school, student = school_with_pupil()
    now = timezone.now()
    _mark(school, student, dt.date(2026, 11, 9), "3", now - dt.timedelta(days=8))
    client.force_login(student.user)
    marks = section(client.get("/").content.decode(), "new-marks")
    assert "mark-3" not in marks and "За последнюю неделю новых отметок нет." in marks
    _mark(school, student, dt.date(2026, 11, 18), "5", now - dt.timedelta(days=6))
    marks = section(client.get("/").content.decode(), "new-marks")
    assert 'class="mark mark-5"' in marks and "mark-3" not in marks


def test_many_new_marks_show_the_newest_and_the_total(client, monkeypatch):
    monkeypatch.setenv("SHKOLA_TODAY", "2026-11-20")
    school, student = school_with_pupil()
    now = timezone.now()
    days = list(
        Lesson.objects.filter(
            class_unit=school.class_unit,
            date__gte=dt.date(2026, 10, 1),
            date__lte=dt.date(2026, 11, 20),
        )
        .order_by("date")
        .values_list("date", flat=True)
    )
    for i, day in enumerate(days):
        _mark(school, student, day, "3", now - dt.timedelta(hours=len(days) - i))
    client.force_login(student.user)
    marks = section(client.get("/").content.decode(), "new-marks")
    assert marks.count('class="mark mark-3"') == 8
    assert f'id="new-marks-count">{len(days)}<' in marks
    assert f"Всего {len(days)} новых отметок" in marks
    # the latest lessons come first
    assert marks.index("20 ноября") < marks.index("18 ноября") < marks.index("16 ноября")
