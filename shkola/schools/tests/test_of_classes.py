"""``of_classes``: a class's own lessons and its subgroups', the same rows as the join it
replaced, in SQL that PostgreSQL reads through indexes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Q

from shkola.core.testing.factories import make_school, subgroup
from shkola.schools.selectors import of_classes


@pytest.fixture
def school(db):
    school = make_school(n_students=4, generate_lessons_until=dt.date(2026, 9, 20))
    other, _students = school.add_class(6, "Б", n_students=2)
    return school, other


def add_group_lessons(school, group, days: int = 5):
    from shkola.timetable.models import Lesson

    for offset in range(days):
        Lesson.objects.create(
            academic_year=school.year,
            period=school.periods[0],
            class_unit=None,
            group=group,
            subject=school.subject,
            teacher=school.teacher,
            date=school.periods[0].start + dt.timedelta(days=offset),
            lesson_number=5,
        )


def test_the_same_lessons_as_the_join_for_one_and_several_classes(school):
    from shkola.journal.models import Mark
    from shkola.timetable.models import Lesson

    school, other = school
    group = subgroup(school, "1 группа", school.students[:2])
    add_group_lessons(school, group)
    for ids in ([school.class_unit.id], [other.id], [school.class_unit.id, other.id], [0]):
        old = Lesson.objects.filter(
            Q(class_unit_id__in=ids) | Q(group__class_unit_id__in=ids)
        ).order_by("id")
        new = Lesson.objects.filter(of_classes(ids)).order_by("id")
        assert list(new.values_list("id", flat=True)) == list(old.values_list("id", flat=True))
    assert Lesson.objects.filter(of_classes(school.class_unit.id), group=group).count() == 5
    # through a relation: marks of the class's lessons
    old_marks = Mark.objects.filter(
        Q(lesson__class_unit_id=school.class_unit.id)
        | Q(lesson__group__class_unit_id=school.class_unit.id)
    )
    new_marks = Mark.objects.filter(of_classes(school.class_unit.id, prefix="lesson__"))
    assert set(new_marks.values_list("id", flat=True)) == set(
        old_marks.values_list("id", flat=True)
    )


def test_postgresql_reads_the_subgroups_first_as_an_array(school):
    from shkola.timetable.models import Lesson

    school, _other = school
    sql = str(Lesson.objects.filter(of_classes(school.class_unit.id)).query)
    if connection.vendor == "postgresql":
        assert "= ANY(ARRAY(SELECT" in sql
    else:
        assert "IN (SELECT" in sql
    assert "schools_studygroup" in sql and "JOIN" not in sql
