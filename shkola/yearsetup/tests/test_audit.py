"""Every step of «Мастер учебного года» lands in «Журнал безопасности»: the actor, the school
and a Russian summary; a refused change (bad input) writes no row. The demo school's curator
does the work; the school page of the log shows the new kind with its summary."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from shkola.accounts.models import AuditEvent
from shkola.schools.models import (
    ClassUnit,
    Holiday,
    Organisation,
    PeriodScheme,
    StudyGroup,
    Subject,
    Territory,
)
from shkola.timetable.models import BellSlot
from shkola.yearsetup import services

pytestmark = pytest.mark.django_db

KIND = AuditEvent.Kind.YEAR_SETUP


def rows() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(kind=KIND).order_by("id"))


def last(w: Any, action: str) -> AuditEvent:
    events = [e for e in rows() if e.details.get("action") == action]
    assert len(events) == 1, [e.details for e in rows()]
    event = events[0]
    assert event.actor == w.users["curator"]
    assert event.organisation == w.school
    return event


def refused(call: Any) -> None:
    before = len(rows())
    with pytest.raises(ValidationError):
        call()
    assert len(rows()) == before, "a refused change wrote an audit row"


def test_a_new_year_and_its_dates_are_audited_and_bad_dates_are_not():
    territory = Territory.objects.create(name="Район", kind=Territory.Kind.MUNICIPALITY)
    org = Organisation.objects.create(territory=territory, short_name="Школа №7", full_name="")
    fields: dict[str, Any] = {
        "organisation": org,
        "year": None,
        "name": "2027/2028",
        "scheme": PeriodScheme.QUARTERS,
        "parallel_schemes": {},
        "by": None,
    }
    # When the dates end before they start, nothing is written
    refused(
        lambda: services.year_dates_save(
            **fields, start=dt.date(2028, 5, 31), end=dt.date(2027, 9, 1)
        )
    )
    # When the year is created
    year = services.year_dates_save(**fields, start=dt.date(2027, 9, 1), end=dt.date(2028, 5, 31))
    [event] = rows()
    assert event.organisation == org
    assert event.details["summary"] == "Учебный год 2027/2028 создан: 01.09.2027–31.05.2028"
    # When its dates change
    services.year_dates_save(
        **{**fields, "year": year}, start=dt.date(2027, 9, 1), end=dt.date(2028, 6, 15)
    )
    assert rows()[-1].details["summary"] == "Учебный год 2027/2028: даты 01.09.2027–15.06.2028"


def test_period_dates_are_audited_and_overlapping_ones_are_not(demo_world):
    w = demo_world
    curator = w.users["curator"]
    periods = list(w.year.periods.filter(scheme="quarters").order_by("number"))
    dates: list[tuple[dt.date | None, dt.date | None]] = [(p.start, p.end) for p in periods]
    bad = list(dates)
    bad[1] = (periods[0].start, bad[1][1])
    refused(lambda: services.periods_save(year=w.year, scheme="quarters", dates=bad, by=curator))
    services.periods_save(year=w.year, scheme="quarters", dates=dates, by=curator)
    summary = last(w, "periods").details["summary"]
    first = periods[0]
    assert summary.startswith(f"Учебный год {w.year.name}, аттестационные периоды: ")
    assert f"{first.name} {first.start:%d.%m.%Y}–{first.end:%d.%m.%Y}" in summary


def test_holidays_added_and_deleted_are_audited(demo_world):
    w = demo_world
    curator = w.users["curator"]
    start = w.year.start + dt.timedelta(days=150)
    refused(
        lambda: services.holiday_add(
            year=w.year, name="", start=start, end=start, grades=[1], by=curator
        )
    )
    holiday = services.holiday_add(
        year=w.year,
        name="Дополнительные каникулы",
        start=start,
        end=start + dt.timedelta(days=6),
        grades=[1],
        by=curator,
    )
    period = f"{start:%d.%m.%Y}–{start + dt.timedelta(days=6):%d.%m.%Y}"
    assert last(w, "holiday_add").details["summary"] == (
        f"Каникулы добавлены: «Дополнительные каникулы» {period}, параллели 1"
    )
    services.holiday_delete(year=w.year, holiday_id=holiday.pk, by=curator)
    assert not Holiday.objects.filter(pk=holiday.pk).exists()
    assert last(w, "holiday_delete").details["summary"] == (
        f"Каникулы удалены: «Дополнительные каникулы» {period}, параллели 1"
    )


def test_bells_and_rooms_are_audited_and_refusals_are_not(demo_world):
    w = demo_world
    curator = w.users["curator"]
    BellSlot.objects.filter(organisation=w.school, number__gte=9).delete()
    refused(
        lambda: services.bell_add(
            organisation=w.school,
            number=9,
            start=dt.time(21, 0),
            end=dt.time(20, 50),
            by=curator,
        )
    )
    bell = services.bell_add(
        organisation=w.school, number=9, start=dt.time(20, 0), end=dt.time(20, 40), by=curator
    )
    assert last(w, "bell_add").details["summary"] == "Звонок добавлен: 9 урок 20:00–20:40"
    services.bell_delete(organisation=w.school, bell_id=bell.pk, by=curator)
    assert last(w, "bell_delete").details["summary"] == "Звонок удалён: 9 урок 20:00–20:40"

    refused(lambda: services.room_add(organisation=w.school, name="  ", by=curator))
    room = services.room_add(organisation=w.school, name="Актовый зал", by=curator)
    refused(lambda: services.room_add(organisation=w.school, name="Актовый зал", by=curator))
    assert last(w, "room_add").details["summary"] == "Кабинет добавлен: Актовый зал"
    services.room_delete(organisation=w.school, room_id=room.pk, by=curator)
    assert last(w, "room_delete").details["summary"] == "Кабинет удалён: Актовый зал"


def test_a_room_in_the_timetable_is_refused_without_an_audit_row(demo_world):
    w = demo_world
    from shkola.timetable.models import TimetableEntry

    entry = TimetableEntry.objects.filter(room__organisation=w.school).first()
    assert entry is not None and entry.room_id is not None
    refused(
        lambda: services.room_delete(
            organisation=w.school, room_id=entry.room_id, by=w.users["curator"]
        )
    )


def test_classes_are_audited_and_a_duplicate_is_not(demo_world):
    w = demo_world
    curator = w.users["curator"]
    teacher = w.users["teacher"]
    class_unit = services.class_add(
        organisation=w.school, year=w.year, grade=11, letter="Я", by=curator
    )
    assert last(w, "class_add").details["summary"] == f"Класс 11Я добавлен ({w.year.name})"
    refused(
        lambda: services.class_add(
            organisation=w.school, year=w.year, grade=11, letter="я", by=curator
        )
    )
    services.class_teacher_set(
        year=w.year, class_unit=class_unit, class_teacher=teacher, by=curator
    )
    assert last(w, "class_teacher").details["summary"] == (
        f"Класс 11Я: классный руководитель — {teacher.short_name}"
    )
    refused(lambda: services.class_delete(year=w.year, class_unit=w.class_unit, by=curator))
    services.class_delete(year=w.year, class_unit=class_unit, by=curator)
    assert not ClassUnit.objects.filter(pk=class_unit.pk).exists()
    assert last(w, "class_delete").details["summary"] == f"Класс 11Я удалён ({w.year.name})"


def test_subjects_curriculum_and_groups_are_audited_and_bad_input_is_not(demo_world):
    w = demo_world
    curator = w.users["curator"]
    refused(lambda: services.subject_add(organisation=w.school, name="", by=curator))
    subject = services.subject_add(organisation=w.school, name="Астрономия", by=curator)
    assert last(w, "subject_add").details["summary"] == "Предмет добавлен: Астрономия"
    assert Subject.objects.filter(pk=subject.pk).exists()

    grade = w.class_unit.parallel.grade
    refused(
        lambda: services.curriculum_set(
            year=w.year, grade=grade, subject=subject, hours=Decimal("0.3"), by=curator
        )
    )
    services.curriculum_set(
        year=w.year, grade=grade, subject=subject, hours=Decimal("1.5"), by=curator
    )
    assert last(w, "curriculum").details["summary"] == (
        f"Учебный план {grade} классов: Астрономия — 1,5 ч в неделю"
    )

    refused(
        lambda: services.group_add(
            organisation=w.school,
            year=w.year,
            kind=StudyGroup.Kind.SUBGROUP,
            name="Английский, 1 группа",
            class_unit=None,
            by=curator,
        )
    )
    services.group_add(
        organisation=w.school,
        year=w.year,
        kind=StudyGroup.Kind.SUBGROUP,
        name="Английский, 1 группа",
        class_unit=w.class_unit,
        by=curator,
    )
    summary = last(w, "group_add").details["summary"]
    assert summary.startswith("Группа добавлена: Английский, 1 группа (")
    assert summary.endswith(f", класс {w.class_unit.name}")


def test_the_wizard_page_writes_the_actor_and_the_school_log_shows_it(demo_world):
    # When the curator adds a room through the wizard page
    w = demo_world
    client = Client()
    client.force_login(w.users["curator"])
    response = client.post(
        reverse("yearsetup:bells"), {"action": "room_add", "room": "Кабинет 404"}
    )
    assert response.status_code == 302
    event = last(w, "room_add")
    # Then the school's «Журнал безопасности» shows the readable kind and the summary
    html = client.get(reverse("accounts:audit") + f"?kind={KIND}").content.decode()
    assert "Настройка учебного года" in html
    assert "Кабинет добавлен: Кабинет 404" in html
    assert event.actor.short_name in html
