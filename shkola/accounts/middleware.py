"""Keeps «Доступ» honest: when each signed-in browser was last seen."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from shkola.core import clock

TOUCH_EVERY_SECONDS = 300
_SESSION_MARK = "_shkola_seen"


class SessionActivityMiddleware:
    """Writes at most once per five minutes per session, so reading pages stays cheap."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is None or session is None or not user.is_authenticated:
            return response
        key = session.session_key
        if not key:
            return response
        now = clock.now().timestamp()
        if now - float(session.get(_SESSION_MARK, 0)) < TOUCH_EVERY_SECONDS:
            return response
        from .services import user_session_touch

        if user_session_touch(
            user=user,
            session_key=key,
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            ip_address=client_ip(request),
        ):
            session[_SESSION_MARK] = now
        return response


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None
