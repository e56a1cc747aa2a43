"""Redis restarts (a deploy, a crash, a failover) and nobody notices: pages are served from
the database while it is away, nobody is signed out, and the copies come back after.

A real redis-server of this test's own, on a free port, that the test stops and starts
again; the shared one on 6379 is never touched."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.core.cache import caches
from django.test import Client, override_settings

from shkola.accounts import services
from shkola.accounts.models import UserSession
from shkola.core.testing.factories import UserFactory

PROFILE = "/accounts/profile/"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    """One redis-server process that keeps nothing on disk, started and stopped at will."""

    def __init__(self, binary: str, port: int, workdir: Path) -> None:
        self.binary, self.port, self.workdir = binary, port, workdir
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        import redis

        deadline = time.monotonic() + 30
        while True:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=1).ping()
                return
            except redis.exceptions.ConnectionError as error:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f"redis-server did not start on {self.port}") from error
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
        self.process = None


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not os.path.exists(binary):
        if os.environ.get("CI") == "true":
            pytest.fail("CI must have redis-server (Debian's package redis-server)")
        pytest.skip("redis-server is not installed")
    server = RedisServer(binary, _free_port(), tmp_path)
    server.start()
    config = {
        "BACKEND": "shkola.core.cache.SharedRedisCache",
        "LOCATION": f"redis://127.0.0.1:{server.port}/0",
        "KEY_PREFIX": f"shkola-test-{uuid.uuid4().hex}",
        "OPTIONS": {"socket_connect_timeout": 10, "socket_timeout": 10},  # a loaded CI machine
    }
    try:
        with override_settings(CACHES={"default": config, "people": config}):
            yield server
    finally:
        server.stop()


def _in_redis(key: str) -> bool:
    return caches["people"].get(key) is not None


@pytest.mark.django_db
def test_a_signed_in_parent_stays_signed_in_while_redis_restarts(own_redis, caplog) -> None:
    # Given a person signed in, their session copied into Redis
    user = UserFactory()
    browser = Client()
    browser.force_login(user)
    assert browser.get(PROFILE).status_code == 200
    session_key = browser.session.session_key
    assert _in_redis(KEY_PREFIX + session_key)
    # When Redis goes away, the pages are served from the database and the log says why
    own_redis.stop()
    with caplog.at_level(logging.WARNING, logger="shkola.cache"):
        response = browser.get(PROFILE)
    assert response.status_code == 200
    assert user.last_name in response.content.decode()
    assert any("Redis unreachable" in r.getMessage() for r in caplog.records)
    # When it is back (empty: it keeps nothing on disk), the person is still signed in and
    # the copies are made again
    own_redis.start()
    assert not _in_redis(KEY_PREFIX + session_key)
    assert browser.get(PROFILE).status_code == 200
    assert _in_redis(KEY_PREFIX + session_key)


@pytest.mark.django_db
def test_ending_a_session_while_redis_is_away_fails_loudly_and_keeps_it_ended(own_redis) -> None:
    # Given a person signed in on a phone and on a laptop
    user = UserFactory()
    phone, laptop = Client(), Client()
    phone.force_login(user)
    laptop.force_login(user)
    assert phone.get(PROFILE).status_code == 200
    phone_key = phone.session.session_key
    # When Redis is away, ending the phone's session from the laptop cannot drop its copy:
    # the request fails instead of pretending, and nothing is ended halfway
    own_redis.stop()
    import redis

    with pytest.raises(redis.exceptions.ConnectionError):
        services.user_sessions_end(user=user, keep_session_key=laptop.session.session_key)
    assert UserSession.objects.filter(session_key=phone_key).exists()
    # When Redis is back, the same request ends it everywhere
    own_redis.start()
    services.user_sessions_end(user=user, keep_session_key=laptop.session.session_key)
    response = phone.get(PROFILE)
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert laptop.get(PROFILE).status_code == 200


@pytest.mark.django_db
def test_signing_out_while_redis_is_away_gets_the_friendly_503_page(own_redis) -> None:
    # Given a signed-in person, and Redis gone
    user = UserFactory()
    browser = Client()
    browser.force_login(user)
    assert browser.get(PROFILE).status_code == 200
    own_redis.stop()
    # When they sign out, the session's copy cannot be dropped: the calm 503 page, not a 500
    response = browser.post("/accounts/logout/")
    assert response.status_code == 503
    assert "Сервис временно недоступен" in response.content.decode()
    # and once Redis is back the sign-out works
    own_redis.start()
    response = browser.post("/accounts/logout/")
    assert response.status_code == 302
    assert browser.get(PROFILE).status_code == 302


def test_the_api_rate_limit_lets_requests_through_while_redis_is_away(own_redis, caplog) -> None:
    from shkola.api.auth import rate_check

    rate_check(1, now=1000.0)  # counted in Redis
    own_redis.stop()
    with caplog.at_level(logging.WARNING, logger="shkola.api.auth"):
        rate_check(1, now=1000.0)  # no 500: not counted, and the log says so
    assert any("rate limit not counted" in r.getMessage() for r in caplog.records)
