"""Pytest plugin: ``pytest_plugins = ["shkola.demo.pytest_fixtures"]`` in the root conftest.

``demo_world`` is built once per test session (per xdist worker) outside the per-test
transactions, so every test using ``db`` sees it and rolls back only its own changes. Tests
with a transactional database (the browser journeys) empty every table when they end;
pytest-django runs them after all the others, so the world is never asked for after a flush."""

from __future__ import annotations

from typing import Any

import pytest

from .testing import DemoWorld, build_demo_world


@pytest.fixture(scope="session")
def demo_world(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> DemoWorld:
    from django.test import override_settings

    # The demo students' portfolio photos go to a temporary folder, not the checkout's media/.
    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        return build_demo_world()
