"""Scale helpers for `make bench` and the scale test: a school of 1,500 students with their
parents' accounts built in bulk, and the timing of one message to every family of it."""

from __future__ import annotations

import datetime as dt
import secrets
import time
from typing import Any

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from shkola.accounts.models import Role, RoleAssignment, User
from shkola.schools.models import (
    AcademicYear,
    ClassUnit,
    Guardian,
    Guardianship,
    Organisation,
    Parallel,
    Student,
    Territory,
)

CLASSES = 50


@transaction.atomic
def add_families(parallel: Parallel, *, students: int = 1500) -> int:
    """Add ``students`` students (in 50 classes of ``parallel``'s school) with a parent's
    account each and a second parent for every third; returns the number of parents."""
    tag = secrets.token_hex(4)
    classes = ClassUnit.objects.bulk_create(
        [ClassUnit(parallel=parallel, letter=f"Z{n}") for n in range(CLASSES)]
    )
    rows = Student.objects.bulk_create(
        [
            Student(
                organisation_id=parallel.organisation_id,
                last_name=f"Ученик{n}",
                first_name="Тест",
                birth_date=dt.date(2013, 1, 1),
                sex="m",
                current_class=classes[n % CLASSES],
            )
            for n in range(students)
        ]
    )
    parents_of = [1 + (n % 3 == 0) for n in range(students)]
    users = User.objects.bulk_create(
        [
            User(username=f"bench-{tag}-{n}-{k}", last_name=f"Родитель{n}", password="!")
            for n, count in enumerate(parents_of)
            for k in range(count)
        ]
    )
    guardians = Guardian.objects.bulk_create(
        [Guardian(user=u, last_name=u.last_name, first_name="Тест") for u in users]
    )
    links = []
    index = 0
    for student, count in zip(rows, parents_of, strict=True):
        for _k in range(count):
            links.append(Guardianship(guardian=guardians[index], student=student, kind="mother"))
            index += 1
    Guardianship.objects.bulk_create(links)
    return len(users)


def send_to_every_family(*, sender: Any, organisation_id: int) -> dict[str, Any]:
    """Post «Написать сообщение» to «Все родители школы» as ``sender`` through the whole
    request cycle (session, middleware, form, rule, bulk copies, redirect)."""
    from django.test import Client
    from django.urls import reverse

    from shkola.accounts.backends import LOGIN_BACKEND

    from .models import Delivery

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(sender, backend=LOGIN_BACKEND)
    # A served app is warm: the first request of a process imports the views and compiles
    # templates, which is not the send's cost.
    client.get(reverse("messaging:sent"))
    before = Delivery.objects.count()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.post(
            reverse("messaging:compose"),
            {"to": [f"sp:{organisation_id}"], "subject": "Бенчмарк", "body": "Всем родителям"},
        )
        seconds = time.perf_counter() - started
    return {
        "status": response.status_code,
        "seconds": seconds,
        "queries": len(queries.captured_queries),
        "copies": Delivery.objects.count() - before,
    }


def measure_send_to_every_family(*, students: int = 1500) -> dict[str, Any]:
    """Build a school of ``students`` students with their parents' accounts, send one
    message to every family of it, measure, and roll everything back: the database the
    bench reuses is left as it was."""
    with transaction.atomic():
        territory = Territory.objects.order_by("id").first() or Territory.objects.create(
            name="Бенчмарк", kind=Territory.Kind.MUNICIPALITY
        )
        school = Organisation.objects.create(
            territory=territory, short_name="Школа бенчмарка", full_name="Школа бенчмарка"
        )
        year = AcademicYear.objects.create(
            organisation=school,
            name="bench",
            start=dt.date(2026, 9, 1),
            end=dt.date(2027, 5, 31),
            is_current=True,
        )
        parallel = Parallel.objects.create(organisation=school, academic_year=year, grade=7)
        parents = add_families(parallel, students=students)
        curator = User.objects.create(username=f"bench-curator-{secrets.token_hex(4)}")
        RoleAssignment.objects.create(user=curator, role=Role.CURATOR, organisation=school)
        result = send_to_every_family(sender=curator, organisation_id=school.pk)
        transaction.set_rollback(True)
    return {"students": students, "parents": parents, **result}
