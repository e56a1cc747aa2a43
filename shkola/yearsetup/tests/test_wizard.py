"""«Мастер учебного года» through HTTP in the demo world: ``curator`` administers the demo
school, whose current year has quarters, eleven parallels and classes. Every bad value comes
back at its field with a Russian message naming it, and nothing saved before is lost."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from shkola.schools.models import (
    AcademicYear,
    AttestationPeriod,
    ClassUnit,
    CurriculumItem,
    Holiday,
    Organisation,
    Parallel,
    PeriodScheme,
    StudyGroup,
    Subject,
    Territory,
)
from shkola.timetable.models import BellSlot, Room
from shkola.yearsetup import services

pytestmark = pytest.mark.django_db


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(response: Any) -> str:
    return response.content.decode()


def error_for(html: str, field: str) -> str:
    marker = f'data-error-for="{field}">'
    assert marker in html, f"no error shown for {field}"
    return html.split(marker, 1)[1].split("</div>", 1)[0]


# --------------------------------------------------------------------------- step 1


def test_a_new_school_creates_its_year_and_10_11_go_by_halves():
    # Given a school with no year at all
    territory = Territory.objects.create(name="Район", kind=Territory.Kind.MUNICIPALITY)
    org = Organisation.objects.create(territory=territory, short_name="Школа №7", full_name="")
    # When its curator saves the dates with quarters and halves for 10 and 11
    year = services.year_dates_save(
        organisation=org,
        year=None,
        name="2027/2028",
        start=dt.date(2027, 9, 1),
        end=dt.date(2028, 5, 31),
        scheme=PeriodScheme.QUARTERS,
        parallel_schemes={10: PeriodScheme.HALVES, 11: PeriodScheme.HALVES, 5: ""},
        by=None,
    )
    # Then the year is current, both schemes have periods covering the year, in order
    assert year.is_current
    quarters = list(year.periods.filter(scheme=PeriodScheme.QUARTERS).order_by("number"))
    halves = list(year.periods.filter(scheme=PeriodScheme.HALVES).order_by("number"))
    assert len(quarters) == 4 and len(halves) == 2
    assert quarters[0].start == year.start and quarters[-1].end == year.end
    assert all(a.end < b.start for a, b in zip(quarters, quarters[1:], strict=False))
    assert sorted(Parallel.objects.filter(academic_year=year).values_list("grade", flat=True)) == [
        10,
        11,
    ]


def test_overlapping_quarters_are_refused_naming_the_period_and_nothing_changes(demo_world):
    w = demo_world
    curator = as_user(w.users["curator"])
    quarters = list(w.year.periods.filter(scheme=PeriodScheme.QUARTERS).order_by("number"))
    before = [(p.start, p.end) for p in quarters]
    form: dict[str, str] = {"action": "periods", "scheme": "quarters"}
    for p in quarters:
        form[f"quarters-{p.number}-start"] = p.start.isoformat()
        form[f"quarters-{p.number}-end"] = p.end.isoformat()
    # When the second quarter is made to start inside the first
    form["quarters-2-start"] = (quarters[0].end - dt.timedelta(days=3)).isoformat()
    response = curator.post(reverse("yearsetup:dates"), form)
    # Then the page says which period and field, keeps what was typed, and saves nothing
    assert response.status_code == 200
    message = error_for(page(response), "quarters-2-start")
    assert "2 четверть, начало" in message and "пересекается" in message
    assert form["quarters-2-start"] in page(response)
    # and the year's own form above still shows the saved year, not the periods' post
    assert f'value="{w.year.name}"' in page(response)
    assert f'value="{w.year.start.isoformat()}"' in page(response)
    after = [(p.start, p.end) for p in w.year.periods.filter(scheme="quarters").order_by("number")]
    assert after == before


def test_a_period_outside_the_year_is_refused(demo_world):
    w = demo_world
    last = w.year.periods.filter(scheme="quarters").order_by("number").last()
    dates = [(p.start, p.end) for p in w.year.periods.filter(scheme="quarters").order_by("number")]
    dates[-1] = (dates[-1][0], w.year.end + dt.timedelta(days=10))
    with pytest.raises(ValidationError) as error:
        services.periods_save(year=w.year, scheme="quarters", dates=dates, by=None)
    assert "позже учебного года" in error.value.message_dict["quarters-4-end"][0]
    last.refresh_from_db()
    assert last.end <= w.year.end


def test_good_period_dates_are_saved_in_place_keeping_lessons(demo_world):
    w = demo_world
    curator = as_user(w.users["curator"])
    quarters = list(w.year.periods.filter(scheme="quarters").order_by("number"))
    ids = [p.id for p in quarters]
    form: dict[str, str] = {"action": "periods", "scheme": "quarters"}
    for p in quarters:
        form[f"quarters-{p.number}-start"] = p.start.isoformat()
        form[f"quarters-{p.number}-end"] = p.end.isoformat()
    form["quarters-4-end"] = (quarters[3].end - dt.timedelta(days=1)).isoformat()
    response = curator.post(reverse("yearsetup:dates"), form)
    assert response.status_code == 302
    last = AttestationPeriod.objects.get(pk=ids[3])
    assert last.end == quarters[3].end - dt.timedelta(days=1)
    assert list(w.year.periods.filter(scheme="quarters").values_list("id", flat=True)) == ids


def test_year_end_before_start_names_the_field_and_keeps_the_year(demo_world):
    w = demo_world
    curator = as_user(w.users["curator"])
    response = curator.post(
        reverse("yearsetup:dates"),
        {
            "action": "year",
            "name": w.year.name,
            "start": w.year.start.isoformat(),
            "end": (w.year.start - dt.timedelta(days=1)).isoformat(),
            "scheme": "quarters",
        },
    )
    assert response.status_code == 200
    assert "Окончание:" in error_for(page(response), "end")
    w.year.refresh_from_db()
    assert w.year.end > w.year.start


@pytest.mark.parametrize("raw", ["", "31.02.2026", "x" * 500, "2026-13-01"])
def test_garbage_dates_are_a_message_not_a_500(demo_world, raw):
    curator = as_user(demo_world.users["curator"])
    response = curator.post(
        reverse("yearsetup:dates"),
        {"action": "year", "name": "2026/2027", "start": raw, "end": raw, "scheme": "zzz"},
    )
    assert response.status_code == 200
    assert "Начало:" in error_for(page(response), "start")


# --------------------------------------------------------------------------- step 2


def test_a_first_grade_holiday_is_added_and_one_outside_the_year_is_refused(demo_world):
    w = demo_world
    curator = as_user(w.users["curator"])
    count = Holiday.objects.filter(academic_year=w.year).count()
    inside = w.year.start + dt.timedelta(days=150)
    ok = curator.post(
        reverse("yearsetup:holidays"),
        {
            "name": "Дополнительные каникулы",
            "start": inside.isoformat(),
            "end": (inside + dt.timedelta(days=6)).isoformat(),
            "grades": ["1"],
        },
    )
    assert ok.status_code == 302
    added = Holiday.objects.get(academic_year=w.year, name="Дополнительные каникулы")
    assert added.grades == [1]
    # When a holiday lies after the year's end
    late = w.year.end + dt.timedelta(days=5)
    bad = curator.post(
        reverse("yearsetup:holidays"),
        {"name": "Летние", "start": late.isoformat(), "end": late.isoformat(), "grades": ["99"]},
    )
    # Then it is refused at its field and the earlier holiday is still there
    assert bad.status_code == 200
    assert "внутри учебного года" in error_for(page(bad), "start")
    assert "Параллели" in error_for(page(bad), "grades")
    assert 'value="Летние"' in page(bad)
    assert Holiday.objects.filter(academic_year=w.year).count() == count + 1


# --------------------------------------------------------------------------- step 3


def test_bells_and_rooms(demo_world):
    w = demo_world
    curator = as_user(w.users["curator"])
    BellSlot.objects.filter(organisation=w.school, number__gte=9).delete()
    ok = curator.post(
        reverse("yearsetup:bells"),
        {"action": "bell_add", "number": "9", "start": "20:00", "end": "20:40"},
    )
    assert ok.status_code == 302
    assert BellSlot.objects.filter(organisation=w.school, number=9).exists()
    bad = curator.post(
        reverse("yearsetup:bells"),
        {"action": "bell_add", "number": "10", "start": "21:00", "end": "20:50"},
    )
    assert "Окончание:" in error_for(page(bad), "end")
    clash = curator.post(
        reverse("yearsetup:bells"),
        {"action": "bell_add", "number": "10", "start": "20:30", "end": "21:10"},
    )
    assert "пересекается с уроком №9" in error_for(page(clash), "start")
    assert not BellSlot.objects.filter(organisation=w.school, number=10).exists()
    room = curator.post(reverse("yearsetup:bells"), {"action": "room_add", "room": "  "})
    assert "Кабинет:" in error_for(page(room), "room")
    curator.post(reverse("yearsetup:bells"), {"action": "room_add", "room": "Актовый зал"})
    assert Room.objects.filter(organisation=w.school, name="Актовый зал").exists()


# --------------------------------------------------------------------------- step 4


def test_a_class_without_a_letter_is_refused_and_a_good_one_is_added(demo_world):
    w = demo_world
    curator = as_user(w.users["curator"])
    before = ClassUnit.objects.filter(parallel__academic_year=w.year).count()
    bad = curator.post(reverse("yearsetup:classes"), {"action": "add", "grade": "5", "letter": " "})
    assert bad.status_code == 200
    assert "Литера:" in error_for(page(bad), "letter")
    duplicate = curator.post(
        reverse("yearsetup:classes"), {"action": "add", "grade": "7", "letter": "а"}
    )
    assert "7А уже есть" in error_for(page(duplicate), "letter")
    stranger = curator.post(
        reverse("yearsetup:classes"),
        {"action": "add", "grade": "5", "letter": "Я", "class_teacher": str(10**25)},
    )
    assert "Классный руководитель" in error_for(page(stranger), "class_teacher")
    assert ClassUnit.objects.filter(parallel__academic_year=w.year).count() == before
    teacher = w.users["teacher"]
    ok = curator.post(
        reverse("yearsetup:classes"),
        {"action": "add", "grade": "5", "letter": "я", "class_teacher": str(teacher.id)},
    )
    assert ok.status_code == 302
    added = ClassUnit.objects.get(parallel__academic_year=w.year, parallel__grade=5, letter="Я")
    assert added.class_teacher == teacher


def test_a_class_of_another_school_cannot_be_touched(demo_world):
    w = demo_world
    curator = as_user(w.users["curator"])
    other = ClassUnit.objects.filter(parallel__organisation=w.other_school).first()
    response = curator.post(reverse("yearsetup:classes"), {"action": "delete", "id": other.id})
    assert response.status_code == 404
    assert ClassUnit.objects.filter(pk=other.pk).exists()


# --------------------------------------------------------------------------- step 5


def test_negative_hours_are_refused_and_the_plan_is_kept(demo_world):
    w = demo_world
    curator = as_user(w.users["curator"])
    before = list(
        CurriculumItem.objects.filter(class_unit=w.class_unit).values_list(
            "subject_id", "hours_per_week"
        )
    )
    bad = curator.post(
        reverse("yearsetup:curriculum"),
        {"action": "hours", "grade": "7", "subject": str(w.subject.id), "hours": "-2"},
    )
    assert bad.status_code == 200
    assert "Часов в неделю: не может быть отрицательным" in error_for(page(bad), "hours")
    after = list(
        CurriculumItem.objects.filter(class_unit=w.class_unit).values_list(
            "subject_id", "hours_per_week"
        )
    )
    assert after == before
    ok = curator.post(
        reverse("yearsetup:curriculum"),
        {"action": "hours", "grade": "7", "subject": str(w.subject.id), "hours": "4,5"},
    )
    assert ok.status_code == 302
    hours = set(
        CurriculumItem.objects.filter(
            class_unit__parallel=w.class_unit.parallel, subject=w.subject
        ).values_list("hours_per_week", flat=True)
    )
    assert hours == {Decimal("4.5")}


def test_subjects_subgroups_and_clubs(demo_world):
    w = demo_world
    curator = as_user(w.users["curator"])
    curator.post(
        reverse("yearsetup:curriculum"),
        {"action": "subject", "subject_name": "Робототехника", "is_extra": "1"},
    )
    robotics = Subject.objects.get(organisation=w.school, name="Робототехника")
    assert robotics.is_extra
    duplicate = curator.post(
        reverse("yearsetup:curriculum"), {"action": "subject", "subject_name": "робототехника"}
    )
    assert "уже есть" in error_for(page(duplicate), "subject_name")
    no_class = curator.post(
        reverse("yearsetup:curriculum"),
        {"action": "group", "kind": "subgroup", "group_name": "1 группа"},
    )
    assert "Класс:" in error_for(page(no_class), "class_unit")
    curator.post(
        reverse("yearsetup:curriculum"),
        {
            "action": "group",
            "kind": "extra",
            "group_name": "Кружок роботов",
            "subject": robotics.id,
        },
    )
    club = StudyGroup.objects.get(academic_year=w.year, name="Кружок роботов")
    assert club.kind == StudyGroup.Kind.EXTRA and club.class_unit is None


# --------------------------------------------------------------------------- pages


@pytest.mark.parametrize(
    "name", ["dates", "holidays", "bells", "classes", "curriculum", "rollover"]
)
def test_each_page_has_a_fixed_query_budget(demo_world, django_assert_max_num_queries, name):
    curator = as_user(demo_world.users["curator"])
    with django_assert_max_num_queries(30):
        response = curator.get(reverse(f"yearsetup:{name}"))
    assert response.status_code == 200


def test_the_steps_show_progress_and_a_year_without_setup_sends_to_step_one():
    territory = Territory.objects.create(name="Район", kind=Territory.Kind.MUNICIPALITY)
    org = Organisation.objects.create(territory=territory, short_name="Школа №8", full_name="")
    from shkola.accounts.models import Role, RoleAssignment, User

    user = User.objects.create_user(username="new-curator", password="x")
    RoleAssignment.objects.create(user=user, role=Role.CURATOR, organisation=org)
    client = as_user(user)
    assert client.get(reverse("yearsetup:classes"))["Location"] == reverse("yearsetup:dates")
    first = page(client.get(reverse("yearsetup:dates")))
    assert "Шаг 1 из 5" in first and "Создать учебный год" in first
    client.post(
        reverse("yearsetup:dates"),
        {
            "action": "year",
            "name": "2027/2028",
            "start": "2027-09-01",
            "end": "2028-05-31",
            "scheme": "trimesters",
        },
    )
    year = AcademicYear.objects.get(organisation=org)
    assert year.periods.filter(scheme="trimesters").count() == 3
    assert "готово шагов: 1" in page(client.get(reverse("yearsetup:holidays")))
