"""What `make demo` does on a fresh machine: migrate an empty SQLite file, seed the demo region
(with portfolios), and a second run keeps the data. Run as separate processes, like the Makefile."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _manage(db: Path, media: Path, *args: str) -> str:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "SHKOLA_", "DATABASE_URL", "MEDIA_ROOT"))
    }
    env.update(
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{db}",
        MEDIA_ROOT=str(media),
        SHKOLA_TODAY="2026-11-20",
    )
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_a_fresh_database_gets_the_demo_region_with_portfolios_once(tmp_path: Path) -> None:
    db = tmp_path / "fresh.sqlite3"
    media = tmp_path / "media"
    _manage(db, media, "migrate", "--noinput")
    first = _manage(db, media, "seed_demo_if_empty", "--size", "tiny")

    found = re.search(r"Портфолио: обучающихся (\d+), достижений (\d+)", first)
    assert found, first
    assert int(found[1]) > 0 and int(found[2]) > 0
    assert "student" in first and "parent" in first  # the demo logins are printed

    with sqlite3.connect(db) as conn:
        achievements = conn.execute("select count(*) from portfolio_achievement").fetchone()[0]
        marks = conn.execute("select count(*) from journal_mark").fetchone()[0]
    assert achievements == int(found[2])
    assert marks > 0
    assert any(media.rglob("*.jpg")), "demo diplomas and photos are real files"

    second = _manage(db, media, "seed_demo_if_empty", "--size", "tiny")
    assert "демо-регион не перестраивается" in second
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from journal_mark").fetchone()[0] == marks
