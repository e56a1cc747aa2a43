"""Scale helpers for `make bench` and the scale test: a school of 1,500 students with their
parents built in bulk, and the timing of one message to every family of a school."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.db import transaction

from shkola.accounts.models import User
from shkola.schools.models import ClassUnit, Guardian, Guardianship, Parallel, Student


@transaction.atomic
def add_big_school_families(school: Any, *, students: int = 1500) -> int:
    """Add ``students`` students (in 50 classes) with a parent each, and a second parent for
    every third, to a test school; returns the number of parents added."""
    parallel = Parallel.objects.filter(organisation=school.organisation).first()
    assert parallel is not None
    classes = ClassUnit.objects.bulk_create(
        [ClassUnit(parallel=parallel, letter=f"Z{n}") for n in range(50)]
    )
    rows = Student.objects.bulk_create(
        [
            Student(
                organisation=school.organisation,
                last_name=f"Ученик{n}",
                first_name="Тест",
                birth_date=dt.date(2013, 1, 1),
                sex="m",
                current_class=classes[n % len(classes)],
            )
            for n in range(students)
        ]
    )
    parents_of = [1 + (n % 3 == 0) for n in range(students)]
    users = User.objects.bulk_create(
        [
            User(username=f"bigparent{n}-{k}", last_name=f"Родитель{n}", password="!")
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
    request cycle; the message is removed afterwards so the bench can be rerun."""
    from django.test import Client
    from django.urls import reverse

    from shkola.accounts.backends import LOGIN_BACKEND

    from .models import Message

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(sender, backend=LOGIN_BACKEND)
    before = Message.objects.filter(sender=sender).count()
    started = time.perf_counter()
    response = client.post(
        reverse("messaging:compose"),
        {"to": [f"sp:{organisation_id}"], "subject": "Бенчмарк", "body": "Всем родителям"},
    )
    seconds = time.perf_counter() - started
    message = Message.objects.filter(sender=sender).order_by("-id").first()
    copies = message.deliveries.count() if message and message.subject == "Бенчмарк" else 0
    if message is not None and Message.objects.filter(sender=sender).count() > before:
        message.delete()
    return {"status": response.status_code, "seconds": seconds, "copies": copies}
