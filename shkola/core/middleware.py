import logging
import sys
from collections.abc import Callable
from typing import Any

from django.core.signals import got_request_exception
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.views import defaults


class PasswordChangeRequiredMiddleware:
    """A user whose password was set by the curator must choose their own before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
        ):
            allowed = {reverse("accounts:password_change"), reverse("accounts:logout")}
            if request.path not in allowed and not request.path.startswith("/static/"):
                return redirect("accounts:password_change")
        return self.get_response(request)


# --------------------------------------------------------------------------------------------
# The database is away (a restart of the primary, a failover, PgBouncer without a server).

RETRY_AFTER_SECONDS = 60
_DOWN_MARK = "_shkola_database_down"
logger = logging.getLogger("shkola.database")


def _is_database_down(exc: BaseException | None) -> bool:
    # OperationalError covers refused and dropped connections, PgBouncer's "no more connections
    # allowed" and "server login has been failing", and also timeouts and deadlocks: all
    # transient, all answered the same way: try again in a moment. So is Redis away at the
    # moment a session must be dropped from it (a sign-out): shkola/core/cache.py lets reads
    # through without it, but refuses to lose an invalidation.
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    try:
        import redis
    except ImportError:  # pragma: no cover - a dependency
        return False
    return isinstance(exc, redis.exceptions.ConnectionError | redis.exceptions.TimeoutError)


def _mark_request(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """An error raised outside the view (while a middleware loads the session or the user)
    never reaches a middleware as an exception: Django turns it into a 500 response on the
    spot. It does send this signal from inside its ``except``, so the request is marked here
    and DatabaseUnavailableMiddleware swaps that 500 for the 503 page."""
    exc = sys.exc_info()[1]
    if request is not None and _is_database_down(exc):
        setattr(request, _DOWN_MARK, exc)


got_request_exception.connect(_mark_request, dispatch_uid="shkola.core.database_down")


class DatabaseUnavailableMiddleware:
    """While the database cannot be reached, people get a calm Russian page «Сервис временно
    недоступен» with status 503 and Retry-After, not a server error. The page is rendered
    without a request context (no user, menu or counters), so it needs no database at all.
    The broken connection is closed, so the next request connects again: the app recovers
    by itself once the database is back, with no restart.

    Put it right after WhiteNoise: outside the session and authentication middleware, whose
    database errors it must see, and inside the security and CSP middleware, which still add
    their headers to the 503."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        exc = getattr(request, _DOWN_MARK, None)
        if exc is not None and response.status_code == 500:
            return database_unavailable(request, exc)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if _is_database_down(exception):
            return database_unavailable(request, exception)
        return None


def database_unavailable(request: HttpRequest, exc: BaseException) -> HttpResponse:
    logger.warning(
        "database unavailable, answered 503: %s %s: %s: %s",
        request.method,
        request.path,
        type(exc).__name__,
        str(exc).strip().splitlines()[0] if str(exc).strip() else "",
    )
    _drop_broken_connections()
    htmx = request.headers.get("HX-Request") == "true"
    body = render_to_string("503.html#notice" if htmx else "503.html")
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    # Logged above as one WARNING line: Django would log every 5xx again as an ERROR.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500 (config/urls.py): Django calls it, inside its ``except``, for an error raised
    outside a view, e.g. while a middleware loads the session. A lost database gets the 503
    page there, without the ERROR and traceback a real server error is logged with; anything
    else gets Django's own 500 page (500.html)."""
    exc = sys.exc_info()[1]
    if _is_database_down(exc):
        assert exc is not None
        return database_unavailable(request, exc)
    return defaults.server_error(request)


def _drop_broken_connections() -> None:
    """Django closes a connection that failed when the request ends (close_old_connections on
    request_finished, and CONN_HEALTH_CHECKS before the next query); closing it here as well
    makes the next request of this thread connect afresh even where those signals do not run
    (the test client, a management command serving requests)."""
    for conn in connections.all(initialized_only=True):
        if conn.errors_occurred and not conn.in_atomic_block:
            try:
                conn.close()
            except DatabaseError:  # closing a dead socket may complain; it is closed anyway
                pass
