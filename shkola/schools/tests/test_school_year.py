"""Enrolment history → current class, the calendar schedule, periods."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from shkola.core.testing.factories import (
    OrganisationFactory,
    StudentFactory,
    TerritoryFactory,
    make_school,
)
from shkola.schools import selectors, services
from shkola.schools.models import ClassUnit, Enrolment, Territory

pytestmark = pytest.mark.django_db


def test_current_class_follows_the_latest_history_line():
    school = make_school(n_students=0)
    b_class = ClassUnit.objects.create(parallel=school.parallel, letter="Б")
    student = StudentFactory(organisation=school.organisation)
    services.enrolment_record(
        student=student,
        action="admit",
        date=dt.date(2026, 9, 1),
        order_number="12-у",
        class_unit=school.class_unit,
    )
    assert student.current_class == school.class_unit
    services.enrolment_record(
        student=student,
        action="transfer",
        date=dt.date(2026, 11, 10),
        order_number="40-у",
        class_unit=b_class,
    )
    student.refresh_from_db()
    assert student.current_class == b_class
    # A line recorded later but dated earlier does not override the latest one.
    services.enrolment_record(
        student=student,
        action="transfer",
        date=dt.date(2026, 10, 1),
        order_number="30-у",
        class_unit=school.class_unit,
    )
    student.refresh_from_db()
    assert student.current_class == b_class
    assert list(
        Enrolment.objects.filter(student=student).values_list("order_number", flat=True)
    ) == ["12-у", "30-у", "40-у"]


def test_leaving_the_school_clears_the_current_class():
    school = make_school(n_students=1)
    student = school.students[0]
    services.enrolment_record(
        student=student, action="expel", date=dt.date(2026, 12, 1), order_number="77-у"
    )
    student.refresh_from_db()
    assert student.current_class is None
    assert student not in selectors.students_of_class(school.class_unit)


def test_history_needs_an_order_number_and_a_class():
    school = make_school(n_students=1)
    with pytest.raises(ValidationError) as err:
        services.enrolment_record(
            student=school.students[0],
            action="transfer",
            date=dt.date(2026, 9, 2),
            order_number=" ",
            class_unit=school.class_unit,
        )
    assert "order_number" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.enrolment_record(
            student=school.students[0],
            action="transfer",
            date=dt.date(2026, 9, 2),
            order_number="5",
        )
    assert "class_unit" in err.value.message_dict


def test_transfer_to_another_school_moves_the_student():
    school = make_school(n_students=1)
    other = make_school(
        organisation=OrganisationFactory(territory=school.organisation.territory),
        n_students=0,
    )
    student = school.students[0]
    services.enrolment_record(
        student=student,
        action="transfer",
        date=dt.date(2026, 10, 5),
        order_number="9",
        class_unit=other.class_unit,
    )
    student.refresh_from_db()
    assert student.organisation == other.organisation
    assert student.current_class == other.class_unit


def test_a_bad_snils_is_refused_with_the_field_named():
    org = OrganisationFactory()
    with pytest.raises(ValidationError) as err:
        services.student_create(
            organisation=org,
            last_name="Иванов",
            first_name="Пётр",
            birth_date=dt.date(2014, 1, 1),
            sex="m",
            snils="112-233-445 96",
        )
    assert "snils" in err.value.message_dict


def test_days_until_the_next_holiday():
    school = make_school()
    year = school.year
    # Friday 16 October 2026 → autumn holidays start on 25 October: 9 days.
    nxt = selectors.next_holiday(year, dt.date(2026, 10, 16))
    assert (nxt.holiday.name, nxt.days_left) == ("Осенние каникулы", 9)
    # During the holidays the counter says they are on.
    assert selectors.next_holiday(year, dt.date(2026, 10, 30)).days_left == 0
    # The day after the autumn holidays the next are the winter ones.
    nxt = selectors.next_holiday(year, dt.date(2026, 11, 3))
    assert (nxt.holiday.name, nxt.days_left) == ("Зимние каникулы", 56)
    # The first grade's extra February week is not a holiday for the seventh grade.
    assert (
        selectors.next_holiday(year, dt.date(2027, 2, 1), grade=7).holiday.name
        == "Весенние каникулы"
    )
    assert (
        selectors.next_holiday(year, dt.date(2027, 2, 1), grade=1).holiday.name
        == "Дополнительные каникулы"
    )
    assert selectors.next_holiday(year, dt.date(2027, 5, 1)) is None


def test_is_school_day():
    year = make_school().year
    assert selectors.is_school_day(year, dt.date(2026, 11, 20))  # Friday
    assert not selectors.is_school_day(year, dt.date(2026, 11, 21))  # Saturday
    assert selectors.is_school_day(year, dt.date(2026, 11, 21), weekdays=6)  # six-day school
    assert not selectors.is_school_day(year, dt.date(2026, 10, 27))  # autumn holidays
    assert not selectors.is_school_day(year, dt.date(2027, 2, 10), grade=1)
    assert selectors.is_school_day(year, dt.date(2027, 2, 10), grade=7)
    assert not selectors.is_school_day(year, dt.date(2026, 8, 31))  # before the year


def test_period_on_a_day_and_between_periods():
    school = make_school()
    assert selectors.period_on(school.year, dt.date(2026, 11, 20)).number == 2
    assert (
        selectors.period_on(school.year, dt.date(2026, 10, 28)).number == 1
    )  # holiday: the one just ended


def test_periods_must_fit_the_year_and_not_overlap():
    org = OrganisationFactory()
    with pytest.raises(ValidationError):
        services.academic_year_create(
            organisation=org,
            name="2026/2027",
            start=dt.date(2026, 9, 1),
            end=dt.date(2027, 5, 31),
            periods=[
                (dt.date(2026, 9, 1), dt.date(2026, 12, 31)),
                (dt.date(2026, 12, 1), dt.date(2027, 5, 31)),
            ],
            scheme="halves",
        )
    year = services.academic_year_create(
        organisation=org,
        name="2026/2027",
        start=dt.date(2026, 9, 1),
        end=dt.date(2027, 5, 31),
        periods=[
            (dt.date(2026, 9, 1), dt.date(2026, 11, 30)),
            (dt.date(2026, 12, 1), dt.date(2027, 2, 28)),
            (dt.date(2027, 3, 1), dt.date(2027, 5, 31)),
        ],
        scheme="trimesters",
    )
    assert [p.name for p in year.periods.order_by("number")] == [
        "1 триместр",
        "2 триместр",
        "3 триместр",
    ]


def test_a_school_is_registered_in_a_municipality():
    region = Territory.objects.create(name="Московская область", kind="region")
    with pytest.raises(ValidationError) as err:
        services.organisation_register(territory=region, short_name="СОШ №5", full_name="")
    assert "territory" in err.value.message_dict
    org = services.organisation_register(
        territory=TerritoryFactory(parent=region),
        short_name="СОШ №5",
        full_name="",
        admin_last_name="Петрова",
    )
    assert org.full_name == "СОШ №5"
    # …and starts with the default forms of control, which it may change later
    assert sorted(org.control_forms.values_list("name", "weight", "is_test")) == [
        ("Домашняя работа", 1, False),
        ("Контрольная работа", 5, True),
        ("Ответ на уроке", 1, False),
        ("Самостоятельная работа", 3, False),
    ]
