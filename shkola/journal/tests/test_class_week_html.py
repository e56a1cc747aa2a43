"""The class teacher's week reads through compiled queries (issue 14); its page and its data
must be what the former ORM code built (``class_week_reference``), byte for byte."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from shkola.core.testing.factories import enrol, subgroup
from shkola.journal import reports, services
from shkola.journal.models import JournalKind
from shkola.schools.models import CurriculumItem, StudyGroup, Subject
from shkola.timetable.models import Lesson

from . import class_week_reference

pytestmark = pytest.mark.django_db


def _save(lesson, student, text, user, journal=JournalKind.MAIN):
    cell = services.cell_load(lesson=lesson, student=student, journal=journal)
    services.mark_set(
        lesson=lesson,
        student=student,
        text=text,
        fingerprint=cell.fingerprint,
        user=user,
        journal=journal,
        may_edit_closed=True,
    )


@pytest.fixture
def week(school, monkeypatch):
    """Lessons of the class, of a subgroup, of a club subject and of an extra-education group
    over two weeks, marks of every kind, a curriculum subject without lessons, a student who
    left the class."""
    monkeypatch.setenv("SHKOLA_TODAY", "2026-09-20")
    org, t = school.organisation, school.teacher
    students = [*school.students, enrol(school, school.class_unit, last_name="Ёлкина <i>")]
    physics = Subject.objects.create(organisation=org, name="Физика", short_name="Физ. <b>")
    club = Subject.objects.create(organisation=org, name="Шахматы", is_extra=True)
    history = Subject.objects.create(organisation=org, name="История")
    CurriculumItem.objects.create(class_unit=school.class_unit, subject=history, hours_per_week=2)
    group = subgroup(school, "Группа 1", students[:2], subject=physics)
    extra = StudyGroup.objects.create(
        organisation=org,
        academic_year=school.year,
        kind=StudyGroup.Kind.EXTRA,
        name="Робототехника",
        class_unit=school.class_unit,
        subject=school.subject,
    )
    extra.students.set(students)
    plan = [
        (school.subject, None, 1, "5 4"),
        (school.subject, None, 2, "н 3"),
        (physics, group, 3, "4"),
        (club, None, 4, "5"),
        (school.subject, extra, 4, "2"),
        (school.subject, None, 8, "зач"),
        (physics, None, 9, "б 2"),
        (school.subject, None, 16, "5"),
    ]
    for i, (subject, owner, day, text) in enumerate(plan):
        lesson = Lesson.objects.create(
            academic_year=school.year,
            period=school.periods[0],
            # a group's lesson may name the class or only the group
            class_unit=None if owner is group else school.class_unit,
            group=owner,
            subject=subject,
            teacher=t,
            date=dt.date(2026, 9, day),
            lesson_number=1 + i % 4,
            control_form=school.control_forms["Контрольная работа"] if i == 1 else None,
        )
        for student in students[: 1 + i % len(students)]:
            if owner is None or student in owner.students.all():
                _save(lesson, student, text, t)
        _save(lesson, students[0], "4", t, journal=JournalKind.HOMEWORK)
    gone = students[1]
    other = school.add_class(8, "Б", 1)[0]
    gone.current_class = other
    gone.save(update_fields=["current_class"])
    return school


def _normalised(html: str) -> str:
    html = re.sub(r'nonce="[^"]+"', 'nonce="N"', html)
    html = re.sub(r'"X-CSRFToken": "[^"]+"', '"X-CSRFToken": "T"', html)
    return re.sub(
        r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value="T"', html
    )


@pytest.mark.parametrize("monday", ["2026-08-31", "2026-09-07", "2026-09-14", "2026-12-28"])
def test_the_class_week_page_is_byte_identical(client, week, monkeypatch, monday):
    client.force_login(week.class_teacher)
    url = reverse("journal:class_week", args=[week.class_unit.id])
    now = client.get(url, {"week": monday})
    with monkeypatch.context() as patched:
        patched.setattr(reports, "class_week", class_week_reference.reference_class_week)
        before = client.get(url, {"week": monday})
    assert now.status_code == before.status_code == 200
    assert _normalised(now.content.decode()) == _normalised(before.content.decode())
    if monday == "2026-08-31":
        html = now.content.decode()
        assert "Физ. &lt;b&gt;" in html and "Шахматы" not in html and 'class="mark-pf"' not in html
        assert '<b class="mark-5">5</b>' in html


def test_the_class_week_data_is_the_orm_data(week):
    def plain(data):
        return {
            "subjects": [s.id for s in data["subjects"]],
            "period": data["period"] and data["period"].id,
            "rows": [
                (
                    r["student"].id,
                    r["student"].last_name,
                    [([m.value for m in c["marks"]], c["average"]) for c in r["cells"]],
                    r["mean"],
                    r.get("place"),
                )
                for r in data["rows"]
            ],
        }

    seen: set[bool] = set()
    for monday in (dt.date(2026, 8, 31), dt.date(2026, 9, 7), dt.date(2026, 9, 14)):
        got = plain(reports.class_week(week.class_unit, monday))
        assert got == plain(class_week_reference.reference_class_week(week.class_unit, monday))
        seen.add(any(isinstance(r[3], Decimal) for r in got["rows"]))
    assert seen == {True}
