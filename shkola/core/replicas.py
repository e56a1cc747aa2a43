"""Read replicas (issue 15): family pages read from a healthy streaming replica, everything
else from the primary (``default``).

- A view opts in with ``@replica_reads`` (the diary's pages through ``diary_page``, the
  portfolio's read pages). Only GET and HEAD are routed; while such a view runs, the router
  sends its reads to the replica chosen for the request. Writes always go to ``default``, and
  so does any read made inside a transaction on ``default`` (a service reading what it is
  about to change) and every read of the sessions, lockouts and the task queue.
- Read-your-writes: every unsafe request (POST, PUT, PATCH, DELETE) gets a signed cookie
  back; while it is younger than ``READ_YOUR_WRITES_SECONDS`` that browser reads family pages
  from the primary. A cookie, not process memory or the cache: the next request may land on
  another app server, and without Redis the cache is not shared. Only unsafe requests, not
  "any committed write": in Shkola a person's own changes are all POSTs, while GET pages do
  write things the reader never reads back (the access log, the session's last activity),
  which would keep staff on the primary for good.
- Lag and health: each process checks a replica at most once per ``REPLICA_CHECK_SECONDS``
  and trusts that verdict in between. A replica that does not answer, is not a standby or
  lags more than ``REPLICA_MAX_LAG_SECONDS`` is skipped (one WARNING line per check, so at
  most one per interval per process). A replica that fails in the middle of a page marks
  itself down and the page is rendered again from the primary: the reader gets a page, not
  a 500.

The lag is measured against the primary: the replica has replayed the primary's current WAL
position → 0; otherwise the time since the last transaction the replica replayed. Asking the
primary also catches a replica whose WAL receiver has stopped (broken replication), which the
replica-only formula (received = replayed → 0) takes for "caught up". If the primary does not
answer the check, the replica-only formula is used."""

from __future__ import annotations

import contextvars
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, connections
from django.db import Error as DatabaseError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

log = logging.getLogger(__name__)

COOKIE_NAME = "shkola_rw"
_COOKIE_SALT = "shkola.core.replicas.read-your-writes"
_REPLICA_ALIAS = re.compile(r"^replica\d+$")
# Models never read from a replica: a session or a lockout written a moment ago on the
# primary must be found at once (a new sign-in would look signed out), and the task queue is
# the workers' business.
PRIMARY_ONLY_APPS = frozenset({"sessions", "axes", "django_tasks_db"})
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

# The alias reads go to in this context (a family page's view), or None: the primary.
_reading_from: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "shkola_replica_reads", default=None
)

# One round trip on the replica; the primary's WAL position (or NULL) is the parameter.
LAG_SQL = (
    "SELECT pg_is_in_recovery(),"
    " pg_last_wal_replay_lsn() >= %s::pg_lsn,"
    " pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()"
    " AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE pid IS NOT NULL),"
    " EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8"
)


# --- settings ---------------------------------------------------------------------------------


_aliases: list[str] | None = None


def replica_aliases() -> list[str]:
    """``replica1``, ``replica2``… as the settings built them from DATABASE_REPLICA_URLS."""
    global _aliases
    if _aliases is None:
        _aliases = sorted(
            (a for a in settings.DATABASES if _REPLICA_ALIAS.match(a)), key=lambda a: int(a[7:])
        )
    return _aliases


def _max_lag() -> float:
    return float(getattr(settings, "REPLICA_MAX_LAG_SECONDS", 5))


def _check_seconds() -> float:
    return float(getattr(settings, "REPLICA_CHECK_SECONDS", 2))


def _ryw_seconds() -> int:
    return int(getattr(settings, "READ_YOUR_WRITES_SECONDS", 15))


# --- the router -------------------------------------------------------------------------------


def read_alias() -> str:
    """Where a read outside the ORM (compiled SQL, raw cursors) goes now: the request's
    replica inside a family page, else the primary; always the primary inside a transaction
    on the primary (a service must read what it is about to change)."""
    alias = _reading_from.get()
    if alias is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return alias


class ReplicaRouter:
    """DATABASE_ROUTERS entry (set only when replicas are configured). Every answer is
    explicit: with no answer Django falls back to the database an instance was read from,
    and an object read on a replica (or unpickled from the cache) would take its related
    reads, and its writes, back there."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        return read_alias()

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # A replica holds the primary's rows: an object from either may point at the other.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        # Replicas follow the primary's WAL; migrating them would fail (read-only) anyway.
        return False if _REPLICA_ALIAS.match(db) else None


@contextmanager
def on_primary() -> Iterator[None]:
    """Reads inside go to the primary even in a family page: what fills a cache shared by
    every app server (who.py) must never be a replica's older rows, or they would be served
    as current long after the replica caught up."""
    token = _reading_from.set(None)
    try:
        yield
    finally:
        _reading_from.reset(token)


# --- health -----------------------------------------------------------------------------------


@dataclass
class _Verdict:
    checked_at: float  # time.monotonic()
    usable: bool
    reason: str = ""


_verdicts: dict[str, _Verdict] = {}
_lock = threading.Lock()


def replica_lag(
    *,
    in_recovery: bool,
    replayed_primary: bool | None,
    received_replayed: bool | None,
    since_last_replay: float | None,
) -> float | None:
    """Seconds a replica is behind, from the row of ``LAG_SQL``; None: not a standby, or it
    cannot be told (nothing replayed yet)."""
    if not in_recovery:
        return None
    if replayed_primary:
        return 0.0
    if replayed_primary is None and received_replayed:
        return 0.0  # the primary did not answer: trust "replayed all it received"
    if since_last_replay is None:
        return None
    return max(0.0, float(since_last_replay))


def _primary_wal_position() -> str | None:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            row = cursor.fetchone()
    except DatabaseError:
        return None
    return str(row[0]) if row else None


def _measure(alias: str) -> _Verdict:
    """Ask the replica how far behind it is (one query on each side)."""
    now = time.monotonic()
    position = _primary_wal_position()
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL, [position])
            in_recovery, replayed_primary, received_replayed, since = cursor.fetchone()
    except DatabaseError as exc:
        _close_quietly(alias)
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return _Verdict(now, False, f"does not answer ({first_line})")
    if not in_recovery:
        return _Verdict(now, False, "is not a standby (promoted?)")
    lag = replica_lag(
        in_recovery=in_recovery,
        replayed_primary=replayed_primary,
        received_replayed=received_replayed,
        since_last_replay=since,
    )
    if lag is None:
        return _Verdict(now, False, "lag unknown (nothing replayed yet)")
    if lag > _max_lag():
        return _Verdict(now, False, f"lags {lag:.1f} s behind the primary (max {_max_lag():g} s)")
    return _Verdict(now, True)


def _close_quietly(alias: str) -> None:
    try:
        connections[alias].close()
    except DatabaseError:
        pass


def _record(alias: str, verdict: _Verdict) -> None:
    """Store a fresh verdict and log a change for the worse (or back to good) once."""
    with _lock:
        before = _verdicts.get(alias)
        _verdicts[alias] = verdict
    if not verdict.usable:
        log.warning(
            "Replica %s skipped: %s; family pages are read from the primary.",
            alias,
            verdict.reason,
        )
    elif before is not None and not before.usable and before.reason:
        log.warning("Replica %s is usable again; family pages read from it.", alias)


def _usable(alias: str) -> bool:
    now = time.monotonic()
    with _lock:
        known = _verdicts.get(alias)
        if known is not None and now - known.checked_at < _check_seconds():
            return known.usable
        # This thread checks; others trust the previous verdict meanwhile (none yet: primary).
        _verdicts[alias] = (
            _Verdict(now, known.usable, known.reason) if known else _Verdict(now, False)
        )
    verdict = _measure(alias)
    _record(alias, verdict)
    return verdict.usable


def replica_failed(alias: str, exc: BaseException, *, when: str = "failed during a page") -> None:
    """A replica failed (its connection, before or in the middle of a page): skip it until the
    next check."""
    _close_quietly(alias)
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    with _lock:
        known = _verdicts.get(alias)
        already_down = known is not None and not known.usable and bool(known.reason)
    if already_down:
        return
    _record(alias, _Verdict(time.monotonic(), False, f"{when} ({first_line})"))


def choose_replica(key: int) -> str | None:
    """A usable replica for a reader, the same one for the same reader while the set of
    usable replicas stays (their lags differ: hopping between them could show a mark and then
    not show it); None when none is usable."""
    usable = [alias for alias in replica_aliases() if _usable(alias)]
    if not usable:
        return None
    return usable[key % len(usable)]


def forget_verdicts() -> None:
    with _lock:
        _verdicts.clear()


# --- read-your-writes -------------------------------------------------------------------------


def read_your_writes_check(**kwargs: Any) -> list[Any]:
    """`manage.py check --deploy`: a person who has just written must not be sent to a
    replica that may still lack it; the replica may lag up to the maximum, and the verdict
    on it may be as old as the check interval. (A warning, not a refusal: a test may want a
    replica that is allowed to lag without end.)"""
    from django.core.checks import Warning

    if not replica_aliases():
        return []
    needed = _max_lag() + _check_seconds()
    if _ryw_seconds() >= needed:
        return []
    return [
        Warning(
            f"READ_YOUR_WRITES_SECONDS ({_ryw_seconds()}) is shorter than "
            f"REPLICA_MAX_LAG_SECONDS + REPLICA_CHECK_SECONDS ({needed:g}): a person could "
            "miss what they have just written on a family page.",
            id="shkola.W001",
        )
    ]


def wrote_recently(request: HttpRequest) -> bool:
    """The browser made an unsafe request less than READ_YOUR_WRITES_SECONDS ago (the age is
    signed into the cookie, so a replayed old cookie does not count)."""
    if COOKIE_NAME not in request.COOKIES:
        return False
    value = request.get_signed_cookie(
        COOKIE_NAME, default=None, salt=_COOKIE_SALT, max_age=_ryw_seconds()
    )
    return value is not None


def mark_written(response: HttpResponseBase) -> None:
    response.set_signed_cookie(
        COOKIE_NAME,
        "1",
        salt=_COOKIE_SALT,
        max_age=_ryw_seconds(),
        httponly=True,
        samesite="Lax",
        secure=bool(getattr(settings, "SESSION_COOKIE_SECURE", False)),
    )


class ReadYourWritesMiddleware:
    """Gives every unsafe request's response the read-your-writes cookie (installed by the
    settings only when replicas are configured)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.method not in _SAFE_METHODS:
            mark_written(response)
        return response


# --- the views' side --------------------------------------------------------------------------


def _reader_key(request: HttpRequest) -> int:
    user_id = getattr(getattr(request, "user", None), "pk", None)
    return int(user_id or 0)


def serve_from_replica(request: HttpRequest, render: Callable[[], HttpResponse]) -> HttpResponse:
    """``render()`` with its reads on a usable replica when the request may read from one;
    rendered again from the primary if the replica fails half-way."""
    if (
        request.method not in ("GET", "HEAD")
        or not replica_aliases()
        or _reading_from.get() is not None
        or wrote_recently(request)
    ):
        return render()
    alias = _connected_replica(_reader_key(request))
    if alias is None:
        return render()
    token = _reading_from.set(alias)
    try:
        return render()
    except DatabaseError as exc:
        if getattr(exc.__cause__, "sqlstate", None) == _RECOVERY_CONFLICT:
            pass  # this query lost to the replay: the page again from the primary, replica kept
        elif _connection_lost(alias):
            replica_failed(alias, exc)
        else:
            raise
    finally:
        _reading_from.reset(token)
    return render()


def _connected_replica(key: int) -> str | None:
    """A usable replica with a working connection: a verdict is trusted for a few seconds,
    but a replica stopped since is found here (Django's health check of the persistent
    connection, or the reconnect), before the page starts, not in the middle of it."""
    for _attempt in range(len(replica_aliases())):
        alias = choose_replica(key)
        if alias is None:
            return None
        connection = connections[alias]
        try:
            connection.close_if_health_check_failed()
            connection.ensure_connection()
        except DatabaseError as exc:
            replica_failed(alias, exc, when="does not answer")
            continue
        return alias
    return None


# A hot standby cancels a query that conflicts with the WAL it replays (SQLSTATE 40001).
_RECOVERY_CONFLICT = "40001"


def _connection_lost(alias: str) -> bool:
    """Was the error the replica's? Its connection is gone or no longer answers; an error of
    the primary, or a bug, is not retried."""
    connection = connections[alias]
    return connection.connection is None or not connection.is_usable()


def replica_reads(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorator of a family page: its GET reads go to a usable replica (see the module)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return serve_from_replica(request, lambda: view(request, *args, **kwargs))

    return wrapper


def _settings_changed(**kwargs: Any) -> None:
    global _aliases
    if kwargs.get("setting") == "DATABASES":
        _aliases = None
        forget_verdicts()


setting_changed.connect(_settings_changed)
