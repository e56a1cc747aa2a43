"""One rule set, tested through both doors: for every demo role and several students, the
diary and portfolio pages and the API agree on who may read (page 200 or the family's
redirect to its own form ↔ API 200) and who gets a 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from shkola.core.testing.matrix import ROLES

from . import factories

pytestmark = pytest.mark.django_db

STUDENTS = ("student", "second_child", "other_family_student", "other_student", "cross_other_child")
DOORS = [
    # (page url name, API path): the same rule (diary.view_diary / portfolio.view) behind both
    ("diary:week_of", "diary"),
    ("diary:report_of", "report-card"),
    ("portfolio:card", "portfolio"),
]


def _page_allows(user: Any, url_name: str, student: Any) -> bool:
    client = Client()
    client.force_login(user)
    status = client.get(reverse(url_name, kwargs={"student_id": student.id})).status_code
    assert status in (200, 302, 404), status
    return status != 404


def _api_allows(user: Any, path: str, student: Any) -> bool:
    tok = factories.token(user)
    response = Client().get(f"/api/v1/students/{student.id}/{path}", **factories.bearer(tok))
    assert response.status_code in (200, 404), response.content
    return response.status_code == 200


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
@pytest.mark.parametrize(("url_name", "path"), DOORS, ids=[d[1] for d in DOORS])
def test_the_page_and_the_api_agree(demo_world: Any, role: str, url_name: str, path: str) -> None:
    cache.clear()
    user = demo_world.users[role]
    got = {
        name: (
            _page_allows(user, url_name, getattr(demo_world, name)),
            _api_allows(user, path, getattr(demo_world, name)),
        )
        for name in STUDENTS
    }
    disagree = {name: pair for name, pair in got.items() if pair[0] != pair[1]}
    assert not disagree, f"{role}: (page, api) disagree for {disagree}"


def test_the_matrix_is_not_trivial(demo_world: Any) -> None:
    """The agreement above means something: the parent may read her child and not another."""
    parent = demo_world.users["parent"]
    assert _api_allows(parent, "diary", demo_world.student)
    assert not _api_allows(parent, "diary", demo_world.other_family_student)
    student = demo_world.users["student"]
    assert _api_allows(student, "diary", demo_world.student)
    assert not _api_allows(student, "diary", demo_world.second_child)
