"""The diary pages as a parent, a student and the staff see them."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from openpyxl import load_workbook

from shkola.core.testing.factories import UserFactory, guardian_of, make_school
from shkola.journal.models import Homework, HomeworkFile
from shkola.schools.models import SchoolEvent

from .world import lesson

pytestmark = pytest.mark.django_db

PAGES = [
    "week",
    "report",
    "extra",
    "homework",
    "finals",
    "missed",
    "tests",
    "timetable",
    "averages",
    "events",
    "remarks",
]


def page(client, name, query=""):  # type: ignore[no-untyped-def]
    response = client.get(reverse(f"diary:{name}") + query)
    assert response.status_code == 200, response
    return response.content.decode()


def switch(client, student):  # type: ignore[no-untyped-def]
    client.post(reverse("accounts:switch_child"), {"student": student.id, "next": "/"})


def test_the_parent_sees_the_week_with_marks_comments_and_homework(client, world):
    client.force_login(world.parent)
    switch(client, world.anna)
    html = page(client, "week")
    assert "Антонова Анна" in html
    assert "Линейные уравнения" in html
    assert "Ошибка в задаче 3" in html and "mark-has-comment" in html
    assert "№ 245, 247" in html
    assert 'class="card h-100 diary-day is-today' in html
    assert "09:25–10:10" in html  # the bell of the 2nd lesson


def test_the_week_switcher_goes_back_and_shows_holidays(client, world):
    client.force_login(world.parent)
    html = page(client, "week", "?week=2026-10-28")
    assert "Осенние каникулы" in html
    assert "?week=2026-10-19" in html and "?week=2026-11-02" in html


def test_a_bad_week_is_explained_and_the_current_week_shown(client, world):
    client.force_login(world.parent)
    html = page(client, "week", "?week=завтра")
    assert "Неделя: дата должна быть в виде ГГГГ-ММ-ДД" in html
    assert "Линейные уравнения" in html


def test_switching_the_child_changes_every_page(client, world):
    client.force_login(world.parent)
    switch(client, world.anna)
    assert "Антонова Анна" in page(client, "report")
    assert "3,78" in page(client, "report")
    switch(client, world.gleb)
    html = page(client, "report")
    assert "Глебов Глеб" in html and "Антонова" not in html
    assert "5,00" in html and "3,78" not in html
    assert "7Б" in page(client, "timetable")


@pytest.mark.parametrize("name", PAGES)
def test_another_familys_child_is_a_404(client, world, name):
    client.force_login(world.parent)
    url = reverse(f"diary:{name}_of", kwargs={"student_id": world.boris.id})
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("name", PAGES)
def test_the_parent_following_a_childs_link_switches_to_that_child(client, world, name):
    client.force_login(world.parent)
    url = reverse(f"diary:{name}_of", kwargs={"student_id": world.gleb.id})
    response = client.get(url + "?period=1")
    assert response.status_code == 302
    assert response["Location"] == reverse(f"diary:{name}") + "?period=1"
    assert "Глебов Глеб" in page(client, name)


@pytest.mark.parametrize("name", PAGES)
def test_the_class_teacher_and_the_curator_open_a_students_diary(client, world, name):
    url = reverse(f"diary:{name}_of", kwargs={"student_id": world.anna.id})
    for user in (world.school.class_teacher, world.school.curator):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert "Антонова Анна" in response.content.decode()
    client.force_login(world.school.teacher)  # a subject teacher reads the journal instead
    assert client.get(url).status_code == 404


def test_a_teacher_without_a_child_has_no_own_diary(client, world):
    client.force_login(world.school.teacher)
    assert client.get(reverse("diary:week")).status_code == 404


def test_remarks_are_shown_to_the_parent_but_not_to_the_student(client, world):
    client.force_login(world.parent)
    html = page(client, "remarks")
    assert "Разговаривала на уроке" in html and "Молодец, хороший ответ" in html
    client.force_login(world.anna.user)
    html = page(client, "remarks")
    assert "Молодец, хороший ответ" in html
    assert "Разговаривала на уроке" not in html and "Замечания видят" not in html
    # …and no section of the student's diary is called «Замечания», only «Комментарии»
    for name in ("week", "remarks", "report"):
        html = page(client, name)
        assert "Замечания" not in html and f'{reverse("diary:remarks")}">Комментарии<' in html
    client.force_login(world.parent)
    assert f'{reverse("diary:remarks")}">Замечания<' in page(client, "week")


def test_the_student_sees_only_themself(client, world):
    client.force_login(world.anna.user)
    assert "Антонова Анна" in page(client, "week")
    url = reverse("diary:week_of", kwargs={"student_id": world.boris.id})
    assert client.get(url).status_code == 404
    own = reverse("diary:report_of", kwargs={"student_id": world.anna.id})
    assert client.get(own)["Location"] == reverse("diary:report")


def test_report_card_has_dates_works_and_export_links(client, world):
    client.force_login(world.parent)
    html = page(client, "report", f"?period={world.period.id}")
    assert "Табель успеваемости" in html
    assert "Контрольная №2" in html  # the list of dates with work names
    assert "16.11" in html
    assert reverse("diary:report_xlsx") + f"?period={world.period.id}" in html
    assert "data-diary-print" in html


def test_an_unknown_period_is_explained(client, world):
    client.force_login(world.parent)
    html = page(client, "report", "?period=abc")
    assert "Период: такого аттестационного периода нет" in html


def test_report_card_excel_has_the_same_numbers_as_the_page(client, world):
    client.force_login(world.parent)
    switch(client, world.anna)
    response = client.get(reverse("diary:report_xlsx") + f"?period={world.period.id}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    ws = load_workbook(BytesIO(response.content)).active
    assert ws["A1"].value == "Табель успеваемости"
    header = [c.value for c in ws[4]]
    assert header[:3] == ["Предмет", "Средний балл", "Отметок"]
    assert ws["A4"].font.bold and ws["A4"].border.left.style == "thin"
    rows = {r[0].value: r for r in ws.iter_rows(min_row=5) if r[0].value}
    assert rows["Математика"][1].value == pytest.approx(3.78)
    assert rows["Математика"][1].number_format == "0.00"
    assert [c.value for c in rows["Математика"][3:6]] == [5, 4, 3]
    assert rows["Русский язык"][1].value == pytest.approx(5.0)
    assert rows["Русский язык"][4].value == "зач"
    assert ws.column_dimensions["A"].width >= 30
    html = page(client, "report", f"?period={world.period.id}")
    assert "3,78" in html and "5,00" in html


def test_averages_page_shows_mine_class_parallel_and_the_chart_data(client, world):
    client.force_login(world.parent)
    switch(client, world.anna)
    html = page(client, "averages", f"?period={world.period.id}")
    assert 'id="avg-mine">4,39<' in html
    assert 'id="avg-class">3,69<' in html
    assert 'id="avg-parallel">4,13<' in html
    assert 'id="dynamics-data"' in html and "chart.umd.min.js" in html
    assert 'id="absences-total">2<' in html
    assert "<script>" not in html  # data by json_script, code in diary.js


def test_the_chart_of_a_running_period_ends_with_this_week(client, world):
    # Given today is Wednesday 18 November, in the 2nd quarter (3 November – 28 December)
    client.force_login(world.parent)
    switch(client, world.anna)
    response = client.get(reverse("diary:averages"), {"period": world.period.id})
    # Then the chart's weeks run from the quarter's first week to this one, no empty future
    data = response.context["data"].dynamics
    assert data["weeks"] == ["02.11", "09.11", "16.11"]
    math = next(s for s in data["subjects"] if s["name"] == "Математика")
    assert math["mine"] == [None, 5.0, 3.63]


def test_finals_for_this_and_past_years(client, world):
    from shkola.journal.models import FinalMark
    from shkola.schools import services as school_services

    s = world.school
    FinalMark.objects.create(
        student=world.anna,
        subject=s.subject,
        academic_year=s.year,
        kind="period",
        period=s.periods[0],
        value="4",
    )
    past = school_services.academic_year_create(
        organisation=s.organisation,
        name="2025/2026",
        start=dt.date(2025, 9, 1),
        end=dt.date(2026, 5, 31),
        periods=[
            (dt.date(2025, 9, 1), dt.date(2025, 10, 24)),
            (dt.date(2025, 11, 3), dt.date(2025, 12, 28)),
            (dt.date(2026, 1, 12), dt.date(2026, 3, 20)),
            (dt.date(2026, 3, 30), dt.date(2026, 5, 31)),
        ],
    )
    FinalMark.objects.create(
        student=world.anna,
        subject=s.subject,
        academic_year=past,
        kind="year",
        value="5",
    )
    client.force_login(world.parent)
    switch(client, world.anna)
    html = page(client, "finals")
    assert "2026/2027" in html and "2025/2026" in html
    assert "1 четверть" in html and 'mark-4">4<' in html
    html = page(client, "finals", f"?year={past.id}")
    assert 'mark-5">5<' in html and "Годовая" in html


def test_missed_tests_timetable_events_pages(client, world, today):
    ev = SchoolEvent.objects.create(
        organisation=world.school.organisation, title="День здоровья", date=today
    )
    ev.class_units.add(world.school.class_unit)
    client.force_login(world.parent)
    switch(client, world.anna)
    assert "Причастный оборот" in page(client, "missed")
    html = page(client, "tests")
    assert "График контрольных работ" in html and "Линейные уравнения" in html
    html = page(client, "timetable")
    assert "Русский язык" in html and "каб. 102" in html
    assert 'id="days-left">41<' in html  # 18 Nov → 29 Dec
    html = page(client, "timetable", f"?class={world.gleb.current_class_id}")
    assert "Расписание 7Б" in html
    assert page(client, "events").count("День здоровья") == 1


def test_another_schools_class_timetable_is_a_404(client, world):
    other = make_school()
    client.force_login(world.parent)
    response = client.get(reverse("diary:timetable") + f"?class={other.class_unit.id}")
    assert response.status_code == 404


def test_homework_files_download_only_for_those_who_attend(client, world):
    hw = Homework.objects.get(text="№ 245, 247")
    attachment = HomeworkFile(homework=hw, name="задачи.pdf", size=4)
    attachment.file.save("tasks.pdf", ContentFile(b"%PDF"), save=True)
    url = reverse("diary:homework_file", args=[attachment.id])
    client.force_login(world.parent)
    assert url in page(client, "week")
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF"
    stranger = guardian_of(make_school().students[0])
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    client.force_login(world.school.teacher)  # the lesson's teacher
    assert client.get(url).status_code == 200


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(reverse("diary:week"))
    assert response.status_code == 302


def _busy(world) -> None:  # type: ignore[no-untyped-def]
    """Many more marks, absences, homework, remarks and events for Anna and her class."""
    from shkola.journal.models import Attendance, Remark
    from shkola.timetable.models import Lesson

    from .world import mark

    lessons = Lesson.objects.filter(
        class_unit=world.school.class_unit, date__range=(world.period.start, dt.date(2026, 11, 20))
    )
    assert lessons.count() >= 8
    for lesson_ in lessons:
        day = lesson_.date.day
        for value in "5435":
            mark(world.anna, lesson_, value, comment="за работу у доски")
        mark(world.boris, lesson_, "4")
        Attendance.objects.create(student=world.vera, lesson=lesson_, kind="н")
        Homework.objects.create(lesson=lesson_, text=f"№ {day}", created_by=world.school.teacher)
        Remark.objects.create(
            student=world.anna, author=world.school.teacher, kind="comment", text="."
        )
    for n in range(5):
        event = SchoolEvent.objects.create(
            organisation=world.school.organisation, title=f"Событие {n}", date=dt.date(2026, 12, 1)
        )
        event.students.add(world.anna)


# The averages page's forecast («Что нужно для…», issue 13 X1) reads the student's groups,
# lessons and marks of the period: three queries, whatever the data. The report card's
# forecast is computed from the rows it already reads: no query more.
FORECAST_QUERIES = 3


@pytest.mark.parametrize("busy", [False, True], ids=["small", "busy"])
@pytest.mark.parametrize("name", PAGES + ["report_xlsx"])
def test_query_count_does_not_grow_with_data(
    client, world, name, busy, django_assert_max_num_queries
):
    if busy:
        _busy(world)
    client.force_login(world.parent)
    switch(client, world.anna)
    url = reverse(f"diary:{name}")
    client.get(url)
    budget = 12
    if name == "averages":
        budget += FORECAST_QUERIES
    with django_assert_max_num_queries(budget):
        response = client.get(url)
    assert response.status_code == 200


def test_week_query_count_is_the_same_for_a_busy_week(client, world, django_assert_max_num_queries):
    from .world import mark

    math = world.school.subject
    for day in (16, 18, 20):
        for value in "54354":
            mark(world.anna, lesson(world.school, math, dt.date(2026, 11, day)), value)
    client.force_login(world.parent)
    client.get(reverse("diary:week"))
    with django_assert_max_num_queries(12):
        client.get(reverse("diary:week"))


def test_student_without_a_class_gets_empty_pages(client, today):
    school = make_school()
    student = school.students[0]
    student.current_class = None
    student.user = UserFactory()
    student.save()
    client.force_login(student.user)
    for name in PAGES:
        assert client.get(reverse(f"diary:{name}")).status_code == 200


@pytest.mark.parametrize("name", ["week", "report", "averages", "remarks"])
def test_query_count_when_the_class_teacher_reads_a_diary(
    client, world, name, django_assert_max_num_queries
):
    url = reverse(f"diary:{name}_of", kwargs={"student_id": world.anna.id})
    client.force_login(world.school.class_teacher)
    client.get(url)
    # Three more than the family's pages: the student is looked up by id, a staff member's
    # frame loads their school, and the personal-data access log gets its one INSERT.
    # +1: the top bar's counters (messages, announcements, notifications) in one query
    with django_assert_max_num_queries(16 + (FORECAST_QUERIES if name == "averages" else 0)):
        response = client.get(url)
    assert response.status_code == 200


def test_homework_for_one_student_reaches_only_that_student(client, world):
    # Given the mathematics teacher sets an individual task for Anna on Friday 20 November
    friday = lesson(world.school, world.school.subject, dt.date(2026, 11, 20))
    client.force_login(world.school.teacher)
    response = client.post(
        reverse("journal:lesson", args=[friday.id]),
        {"action": "homework", "text": "Карточка №7 (индивидуально)", "student": world.anna.id},
    )
    assert response.status_code == 302
    # Then Anna and her parent see it on that day of the week
    client.force_login(world.anna.user)
    assert "Карточка №7 (индивидуально)" in page(client, "week")
    client.force_login(world.parent)
    switch(client, world.anna)
    assert "Карточка №7 (индивидуально)" in page(client, "week")
    # …but her classmate Boris and his parent do not
    client.force_login(world.boris.user)
    assert "Карточка №7" not in page(client, "week")
    client.force_login(world.other_parent)
    assert "Карточка №7" not in page(client, "week")
