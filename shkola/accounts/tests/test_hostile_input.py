"""Hostile values in every query parameter of every URL of the URL × role matrix: a Russian
message or a 404, never a 500 (issue 9).

The parameter names are a fixed list of everything the code reads from request.GET/POST
(`grep -rn "request.GET\\|request.POST" shkola`); test_the_parameter_list_is_complete keeps
the list honest when a view starts reading a new one. Each URL is asked by a role the matrix
lets in (status 200); a POST-only URL is posted to by a family and a staff role. Ids in the
path are swapped for values the database cannot hold."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from shkola.core import clock
from shkola.core.testing.matrix import ROLES, Case

from .test_url_matrix import CASES

ROOT = Path(__file__).resolve().parents[2]

PARAMS = (
    "week", "period", "student", "lesson", "subject", "journal", "kind", "class", "school",
    "org", "sphere", "tab", "year", "q", "page", "code", "next", "thumb", "download", "text",
    "fp", "comment", "work_name", "homework", "control_form", "topic", "action", "form",
    "name", "weight", "is_test", "stage", "place", "session", "state", "iss", "error",
    "error_description", "date_from", "date_to", "keep", "remove", "child", "xlsx",
)  # fmt: skip

HOSTILE = [
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "garbage",
    "99999999999999999999",
    "9223372036854775808",
    "-1",
    "0",
    "٣",  # an Arabic-Indic digit: str.isdigit() says yes
    "１２",  # full-width digits
    "1e309",
    "я" * 1000,
]
# Posted to pages with forms: the ids and the shapes that reach a choice field or a column.
HOSTILE_POST = ["99999999999999999999", "-1", "٣", "0001-01-01", "я" * 1000]
HUGE_IDS = ["99999999999999999999", "9223372036854775808"]


def test_the_parameter_list_is_complete() -> None:
    read = set()
    pattern = re.compile(r"request\.(?:GET|POST)(?:\.get(?:list)?\(|\[)\s*\"([a-z_0-9]+)\"")
    for path in (ROOT / "shkola").rglob("*.py"):
        if "/tests/" not in str(path):
            read |= set(pattern.findall(path.read_text(encoding="utf-8")))
    assert read - set(PARAMS) == set(), "add these to PARAMS"


def _first_case_per_url() -> list[Case]:
    seen: dict[str, Case] = {}
    for case in CASES:
        seen.setdefault(case.url_name, case)
    return list(seen.values())


def _client(world: Any, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


def _with_huge_ids(url: str, kwargs: dict[str, Any]) -> list[str]:
    urls = []
    for value in kwargs.values():
        if isinstance(value, int) and f"/{value}/" in url:
            urls += [url.replace(f"/{value}/", f"/{huge}/", 1) for huge in HUGE_IDS]
    return urls


@pytest.mark.django_db
@pytest.mark.parametrize("case", _first_case_per_url(), ids=lambda c: c.url_name)
def test_hostile_values_never_give_a_500(case: Case, demo_world: Any) -> None:
    w = demo_world
    kwargs = case.kwargs(w) if case.kwargs else {}
    url = reverse(case.url_name, kwargs=kwargs or None)
    allowed = [r for r in ROLES if case.expect[r] == 200]
    post_only = not allowed and all(case.expect[r] in (302, 405) for r in ROLES)
    failures = []
    if allowed:
        client = _client(w, allowed[0])
        for target in _with_huge_ids(url, kwargs):
            status = client.get(target).status_code
            if status >= 500:
                failures.append(f"GET {target}: {status}")
        for value in HOSTILE:
            query = urlencode({name: value for name in PARAMS})
            status = client.get(f"{url}?{query}").status_code
            if status >= 500:
                failures.append(f"GET {url}?…={value[:20]}: {status}")
        # A page with a form reads the same names from its POST (ids in choice fields).
        for value in HOSTILE_POST:
            status = client.post(url, {name: value for name in PARAMS}).status_code
            if status >= 500:
                failures.append(f"POST {url} …={value[:20]}: {status}")
    elif post_only:
        for role in ("parent", "teacher", "curator"):
            client = _client(w, role)
            for value in HOSTILE_POST:
                status = client.post(url, {name: value for name in PARAMS}).status_code
                if status >= 500:
                    failures.append(f"POST {url} as {role} …={value[:20]}: {status}")
    assert not failures, failures


# ------------------------------------------------------------------ what the user sees


@pytest.mark.django_db
@pytest.mark.parametrize("week", ["0001-01-01", "9999-12-31", "0001-01-07"])
def test_a_diary_week_out_of_range_says_so_in_russian(demo_world: Any, week: str) -> None:
    client = _client(demo_world, "student")
    response = client.get(reverse("diary:week") + f"?week={week}")
    assert response.status_code == 200
    assert (
        "Неделя: дата должна быть в виде ГГГГ-ММ-ДД между 01.01.1900 и 31.12.2100"
        in response.content.decode()
    )


@pytest.mark.django_db
@pytest.mark.parametrize("week", ["0001-01-01", "9999-12-31"])
def test_a_class_week_out_of_range_shows_the_current_week(demo_world: Any, week: str) -> None:
    w = demo_world
    client = _client(w, "classteacher")
    url = reverse("journal:class_week", args=[w.class_unit.id])
    asked = client.get(f"{url}?week={week}")
    current = client.get(f"{url}?week={clock.today().isoformat()}")
    assert asked.status_code == 200
    assert asked.context["monday"] == current.context["monday"]


@pytest.mark.django_db
@pytest.mark.parametrize("huge", HUGE_IDS)
def test_an_id_the_database_cannot_hold_is_a_404(demo_world: Any, huge: str) -> None:
    client = _client(demo_world, "parent")
    assert client.get(f"/portfolio/students/{huge}/").status_code == 404
    staff = _client(demo_world, "curator")
    assert staff.get(f"/journal/class/{huge}/week/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("huge", HUGE_IDS)
def test_a_huge_id_in_the_query_string_is_no_choice(demo_world: Any, huge: str) -> None:
    w = demo_world
    client = _client(w, "curator")
    response = client.get(reverse("schools:students") + f"?class={huge}")
    assert response.status_code == 200
    teacher = _client(w, "teacher")
    grid = reverse("journal:grid", args=[w.class_unit.id, w.subject.id])
    assert teacher.get(f"{grid}?period={huge}").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["portfolio:testing_add", "portfolio:diagnostic_add"])
def test_a_huge_subject_id_in_a_form_is_an_invalid_choice(demo_world: Any, url_name: str) -> None:
    w = demo_world
    client = _client(w, "classteacher")
    response = client.post(
        reverse(url_name, args=[w.student.id]),
        {
            "kind": "vpr",
            "topic": "Дроби",
            "subject": "99999999999999999999",
            "date": "2026-10-01",
            "score": "5",
            "max_score": "10",
            "duration_minutes": "20",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["subject"] == [
        "Выберите корректный вариант. Вашего варианта нет среди допустимых значений."
    ]
