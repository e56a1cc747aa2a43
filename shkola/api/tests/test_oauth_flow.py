"""The OAuth 2.0 authorization code flow with PKCE through Django's test client, as a mobile
app runs it: the consent screen, the code, the token, the API; then the person revokes the
app in the profile and the token is a 401."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.test import Client
from oauth2_provider.models import get_access_token_model, get_refresh_token_model

from shkola.accounts.models import AuditEvent
from shkola.api.demo import DEMO_CLIENT_ID, DEMO_REDIRECT_URI, demo_application_ensure

from . import factories

pytestmark = pytest.mark.django_db


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _authorize_params(challenge: str | None, scope: str = "diary marks") -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": DEMO_CLIENT_ID,
        "redirect_uri": DEMO_REDIRECT_URI,
        "scope": scope,
        "state": "st-42",
    }
    if challenge:
        params |= {"code_challenge": challenge, "code_challenge_method": "S256"}
    return params


def _allow(client: Client, challenge: str, scope: str = "diary marks") -> str:
    page = client.get("/oauth/authorize/", _authorize_params(challenge, scope))
    assert page.status_code == 200
    form = {k: v for k, v in _authorize_params(challenge, scope).items()}
    response = client.post("/oauth/authorize/", {**form, "allow": "Authorize"})
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert response["Location"].startswith(DEMO_REDIRECT_URI)
    assert query["state"] == ["st-42"]
    return query["code"][0]


def _exchange(code: str, verifier: str) -> Any:
    return Client().post(
        "/oauth/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": DEMO_REDIRECT_URI,
            "client_id": DEMO_CLIENT_ID,
            "code_verifier": verifier,
        },
    )


@pytest.fixture(autouse=True)
def _app() -> Any:
    cache.clear()
    return demo_application_ensure()


def test_the_consent_screen_is_russian_and_lets_the_app_redirect(demo_world: Any) -> None:
    client = Client()
    client.force_login(demo_world.users["parent"])
    _, challenge = _pkce()
    page = client.get("/oauth/authorize/", _authorize_params(challenge))
    html = page.content.decode()
    assert "Приложение «Шкала Мобайл» просит доступ к вашим данным" in html
    assert "Дневник: уроки недели, темы, отметки и пропуски" in html
    assert "Отметки: табель успеваемости" in html
    assert "Сообщения" not in html.split('id="consent-scopes"')[1].split("</ul>")[0]
    assert "Разрешить" in html and "Отказать" in html
    # the browser follows the form's redirect to the app only if form-action allows it
    csp = page["Content-Security-Policy"]
    assert "form-action 'self' http://127.0.0.1:8765" in csp


def test_the_whole_flow_reads_the_diary_and_is_audited(demo_world: Any) -> None:
    parent = demo_world.users["parent"]
    client = Client()
    client.force_login(parent)
    verifier, challenge = _pkce()
    code = _allow(client, challenge)
    consent = AuditEvent.objects.filter(kind=AuditEvent.Kind.APP_CONSENT, actor=parent).last()
    assert consent is not None
    assert consent.details["application"] == "Шкала Мобайл"
    assert consent.details["scopes"] == ["diary", "marks"]
    token = _exchange(code, verifier)
    assert token.status_code == 200, token.content
    body = token.json()
    assert body["scope"] == "diary marks"
    api = Client().get(
        f"/api/v1/students/{demo_world.student.id}/diary",
        HTTP_AUTHORIZATION=f"Bearer {body['access_token']}",
    )
    assert api.status_code == 200
    assert api.json()["student"]["name"] == demo_world.student.full_name
    # the scopes not given stay closed
    inbox = Client().get("/api/v1/messages", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    assert inbox.status_code == 403


def test_without_pkce_no_code_is_given(demo_world: Any) -> None:
    client = Client()
    client.force_login(demo_world.users["parent"])
    response = client.get("/oauth/authorize/", _authorize_params(None))
    location = response.get("Location", "")
    assert "code=" not in location
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert parse_qs(urlsplit(location).query)["error"] == ["invalid_request"]


def test_a_wrong_verifier_gets_no_token(demo_world: Any) -> None:
    client = Client()
    client.force_login(demo_world.users["parent"])
    _, challenge = _pkce()
    code = _allow(client, challenge)
    response = _exchange(code, "not-the-verifier-" + "a" * 40)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_denying_gives_no_code(demo_world: Any) -> None:
    client = Client()
    client.force_login(demo_world.users["parent"])
    _, challenge = _pkce()
    response = client.post("/oauth/authorize/", _authorize_params(challenge))
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["error"] == ["access_denied"]
    assert "code" not in query


def test_the_profile_lists_the_app_and_revoking_makes_the_token_a_401(demo_world: Any) -> None:
    parent = demo_world.users["parent"]
    client = Client()
    client.force_login(parent)
    verifier, challenge = _pkce()
    body = _exchange(_allow(client, challenge), verifier).json()
    # someone else's token for the same app must survive this person's revocation
    other = factories.token(demo_world.users["student"], app=demo_application_ensure())
    page = client.get("/oauth/apps/")
    html = page.content.decode()
    assert "Шкала Мобайл" in html
    assert "Дневник: уроки недели, темы, отметки и пропуски" in html
    assert "Сообщения: входящие письма" not in html
    app_id = demo_application_ensure().pk
    response = client.post(f"/oauth/apps/{app_id}/revoke/", follow=True)
    assert "Доступ приложения отозван." in response.content.decode()
    assert "Вы не разрешали доступ ни одному приложению." in response.content.decode()
    assert not get_access_token_model().objects.filter(user=parent).exists()
    assert not get_refresh_token_model().objects.filter(user=parent).exists()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {body['access_token']}"}
    assert Client().get("/api/v1/me", **bearer).status_code == 401
    # nor does the refresh token give a new one
    refreshed = Client().post(
        "/oauth/token/",
        {
            "grant_type": "refresh_token",
            "refresh_token": body["refresh_token"],
            "client_id": DEMO_CLIENT_ID,
        },
    )
    assert refreshed.status_code in (400, 401)
    assert Client().get("/api/v1/me", **factories.bearer(other)).status_code == 200
    revoked = AuditEvent.objects.filter(kind=AuditEvent.Kind.APP_REVOKE, actor=parent).last()
    assert revoked is not None and revoked.details["application"] == "Шкала Мобайл"


def test_revoking_an_app_one_never_allowed_changes_nothing(demo_world: Any) -> None:
    client = Client()
    client.force_login(demo_world.users["parent"])
    other = factories.token(demo_world.users["student"])
    before = AuditEvent.objects.filter(kind=AuditEvent.Kind.APP_REVOKE).count()
    response = client.post(f"/oauth/apps/{other.application_id}/revoke/", follow=True)
    assert "У этого приложения уже нет доступа." in response.content.decode()
    assert get_access_token_model().objects.filter(pk=other.pk).exists()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.APP_REVOKE).count() == before


def test_the_apps_page_has_a_fixed_query_budget(
    demo_world: Any, django_assert_max_num_queries: Any
) -> None:
    parent = demo_world.users["parent"]
    client = Client()
    client.force_login(parent)
    client.get("/oauth/apps/")
    factories.token(parent)
    with django_assert_max_num_queries(20) as first:
        assert client.get("/oauth/apps/").status_code == 200
    for _ in range(4):
        factories.token(parent)
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get("/oauth/apps/").status_code == 200
