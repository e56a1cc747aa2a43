"""Every change of the timetable editor lands in «Журнал безопасности» with who made it, in
which school and a Russian summary; a refused change (a clash, bad input) writes nothing."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from shkola.accounts.models import AuditEvent
from shkola.core.testing.factories import make_school, staff
from shkola.schools.models import ClassUnit
from shkola.timetable import services
from shkola.timetable.models import BellSlot, Lesson

pytestmark = pytest.mark.django_db


@pytest.fixture
def school(monkeypatch):
    monkeypatch.setenv("SHKOLA_TODAY", "2026-09-15")
    school = make_school(generate_lessons_until=dt.date(2026, 10, 16))
    for number in (1, 2, 3):
        BellSlot.objects.get_or_create(
            organisation=school.organisation,
            number=number,
            defaults={"start": dt.time(7 + number, 0), "end": dt.time(7 + number, 45)},
        )
    return school


def _only_event(kind):
    events = list(AuditEvent.objects.filter(kind=kind))
    assert len(events) == 1, events
    return events[0]


def _save(school, **changes):
    fields = {
        "academic_year": school.year,
        "entry": None,
        "weekday": 2,
        "lesson_number": 3,
        "subject": school.subject,
        "teacher": school.teacher,
        "room": school.rooms[1],
        "class_unit": school.class_unit,
        "group": None,
        "effective_from": dt.date(2026, 10, 5),
        "by": school.curator,
        **changes,
    }
    return services.timetable_entry_save(**fields)


def test_a_new_cell_is_audited_with_the_actor_the_school_and_the_slot(school):
    # When the curator puts maths into 7А's Tuesday lesson 3 from 5 October
    _save(school)
    # Then one audit row names the class, the day, the lesson, the teacher, the room, the date
    event = _only_event(AuditEvent.Kind.TIMETABLE_CHANGE)
    assert event.actor == school.curator
    assert event.organisation == school.organisation
    assert event.details["summary"] == (
        f"Расписание 7А: вт, 3 урок — Математика, {school.teacher.short_name}, каб. 102, "
        "с 05.10.2026"
    )


def test_a_changed_cell_is_audited_with_the_new_teacher(school):
    # Given the Monday lesson 2, when the curator gives it to another teacher from 28 September
    other = staff(school.organisation, last_name="Петров", first_name="Иван", middle_name="Ник")
    _save(
        school,
        entry=school.entries[0],
        weekday=1,
        lesson_number=2,
        teacher=other,
        room=school.rooms[0],
        effective_from=dt.date(2026, 9, 28),
    )
    event = _only_event(AuditEvent.Kind.TIMETABLE_CHANGE)
    assert event.actor == school.curator
    assert event.details["summary"] == (
        "Расписание 7А: пн, 2 урок — Математика, Петров И.Н., каб. 101, с 28.09.2026"
    )


def test_a_removed_cell_is_audited(school):
    services.timetable_entry_remove(
        entry=school.entries[0], effective_from=dt.date(2026, 9, 28), by=school.curator
    )
    event = _only_event(AuditEvent.Kind.TIMETABLE_CHANGE)
    assert (event.actor, event.organisation) == (school.curator, school.organisation)
    assert event.details["summary"] == "Расписание 7А: пн, 2 урок — урок убран, с 28.09.2026"


def test_a_clash_or_a_bad_lesson_number_writes_no_audit_row(school):
    # Given 7Б in the same school
    other_class = ClassUnit.objects.create(parallel=school.parallel, letter="Б")
    # When the curator puts 7А's teacher into 7Б's Monday lesson 2, where he already teaches
    with pytest.raises(ValidationError):
        _save(school, weekday=1, lesson_number=2, class_unit=other_class)
    # Or a lesson the bell schedule does not have, or a date before the year
    with pytest.raises(ValidationError):
        _save(school, lesson_number=9)
    with pytest.raises(ValidationError):
        services.timetable_entry_remove(
            entry=school.entries[0], effective_from=dt.date(2025, 1, 1), by=school.curator
        )
    # Then nothing is in the audit log
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.TIMETABLE_CHANGE).exists()


def test_a_substitution_and_its_cancelling_are_audited(school):
    lesson = Lesson.objects.get(class_unit=school.class_unit, date=dt.date(2026, 10, 7))
    original = school.teacher.short_name
    substitute = staff(
        school.organisation, last_name="Сидорова", first_name="Анна", middle_name="Алексеевна"
    )
    # When the curator gives Wednesday's lesson to Сидорова
    services.lesson_substitute(
        lesson=lesson, teacher=substitute, subject=school.subject, room=None, by=school.curator
    )
    event = _only_event(AuditEvent.Kind.SUBSTITUTION)
    assert (event.actor, event.organisation) == (school.curator, school.organisation)
    assert event.details["summary"] == (
        f"Замена 07.10.2026, 2 урок 7А: Сидорова А.А. вместо {original}"
    )
    # When the substitution is cancelled, that is audited too
    services.lesson_substitution_cancel(lesson=lesson, by=school.curator)
    cancelled = AuditEvent.objects.filter(kind=AuditEvent.Kind.SUBSTITUTION).exclude(pk=event.pk)
    assert [e.details["summary"] for e in cancelled] == [
        f"Замена 07.10.2026, 2 урок 7А отменена, урок ведёт {original}"
    ]
    assert cancelled[0].actor == school.curator


def test_a_refused_substitution_writes_no_audit_row(school):
    lesson = Lesson.objects.get(class_unit=school.class_unit, date=dt.date(2026, 10, 7))
    # When the «substitution» changes nothing, or a lesson has no substitution to cancel
    with pytest.raises(ValidationError):
        services.lesson_substitute(
            lesson=lesson,
            teacher=school.teacher,
            subject=school.subject,
            room=school.rooms[0],
            by=school.curator,
        )
    with pytest.raises(ValidationError):
        services.lesson_substitution_cancel(lesson=lesson, by=school.curator)
    # Then nothing is in the audit log
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.SUBSTITUTION).exists()
