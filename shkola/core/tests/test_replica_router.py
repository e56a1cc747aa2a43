"""The replica router's decisions (shkola/core/replicas.py) without a replica: where reads and
writes go, the read-your-writes cookie, the lag formula, the settings built from the
environment and the warning once per check. The journey on a real streaming replica is
test_replicas.py."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.sessions.models import Session
from django.core import signing
from django.http import HttpResponse
from django.test import RequestFactory

from shkola.core import replicas
from shkola.core.testing.pg_pair import free_port
from shkola.journal.models import Mark

ROOT = Path(__file__).resolve().parents[3]


# --- routing --------------------------------------------------------------------------------


def test_outside_a_family_page_everything_goes_to_the_primary():
    router = replicas.ReplicaRouter()
    assert router.db_for_read(Mark) == "default"
    assert router.db_for_write(Mark) == "default"
    assert replicas.read_alias() == "default"


@pytest.fixture
def family_page():  # type: ignore[no-untyped-def]
    """Inside a family page's view whose reads were given to replica1."""
    token = replicas._reading_from.set("replica1")
    yield
    replicas._reading_from.reset(token)


def test_in_a_family_page_reads_go_to_its_replica_but_writes_and_sessions_do_not(family_page):
    router = replicas.ReplicaRouter()
    assert router.db_for_read(Mark) == "replica1"
    assert replicas.read_alias() == "replica1"
    # a write, even of an object read on the replica, goes to the primary
    assert router.db_for_write(Mark, instance=Mark()) == "default"
    # a session written a moment ago must be found: the primary
    assert router.db_for_read(Session) == "default"
    # what fills the shared people cache is read from the primary
    with replicas.on_primary():
        assert router.db_for_read(Mark) == "default"
        assert replicas.read_alias() == "default"
    assert router.db_for_read(Mark) == "replica1"


@pytest.mark.django_db  # the test's own transaction is open on the primary
def test_in_a_transaction_on_the_primary_reads_stay_there(family_page):
    # a service reads what it is about to change
    assert replicas.ReplicaRouter().db_for_read(Mark) == "default"
    assert replicas.read_alias() == "default"


def test_replicas_are_never_migrated_and_objects_relate_across_aliases():
    router = replicas.ReplicaRouter()
    assert router.allow_migrate("replica1", "journal") is False
    assert router.allow_migrate("replica12", "journal") is False
    assert router.allow_migrate("default", "journal") is None
    assert router.allow_relation(Mark(), Mark()) is True


def test_without_replicas_a_family_page_renders_as_before():
    request = RequestFactory().get("/diary/")
    assert replicas.serve_from_replica(request, lambda: HttpResponse("page")).content == b"page"


# --- read-your-writes -----------------------------------------------------------------------


def _middleware_response(method: str) -> HttpResponse:
    middleware = replicas.ReadYourWritesMiddleware(lambda request: HttpResponse("ok"))
    request = RequestFactory().generic(method, "/journal/cell/")
    return middleware(request)  # type: ignore[return-value]


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_an_unsafe_request_gets_the_cookie_for_read_your_writes_seconds(method, settings):
    settings.READ_YOUR_WRITES_SECONDS = 15
    cookie = _middleware_response(method).cookies[replicas.COOKIE_NAME]
    assert cookie["max-age"] == 15
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    # and the next request that carries it reads from the primary
    request = RequestFactory().get("/diary/")
    request.COOKIES[replicas.COOKIE_NAME] = cookie.value
    assert replicas.wrote_recently(request)


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
def test_a_safe_request_gets_no_cookie(method):
    assert replicas.COOKIE_NAME not in _middleware_response(method).cookies


def test_a_write_older_than_the_setting_or_a_forged_cookie_does_not_count(settings, monkeypatch):
    settings.READ_YOUR_WRITES_SECONDS = 15
    cookie = _middleware_response("POST").cookies[replicas.COOKIE_NAME].value
    request = RequestFactory().get("/diary/")
    request.COOKIES[replicas.COOKIE_NAME] = cookie
    assert replicas.wrote_recently(request)
    # 16 s later a browser that kept the cookie anyway (a copied value) is not let in: the
    # age is signed into the value
    later = time.time() + 16
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: later))
    assert not replicas.wrote_recently(request)
    monkeypatch.undo()
    request.COOKIES[replicas.COOKIE_NAME] = "1:forged:value"
    assert not replicas.wrote_recently(request)
    request.COOKIES.pop(replicas.COOKIE_NAME)
    assert not replicas.wrote_recently(request)


# --- lag --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "lag"),
    [
        # replayed the primary's current WAL position: no lag, however old its last commit
        ((True, True, True, 3600.0), 0.0),
        # behind the primary: the time since the last transaction it replayed
        ((True, False, False, 7.5), 7.5),
        # the WAL receiver stopped (received = replayed, but behind the primary): still behind
        ((True, False, True, 42.0), 42.0),
        # the primary did not answer the check: replayed all it received counts as caught up
        ((True, None, True, 100.0), 0.0),
        ((True, None, False, 3.0), 3.0),
        # nothing replayed yet: unknown
        ((True, False, False, None), None),
        # a promoted replica is no replica
        ((False, None, None, None), None),
    ],
)
def test_replica_lag_from_the_check_row(row, lag):
    in_recovery, replayed_primary, received_replayed, since = row
    assert (
        replicas.replica_lag(
            in_recovery=in_recovery,
            replayed_primary=replayed_primary,
            received_replayed=received_replayed,
            since_last_replay=since,
        )
        == lag
    )


# --- settings and the warning, in processes of their own ------------------------------------


def _python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "SHKOLA_", "DEBUG", "DATABASE_", "REPLICA_", "DB_"))
    }
    clean.update(DJANGO_SETTINGS_MODULE="config.settings", **env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


SHOW = """
from django.conf import settings
for alias, db in settings.DATABASES.items():
    print(alias, db["PORT"], db["OPTIONS"].get("connect_timeout"), db["TEST"]["MIRROR"],
          db["CONN_HEALTH_CHECKS"], db["DISABLE_SERVER_SIDE_CURSORS"])
print(settings.DATABASE_ROUTERS, settings.MIDDLEWARE[-1].rsplit(".", 1)[-1])
"""


def test_replica_urls_become_aliases_with_the_primarys_options():
    result = _python(
        SHOW,
        DEBUG="1",
        DATABASE_URL="postgres://shkola@db1:5432/shkola",
        DATABASE_REPLICA_URLS="postgres://shkola@db2:5432/shkola, postgres://shkola@db3:6432/shkola",
        DB_DISABLE_SERVER_SIDE_CURSORS="1",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n") == [
        "default 5432 None None True True",
        "replica1 5432 2 default True True",
        "replica2 6432 2 default True True",
        "['shkola.core.replicas.ReplicaRouter'] ReadYourWritesMiddleware",
        "",
    ]


def test_without_replicas_there_is_no_router_and_tests_ignore_the_environments_replicas():
    alone = _python(SHOW, DEBUG="1", DATABASE_URL="postgres://shkola@db1:5432/shkola")
    testing = _python(
        SHOW,
        SHKOLA_TESTING="1",
        DATABASE_URL="postgres://shkola@db1:5432/shkola",
        DATABASE_REPLICA_URLS="postgres://shkola@db2:5432/shkola",
    )
    for result in (alone, testing):
        assert result.returncode == 0, result.stderr
        assert result.stdout.split("\n")[:2] == [
            "default 5432 None None True False",
            "[] AxesMiddleware",
        ]


CHECK_DEPLOY = """
from django.core.management import call_command
call_command("check", "--deploy", "--tag", "database")
"""


def test_a_read_your_writes_window_shorter_than_the_lag_allowed_is_a_deploy_warning():
    common = {
        "DEBUG": "1",
        "DATABASE_URL": "postgres://shkola@db1:5432/shkola",
        "DATABASE_REPLICA_URLS": "postgres://shkola@db2:5432/shkola",
    }
    short = _python(CHECK_DEPLOY, **common, REPLICA_MAX_LAG_SECONDS="30")
    assert "shkola.W001" in short.stderr + short.stdout
    assert "READ_YOUR_WRITES_SECONDS (15) is shorter" in short.stderr + short.stdout
    fine = _python(CHECK_DEPLOY, **common)
    assert "shkola.W001" not in fine.stderr + fine.stdout, fine.stderr


SKIP_TWICE = """
import logging
logging.basicConfig(level=logging.WARNING, format="%(message)s")
from shkola.core import replicas
print([replicas.choose_replica(7) for _ in range(3)])
"""


@pytest.mark.parametrize(("interval", "warnings"), [("3600", 1), ("0", 3)])
def test_a_replica_that_does_not_answer_is_skipped_with_one_warning_per_check(interval, warnings):
    # Given a replica (and a primary) on a port nothing listens on
    port = free_port()
    result = _python(
        SKIP_TWICE,
        DEBUG="1",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/none",
        DATABASE_REPLICA_URLS=f"postgres://postgres@127.0.0.1:{port}/none",
        REPLICA_CHECK_SECONDS=interval,
    )
    # When three pages ask for a replica: none is usable, and the log says which and why
    # once per check (not once per page while the verdict is trusted)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[None, None, None]"
    lines = [line for line in result.stderr.splitlines() if line.startswith("Replica ")]
    assert len(lines) == warnings, result.stderr
    assert lines[0].startswith("Replica replica1 skipped: does not answer (connection failed")
