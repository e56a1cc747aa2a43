"""The services' URL × role expectations, run against the demo world (the project-wide walker
checks every app's CASES too; this keeps these honest while it is being built)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from shkola.core.testing.matrix import ROLES

from .url_matrix import CASES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.url_name}:{c.label}")
def test_each_role_gets_the_declared_status(case, demo_world):
    url = reverse(case.url_name, kwargs=case.kwargs(demo_world) if case.kwargs else None)
    query = case.query(demo_world) if callable(case.query) else case.query
    if query:
        url = f"{url}?{query}"
    got = {}
    for role in ROLES:
        client = Client()
        if role != "anonymous":
            client.force_login(demo_world.users[role])
        got[role] = client.get(url).status_code
    assert got == case.expect
