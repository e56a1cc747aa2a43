"""Browser journey (I2, X4): a mobile app reads the diary through the open API.

The test plays the app with `requests` against the live server: it builds the authorize URL
with a PKCE challenge; in the browser the parent signs in and presses «Разрешить» on the
consent screen; the app catches the code from the redirect to its loopback address, exchanges
it at /oauth/token/ with the verifier and reads the diary week, where the child's mark is.
Then the parent revokes the app in «Мои данные» → «Приложения» and the API answers 401. On a
desktop and on a phone; the consent screen, the apps page and /api/v1/docs are screenshotted."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

TODAY = dt.date(2026, 9, 9)  # a Wednesday
REDIRECT_URI = "http://127.0.0.1:8765/callback"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, {"width": 360, "height": 740}]
)
def test_a_mobile_app_reads_the_diary_until_the_parent_revokes_it(
    live_server: Any, page: Any, viewport: Any, screenshot: Any, monkeypatch: Any
) -> None:
    from shkola.api.demo import DEMO_CLIENT_ID, demo_application_ensure
    from shkola.core.testing.factories import guardian_of, make_school
    from shkola.journal.models import Mark
    from shkola.timetable.models import Lesson

    monkeypatch.setenv("SHKOLA_TODAY", TODAY.isoformat())
    school = make_school(n_students=2, weekdays=(1, 3, 5), generate_lessons_until=TODAY)
    child = school.students[0]
    parent = guardian_of(child)
    lesson = Lesson.objects.filter(class_unit=school.class_unit, date__lte=TODAY).latest("date")
    Mark.objects.create(
        student=child, lesson=lesson, value="4", points=4, weight=1, created_by=school.teacher
    )
    demo_application_ensure()
    base = live_server.url
    width = viewport["width"]

    # Given the app opens the authorize URL with a PKCE challenge
    verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    authorize = f"{base}/oauth/authorize/?" + urlencode(
        {
            "response_type": "code",
            "client_id": DEMO_CLIENT_ID,
            "redirect_uri": REDIRECT_URI,
            "scope": "diary marks",
            "state": "journey",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    # The app's loopback listener: the browser's redirect to it is caught here.
    caught: list[str] = []

    def callback(route: Any) -> None:
        caught.append(route.request.url)
        route.fulfill(status=200, content_type="text/plain; charset=utf-8", body="ok")

    page.route("http://127.0.0.1:8765/**", callback)

    # When the parent signs in (sent to the login page first) and allows the app
    page.goto(authorize)
    page.fill("input[name=username]", parent.username)
    from shkola.core.testing.factories import TEST_PASSWORD

    page.fill("input[name=password]", TEST_PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.wait_for_selector("#consent-allow")
    title = page.inner_text("#consent-title")
    assert "Шкала Мобайл" in title
    scopes = page.inner_text("#consent-scopes")
    assert "Дневник: уроки недели" in scopes and "Отметки: табель успеваемости" in scopes
    screenshot(page, f"oauth-consent-{width}")
    page.click("#consent-allow")
    page.wait_for_url("http://127.0.0.1:8765/**")
    assert len(caught) == 1
    query = parse_qs(urlsplit(caught[0]).query)
    assert query["state"] == ["journey"]

    # Then the app exchanges the code with its verifier and reads the child's mark
    token = requests.post(
        f"{base}/oauth/token/",
        data={
            "grant_type": "authorization_code",
            "code": query["code"][0],
            "redirect_uri": REDIRECT_URI,
            "client_id": DEMO_CLIENT_ID,
            "code_verifier": verifier,
        },
        timeout=30,
    )
    assert token.status_code == 200, token.text
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    me = requests.get(f"{base}/api/v1/me", headers=headers, timeout=30).json()
    assert [s["id"] for s in me["students"]] == [child.id]
    week = requests.get(
        f"{base}/api/v1/students/{child.id}/diary?week={lesson.date.isoformat()}",
        headers=headers,
        timeout=30,
    )
    assert week.status_code == 200
    lessons = [x for day in week.json()["days"] for x in day["lessons"]]
    assert [m["value"] for x in lessons if x["id"] == lesson.id for m in x["marks"]] == ["4"]

    # When the parent revokes the app in the profile
    page.goto(f"{base}/oauth/apps/")
    card = page.locator(f".app-card[data-app='{DEMO_CLIENT_ID}']")
    assert "Шкала Мобайл" in card.inner_text()
    assert "Дневник: уроки недели" in card.inner_text()
    screenshot(page, f"oauth-apps-{width}")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1
    with page.expect_navigation():
        card.get_by_role("button", name="Отозвать доступ").click()
    assert "Доступ приложения отозван." in page.inner_text("main")
    assert page.locator(".app-card").count() == 0

    # Then the API refuses the token
    refused = requests.get(f"{base}/api/v1/me", headers=headers, timeout=30)
    assert refused.status_code == 401
    assert "токен доступа" in refused.json()["detail"]

    # And the docs page works under the site's CSP (Swagger UI from 'self')
    page.goto(f"{base}/api/v1/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=30_000)
    assert "/api/v1/students/{student_id}/diary" in page.inner_text("#swagger-ui")
    screenshot(page, f"api-docs-{width}")
    assert page.js_errors == []
    assert [e for e in page.console_errors if "8765" not in e] == []
