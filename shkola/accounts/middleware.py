"""Keeps «Доступ» honest: when each signed-in browser was last seen."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
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
    """The address of the person's browser: lockouts (axes), the security log and «Доступ».

    Behind ``TRUSTED_PROXY_COUNT`` reverse proxies REMOTE_ADDR is the nearest proxy, and each
    proxy appends the address it received from to X-Forwarded-For, so the client is the
    N-th entry from the right; entries further left were written by the client and are
    forgeable. With no trusted proxy the header is ignored altogether: anyone can send it."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        # The request did not pass through every proxy we expect: the peer is what we know.
        return remote
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
