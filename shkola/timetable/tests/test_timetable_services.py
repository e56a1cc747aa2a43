"""Timetable clash rules and lesson generation across holidays."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from shkola.core.testing.factories import make_school, staff, subgroup
from shkola.journal.models import Attendance, Homework, Mark
from shkola.schools.models import ClassUnit, StudyGroup, Subject
from shkola.timetable import services
from shkola.timetable.models import Lesson, TimetableEntry

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
    (message,) = err.value.message_dict["teacher"]
    # The message names the lesson in the way: subject, class and teacher.
    assert message.startswith("У учителя в это время уже есть урок: ")
    assert school.subject.name in message and "7А" in message


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


def test_a_slot_given_to_another_subject_leaves_marked_lessons_with_their_marks():
    # Given Monday maths for September with a mark on the 21st and a topic on the 28th
    school = make_school(weekdays=(1,))
    services.lessons_generate(
        academic_year=school.year, start=dt.date(2026, 9, 1), end=dt.date(2026, 9, 30)
    )
    lessons = Lesson.objects.filter(academic_year=school.year)
    on_21 = lessons.get(date=dt.date(2026, 9, 21))
    Mark.objects.create(student=school.students[0], lesson=on_21, value="4", points=4, weight=1)
    physics = Subject.objects.create(organisation=school.organisation, name="Физика")
    # When the slot becomes physics from 15 September
    services.timetable_entry_update(
        entry=school.entries[0], subject=physics, effective_from=dt.date(2026, 9, 15)
    )
    # Then the marked maths lesson stays maths (flagged, no longer the slot's) and the slot
    # gets a physics lesson that day; the unmarked 28th simply becomes physics
    rows = sorted(lessons.values_list("date", "subject__name", "is_cancelled"))
    assert rows == [
        (dt.date(2026, 9, 7), "Математика", False),
        (dt.date(2026, 9, 14), "Математика", False),
        (dt.date(2026, 9, 21), "Математика", True),
        (dt.date(2026, 9, 21), "Физика", False),
        (dt.date(2026, 9, 28), "Физика", False),
    ]
    on_21.refresh_from_db()
    assert on_21.subject.name == "Математика" and on_21.timetable_entry_id is None
    assert Mark.objects.get(student=school.students[0]).lesson_id == on_21.id
    # And a second change does not touch the kept lesson again
    services.timetable_entry_update(
        entry=school.entries[0], room=school.rooms[1], effective_from=dt.date(2026, 9, 15)
    )
    assert lessons.filter(date=dt.date(2026, 9, 21)).count() == 2


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


def test_the_grids_first_slot_in_a_year_without_lessons_gets_them_to_the_years_end(monkeypatch):
    # given a year whose timetable is built for the first time (a new school's year wizard)
    monkeypatch.setenv("SHKOLA_TODAY", "2026-08-31")
    school = make_school(weekdays=())
    assert not Lesson.objects.filter(academic_year=school.year).exists()
    # when the curator saves the first cell of the grid (Tuesdays, lesson 1)
    first = services.timetable_entry_save(
        by=school.curator,
        academic_year=school.year,
        entry=None,
        weekday=2,
        lesson_number=1,
        subject=school.subject,
        teacher=school.teacher,
        room=school.rooms[0],
        class_unit=school.class_unit,
        group=None,
        effective_from=dt.date(2026, 9, 1),
    )
    # then its lessons are there from that day through the year (before, nothing generated a
    # new school's lessons and its journal and diary stayed empty)
    dates = list(first.lessons.order_by("date").values_list("date", flat=True))
    assert dates and {d.isoweekday() for d in dates} == {2}
    assert dates[0] == dt.date(2026, 9, 1)
    assert school.year.end - dt.timedelta(days=14) < dates[-1] <= school.year.end
    # and the next cell follows them to the same day
    second = services.timetable_entry_save(
        by=school.curator,
        academic_year=school.year,
        entry=None,
        weekday=5,
        lesson_number=1,
        subject=school.subject,
        teacher=school.teacher,
        room=school.rooms[0],
        class_unit=school.class_unit,
        group=None,
        effective_from=dt.date(2026, 9, 1),
    )
    later = list(second.lessons.order_by("date").values_list("date", flat=True))
    assert later[0] == dt.date(2026, 9, 4) and later[-1] > dates[-1] - dt.timedelta(days=7)


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
    assert "У учителя в это время уже есть урок: " in response.content.decode()
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


def _mixed_club(school):
    """Given a 7А pupil and an 8Б pupil in one extra-education group (no class of its own),
    with 7А's maths on Tuesday, lesson 1."""
    class_8b, (boris,) = school.add_class(8, "Б", 1)
    anna = school.students[0]
    anna.last_name, anna.first_name = "Антонова", "Анна"
    anna.save()
    club = StudyGroup.objects.create(
        organisation=school.organisation,
        academic_year=school.year,
        kind=StudyGroup.Kind.EXTRA,
        name="Кружок «Робототехника»",
        subject=school.subject,
    )
    club.students.set([anna, boris])
    robotics = Subject.objects.create(
        organisation=school.organisation, name="Робототехника", is_extra=True
    )
    _entry(school)  # 7А, Математика, вторник, 1-й урок
    return club, robotics, class_8b, boris


def _club_entry(school, club, robotics, **kw):
    args = dict(
        group=club,
        class_unit=None,
        subject=robotics,
        teacher=staff(school.organisation),
        room=school.rooms[2],
    )
    args.update(kw)
    return _entry(school, **args)


def test_a_mixed_group_cannot_meet_while_a_pupils_class_has_a_lesson():
    school = make_school(weekdays=())
    club, robotics, _8b, _boris = _mixed_club(school)
    with pytest.raises(ValidationError) as err:
        _club_entry(school, club, robotics)
    assert set(err.value.message_dict) == {"group"}
    assert err.value.message_dict["group"] == [
        "У обучающегося Антонова Анна (7А) в это время уже есть урок: Математика, 7А."
    ]
    assert not TimetableEntry.objects.filter(group=club).exists()


def test_a_mixed_group_may_meet_when_none_of_its_pupils_is_busy():
    school = make_school(weekdays=())
    club, robotics, class_8b, _boris = _mixed_club(school)
    # Another class and a group without these pupils are busy at that time: no matter.
    other_club = StudyGroup.objects.create(
        organisation=school.organisation,
        academic_year=school.year,
        kind=StudyGroup.Kind.EXTRA,
        name="Хор",
        subject=school.subject,
    )
    other_club.students.set(school.students[1:])
    _entry(
        school,
        weekday=3,
        group=other_club,
        class_unit=None,
        teacher=staff(school.organisation),
        room=school.rooms[0],
    )
    _8a, _ = school.add_class(8, "А", 2)
    _entry(
        school,
        weekday=3,
        class_unit=_8a,
        teacher=staff(school.organisation),
        room=school.rooms[1],
    )

    entry = _club_entry(school, club, robotics, weekday=3)

    assert entry.group == club and entry.class_unit is None


def test_a_pupil_cannot_be_in_two_mixed_groups_at_once():
    school = make_school(weekdays=())
    club, robotics, _8b, boris = _mixed_club(school)
    _club_entry(school, club, robotics, weekday=3)
    chess = StudyGroup.objects.create(
        organisation=school.organisation,
        academic_year=school.year,
        kind=StudyGroup.Kind.EXTRA,
        name="Шахматы",
        subject=robotics,
    )
    chess.students.set([boris])
    with pytest.raises(ValidationError) as err:
        _club_entry(school, chess, robotics, weekday=3, room=school.rooms[1])
    assert "Робототехника, Кружок «Робототехника»" in err.value.message_dict["group"][0]
    assert "(8Б)" in err.value.message_dict["group"][0]


def test_a_class_lesson_cannot_take_the_time_of_a_group_one_of_its_pupils_is_in():
    school = make_school(weekdays=())
    club, robotics, class_8b, _boris = _mixed_club(school)
    _club_entry(school, club, robotics, weekday=3)
    with pytest.raises(ValidationError) as err:
        _entry(school, weekday=3, teacher=staff(school.organisation), room=school.rooms[1])
    assert set(err.value.message_dict) == {"class_unit"}
    assert err.value.message_dict["class_unit"] == [
        "У обучающегося Антонова Анна (7А) в это время уже есть урок: "
        "Робототехника, Кружок «Робототехника»."
    ]
    # 8Б's pupil is in the club too; a class without club members is free.
    with pytest.raises(ValidationError):
        _entry(
            school,
            weekday=3,
            class_unit=class_8b,
            teacher=staff(school.organisation),
            room=school.rooms[1],
        )
    class_7b, _ = school.add_class(7, "Б", 2)
    _entry(school, weekday=3, class_unit=class_7b, teacher=staff(school.organisation))


def test_a_subgroup_lesson_of_a_club_member_blocks_the_club_but_not_the_other_half():
    school = make_school(weekdays=(), n_students=4)
    club, robotics, _8b, _boris = _mixed_club(school)  # Anna is school.students[0]
    english = Subject.objects.create(organisation=school.organisation, name="Английский язык")
    with_anna = subgroup(school, "7А англ. 1", school.students[:2], english)
    without_anna = subgroup(school, "7А англ. 2", school.students[2:], english)
    _entry(school, weekday=4, group=with_anna, subject=english)
    with pytest.raises(ValidationError) as err:
        _club_entry(school, club, robotics, weekday=4)
    assert "Английский язык, 7А англ. 1" in err.value.message_dict["group"][0]
    services.timetable_entry_delete(entry=TimetableEntry.objects.get(group=with_anna))
    _entry(school, weekday=4, group=without_anna, subject=english)
    _club_entry(school, club, robotics, weekday=4)


def test_moving_an_entry_is_checked_for_its_pupils_the_same_way():
    school = make_school(weekdays=())
    club, robotics, _8b, _boris = _mixed_club(school)
    club_entry = _club_entry(school, club, robotics, weekday=3)
    # Moving the club onto 7А's maths is refused and leaves the entry where it was.
    with pytest.raises(ValidationError) as err:
        services.timetable_entry_update(entry=club_entry, weekday=2)
    assert "Математика, 7А" in err.value.message_dict["group"][0]
    club_entry.refresh_from_db()
    assert club_entry.weekday == 3
    # …and moving 7А's maths onto the club's time is refused the other way round.
    maths = TimetableEntry.objects.get(class_unit=school.class_unit, group__isnull=True)
    with pytest.raises(ValidationError) as err:
        services.timetable_entry_update(entry=maths, weekday=3)
    assert "Кружок «Робототехника»" in err.value.message_dict["class_unit"][0]
    # A move to a time when none of the pupils is busy goes through; the entry is not its own
    # clash.
    services.timetable_entry_update(entry=club_entry, weekday=5)
    services.timetable_entry_update(entry=club_entry, room=school.rooms[1])
    assert TimetableEntry.objects.get(id=club_entry.id).weekday == 5


def test_the_clash_check_costs_the_same_for_a_big_club(django_assert_max_num_queries):
    school = make_school(weekdays=(), n_students=2)
    club, robotics, _8b, _boris = _mixed_club(school)
    _other, many = school.add_class(9, "В", 25)
    club.students.add(*many)
    free_teacher = staff(school.organisation)

    with django_assert_max_num_queries(6):
        errors = services.timetable_clashes(
            academic_year=school.year,
            weekday=2,
            lesson_number=1,
            teacher=free_teacher,
            room=None,
            class_unit=None,
            group=club,
        )
    assert set(errors) == {"group"}
