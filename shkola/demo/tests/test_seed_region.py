"""``seed_region`` on a tiny slice: the clones are whole schools the application works with —
counts as asked, no dangling key, a cloned student's diary week and a cloned teacher's grid
show their marks, a mark saves, and new rows get fresh ids (sequences past the copied ones)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse

from shkola.demo.region import CLONED, region_dangling_keys
from shkola.journal.models import JournalKind, Mark
from shkola.schools.models import Guardian, Organisation, Student
from shkola.timetable.models import Lesson

# A Wednesday of the second quarter: the tiny seed's lessons lie around it, the quarter is open.
TODAY = "2026-11-18"
SCHOOLS = 4  # the demo school, its template (school 2) and two clones of it


def _needs_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("seed_region copies rows with PostgreSQL's COPY; this is the SQLite pass")


def _marks_shown(html: str) -> int:
    return len(re.findall(r'class="mark (?!mark-att)', html))


@pytest.mark.django_db
def test_on_sqlite_the_command_says_it_needs_postgresql():
    if connection.vendor == "postgresql":
        pytest.skip("the SQLite refusal is checked in the SQLite pass")
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("seed_region", "--schools", "3", stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_a_tiny_region_slice_is_consistent_and_usable(monkeypatch):
    _needs_postgres()
    monkeypatch.setenv("SHKOLA_TODAY", TODAY)
    if Organisation.objects.exists():
        # the session's demo world (built outside the tests' transactions): this transactional
        # test empties the database when it ends anyway, as pytest-django runs such tests last
        call_command("flush", "--noinput", verbosity=0)
    out = io.StringIO()

    # Given a region slice of four schools
    call_command("seed_region", "--schools", str(SCHOOLS), "--size", "tiny", stdout=out)

    # Then it has the schools asked for, each clone as big as its template, and no key
    # points at nothing (the copy ran without the foreign-key triggers)
    assert "Время:" in out.getvalue() and "Размер базы" in out.getvalue()
    orgs = list(Organisation.objects.order_by("id"))
    assert len(orgs) == SCHOOLS
    template, clones = orgs[1], orgs[2:]
    assert len({o.short_name for o in orgs}) == SCHOOLS
    for clone in clones:
        for model, where in (
            (Student, "organisation"),
            (Lesson, "academic_year__organisation"),
            (Mark, "lesson__academic_year__organisation"),
        ):
            assert (
                model.objects.filter(**{where: clone}).count()
                == model.objects.filter(**{where: template}).count()
                > 0
            ), model
    assert region_dangling_keys() == {}
    assert not Student.objects.filter(user__isnull=True).exists()
    assert not Guardian.objects.filter(user__isnull=True).exists()

    # And every copied table's sequence is past its largest id
    with connection.cursor() as cursor:
        for model, _owner in CLONED:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT max(id), pg_get_serial_sequence(%s, 'id') FROM {table}", [table]
            )
            top, sequence = cursor.fetchone()
            if top is None:
                continue
            cursor.execute(f"SELECT last_value FROM {sequence}")
            assert cursor.fetchone()[0] >= top, table

    # When a cloned student opens a past week of their diary
    clone = clones[-1]
    mark = (
        Mark.objects.filter(
            lesson__academic_year__organisation=clone,
            journal=JournalKind.MAIN,
            lesson__date__lt=dt.date.fromisoformat(TODAY),
        )
        .select_related("student__user", "lesson")
        .order_by("-lesson__date", "id")
        .first()
    )
    assert mark is not None
    student = mark.student
    monday = mark.lesson.date - dt.timedelta(days=mark.lesson.date.weekday())
    client = Client()
    client.force_login(student.user)
    response = client.get(reverse("diary:week") + f"?week={monday.isoformat()}")

    # Then the page shows their marks, as many as the template student's identical week
    assert response.status_code == 200
    shown = _marks_shown(response.content.decode())
    twin = Student.objects.get(
        organisation=template,
        last_name=student.last_name,
        first_name=student.first_name,
        birth_date=student.birth_date,
    )
    twin_client = Client()
    twin_client.force_login(twin.user)
    twin_page = twin_client.get(reverse("diary:week") + f"?week={monday.isoformat()}")
    assert shown > 0 and shown == _marks_shown(twin_page.content.decode())

    # When the teacher of that lesson opens the class's journal grid
    lesson = mark.lesson
    teacher = Client()
    teacher.force_login(lesson.teacher)
    grid = teacher.get(
        reverse(
            "journal:grid",
            kwargs={"class_id": lesson.class_unit_id, "subject_id": lesson.subject_id},
        )
    )

    # Then the mark is in its cell, with the fingerprint a save needs
    assert grid.status_code == 200
    cell = re.search(
        rf'data-l="{lesson.pk}" data-s="{student.pk}" data-fp="([^"]*)"><span class="cv">(.*?)</span>',
        grid.content.decode(),
    )
    assert cell is not None, "the cloned mark's cell is missing from the grid"
    assert mark.value in cell.group(2)

    # When the teacher changes that mark
    new_value = "4" if mark.value == "5" else "5"
    saved = teacher.post(
        reverse("journal:cell_save"),
        {"lesson": lesson.pk, "student": student.pk, "text": new_value, "fp": cell.group(1)},
        HTTP_HX_REQUEST="true",
    )

    # Then it is saved (new rows, such as the mark's history, get ids from the sequences)
    assert saved.status_code == 200, saved.content.decode()[:300]
    assert (
        Mark.objects.filter(lesson=lesson, student=student, journal=JournalKind.MAIN)
        .values_list("value", flat=True)
        .get()
        == new_value
    )
    newcomer = Student.objects.create(
        organisation=clone,
        last_name="Новикова",
        first_name="Анна",
        birth_date=dt.date(2015, 3, 1),
    )
    assert newcomer.pk > Student.objects.exclude(pk=newcomer.pk).order_by("-pk").first().pk
