"""The open API through Django's test client with real DOT tokens: what a family reads, and
every error as Russian JSON (401, 403, 404, 422, 429), never a 500."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from shkola.accounts.models import AuditEvent
from shkola.journal.models import Mark

from . import factories

pytestmark = pytest.mark.django_db


def _get(url: str, tok: Any = None, **extra: Any) -> Any:
    headers = factories.bearer(tok) if tok is not None else {}
    return Client().get(url, **headers, **extra)


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    cache.clear()


def test_a_parent_reads_the_childs_mark_in_the_diary_week(demo_world: Any) -> None:
    w = demo_world
    mark = (
        Mark.objects.filter(student=w.student, journal="main", lesson__is_cancelled=False)
        .select_related("lesson__subject")
        .order_by("-lesson__date")
        .first()
    )
    assert mark is not None
    tok = factories.token(w.users["parent"])
    response = _get(
        f"/api/v1/students/{w.student.id}/diary?week={mark.lesson.date.isoformat()}", tok
    )
    assert response.status_code == 200
    data = response.json()
    assert data["student"]["id"] == w.student.id
    lessons = [lesson for day in data["days"] for lesson in day["lessons"]]
    lesson = next(x for x in lessons if x["id"] == mark.lesson_id)
    assert lesson["subject"] == mark.lesson.subject.name
    assert mark.value in [m["value"] for m in lesson["marks"]]


def test_me_lists_the_parents_children_and_the_scopes(demo_world: Any) -> None:
    w = demo_world
    tok = factories.token(w.users["parent"], scope="diary marks")
    data = _get("/api/v1/me", tok).json()
    assert {s["id"] for s in data["students"]} == {w.student.id, w.second_child.id}
    assert data["scopes"] == ["diary", "marks"]


def test_report_card_gives_the_same_average_as_the_diary_selector(demo_world: Any) -> None:
    from shkola.core import clock
    from shkola.diary import selectors as diary_selectors
    from shkola.journal import grading

    w = demo_world
    tok = factories.token(w.users["student"], scope="marks")
    data = _get(f"/api/v1/students/{w.student.id}/report-card", tok).json()
    choice = diary_selectors.periods_for(w.student, None, clock.today())
    assert choice.current is not None
    rows = diary_selectors.report_card(w.student, choice.current)
    expected = {
        r.subject.name: (f"{grading.quantize2(r.average):.2f}" if r.average is not None else None)
        for r in rows
    }
    assert {s["subject"]: s["average"] for s in data["subjects"]} == expected
    assert data["period"]["id"] == choice.current.id


def test_report_card_carries_the_diarys_forecast(demo_world: Any) -> None:
    from shkola.core import clock
    from shkola.diary import selectors as diary_selectors

    w = demo_world
    tok = factories.token(w.users["student"], scope="marks")
    data = _get(f"/api/v1/students/{w.student.id}/report-card", tok).json()
    choice = diary_selectors.periods_for(w.student, None, clock.today())
    assert choice.current is not None
    rows = diary_selectors.report_card(w.student, choice.current, today=clock.today())
    expected = {r.subject.name: (r.forecast.lines, r.forecast.note) for r in rows}
    got = {
        s["subject"]: ([line["text"] for line in s["forecast"]], s["forecast_note"])
        for s in data["subjects"]
    }
    assert got == expected
    assert any(subject["forecast"] for subject in data["subjects"])
    for subject in data["subjects"]:
        for line in subject["forecast"]:
            assert line["kind"] in ("reach", "keep", "safe", "unreachable")
            assert line["mark"] in (3, 4, 5)


@pytest.mark.parametrize(
    "path",
    [
        "diary",
        "homework",
        "report-card",
        "final-marks",
        "timetable",
        "portfolio",
    ],
)
def test_every_student_endpoint_answers_the_family(demo_world: Any, path: str) -> None:
    tok = factories.token(demo_world.users["parent"])
    response = _get(f"/api/v1/students/{demo_world.second_child.id}/{path}", tok)
    assert response.status_code == 200, response.content
    assert response.json()["student"]["id"] == demo_world.second_child.id


def test_messages_and_announcements_are_the_persons_own(demo_world: Any) -> None:
    tok = factories.token(demo_world.users["parent"])
    inbox = _get("/api/v1/messages", tok)
    assert inbox.status_code == 200
    assert inbox.json()["page"] == 1
    assert _get("/api/v1/announcements", tok).status_code == 200
    foreign = _get("/api/v1/messages/987654321", tok)
    assert foreign.status_code == 404
    assert foreign.json() == {"detail": "Сообщение не найдено."}


def test_no_token_or_a_bad_one_is_a_russian_401(demo_world: Any) -> None:
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer nonsense"}, {"HTTP_AUTHORIZATION": "x"}):
        response = Client().get("/api/v1/me", **headers)
        assert response.status_code == 401
        assert "токен доступа" in response.json()["detail"]
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_token_is_a_401(demo_world: Any) -> None:
    tok = factories.token(
        demo_world.users["parent"], expires=timezone.now() - dt.timedelta(seconds=1)
    )
    assert _get("/api/v1/me", tok).status_code == 401


def test_a_missing_scope_is_a_403_naming_the_permission(demo_world: Any) -> None:
    tok = factories.token(demo_world.users["parent"], scope="diary")
    response = _get(f"/api/v1/students/{demo_world.student.id}/report-card", tok)
    assert response.status_code == 403
    assert response.json()["detail"].startswith(
        "Нет доступа: приложению не выдано разрешение «marks»"
    )


def test_another_familys_student_is_a_404(demo_world: Any) -> None:
    tok = factories.token(demo_world.users["parent"])
    for student in (demo_world.other_family_student, demo_world.other_student):
        response = _get(f"/api/v1/students/{student.id}/diary", tok)
        assert response.status_code == 404
        assert response.json() == {"detail": "Ученик не найден."}


@pytest.mark.parametrize("week", ["2026-13-45", "сегодня", "2026-02-30", "1"])
def test_a_malformed_week_is_a_422_naming_the_field(demo_world: Any, week: str) -> None:
    tok = factories.token(demo_world.users["parent"])
    response = _get(f"/api/v1/students/{demo_world.student.id}/diary?week={week}", tok)
    assert response.status_code == 422
    data = response.json()
    assert data["errors"] == [{"field": "week", "message": "дата должна быть в виде ГГГГ-ММ-ДД."}]


@pytest.mark.parametrize("week", ["0001-01-01", "9999-12-31", "1899-12-31"])
def test_a_week_the_diary_cannot_hold_is_a_404_naming_the_field(demo_world: Any, week: str) -> None:
    tok = factories.token(demo_world.users["parent"])
    response = _get(f"/api/v1/students/{demo_world.student.id}/diary?week={week}", tok)
    assert response.status_code == 404
    assert response.json()["detail"].startswith("week: такой недели в дневнике нет")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/students/99999999999999999999999/diary",
        "/api/v1/students/0/diary",
        "/api/v1/students/-1/diary",
        "/api/v1/students/abc/diary",
        "/api/v1/students/{id}/report-card?period=99999999999999999999",
        "/api/v1/students/{id}/report-card?period=1.5",
        "/api/v1/students/{id}/report-card?period=123456789",
        "/api/v1/students/{id}/final-marks?year=123456789",
        "/api/v1/students/{id}/portfolio?category=nothing",
        "/api/v1/messages?page=0",
        "/api/v1/messages?page=99999999999999",
        "/api/v1/messages/99999999999999999999999",
    ],
)
def test_bad_parameters_are_a_422_in_russian_never_a_500(demo_world: Any, url: str) -> None:
    tok = factories.token(demo_world.users["parent"])
    response = _get(url.format(id=demo_world.student.id), tok)
    assert response.status_code in (404, 422), response.content
    data = response.json()
    assert data["detail"]
    if response.status_code == 422:
        assert data["errors"][0]["field"]
        assert all(ord(ch) < 128 for ch in data["errors"][0]["field"])
        assert any("а" <= ch <= "я" for ch in data["errors"][0]["message"])


def test_the_rate_limit_is_per_token_with_retry_after(demo_world: Any, settings: Any) -> None:
    settings.API_RATE_LIMIT = "2/min"
    tok = factories.token(demo_world.users["parent"])
    other = factories.token(demo_world.users["parent"])
    assert _get("/api/v1/me", tok).status_code == 200
    assert _get("/api/v1/me", tok).status_code == 200
    refused = _get("/api/v1/me", tok)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["detail"].startswith("Слишком много запросов")
    assert _get("/api/v1/me", other).status_code == 200


def test_staff_reading_a_diary_through_the_api_is_in_the_access_log(demo_world: Any) -> None:
    w = demo_world
    tok = factories.token(w.users["classteacher"])
    before = AuditEvent.objects.filter(kind=AuditEvent.Kind.DATA_ACCESS).count()
    assert _get(f"/api/v1/students/{w.student.id}/diary", tok).status_code == 200
    logged = AuditEvent.objects.filter(kind=AuditEvent.Kind.DATA_ACCESS).order_by("-id").first()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.DATA_ACCESS).count() == before + 1
    assert logged is not None
    assert logged.actor_id == w.users["classteacher"].id
    assert logged.details["student"] == w.student.id


def test_the_family_reading_its_own_diary_is_not_logged(demo_world: Any) -> None:
    w = demo_world
    tok = factories.token(w.users["parent"])
    before = AuditEvent.objects.filter(kind=AuditEvent.Kind.DATA_ACCESS).count()
    assert _get(f"/api/v1/students/{w.student.id}/diary", tok).status_code == 200
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.DATA_ACCESS).count() == before


def test_the_openapi_document_and_the_docs_page_are_published(demo_world: Any) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/students/{student_id}/diary" in schema["paths"]
    page = Client().get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    # served from 'self' under the site's CSP, with its nonce: no CDN
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    nonce = page["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in html
