"""Places are never overbooked, even when the requests race (PostgreSQL, real connections).

Ten threads, each with its own database connection and its own signed-in client, wait at a
barrier and then POST «Принять» for ten different applications of a service with three
places. The service's row lock (SELECT … FOR UPDATE in services.application_accept) queues
them: exactly three are accepted, the other seven are refused with «Мест нет». The same for
ten simultaneous applications of one child: one is taken, nine are refused.

SQLite has no row locks (it locks the whole database file, and its shared in-memory test
database cannot be used from several connections), so there the test is skipped; CI's
PostgreSQL pass (make pytest-postgres) runs it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from shkola.core.testing.factories import guardian_of, make_school
from shkola.extras import services
from shkola.extras.models import Application, ApplicationStatus

from .conftest import service_of

THREADS = 10
PLACES = 3


def _needs_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "row locks (SELECT … FOR UPDATE) need PostgreSQL; SQLite serialises whole-file "
            "writes and its in-memory test database is not shared between threads"
        )


def race(work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in THREADS threads released together; each returns its result."""
    barrier = threading.Barrier(THREADS)
    results: list[Any] = [None] * THREADS

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - the assertion shows it
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_ten_parallel_acceptances_fill_exactly_the_three_places(monkeypatch):
    _needs_postgres()
    monkeypatch.setenv("SHKOLA_TODAY", "2026-09-07")
    school = make_school(n_students=THREADS)
    service = service_of(school, capacity=PLACES)
    apps = [
        services.application_create(service=service, student=child, applicant=guardian_of(child))
        for child in school.students
    ]
    clients = []
    for _ in range(THREADS):
        client = Client()
        client.force_login(school.curator)
        clients.append(client)
    url = reverse("extras:manage", args=[service.pk])

    responses = race(
        lambda i: clients[i].post(url, {"action": "accept", "application": apps[i].pk})
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [302] * PLACES + [400] * (THREADS - PLACES), responses
    refusals = [r.content.decode() for r in responses if r.status_code == 400]
    assert all("Мест нет: заняты все места (3)" in text for text in refusals)
    mine = Application.objects.filter(service=service)
    assert mine.filter(status=ApplicationStatus.ACCEPTED).count() == PLACES
    assert mine.filter(status=ApplicationStatus.PENDING).count() == THREADS - PLACES


@pytest.mark.django_db(transaction=True)
def test_ten_parallel_applications_of_one_child_make_one(monkeypatch):
    _needs_postgres()
    monkeypatch.setenv("SHKOLA_TODAY", "2026-09-07")
    school = make_school(n_students=1)
    child = school.students[0]
    parent = guardian_of(child)
    service = service_of(school, capacity=PLACES)
    clients = []
    for _ in range(THREADS):
        client = Client()
        client.force_login(parent)
        clients.append(client)
    url = reverse("extras:service", args=[service.pk])

    responses = race(
        lambda i: clients[i].post(url, {"action": "apply", "student": child.pk, "comment": ""})
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [302] + [400] * (THREADS - 1), responses
    assert all(
        "заявка на эту услугу уже подана" in r.content.decode()
        for r in responses
        if r.status_code == 400
    )
    assert Application.objects.filter(service=service, student=child).count() == 1
