"""Every named URL × every demo role: the status each role gets is declared, and checked.

Each app lists its URLs in ``shkola/<app>/tests/url_matrix.py`` (``CASES``). A named URL that
no app declared fails here, so a new page cannot ship without saying who may open it."""

from __future__ import annotations

from importlib import import_module
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from shkola.core.testing.matrix import ROLES, Case

SKIPPED_NAMESPACES = {"admin", "djdt"}


def declared_cases() -> list[Case]:
    cases: list[Case] = []
    for app in settings.INSTALLED_APPS:
        if not app.startswith("shkola."):
            continue
        try:
            module = import_module(f"{app}.tests.url_matrix")
        except ModuleNotFoundError as error:
            if error.name and (error.name.endswith(".tests") or error.name.endswith("url_matrix")):
                continue
            raise
        cases.extend(module.CASES)
    return cases


def named_urls(resolver: URLResolver | None = None, prefix: str = "") -> set[str]:
    """Every ``namespace:name`` in the URLconf, through includes, without admin or static."""
    resolver = resolver or get_resolver()
    names: set[str] = set()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            names |= named_urls(entry, namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            if entry.name == "static" or str(entry.pattern).startswith("static"):
                continue
            names.add(f"{prefix}{entry.name}")
    return names


CASES = declared_cases()


def test_every_named_url_is_declared() -> None:
    declared = {case.url_name for case in CASES}
    missing = sorted(named_urls() - declared)
    assert not missing, f"URLs without a Case in any url_matrix.py: {missing}"


def test_declared_urls_exist() -> None:
    unknown = sorted({case.url_name for case in CASES} - named_urls())
    assert not unknown, f"Cases for URLs that are not in the URLconf: {unknown}"


def _case_id(case: Case) -> str:
    return f"{case.url_name}{'[' + case.label + ']' if case.label else ''}"


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_url_status_for_every_role(case: Case, demo_world: Any) -> None:
    w = demo_world
    url = reverse(case.url_name, kwargs=case.kwargs(w) if case.kwargs else None)
    query = case.query(w) if callable(case.query) else case.query
    if query:
        url = f"{url}?{query}"
    got: dict[str, int] = {}
    for role in ROLES:
        client = Client()
        if role != "anonymous":
            client.force_login(w.users[role])
        got[role] = client.get(url).status_code
    wrong = {
        role: (got[role], case.expect[role]) for role in ROLES if got[role] != case.expect[role]
    }
    assert not wrong, f"{url}: role → (got, expected): {wrong}"
