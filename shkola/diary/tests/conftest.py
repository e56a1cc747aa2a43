"""Fixtures of the diary tests; the world itself is described in world.py."""

from __future__ import annotations

import pytest

from .world import TODAY, World, build_world, lesson, mark  # noqa: F401 - re-exported


@pytest.fixture
def today(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SHKOLA_TODAY", TODAY.isoformat())
    return TODAY


@pytest.fixture
def world(db, today) -> World:  # type: ignore[no-untyped-def]
    return build_world()
