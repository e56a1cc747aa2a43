"""Bearer tokens of the open API, validated by django-oauth-toolkit, with a scope per endpoint
and a request limit per token.

``OAuthBearer("diary")`` on an endpoint: no token or a bad, expired or revoked one is a 401;
a token without the scope is a 403 naming the permission; a token over its limit is a 429
with ``Retry-After``. The token's person becomes ``request.user``, so the endpoints ask the
same ``rules`` predicates and selectors as the pages."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.security import HttpBearer
from oauth2_provider.oauth2_backends import get_oauthlib_core

from shkola.accounts.selectors import viewer_for

from .scopes import SCOPES

log = logging.getLogger(__name__)

PERIODS = {"sec": 1, "s": 1, "min": 60, "m": 60, "hour": 3600, "h": 3600, "day": 86400, "d": 86400}


class ScopeMissing(Exception):
    def __init__(self, scope: str) -> None:
        super().__init__(scope)
        self.scope = scope
        self.description = str(SCOPES.get(scope, scope))


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def parse_rate(rate: str) -> tuple[int, int]:
    """``"120/min"`` → (120, 60)."""
    number, _, period = (rate or "").partition("/")
    try:
        count = int(number)
    except ValueError as exc:
        raise ValueError(f"API_RATE_LIMIT: {rate!r}") from exc
    seconds = PERIODS.get(period.strip().lower())
    if seconds is None or count < 1:
        raise ValueError(f"API_RATE_LIMIT: {rate!r}")
    return count, seconds


def rate_check(token_id: int, *, now: float | None = None) -> None:
    """A fixed window per token: the n-th request over the limit in the window is refused
    until the window ends (kept in the cache, shared by the workers of one cache)."""
    limit, period = parse_rate(settings.API_RATE_LIMIT)
    now = time.time() if now is None else now
    window = int(now // period)
    key = f"api-rate:{token_id}:{window}"
    cache.add(key, 0, timeout=period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=period + 1)
        count = 1
    except Exception as error:  # noqa: BLE001 - Redis away: serve unlimited, never a 500
        if type(error).__module__.split(".")[0] != "redis":
            raise
        log.warning("API rate limit not counted, the cache is unreachable: %s", error)
        return
    if count > limit:
        raise RateLimited(max(1, int((window + 1) * period - now + 0.999)))


class OAuthBearer(HttpBearer):
    """A DOT access token that grants ``scope`` (any valid token when ``scope`` is None)."""

    def __init__(self, scope: str | None) -> None:
        if scope is not None and scope not in SCOPES:
            raise ValueError(scope)
        self.scope = scope
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if not token:
            return None
        valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
        if not valid:
            return None
        access_token = oauth_request.access_token
        user = oauth_request.user
        if user is None or not user.is_active:
            return None
        if self.scope and not access_token.allow_scopes([self.scope]):
            raise ScopeMissing(self.scope)
        rate_check(access_token.id)
        viewer = viewer_for(user)
        # The rules cache their Viewer on the user; the pages share theirs the same way.
        user._shkola_viewer = viewer
        request.user = user
        request._shkola_viewer = viewer  # type: ignore[attr-defined]
        request.oauth_token = access_token  # type: ignore[attr-defined]
        return access_token
