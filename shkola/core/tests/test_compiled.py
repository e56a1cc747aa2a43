"""The compile-once layer gives the same rows as the ORM, with new parameters on every call,
and refuses what it cannot compile once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shkola.core.compiled import CompiledQuery
from shkola.core.testing.factories import make_school


@pytest.fixture
def school(db):
    return make_school(n_students=4, generate_lessons_until=dt.date(2026, 9, 30))


def lessons_between(p):
    from shkola.timetable.models import Lesson

    return (
        Lesson.objects.filter(class_unit_id=p.class_id, date__range=(p.start, p.end))
        .order_by("date", "lesson_number", "id")
        .values("id", "date", "lesson_number", "subject__name")
    )


LESSONS = CompiledQuery(lessons_between, class_id=int, start=dt.date, end=dt.date)


def orm_lessons(class_id, start, end):
    from shkola.timetable.models import Lesson

    return list(
        Lesson.objects.filter(class_unit_id=class_id, date__range=(start, end))
        .order_by("date", "lesson_number", "id")
        .values("id", "date", "lesson_number", "subject__name")
    )


def first_lesson_day(school):
    from shkola.timetable.models import Lesson

    day = (
        Lesson.objects.filter(class_unit=school.class_unit)
        .order_by("date")
        .values_list("date", flat=True)
        .first()
    )
    assert day is not None, "make_school dates lessons from the year's start"
    return day


def test_rows_equal_the_orm_for_several_parameter_sets(school):
    start = first_lesson_day(school)
    for first, last in [(0, 3), (2, 2), (5, 30), (40, 50)]:
        a, b = start + dt.timedelta(days=first), start + dt.timedelta(days=last)
        got = LESSONS(class_id=school.class_unit.id, start=a, end=b)
        assert got == orm_lessons(school.class_unit.id, a, b)
    assert LESSONS(class_id=school.class_unit.id + 1000, start=start, end=start) == []
    assert LESSONS(class_id=school.class_unit.id, start=start, end=start)


def test_dates_come_back_as_dates_and_each_call_is_one_query(school):
    start = first_lesson_day(school)
    LESSONS(class_id=school.class_unit.id, start=start, end=start)  # compiled here
    with CaptureQueriesContext(connection) as queries:
        rows = LESSONS(class_id=school.class_unit.id, start=start, end=start)
    assert len(queries) == 1
    assert isinstance(rows[0]["date"], dt.date) and rows[0]["date"] == start


def test_list_parameters_compile_per_length_and_an_empty_list_runs_nothing(school):
    from shkola.schools.models import Student

    ids_of = CompiledQuery(
        lambda p: Student.objects.filter(id__in=p.ids).order_by("id").values_list("id", flat=True),
        ids=[int],
    )
    students = sorted(s.id for s in school.students)
    assert ids_of(ids=students[:1]) == students[:1]
    assert ids_of(ids=students) == students
    assert ids_of(ids=students[1:3]) == students[1:3]
    with CaptureQueriesContext(connection) as queries:
        assert ids_of(ids=[]) == []
    assert len(queries) == 0


def test_tuples_strings_and_first(school):
    from shkola.schools.models import Student

    by_name = CompiledQuery(
        lambda p: (
            Student.objects.filter(last_name=p.name, organisation_id=p.org)
            .order_by("id")
            .values_list("id", "last_name")[:1]
        ),
        name=str,
        org=int,
    )
    student = school.students[0]
    assert by_name.first(name=student.last_name, org=student.organisation_id) == (
        student.id,
        student.last_name,
    )
    assert by_name.first(name="Нет-такой", org=student.organisation_id) is None


def test_a_transforming_lookup_is_refused_when_compiled(school):
    from shkola.schools.models import Student

    fuzzy = CompiledQuery(
        lambda p: Student.objects.filter(last_name__icontains=p.name).values("id"), name=str
    )
    with pytest.raises(ValueError, match="verbatim"):
        fuzzy(name="ов")


def test_wrong_arguments_and_querysets_without_values_are_refused(school):
    from shkola.schools.models import Student

    plain = CompiledQuery(lambda p: Student.objects.filter(id=p.id), id=int)
    with pytest.raises(TypeError, match="values"):
        plain(id=1)
    with pytest.raises(TypeError, match="expects"):
        LESSONS(class_id=1)
    with pytest.raises(TypeError):
        CompiledQuery(lambda p: Student.objects.values("id"), when=float)


def test_datetime_parameters_match_the_orm(school):
    from django.utils import timezone

    from shkola.accounts.models import User

    since = CompiledQuery(
        lambda p: User.objects.filter(date_joined__gte=p.when).order_by("id").values("id"),
        when=dt.datetime,
    )
    for moment in [timezone.now() - dt.timedelta(days=1), timezone.now() + dt.timedelta(days=1)]:
        expected = list(User.objects.filter(date_joined__gte=moment).order_by("id").values("id"))
        assert since(when=moment) == expected
    assert since(when=timezone.now() - dt.timedelta(days=1))


@pytest.mark.django_db
def test_on_postgresql_a_compiled_read_is_a_prepared_statement(school, settings):
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    start = first_lesson_day(school)
    settings.SHKOLA_PREPARED_STATEMENTS = True
    with CaptureQueriesContext(connection) as queries:
        for _ in range(2):
            rows = LESSONS(class_id=school.class_unit.id, start=start, end=start)
    assert rows == orm_lessons(school.class_unit.id, start, start)
    assert len(queries) == 2, "the query log (and query-count tests) still see each read"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%"timetable_lesson"."class_unit_id" = $1%'],
        )
        found = cursor.fetchone()[0]
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        assert found >= 1, cursor.fetchall()

    settings.SHKOLA_PREPARED_STATEMENTS = False  # behind PgBouncer: plain client-side binding
    assert LESSONS(class_id=school.class_unit.id, start=start, end=start) == rows


def test_the_setting_follows_persistent_connections():
    from django.conf import settings

    if connection.vendor != "postgresql":
        assert settings.SHKOLA_PREPARED_STATEMENTS is False


def test_instances_from_a_row_are_what_the_orm_builds_and_can_be_saved(school):
    from shkola.core.compiled import instance_from_row, model_columns
    from shkola.schools.models import AttestationPeriod
    from shkola.timetable.models import Lesson

    columns = [*model_columns(Lesson), *model_columns(AttestationPeriod, "period__")]
    lesson_with_period = CompiledQuery(
        lambda p: Lesson.objects.filter(pk=p.id).values_list(*columns), id=int
    )
    start = first_lesson_day(school)
    for expected in Lesson.objects.filter(
        class_unit=school.class_unit, date__lte=start + dt.timedelta(days=9)
    ).select_related("period"):
        row = lesson_with_period.first(id=expected.id)
        lesson, at = instance_from_row(Lesson, row, 0)
        period, end = instance_from_row(AttestationPeriod, row, at)
        assert end == len(row)
        for got, orm in ((lesson, expected), (period, expected.period)):
            fields = type(orm)._meta.concrete_fields
            assert [getattr(got, f.attname) for f in fields] == [
                getattr(orm, f.attname) for f in fields
            ]
            assert got.get_deferred_fields() == set() and got._state.adding is False
    lesson.topic = "Дроби"
    lesson.save(update_fields=["topic"])
    assert Lesson.objects.get(pk=lesson.pk).topic == "Дроби"


def test_a_long_lived_worker_keeps_a_bounded_number_of_list_length_variants(school, monkeypatch):
    from shkola.core import compiled
    from shkola.schools.models import Student

    monkeypatch.setattr(compiled, "MAX_VARIANTS", 3)
    ids_of = CompiledQuery(
        lambda p: Student.objects.filter(id__in=p.ids).order_by("id").values_list("id", flat=True),
        ids=[int],
    )
    students = sorted(s.id for s in school.students)
    for n in (1, 2, 3, 4, 1, 2):
        assert ids_of(ids=students[:n]) == students[:n]
    assert len(ids_of._cache) == 3
    assert [key[-1] for key in ids_of._cache] == [(4,), (1,), (2,)]
