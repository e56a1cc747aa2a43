"""``event_save`` / ``event_delete``: the school's own classes and students only, every field's
error named at once, and a whole-school event when nobody is chosen."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from shkola.core.testing.factories import make_school
from shkola.schools import services
from shkola.schools.models import SchoolEvent

pytestmark = pytest.mark.django_db


def test_an_event_is_saved_with_its_classes_and_students(school):
    event = services.event_save(
        organisation=school.organisation,
        title="  День   здоровья ",
        date="2026-10-01",
        time="09:00",
        class_unit_ids=[str(school.class_unit.id)],
        student_ids=[school.students[0].id],
    )

    assert event.title == "День здоровья"
    assert event.date == dt.date(2026, 10, 1)
    assert event.time == dt.time(9, 0)
    assert list(event.class_units.all()) == [school.class_unit]
    assert list(event.students.all()) == [school.students[0]]


def test_nobody_chosen_is_a_whole_school_event_and_a_russian_date_is_understood(school):
    event = services.event_save(
        organisation=school.organisation, title="Линейка", date="01.09.2026"
    )

    assert event.date == dt.date(2026, 9, 1)
    assert event.time is None
    assert not event.class_units.exists() and not event.students.exists()


def test_every_wrong_field_is_named_at_once(school):
    other = make_school(n_students=1)

    with pytest.raises(ValidationError) as error:
        services.event_save(
            organisation=school.organisation,
            title=" ",
            date="завтра",
            time="25:99",
            class_unit_ids=[other.class_unit.id],
            student_ids=["abc"],
        )

    errors = error.value.message_dict
    assert set(errors) == {"title", "date", "time", "class_units", "students"}
    assert errors["class_units"] == ["«Классы»: выбран класс, которого нет в этой школе."]
    assert errors["students"] == ["«Участники»: выберите обучающихся из списка."]
    assert not SchoolEvent.objects.filter(organisation=school.organisation).exists()


def test_another_schools_event_is_neither_changed_nor_deleted(school):
    other = make_school(n_students=1)
    event = services.event_save(organisation=other.organisation, title="Чужое", date="2026-10-01")

    with pytest.raises(ValidationError):
        services.event_save(
            organisation=school.organisation, title="Моё", date="2026-10-02", event=event
        )
    with pytest.raises(ValidationError):
        services.event_delete(organisation=school.organisation, event=event)

    event.refresh_from_db()
    assert event.title == "Чужое"
