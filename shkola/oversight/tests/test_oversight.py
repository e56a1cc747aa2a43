"""Oversight (H1): an official sees the figures of the schools of their territory — the same
numbers the school's own report gives — per school, parallel, class and subject, as
aggregates only; within a fixed number of queries however many schools there are."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from shkola.accounts.models import Role, RoleAssignment
from shkola.core.testing.factories import (
    OrganisationFactory,
    TerritoryFactory,
    UserFactory,
    make_school,
)
from shkola.journal import selectors as journal
from shkola.journal.models import Attendance, FinalMark, FinalMarkKind, Mark
from shkola.portfolio.models import Achievement
from shkola.schools.models import Student, Subject, Territory
from shkola.timetable.models import Lesson

pytestmark = pytest.mark.django_db

TODAY = "2026-11-10"  # the first quarter (1.09–24.10) is over, its period marks are set
FIELDS = (
    "counted",
    "success",
    "quality",
    "average",
    "missed",
    "excused",
    "lessons",
    "without_topic",
    "without_marks",
    "late_marks",
)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("SHKOLA_TODAY", TODAY)


def official_of(territory: Territory, role: str = Role.MUNICIPAL):
    user = UserFactory()
    RoleAssignment.objects.create(user=user, role=role, territory=territory)
    return user


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def figures_in(html: str, around: str) -> dict[str, str]:
    """The data-figure cells inside the element whose id is ``around``."""
    start = html.index(f'id="{around}"')
    if around == "summary":  # the cards above the page's tables
        end = html.index("</div>", html.index('data-figure="achievements_confirmed"', start))
    else:
        end = html.index("</tr>", start)
    chunk = html[start:end]
    return {
        name: re.sub(r"<[^>]+>|\s", "", value)
        for name, value in re.findall(
            r'data-figure="(\w+)"[^>]*>(.*?)</(?:td|div|span)>', chunk, re.S
        )
    }


def _lesson(school, day: int, topic: str = "Тема") -> Lesson:
    return Lesson.objects.create(
        academic_year=school.year,
        period=school.periods[0],
        class_unit=school.class_unit,
        subject=school.subject,
        teacher=school.teacher,
        date=dt.date(2026, 9, day),
        lesson_number=2,
        topic=topic,
    )


def _mark(lesson, student, value: str, weight: int = 1) -> Mark:
    """A mark entered on the lesson's day."""
    mark = Mark.objects.create(
        lesson=lesson, student=student, value=value, points=int(value), weight=weight
    )
    on_time = timezone.make_aware(dt.datetime.combine(lesson.date, dt.time(15, 0)))
    Mark.objects.filter(pk=mark.pk).update(created_at=on_time)
    return mark


def _period_mark(school, student, subject, value: str) -> None:
    FinalMark.objects.create(
        student=student,
        subject=subject,
        academic_year=school.year,
        kind=FinalMarkKind.PERIOD,
        period=school.periods[0],
        value=value,
    )


@pytest.fixture
def known_school():
    """Three students, two subjects, figures small enough to count by hand."""
    school = make_school(n_students=3)
    a, b, c = school.students
    physics = Subject.objects.create(organisation=school.organisation, name="Физика")
    first = _lesson(school, 2)
    second = _lesson(school, 4, topic="")  # no topic
    _lesson(school, 7)  # no marks at all
    _mark(first, a, "5", weight=5)
    _mark(first, b, "4")
    _mark(second, a, "3")
    late = _mark(second, c, "2")
    Mark.objects.filter(pk=late.pk).update(
        created_at=timezone.make_aware(dt.datetime(2026, 9, 6, 12, 0))
    )
    Attendance.objects.create(lesson=first, student=c, kind="н")
    Attendance.objects.create(lesson=second, student=b, kind="б")
    Attendance.objects.create(lesson=second, student=a, kind="оп")  # late, not missed
    for student, maths, phys in ((a, "5", "5"), (b, "4", "3"), (c, "3", "2")):
        _period_mark(school, student, school.subject, maths)
        _period_mark(school, student, physics, phys)
    added = Achievement.objects.create(
        student=a, category="olympiad", name="Олимпиада", year="2026"
    )
    Achievement.objects.filter(pk=added.pk).update(
        created_at=timezone.make_aware(dt.datetime(2026, 9, 10, 12, 0))
    )
    return school


def test_the_school_figures_are_counted_as_engineering_md_says(known_school):
    school = known_school
    spans = journal.figure_spans([school.organisation.id], journal.PeriodChoice("quarters", 1))
    figures = journal.school_figures(spans, "school", dt.date(2026, 11, 10))[school.organisation.id]
    # Results over both subjects: a 5/5, b 4/3 → 3, c 3/2 → 2: success 2 of 3, quality 1 of 3.
    assert figures.counted == 3
    assert figures.success == Decimal(200) / 3
    assert figures.quality == Decimal(100) / 3
    # Σ(mark × weight) / Σ(weight) = (25 + 4 + 3 + 2) / (5 + 1 + 1 + 1).
    assert figures.average == Decimal(34) / Decimal(8)
    assert (figures.missed, figures.excused) == (2, 1)
    assert (figures.lessons, figures.without_topic, figures.without_marks) == (3, 1, 1)
    assert figures.late_marks == 1
    by_subject = journal.school_figures(spans, "subject", dt.date(2026, 11, 10))
    physics = Subject.objects.get(organisation=school.organisation, name="Физика")
    assert by_subject[physics.id].success == Decimal(200) / 3
    assert by_subject[school.subject.id].success == Decimal(100)


def test_an_official_sees_the_numbers_the_school_sees(known_school):
    school = known_school
    official = official_of(school.organisation.territory)
    query = "?period=quarters-1"
    own = client_of(school.curator).get(reverse("journal:school_report") + query)
    seen = client_of(official).get(
        reverse("oversight:school", args=[school.organisation.id]) + query
    )
    listed = client_of(official).get(reverse("oversight:territory") + query)
    assert own.status_code == seen.status_code == listed.status_code == 200
    school_side = figures_in(own.content.decode(), "school-total")
    official_side = figures_in(seen.content.decode(), "summary")
    assert school_side == {k: v for k, v in official_side.items() if k in school_side}
    assert school_side["success"] == "66,7" and school_side["average"] == "4,25"
    assert official_side["achievements_added"] == "1"
    row = figures_in(listed.content.decode(), f"school-{school.organisation.id}")
    assert {k: row[k] for k in school_side} == school_side


def test_the_demo_official_sees_the_demo_school_as_its_own_report_does(demo_world):
    w = demo_world
    query = "?period=year"  # the demo's marks are dated around the day it was built
    own = client_of(w.users["curator"]).get(reverse("journal:school_report") + query)
    seen = client_of(w.users["official"]).get(
        reverse("oversight:school", args=[w.school.id]) + query
    )
    school_side = figures_in(own.content.decode(), "school-total")
    official_side = figures_in(seen.content.decode(), "summary")
    assert school_side == {k: v for k, v in official_side.items() if k in school_side}
    assert int(school_side["lessons"]) > 0 and school_side["average"] != "—"


def test_the_demo_officials_see_the_demo_schools_with_real_figures(demo_world):
    w = demo_world
    for login in ("official", "region"):
        page = client_of(w.users[login]).get(reverse("oversight:territory") + "?period=year")
        html = page.content.decode()
        assert page.status_code == 200
        for school in (w.school, w.other_school):
            row = figures_in(html, f"school-{school.id}")
            assert int(row["lessons"]) > 0 and row["average"] != "—", login
    assert RoleAssignment.objects.get(user=w.users["region"]).role == Role.REGIONAL


def test_a_class_page_names_no_child(demo_world):
    w = demo_world
    page = client_of(w.users["official"]).get(
        reverse("oversight:class", args=[w.class_unit.id]) + "?period=year"
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "Алгебра" in html
    for student in Student.objects.filter(current_class=w.class_unit):
        assert student.last_name + " " + student.first_name not in html
        assert f"/portfolio/students/{student.id}/" not in html
        assert "/diary/" not in html.split("<main", 1)[1]


def test_a_regional_official_sees_every_municipality_and_a_municipal_one_only_theirs():
    region = Territory.objects.create(name="Область для мониторинга", kind=Territory.Kind.REGION)
    north = TerritoryFactory(name="Северный округ", parent=region)
    south = TerritoryFactory(name="Южный округ", parent=region)
    north_school = make_school(
        organisation=OrganisationFactory(territory=north, short_name="Северная школа")
    )
    south_school = make_school(
        organisation=OrganisationFactory(territory=south, short_name="Южная школа")
    )
    regional = client_of(official_of(region, Role.REGIONAL))
    municipal = client_of(official_of(north))
    page = regional.get(reverse("oversight:territory")).content.decode()
    assert "Северная школа" in page and "Южная школа" in page
    assert "Северный округ" in page and "Южный округ" in page  # grouped by municipality
    page = municipal.get(reverse("oversight:territory")).content.decode()
    assert "Северная школа" in page and "Южная школа" not in page
    south_org = south_school.organisation
    assert municipal.get(reverse("oversight:school", args=[south_org.id])).status_code == 404
    assert (
        municipal.get(reverse("oversight:class", args=[south_school.class_unit.id])).status_code
        == 404
    )
    assert regional.get(reverse("oversight:school", args=[south_org.id])).status_code == 200
    assert north_school.organisation.id  # the municipal official's own school exists


@pytest.mark.parametrize(
    "query",
    [
        "period=",
        "period=quarters-0",
        "period=quarters-5",
        "period=trimesters-1",
        "period=year-1",
        "period=%F0%9F%98%80",
        "period=quarters-1&period=zz",
        "xlsx=nothing",
    ],
)
def test_a_bad_period_is_never_an_error(known_school, query):
    official = client_of(official_of(known_school.organisation.territory))
    url = reverse("oversight:school", args=[known_school.organisation.id])
    page = official.get(f"{url}?{query}")
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")


def test_an_unknown_period_says_so_and_shows_the_default(known_school):
    official = client_of(official_of(known_school.organisation.territory))
    page = official.get(reverse("oversight:territory") + "?period=trimesters-2")
    html = page.content.decode()
    assert "Период «trimesters-2» не найден: показан период «1 четверть»" in html


def test_every_table_downloads_as_excel_with_text_kept_as_text(known_school):
    org = known_school.organisation
    org.short_name = '=HYPERLINK("http://evil")'
    org.save()
    official = client_of(official_of(org.territory))
    response = official.get(reverse("oversight:territory") + "?period=quarters-1&xlsx=schools")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][1] == "1 четверть"
    assert rows[1][:4] == ("Школа", "Обучающихся в расчёте", "Успеваемость, %", "Качество, %")
    assert rows[2][0] == org.short_name and rows[2][1] == 3 and rows[2][2] == 66.7
    assert ws.cell(row=3, column=1).data_type == "s"
    for table in ("parallels", "classes", "subjects"):
        response = official.get(
            reverse("oversight:school", args=[org.id]) + f"?period=quarters-1&xlsx={table}"
        )
        ws = load_workbook(io.BytesIO(response.content)).active
        assert ws.max_row >= 3, table
    response = official.get(
        reverse("oversight:class", args=[known_school.class_unit.id]) + "?xlsx=subjects"
    )
    names = {
        r[0] for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    }
    assert {"Математика", "Физика"} <= names


def _schools(territory, n: int) -> None:
    for i in range(n):
        school = make_school(organisation=OrganisationFactory(territory=territory), n_students=2)
        lesson = _lesson(school, 2 + i)
        _mark(lesson, school.students[0], "4")
        Attendance.objects.create(lesson=lesson, student=school.students[1], kind="у")
        _period_mark(school, school.students[0], school.subject, "4")
        Achievement.objects.create(
            student=school.students[0], category="olympiad", name=f"Конкурс {i}", year="2026"
        )


@pytest.mark.parametrize("n", [2, 5])
@pytest.mark.parametrize("period", ["quarters-1", "year"])
def test_the_territory_page_has_a_fixed_query_budget(django_assert_max_num_queries, n, period):
    territory = TerritoryFactory()
    _schools(territory, n)
    client = client_of(official_of(territory))
    client.get(reverse("oversight:territory"))  # sessions and caches warm
    with django_assert_max_num_queries(20):
        page = client.get(reverse("oversight:territory") + f"?period={period}")
    assert page.content.decode().count('href="/oversight/school/') == n


@pytest.mark.parametrize("n", [2, 5])
def test_the_school_page_has_a_fixed_query_budget(django_assert_max_num_queries, n):
    territory = TerritoryFactory()
    school = make_school(organisation=OrganisationFactory(territory=territory))
    for i in range(n):
        cu, students = school.add_class(5 + i, "Б", n_students=2)
    client = client_of(official_of(territory))
    with django_assert_max_num_queries(45):
        page = client.get(reverse("oversight:school", args=[school.organisation.id]))
    assert page.status_code == 200


def test_achievements_are_counted_in_each_schools_own_dates():
    # Given three schools: two share a calendar, the third's quarter ends a week later;
    # each has an achievement added on 28 October
    from shkola.portfolio import selectors as portfolio

    territory = TerritoryFactory()
    schools = [
        make_school(organisation=OrganisationFactory(territory=territory), n_students=1)
        for _ in range(3)
    ]
    for school in schools:
        added = Achievement.objects.create(
            student=school.students[0], category="olympiad", name="Конкурс", year="2026"
        )
        Achievement.objects.filter(pk=added.pk).update(
            created_at=timezone.make_aware(dt.datetime(2026, 10, 28, 12, 0))
        )
    ends = (dt.date(2026, 10, 24), dt.date(2026, 10, 24), dt.date(2026, 10, 31))
    spans = [
        journal.Span(s.organisation.id, dt.date(2026, 9, 1), end, 0, None)
        for s, end in zip(schools, ends, strict=True)
    ]
    # When the activity is counted per school over each one's own quarter
    activity = portfolio.achievement_activity(spans, "student__organisation_id")
    # Then only the school whose quarter still ran on 28 October counts it
    assert activity == {schools[2].organisation.id: (1, 0)}
