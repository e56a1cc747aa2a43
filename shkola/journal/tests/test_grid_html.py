"""The grid page builds its header, rows and cells in Python from plain records read by
compiled queries (issue 14). Its HTML must be byte-for-byte what the former ORM selector, cell
functions and template loops rendered: ``grid_reference`` keeps that code path frozen, and each
test renders the same page both ways through the test client and compares them whole."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from shkola.core.testing.factories import enrol, make_school, subgroup
from shkola.journal import selectors, services, views
from shkola.journal.models import Attendance, FinalMark, FinalMarkKind, Homework, JournalKind, Mark
from shkola.schools.models import ControlForm, Subject
from shkola.timetable.models import Lesson

from . import grid_reference

pytestmark = pytest.mark.django_db

NASTY = "<b>&\"'"


def _normalised(html: str) -> str:
    """Per-request randomness only: the CSP nonce and the masked CSRF tokens."""
    html = re.sub(r'nonce="[^"]+"', 'nonce="N"', html)
    html = re.sub(r'"X-CSRFToken": "[^"]+"', '"X-CSRFToken": "T"', html)
    return re.sub(
        r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value="T"', html
    )


def _both(client, monkeypatch, url: str, query: dict | None = None) -> tuple[str, str]:
    now = client.get(url, query or {})
    assert now.status_code == 200
    with monkeypatch.context() as patched:
        patched.setattr(views, "_grid_page", grid_reference.reference_grid_page)
        before = client.get(url, query or {})
    assert before.status_code == 200
    return _normalised(now.content.decode()), _normalised(before.content.decode())


def _assert_same(now: str, before: str) -> None:
    if now != before:
        import difflib

        diff = "\n".join(
            list(difflib.unified_diff(before.splitlines(), now.splitlines(), lineterm=""))[:40]
        )
        pytest.fail(f"the grid differs from the reference rendering:\n{diff}")


def _save(lesson, student, text, user, journal=JournalKind.MAIN):
    cell = services.cell_load(lesson=lesson, student=student, journal=journal)
    return services.mark_set(
        lesson=lesson,
        student=student,
        text=text,
        fingerprint=cell.fingerprint,
        user=user,
        journal=journal,
        may_edit_closed=True,
    )


@pytest.fixture
def busy(school, monkeypatch):
    """A class with marks of every kind: weights, two marks in a cell, pass/fail, absences,
    notes and names that need escaping, a cancelled lesson, homework, a future lesson, a
    period mark; and a subgroup with its own lessons."""
    monkeypatch.setenv("SHKOLA_TODAY", "2026-09-10")
    odd = enrol(school, school.class_unit, last_name=f"О'Нил {NASTY}", first_name="Ан&на")
    students = [*school.students, odd]
    nasty_form = ControlForm.objects.create(
        organisation=school.organisation, name=f"Срез {NASTY}", weight=3
    )
    forms = [school.control_forms["Контрольная работа"], None, nasty_form, None, None, None]
    topics = ["Дроби", "", f"Тема {NASTY}", "", "Проценты", ""]
    lessons = []
    for i, day in enumerate([1, 2, 4, 7, 9, 11]):
        lessons.append(
            Lesson.objects.create(
                academic_year=school.year,
                period=school.periods[0],
                class_unit=school.class_unit,
                subject=school.subject,
                teacher=school.teacher,
                date=dt.date(2026, 9, day),
                lesson_number=2,
                control_form=forms[i],
                topic=topics[i],
                is_cancelled=i == 3,
            )
        )
    Homework.objects.create(lesson=lessons[1], text="№ 1", created_by=school.teacher)
    Homework.objects.create(lesson=lessons[1], text="№ 2", created_by=school.teacher)
    t = school.teacher
    _save(lessons[0], students[0], "5 4", t)
    _save(lessons[0], students[1], "н", t)
    _save(lessons[0], odd, "оп 3", t)
    _save(lessons[1], students[0], "зач", t)
    _save(lessons[1], students[1], "незач", t)
    _save(lessons[1], students[2], "б", t)
    _save(lessons[2], students[0], "2", t)
    _save(lessons[2], students[2], "у 1", t)
    _save(lessons[3], odd, "5", t)
    _save(lessons[4], students[1], "4 4 5", t)
    _save(lessons[2], students[1], "4", t, journal=JournalKind.HOMEWORK)
    _save(lessons[4], odd, "5 зач", t, journal=JournalKind.HOMEWORK)
    mark = Mark.objects.filter(student=students[0], lesson=lessons[0]).order_by("id").first()
    Mark.objects.filter(id=mark.id).update(comment=NASTY)
    Mark.objects.filter(student=odd, lesson=lessons[3]).update(work_name=NASTY)
    # A mark left on the future lesson (it was moved ahead after the mark was given)
    Mark.objects.create(student=students[2], lesson=lessons[5], value="4", points=4)
    FinalMark.objects.create(
        student=students[0],
        subject=school.subject,
        academic_year=school.year,
        kind=FinalMarkKind.PERIOD,
        period=school.periods[0],
        value="5",
        set_by=t,
    )
    group = subgroup(school, f"Группа {NASTY}", [students[0], odd])
    group_lesson = Lesson.objects.create(
        academic_year=school.year,
        period=school.periods[0],
        class_unit=school.class_unit,
        group=group,
        subject=school.subject,
        teacher=t,
        date=dt.date(2026, 9, 3),
        lesson_number=5,
    )
    _save(group_lesson, odd, "н 5", t)
    return {"lessons": lessons, "students": students, "group": group, "odd": odd}


def _class_url(school) -> str:
    return reverse("journal:grid", args=[school.class_unit.id, school.subject.id])


def test_the_teachers_grid_is_byte_identical(client, school, busy, monkeypatch):
    client.force_login(school.teacher)
    now, before = _both(client, monkeypatch, _class_url(school), {"period": school.periods[0].id})
    _assert_same(now, before)
    # the data really went through escaping, attributes and every kind of cell
    assert "&lt;b&gt;&amp;&quot;&#x27;" in now and NASTY not in now
    for fragment in ("has-note", 'class="att att-н"', "mark-pf", " cancelled", 'class="jw"', "jhw"):
        assert fragment in now, fragment
    assert 'class="ro" data-l' in now  # the future lesson is read-only


@pytest.mark.parametrize(
    "who,query",
    [
        ("teacher", {"journal": "homework"}),
        ("class_teacher", {}),
        ("curator", {"period": "first"}),
        ("teacher", {"period": "second"}),  # a period without lessons
        ("teacher", {"x": '<a href="\'&">'}),  # the remark links carry the escaped full path
    ],
)
def test_other_views_of_the_grid_are_byte_identical(client, school, busy, monkeypatch, who, query):
    if query.get("period") == "first":
        first = school.periods[0]
        first.closed_at = dt.datetime(2026, 10, 30, tzinfo=dt.UTC)
        first.save(update_fields=["closed_at"])
        query = {"period": first.id}
    elif query.get("period") == "second":
        query = {"period": school.periods[1].id}
    client.force_login(getattr(school, who))
    now, before = _both(client, monkeypatch, _class_url(school), query)
    _assert_same(now, before)


def test_the_group_grid_and_an_empty_group_are_byte_identical(client, school, busy, monkeypatch):
    client.force_login(school.teacher)
    url = reverse("journal:group_grid", args=[busy["group"].id, school.subject.id])
    for query in ({}, {"journal": "homework"}):
        now, before = _both(client, monkeypatch, url, query)
        _assert_same(now, before)
    empty = subgroup(school, "Пустая", [])
    client.force_login(school.curator)
    url = reverse("journal:group_grid", args=[empty.id, school.subject.id])
    now, before = _both(client, monkeypatch, url)
    _assert_same(now, before)
    assert "нет обучающихся" in now


# --------------------------------------------------------------------------- compiled reads
# Each compiled read of the grid against its ORM version, on several parameter sets.


def _refs(school, busy):
    ref = selectors.JournalRef(
        school.organisation, school.year, school.subject, class_unit=school.class_unit
    )
    group_ref = selectors.JournalRef(
        school.organisation, school.year, school.subject, group=busy["group"]
    )
    return ref, group_ref


def test_roster_records_are_the_roster(school, busy):
    for ref in _refs(school, busy):
        expected = [
            (
                s.id,
                s.last_name,
                s.first_name,
                s.middle_name,
                s.organisation_id,
                s.current_class_id,
                s.full_name,
            )
            for s in selectors.roster(ref)
        ]
        got = [
            (
                s.id,
                s.last_name,
                s.first_name,
                s.middle_name,
                s.organisation_id,
                s.current_class_id,
                s.full_name,
            )
            for s in selectors.roster_records(ref)
        ]
        assert got == expected and got


def test_grid_lessons_are_the_orm_lessons(school, busy):
    from django.db.models import Count

    spans = [
        (school.periods[0].start, school.periods[0].end),
        (dt.date(2026, 9, 2), dt.date(2026, 9, 7)),
        (school.periods[1].start, school.periods[1].end),
    ]
    for ref in _refs(school, busy):
        for start, end in spans:
            orm = [
                (
                    x.id,
                    x.date,
                    x.topic,
                    x.is_cancelled,
                    x.period_id,
                    x.control_form.name if x.control_form else None,
                    x.control_form.weight if x.control_form else None,
                    x.n_homework,
                )
                for x in selectors.journal_lessons(ref, start, end)
                .select_related("control_form")
                .annotate(n_homework=Count("homework"))
                .order_by("date", "lesson_number", "id")
            ]
            got = [
                (
                    x.id,
                    x.date,
                    x.topic,
                    x.is_cancelled,
                    x.period_id,
                    x.control_form.name if x.control_form else None,
                    x.control_form.weight if x.control_form else None,
                    x.n_homework,
                )
                for x in selectors.grid_lessons(ref, start, end)
            ]
            assert got == orm


def test_grid_marks_attendance_and_finals_are_the_orm_rows(school, busy):
    lesson_ids = [x.id for x in busy["lessons"]]
    for ids in (lesson_ids, lesson_ids[:2], lesson_ids[3:4]):
        for journal in JournalKind.values:
            fields = (
                "id",
                "student_id",
                "lesson_id",
                "value",
                "points",
                "weight",
                "comment",
                "work_name",
                "version",
            )
            assert selectors._GRID_MARKS(lesson_ids=ids, journal=journal) == list(
                Mark.objects.filter(lesson_id__in=ids, journal=journal)
                .order_by("id")
                .values_list(*fields)
            )
        assert selectors._GRID_ATTENDANCE(lesson_ids=ids) == list(
            Attendance.objects.filter(lesson_id__in=ids)
            .order_by("id")
            .values_list("id", "student_id", "lesson_id", "kind", "version")
        )
    student_ids = [s.id for s in busy["students"]]
    for period in school.periods[:2]:
        for ids in (student_ids, student_ids[:1]):
            assert selectors._GRID_FINALS(
                student_ids=ids,
                subject_id=school.subject.id,
                year_id=school.year.id,
                period_id=period.id,
            ) == list(
                FinalMark.objects.filter(
                    student_id__in=ids,
                    subject_id=school.subject.id,
                    academic_year_id=school.year.id,
                    kind=FinalMarkKind.PERIOD,
                    period_id=period.id,
                )
                .order_by("id")
                .values_list("id", "student_id", "value", "version")
            )


def test_periods_and_subject_averages_are_the_orm_ones(school, busy):
    ref, _group_ref = _refs(school, busy)
    expected = grid_reference.reference_periods_for(ref)
    got = selectors.periods_for(ref)
    fields = (
        "id",
        "academic_year_id",
        "scheme",
        "number",
        "start",
        "end",
        "closed_at",
        "closed_by_id",
        "name",
        "is_closed",
    )
    assert [[getattr(p, f) for f in fields] for p in got] == [
        [getattr(p, f) for f in fields] for p in expected
    ]
    assert all(p.academic_year == school.year for p in got)
    physics = Subject.objects.create(organisation=school.organisation, name="Физика")
    lesson = Lesson.objects.create(
        academic_year=school.year,
        period=school.periods[0],
        class_unit=school.class_unit,
        subject=physics,
        teacher=school.teacher,
        date=dt.date(2026, 9, 8),
        lesson_number=4,
        control_form=school.control_forms["Контрольная работа"],
    )
    _save(lesson, busy["students"][0], "3 5", school.teacher)
    _save(lesson, busy["odd"], "2", school.teacher)
    stranger = make_school(subject_name="Химия")
    far = Lesson.objects.create(
        academic_year=stranger.year,
        period=stranger.periods[0],
        class_unit=stranger.class_unit,
        subject=stranger.subject,
        teacher=stranger.teacher,
        date=dt.date(2026, 9, 8),
        lesson_number=1,
    )
    _save(far, stranger.students[0], "4", stranger.teacher)
    subjects = [school.subject.id, physics.id, stranger.subject.id]
    ids = [s.id for s in busy["students"]] + [stranger.students[0].id]
    for period in school.periods[:2]:
        for student_ids, subject_ids in (
            (ids, subjects),
            (ids[:2], subjects[:1]),
            (ids, None),
            (ids[1:2], None),
            ([], subjects),
            (ids, []),
        ):
            assert selectors.subject_averages(student_ids, period, subject_ids) == (
                grid_reference.reference_subject_averages(student_ids, period, subject_ids)
            ), (period, student_ids, subject_ids)
