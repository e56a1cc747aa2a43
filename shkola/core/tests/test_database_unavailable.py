"""While the database cannot be reached, a request gets the Russian 503 page, and the request
after it is served again without restarting anything. The database really goes away: the
server ends this process's connection (as a restart of the primary does), then the connection
settings point at a port where nothing listens (connection refused), then they are put back."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.urls import reverse

from shkola.core.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

RUSSIAN = "Сервис временно недоступен"


def _needs_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "a database server to lose is PostgreSQL's: SQLite is a file in this process, and "
            "its in-memory test database vanishes with its connection"
        )


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # free, and nothing listens once it is closed


def _end_this_connection() -> None:
    """The server ends the backend of Django's connection, as a restart of the primary does."""
    import psycopg

    pid = connection.connection.info.backend_pid
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


def _unavailable(response: Any) -> str:
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert response["Cache-Control"] == "no-store"
    return str(response.content.decode())


def _in_a_thread_of_its_own(scenario: Callable[[], None]) -> None:
    """Runs the requests in a thread with its own connection, as a server's thread has: the
    test breaks that connection, which must not be the one pytest-django's per-test
    transaction lives on (and a transactional test's flush of every table costs minutes on a
    busy PostgreSQL). So the thread commits its rows for real and removes them itself."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            scenario()
        except BaseException as exc:  # handed to the test's thread
            failure.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=300)
    assert not thread.is_alive(), "the scenario did not finish"
    if failure:
        raise failure[0]


def test_the_503_page_while_the_database_is_away_and_service_again_after(
    caplog: pytest.LogCaptureFixture,
) -> None:
    _needs_postgres()
    caplog.set_level(logging.WARNING, logger="shkola.database")
    _in_a_thread_of_its_own(lambda: _scenario(caplog))


def _scenario(caplog: pytest.LogCaptureFixture) -> None:
    from django.contrib.sessions.models import Session

    person = UserFactory()
    client = Client(raise_request_exception=False)
    client.force_login(person)
    key = client.session.session_key
    try:
        _requests(client, person, caplog)
    finally:
        connection.close()
        Session.objects.filter(session_key=key).delete()
        person.delete()


def _requests(client: Client, person: Any, caplog: pytest.LogCaptureFixture) -> None:
    home = reverse("accounts:profile")
    assert client.get(home).status_code == 200

    # 1. the primary restarted under a live connection: "server closed the connection"
    _end_this_connection()
    html = _unavailable(client.get(home))
    assert RUSSIAN in html and "Попробуйте обновить страницу через минуту" in html
    assert '<html lang="ru">' in html and "css/shkola.css" in html
    assert person.last_name not in html  # no frame: nothing read about the user
    assert any("database unavailable" in r.getMessage() for r in caplog.records)
    assert all(r.levelno == logging.WARNING for r in caplog.records if r.name == "shkola.database")
    # back at once: the broken connection was closed, the next request connects afresh
    assert client.get(home).status_code == 200

    # 2. the database is down (connection refused), also for the session and user lookups that
    # middleware does before any view: the cache that would answer them is emptied
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(_closed_port())
    try:
        for cache in caches.all():
            cache.clear()
        html = _unavailable(client.get(home))
        assert RUSSIAN in html
        fragment = _unavailable(client.get(home, headers={"HX-Request": "true"}))
        assert (
            RUSSIAN in fragment
            and "<html" not in fragment
            and 'id="service-unavailable"' in fragment
        )
        assert _unavailable(client.post(reverse("accounts:logout")))  # a write gets the same answer
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    assert client.get(home).status_code == 200
