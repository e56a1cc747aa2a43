"""Pytest plugin: ``pytest_plugins = ["shkola.demo.pytest_fixtures"]`` in the root conftest.

``demo_world`` is built once per test session (per xdist worker) outside the per-test
transactions, so every test using ``db`` sees it and rolls back only its own changes. Tests
that use ``transactional_db`` flush the database and must not rely on it afterwards."""

from __future__ import annotations

from typing import Any

import pytest

from .testing import DemoWorld, build_demo_world


@pytest.fixture(scope="session")
def demo_world(django_db_setup: Any, django_db_blocker: Any) -> DemoWorld:
    with django_db_blocker.unblock():
        return build_demo_world()
