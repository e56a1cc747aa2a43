"""The demo's mobile app: a public OAuth client with a fixed client_id and the redirect URI
scripts/oauth_demo_client.py listens on, so `make demo` can run the whole PKCE flow."""

from __future__ import annotations

from typing import Any

from oauth2_provider.models import get_application_model

DEMO_CLIENT_ID = "shkala-mobile-demo"
DEMO_CLIENT_NAME = "Шкала Мобайл"
DEMO_REDIRECT_URI = "http://127.0.0.1:8765/callback"


def demo_application_ensure() -> Any:
    """The demo app, created once (public: no secret, PKCE required)."""
    model = get_application_model()
    app, _ = model.objects.get_or_create(
        client_id=DEMO_CLIENT_ID,
        defaults={
            "name": DEMO_CLIENT_NAME,
            "client_type": model.CLIENT_PUBLIC,
            "authorization_grant_type": model.GRANT_AUTHORIZATION_CODE,
            "redirect_uris": DEMO_REDIRECT_URI,
            "skip_authorization": False,
        },
    )
    return app
