"""Environment defaults for every test run (app fixtures live in the root conftest.py)."""

from __future__ import annotations

import os

# The settings detect pytest by themselves; a subprocess a test starts (manage.py, a server)
# sees this too. SECRET_KEY is deliberately not set here: tests check that production refuses
# to start without one.
os.environ.setdefault("SHKOLA_TESTING", "1")
