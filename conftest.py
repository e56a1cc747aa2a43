"""Root conftest: shared fixtures for every app's tests."""

from __future__ import annotations

import pytest

# demo_world: the demo school built once per session (per xdist worker), see the plugin.
pytest_plugins = ["shkola.demo.pytest_fixtures"]


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):  # type: ignore[no-untyped-def]
    # Uploaded files of one test never leak into another or into the repo.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def school(db):  # type: ignore[no-untyped-def]
    from shkola.core.testing.factories import make_school

    return make_school()
