from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, path
from oauth2_provider import views as oauth_views

from . import views
from .api import api

app_name = "apps"
urlpatterns = [
    path("", views.apps, name="list"),
    path("<id:application_id>/revoke/", views.revoke, name="revoke"),
]

# DOT's endpoints the apps need (the management pages stay in the admin), in DOT's namespace,
# which its views reverse.
oauth_patterns = (
    [
        path("authorize/", views.ConsentView.as_view(), name="authorize"),
        path("token/", oauth_views.TokenView.as_view(), name="token"),
        path("revoke_token/", oauth_views.RevokeTokenView.as_view(), name="revoke-token"),
    ],
    "oauth2_provider",
)


def api_patterns() -> tuple[list[URLPattern], str, str]:
    """The API's URLs: bearer tokens, not the session, so the site's LoginRequiredMiddleware
    must let them through (an anonymous call gets the API's 401 JSON, not the login page)."""
    patterns, app, namespace = api.urls
    for pattern in patterns:
        pattern.callback = login_not_required(pattern.callback)  # type: ignore[union-attr,type-var]
    return patterns, app, namespace  # type: ignore[return-value]
