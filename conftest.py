"""Root conftest: shared fixtures for every app's tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

# demo_world: the demo school built once per session (per xdist worker), see the plugin.
pytest_plugins = ["shkola.demo.pytest_fixtures", "shkola.core.testing.s3"]


def pytest_configure(config: pytest.Config) -> None:
    # The tests must not depend on someone having run `make install`: the .mo files are
    # build output (not in git), so compile any catalog whose .mo is missing or older
    # than its .po before Django loads translations. Done here, not in settings, so a
    # production process never writes into its code directory.
    script = Path(__file__).resolve().parent / "scripts" / "compile_messages.py"
    spec = importlib.util.spec_from_file_location("compile_messages", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    if module.compile_all(if_stale=True):
        # pytest-django set Django up before this hook; a catalog read before the .mo
        # existed is dropped the way Django's own tests drop it when LOCALE_PATHS changes.
        from django.conf import settings
        from django.core.signals import setting_changed
        from django.test import signals  # noqa: F401  (connects the receiver)

        setting_changed.send(
            sender=type(settings), setting="LOCALE_PATHS", value=settings.LOCALE_PATHS, enter=False
        )


@pytest.fixture(autouse=True)
def _cache_cleared():  # type: ignore[no-untyped-def]
    # Sessions, who is signed in and the school years live in the cache: a test must not see
    # another's (SQLite hands out the ids of rolled-back rows again).
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):  # type: ignore[no-untyped-def]
    # Uploaded files of one test never leak into another or into the repo.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def school(db):  # type: ignore[no-untyped-def]
    from shkola.core.testing.factories import make_school

    return make_school()
