"""Django's own Redis cache, made to survive a Redis restart.

Redis holds only copies here: sessions are ``cached_db`` (the row in the database is the
truth), and who is signed in, the school year and compiled counters are rebuilt from the
database on a miss. So while Redis is down or restarting, a read or a fill is treated as a
miss and the page is served from the database, instead of every page of the region failing
with a 500 until Redis is back. Nobody is signed out: their session row is still there.

An invalidation is different: if it is lost, a copy that should be gone (an ended session,
a revoked role) could be served again once the connection returns. ``delete``,
``delete_many``, ``incr`` and ``clear`` still raise, and so does a ``set`` without expiry:
that is how shkola/accounts/who.py outdates people (a new version token, kept forever),
while every fill has a timeout. The request that ends a session or changes a role fails
visibly and is retried, rather than silently leaving the copy alive.

Each failure is logged, at most once per ``QUIET_SECONDS`` per process, so an outage does
not flood the log with one line per request."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

log = logging.getLogger("shkola.cache")

QUIET_SECONDS = 10.0


class SharedRedisCache(RedisCache):
    """RedisCache whose reads and fills count as misses while Redis cannot be reached."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._last_logged = 0.0

    def _unreachable(self, operation: str, error: Exception) -> None:
        now = time.monotonic()
        if now - self._last_logged >= QUIET_SECONDS:
            self._last_logged = now
            log.warning(
                "Redis unreachable (%s: %s): served from the database without the cache",
                operation,
                error,
            )

    def _errors(self) -> tuple[type[Exception], ...]:
        import redis

        return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except self._errors() as error:
            self._unreachable("get", error)
            return default

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        try:
            return super().get_many(keys, version)
        except self._errors() as error:
            self._unreachable("get_many", error)
            return {}

    def has_key(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().has_key(key, version)
        except self._errors() as error:
            self._unreachable("has_key", error)
            return False

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        try:
            return super().add(key, value, timeout, version)
        except self._errors() as error:
            self._unreachable("add", error)
            return False

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        if timeout is None:  # an invalidation marker (see the module's docstring)
            return super().set(key, value, timeout, version)
        try:
            super().set(key, value, timeout, version)
        except self._errors() as error:
            self._unreachable("set", error)

    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        if timeout is None:  # invalidation markers
            return super().set_many(data, timeout, version)
        try:
            return super().set_many(data, timeout, version)
        except self._errors() as error:
            self._unreachable("set_many", error)
            return list(data)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        try:
            return super().touch(key, timeout, version)
        except self._errors() as error:
            self._unreachable("touch", error)
            return False
