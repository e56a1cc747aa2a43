"""Diary reads, checked against averages computed by hand (see conftest.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shkola.diary import selectors
from shkola.journal.grading import quantize2
from shkola.schools.models import SchoolEvent

pytestmark = pytest.mark.django_db

D = Decimal


def q(value):  # type: ignore[no-untyped-def]
    return quantize2(value)


def test_report_card_has_every_mark_in_order_and_the_weighted_average(world):
    rows = {r.subject.name: r for r in selectors.report_card(world.anna, world.period)}
    math = rows["Математика"]
    assert [m.value for m in math.marks] == ["5", "4", "3"]  # 13, 16, 18 November
    assert q(math.average) == D("3.78")  # (5·1 + 4·5 + 3·3) / 9
    assert math.suggested == "4"
    assert [m.work_name for m in math.works] == ["Контрольная №2"]
    russian = rows["Русский язык"]
    assert [m.value for m in russian.marks] == ["5", "зач"]
    assert q(russian.average) == D("5.00")  # the pass mark does not count
    # Every lesson of the period is listed with the marks of that day.
    dates = [d.lesson.date for d in math.dates]
    assert dt.date(2026, 11, 16) in dates and dates == sorted(dates)


def test_report_card_of_a_student_without_marks_lists_subjects_without_average(world):
    rows = selectors.report_card(world.vera, world.period)
    assert {r.subject.name for r in rows} == {"Математика", "Русский язык"}
    assert all(r.average is None and r.marks == [] for r in rows)


def test_averages_mine_class_and_parallel_include_the_student(world):
    data = selectors.averages(world.anna, world.period)
    assert q(data.mine) == D("4.39")  # (34/9 + 5) / 2
    assert q(data.of_class) == D("3.69")  # (4.388… + 3) / 2, vera has no marks
    assert q(data.of_parallel) == D("4.13")  # (4.388… + 3 + 5) / 3, gleb of 7Б included
    by_name = {s.name: s for s in data.subjects}
    assert q(by_name["Математика"].mine) == D("3.78")
    assert q(by_name["Математика"].of_class) == D("2.89")
    assert q(by_name["Математика"].of_parallel) == D("3.59")
    assert q(by_name["Русский язык"].of_class) == D("4.50")
    assert data.class_size == 2 and data.parallel_size == 3


def test_homework_journal_marks_never_enter_the_average(world):
    hw = selectors.homework_journal(world.anna, world.period)
    assert [(r.subject.name, [m.value for m in r.marks]) for r in hw] == [("Математика", ["2"])]
    rows = {r.subject.name: r for r in selectors.report_card(world.anna, world.period)}
    assert "2" not in [m.value for m in rows["Математика"].marks]


def test_weekly_dynamics_for_me_and_the_class(world):
    data = selectors.weekly_dynamics(world.anna, world.period)
    math = next(s for s in data["subjects"] if s["name"] == "Математика")
    week_of_13 = data["weeks"].index("09.11")
    week_of_16 = data["weeks"].index("16.11")
    assert math["mine"][week_of_13] == 5.0
    assert math["mine"][week_of_16] == 3.63  # (4·5 + 3·3) / 8 = 3.625, half up
    assert math["class"][week_of_16] == 2.81  # (3.625 + 2) / 2 = 2.8125


def test_class_absences_count_the_class_and_mine(world):
    data = selectors.averages(world.anna, world.period)
    assert data.absences_total == 2
    assert data.my_absences == 1


def test_week_has_lessons_marks_homework_and_today(world, today):
    week = selectors.diary_week(world.anna, today, today)
    assert week.monday == dt.date(2026, 11, 16) and week.is_current
    days = {d.date: d for d in week.days}
    assert days[today].is_today
    monday = days[dt.date(2026, 11, 16)]
    (math,) = [r for r in monday.lessons if r.subject == "Математика"]
    assert [m.value for m in math.marks] == ["4"]
    assert [m.note for m in math.marks] == ["Контрольная №2. Ошибка в задаче 3"]
    assert math.time == "09:25–10:10" and math.topic == "Линейные уравнения"
    assert math.test_form == "Контрольная работа"
    wednesday = days[today]
    (wed_math,) = wednesday.lessons
    assert [h.text for h in wed_math.homework] == ["№ 245, 247"]
    assert [m.value for m in wed_math.marks] == ["3"]  # the homework-journal 2 is not here


def test_the_week_shows_an_absence_on_its_lesson(world, today):
    week = selectors.diary_week(world.anna, dt.date(2026, 11, 10), today)
    (day,) = [d for d in week.days if d.date == dt.date(2026, 11, 10)]
    (russian,) = day.lessons
    assert russian.attendance == "б" and str(russian.attendance_label) == "болел"
    assert russian.topic == "Причастный оборот"
    assert [h.text for h in russian.homework] == ["Упражнение 112"]


def test_a_holiday_week_shows_the_holiday(world, today):
    week = selectors.diary_week(world.anna, dt.date(2026, 10, 28), today)
    assert all(d.holiday and d.holiday.name == "Осенние каникулы" for d in week.days)
    assert all(not d.lessons for d in week.days)


def test_missed_lessons_come_with_the_topic_and_homework(world):
    rows = selectors.missed_lessons(world.anna, world.period)
    assert len(rows) == 1
    assert rows[0].attendance.lesson.topic == "Причастный оборот"
    assert [h.text for h in rows[0].homework] == ["Упражнение 112"]


def test_only_test_control_forms_appear_in_the_test_schedule(world, today):
    months = selectors.planned_tests(world.anna, world.period, today)
    tests = [t for m in months for t in m.tests]
    assert [(t.lesson.date, t.lesson.subject.name) for t in tests] == [
        (dt.date(2026, 11, 16), "Математика")
    ]
    assert [m.value for m in tests[0].marks] == ["4"]
    assert [m.first.month for m in months] == [11, 12]


def test_upcoming_events_directly_through_the_class_or_for_the_whole_school(world, today):
    org = world.school.organisation
    direct = SchoolEvent.objects.create(organisation=org, title="Олимпиада", date=today)
    by_class = SchoolEvent.objects.create(
        organisation=org, title="Экскурсия", date=today + dt.timedelta(days=3)
    )
    by_class.class_units.add(world.school.class_unit)
    other_class = SchoolEvent.objects.create(organisation=org, title="Чужое", date=today)
    other_class.class_units.add(world.gleb.current_class_id)
    SchoolEvent.objects.create(
        organisation=org, title="Линейка", date=today + dt.timedelta(days=5)
    )  # no classes, no students: the whole school
    past = SchoolEvent.objects.create(
        organisation=org, title="Прошло", date=today - dt.timedelta(days=1)
    )
    direct.students.add(world.anna)
    past.students.add(world.anna)
    assert [e.title for e in selectors.upcoming_events(world.anna, today)] == [
        "Олимпиада",
        "Экскурсия",
        "Линейка",
    ]
    assert "Линейка" in [e.title for e in selectors.upcoming_events(world.gleb, today)]


def test_timetable_of_own_and_another_class(world):
    grid = selectors.timetable_grid(world.anna, None)
    assert grid.class_unit == world.school.class_unit
    assert [r["number"] for r in grid.rows] == [1, 2]
    other = selectors.timetable_grid(world.anna, str(world.gleb.current_class_id))
    assert other.class_unit.name == "7Б"
    with pytest.raises(selectors.ClassNotFound):
        selectors.timetable_grid(world.anna, "999999")


def test_remarks_are_left_out_when_not_allowed(world):
    kinds = {r.kind for r in selectors.remarks_of(world.anna, with_remarks=False)}
    assert kinds == {"comment"}
    assert len(selectors.remarks_of(world.anna, with_remarks=True)) == 2
