"""OAuth apps and tokens for tests, made with django-oauth-toolkit's own models."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_application_model

from shkola.api.scopes import SCOPES

ALL_SCOPES = " ".join(SCOPES)
REDIRECT_URI = "http://127.0.0.1:8765/callback"


def application(name: str = "", **fields: Any) -> Any:
    model = get_application_model()
    return model.objects.create(
        name=name or f"Тестовое приложение {secrets.token_hex(3)}",
        client_type=model.CLIENT_PUBLIC,
        authorization_grant_type=model.GRANT_AUTHORIZATION_CODE,
        redirect_uris=REDIRECT_URI,
        **fields,
    )


def token(user: Any, scope: str = ALL_SCOPES, app: Any = None, **fields: Any) -> Any:
    """A live access token of ``user`` for ``app`` (a new app when not given)."""
    fields.setdefault("expires", timezone.now() + dt.timedelta(hours=1))
    return get_access_token_model().objects.create(
        user=user,
        application=app or application(),
        token=secrets.token_urlsafe(30),
        scope=scope,
        **fields,
    )


def bearer(access_token: Any) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {access_token.token}"}
