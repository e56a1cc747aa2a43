"""Timetable clash rules and lesson generation across holidays."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from shkola.core.testing.factories import make_school, staff, subgroup
from shkola.journal.models import Attendance, Homework, Mark
from shkola.schools.models import ClassUnit, Subject
from shkola.timetable import services
from shkola.timetable.models import Lesson

pytestmark = pytest.mark.django_db


def _entry(school, **kw):
    args = dict(
        academic_year=school.year,
        weekday=2,
        lesson_number=1,
        subject=school.subject,
        teacher=school.teacher,
        room=school.rooms[0],
        class_unit=school.class_unit,
    )
    args.update(kw)
    return services.timetable_entry_create(**args)


def test_a_teacher_cannot_be_in_two_classes_at_once():
    school = make_school(weekdays=())
    other_class, _ = school.add_class(7, "Б", 0)
    _entry(school)
    with pytest.raises(ValidationError) as err:
        _entry(school, class_unit=other_class, room=school.rooms[1])
    assert "teacher" in err.value.message_dict
    assert "У учителя в это время уже есть урок." in err.value.message_dict["teacher"]


def test_a_room_cannot_host_two_lessons_at_once():
    school = make_school(weekdays=())
    other_class, _ = school.add_class(7, "Б", 0)
    _entry(school)
    with pytest.raises(ValidationError) as err:
        _entry(school, class_unit=other_class, teacher=staff(school.organisation))
    assert set(err.value.message_dict) == {"room"}


def test_a_class_cannot_have_two_lessons_at_once():
    school = make_school(weekdays=())
    _entry(school)
    with pytest.raises(ValidationError) as err:
        _entry(school, teacher=staff(school.organisation), room=school.rooms[1])
    assert set(err.value.message_dict) == {"class_unit"}


def test_the_same_slot_on_another_day_or_number_is_fine():
    school = make_school(weekdays=())
    _entry(school)
    _entry(school, weekday=3)
    _entry(school, lesson_number=2)


def test_two_subgroups_of_a_class_may_study_at_the_same_time():
    school = make_school(weekdays=(), n_students=4)
    english = Subject.objects.create(organisation=school.organisation, name="Английский язык")
    g1 = subgroup(school, "7А англ. 1", school.students[:2], english)
    g2 = subgroup(school, "7А англ. 2", school.students[2:], english)
    t2 = staff(school.organisation)
    _entry(school, group=g1, subject=english)
    _entry(school, group=g2, subject=english, teacher=t2, room=school.rooms[1])
    # …but the whole class cannot be taught while a subgroup is busy.
    with pytest.raises(ValidationError) as err:
        _entry(school, teacher=staff(school.organisation), room=school.rooms[2])
    assert "class_unit" in err.value.message_dict
    # …and a subgroup cannot be in two places at once.
    with pytest.raises(ValidationError) as err:
        _entry(
            school,
            group=g1,
            subject=english,
            teacher=staff(school.organisation),
            room=school.rooms[2],
        )
    assert "group" in err.value.message_dict


def test_update_checks_clashes_but_not_against_itself():
    school = make_school(weekdays=())
    entry = _entry(school)
    services.timetable_entry_update(entry=entry, room=school.rooms[1])
    other = _entry(school, weekday=4)
    with pytest.raises(ValidationError):
        services.timetable_entry_update(entry=other, weekday=2)


def test_lessons_are_generated_on_school_days_only():
    # Mondays, Wednesdays and Fridays; autumn holidays 25.10–02.11.2026.
    school = make_school(weekdays=(1, 3, 5))
    result = services.lessons_generate(
        academic_year=school.year, start=dt.date(2026, 10, 19), end=dt.date(2026, 11, 8)
    )
    dates = sorted(Lesson.objects.filter(academic_year=school.year).values_list("date", flat=True))
    assert dates == [
        dt.date(2026, 10, 19),
        dt.date(2026, 10, 21),
        dt.date(2026, 10, 23),
        # 26.10, 28.10, 30.10 and 02.11 fall in the holidays
        dt.date(2026, 11, 4),
        dt.date(2026, 11, 6),
    ]
    assert result["created"] == 5
    assert all(
        lesson.period is not None
        for lesson in Lesson.objects.filter(academic_year=school.year).all()
    )
    assert (
        Lesson.objects.filter(academic_year=school.year)
        .get(date=dt.date(2026, 10, 23))
        .period.number
        == 1
    )
    assert (
        Lesson.objects.filter(academic_year=school.year)
        .get(date=dt.date(2026, 11, 4))
        .period.number
        == 2
    )


def test_grade_specific_holidays_skip_only_that_grade():
    school = make_school(grade=1, weekdays=(1,))
    services.lessons_generate(
        academic_year=school.year, start=dt.date(2027, 2, 8), end=dt.date(2027, 2, 22)
    )
    assert sorted(
        Lesson.objects.filter(academic_year=school.year).values_list("date", flat=True)
    ) == [
        dt.date(2027, 2, 8),
        dt.date(2027, 2, 22),
    ]
    school7 = make_school(grade=7, weekdays=(1,))
    services.lessons_generate(
        academic_year=school7.year, start=dt.date(2027, 2, 8), end=dt.date(2027, 2, 22)
    )
    assert Lesson.objects.filter(class_unit=school7.class_unit).count() == 3


def test_generation_is_idempotent():
    school = make_school(weekdays=(1, 3))
    services.lessons_generate(
        academic_year=school.year, start=dt.date(2026, 9, 1), end=dt.date(2026, 9, 30)
    )
    n = Lesson.objects.filter(academic_year=school.year).count()
    again = services.lessons_generate(
        academic_year=school.year, start=dt.date(2026, 9, 1), end=dt.date(2026, 9, 30)
    )
    assert Lesson.objects.filter(academic_year=school.year).count() == n
    assert again == {"created": 0, "updated": 0, "deleted": 0, "kept_with_marks": 0}


def test_a_moved_slot_moves_its_lessons_and_keeps_topics():
    school = make_school(weekdays=(1,))
    services.lessons_generate(
        academic_year=school.year, start=dt.date(2026, 9, 7), end=dt.date(2026, 9, 7)
    )
    lesson = Lesson.objects.filter(academic_year=school.year).get()
    lesson.topic = "Дроби"
    lesson.save()
    services.timetable_entry_update(entry=school.entries[0], lesson_number=4, room=school.rooms[2])
    services.lessons_generate(
        academic_year=school.year, start=dt.date(2026, 9, 7), end=dt.date(2026, 9, 7)
    )
    lesson.refresh_from_db()
    assert (lesson.lesson_number, lesson.room, lesson.topic) == (
        4,
        school.rooms[2],
        "Дроби",
    )


def test_a_lesson_with_marks_is_never_silently_deleted():
    school = make_school(weekdays=(1, 3))
    services.lessons_generate(
        academic_year=school.year, start=dt.date(2026, 9, 7), end=dt.date(2026, 9, 18)
    )
    lessons = Lesson.objects.filter(academic_year=school.year)
    monday = lessons.get(date=dt.date(2026, 9, 7))
    wednesday = lessons.get(date=dt.date(2026, 9, 9))
    Mark.objects.create(student=school.students[0], lesson=monday, value="5", points=5, weight=1)
    Attendance.objects.create(student=school.students[1], lesson=wednesday, kind="н")
    # The school drops maths from the timetable altogether.
    deleted = 0
    for entry in school.entries:
        result = services.timetable_entry_delete(entry=entry, regenerate_from=dt.date(2026, 9, 1))
        deleted += result["deleted"]
    # The lessons with a mark or an absence stay, flagged; the two without anything went.
    assert sorted(lessons.values_list("date", "is_cancelled")) == [
        (dt.date(2026, 9, 7), True),
        (dt.date(2026, 9, 9), True),
    ]
    assert Mark.objects.filter(lesson=monday).exists()
    assert deleted == 2


def test_moving_a_slot_moves_its_lessons_from_the_day_the_change_takes_effect():
    # Given Monday maths with lessons generated for September (7, 14, 21, 28)
    school = make_school(weekdays=(1,))
    services.lessons_generate(
        academic_year=school.year, start=dt.date(2026, 9, 1), end=dt.date(2026, 9, 30)
    )
    lessons = Lesson.objects.filter(academic_year=school.year)
    on_21 = lessons.get(date=dt.date(2026, 9, 21))
    Mark.objects.create(student=school.students[0], lesson=on_21, value="4", points=4, weight=1)
    # When the slot moves to Tuesday from 15 September
    services.timetable_entry_update(
        entry=school.entries[0], weekday=2, effective_from=dt.date(2026, 9, 15)
    )
    # Then the past Mondays stay, the later ones move to Tuesday (up to the last generated
    # lesson, 28 September),
    # and the Monday with a mark is kept, flagged, not silently deleted
    assert sorted(lessons.values_list("date", "is_cancelled")) == [
        (dt.date(2026, 9, 7), False),
        (dt.date(2026, 9, 14), False),
        (dt.date(2026, 9, 15), False),
        (dt.date(2026, 9, 21), True),
        (dt.date(2026, 9, 22), False),
    ]
    assert Mark.objects.get(student=school.students[0]).lesson_id == on_21.id


def test_a_slot_moved_to_another_day_takes_its_planned_topics_and_homework_along():
    # Given Monday maths planned ahead for September: topics on every lesson, homework on 21
    school = make_school(weekdays=(1,))
    services.lessons_generate(
        academic_year=school.year, start=dt.date(2026, 9, 1), end=dt.date(2026, 9, 30)
    )
    lessons = Lesson.objects.filter(academic_year=school.year)
    for n, lesson in enumerate(lessons.order_by("date"), start=1):
        lesson.topic = f"Тема {n}"
        lesson.save(update_fields=["topic"])
    Homework.objects.create(lesson=lessons.get(date=dt.date(2026, 9, 21)), text="№ 101, 102")
    # When the slot moves to Wednesday from 15 September
    services.timetable_entry_update(
        entry=school.entries[0], weekday=3, effective_from=dt.date(2026, 9, 15)
    )
    # Then the plan follows the slot: the 3rd and 4th planned lessons (21st and 28th) are now
    # the 16th and 23rd, the 3rd with its homework; nothing planned is lost
    assert sorted(lessons.values_list("date", "topic", "is_cancelled")) == [
        (dt.date(2026, 9, 7), "Тема 1", False),
        (dt.date(2026, 9, 14), "Тема 2", False),
        (dt.date(2026, 9, 16), "Тема 3", False),
        (dt.date(2026, 9, 23), "Тема 4", False),
    ]
    homework = Homework.objects.get(text="№ 101, 102")
    assert (homework.lesson.date, homework.lesson.topic) == (dt.date(2026, 9, 16), "Тема 3")


def test_a_new_slot_gets_its_lessons_where_the_year_is_generated():
    school = make_school(weekdays=(1,))
    services.lessons_generate(
        academic_year=school.year, start=dt.date(2026, 9, 1), end=dt.date(2026, 9, 30)
    )
    english = Subject.objects.create(organisation=school.organisation, name="Английский язык")
    entry = _entry(
        school,
        weekday=4,
        subject=english,
        teacher=staff(school.organisation),
        room=school.rooms[1],
        effective_from=dt.date(2026, 9, 12),
    )
    # Thursdays from 12 September up to the last generated day (30 September)
    assert sorted(entry.lessons.values_list("date", flat=True)) == [
        dt.date(2026, 9, 17),
        dt.date(2026, 9, 24),
    ]


def test_a_new_slot_before_any_generation_creates_no_lessons():
    school = make_school(weekdays=())
    entry = _entry(school, effective_from=dt.date(2026, 9, 1))
    assert not entry.lessons.exists()


def test_a_deleted_slot_without_marks_takes_its_future_lessons():
    school = make_school(weekdays=(1,))
    services.lessons_generate(
        academic_year=school.year, start=dt.date(2026, 9, 1), end=dt.date(2026, 9, 30)
    )
    assert Lesson.objects.filter(academic_year=school.year).count() == 4
    services.timetable_entry_delete(entry=school.entries[0], regenerate_from=dt.date(2026, 9, 1))
    assert Lesson.objects.filter(academic_year=school.year).count() == 0


def test_clash_rules_also_guard_the_admin(admin_client):
    school = make_school(weekdays=(1,))
    other = ClassUnit.objects.create(parallel=school.parallel, letter="Б")
    response = admin_client.post(
        "/admin/timetable/timetableentry/add/",
        {
            "academic_year": school.year.id,
            "class_unit": other.id,
            "weekday": 1,
            "lesson_number": 2,
            "subject": school.subject.id,
            "teacher": school.teacher.id,
            "room": school.rooms[1].id,
        },
    )
    assert response.status_code == 200
    assert "У учителя в это время уже есть урок." in response.content.decode()
    assert not other.timetable_entries.exists()


def test_a_slot_moved_in_the_admin_takes_its_future_lessons_along(admin_client, monkeypatch):
    monkeypatch.setenv("SHKOLA_TODAY", "2026-09-15")
    school = make_school(weekdays=(1,))
    services.lessons_generate(
        academic_year=school.year, start=dt.date(2026, 9, 1), end=dt.date(2026, 9, 30)
    )
    entry = school.entries[0]
    response = admin_client.post(
        f"/admin/timetable/timetableentry/{entry.id}/change/",
        {
            "academic_year": school.year.id,
            "class_unit": school.class_unit.id,
            "weekday": 3,
            "lesson_number": entry.lesson_number,
            "subject": school.subject.id,
            "teacher": school.teacher.id,
            "room": entry.room_id or "",
        },
    )
    assert response.status_code == 302
    # Mondays before today stay; from today on the lessons are on Wednesdays
    assert sorted(entry.lessons.values_list("date", flat=True)) == [
        dt.date(2026, 9, 7),
        dt.date(2026, 9, 14),
        dt.date(2026, 9, 16),
        dt.date(2026, 9, 23),
    ]


def test_a_parallel_with_its_own_periods_gets_lessons_in_those_periods():
    # Given a school on quarters whose 7th grade works in half-years
    from shkola.schools import services as school_services

    school = make_school(weekdays=(1,))
    school_services.attestation_periods_set(
        academic_year=school.year,
        scheme="halves",
        periods=[
            (dt.date(2026, 9, 1), dt.date(2026, 12, 28)),
            (dt.date(2027, 1, 12), dt.date(2027, 5, 31)),
        ],
    )
    school.parallel.period_scheme = "halves"
    school.parallel.save()
    # When November's lessons are generated
    services.lessons_generate(
        academic_year=school.year, start=dt.date(2026, 11, 9), end=dt.date(2026, 11, 9)
    )
    # Then the lesson belongs to the first half-year, not to the school's 2nd quarter
    lesson = Lesson.objects.filter(academic_year=school.year).get()
    assert (lesson.period.scheme, lesson.period.number) == ("halves", 1)
