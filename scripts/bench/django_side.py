"""The benchmark's Django-side helper: runs inside the project (same settings and database as the
served app) and answers the orchestrator (scripts/bench/run.py) with one JSON document.

    python scripts/bench/django_side.py prepare <workdir>   sessions, page URLs, query counts,
                                                             the cells the save test writes to
    python scripts/bench/django_side.py queries             query counts only (the small DB)
    python scripts/bench/django_side.py history             MarkHistory rows, to count real saves

Sessions are made the way a login makes them (the test client's ``force_login`` runs
``django.contrib.auth.login`` and its signals), so the bench never needs the demo password,
which production settings refuse."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.middleware.csrf import _get_new_csrf_string  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from shkola.accounts.models import User  # noqa: E402
from shkola.core import clock  # noqa: E402

HOST = "127.0.0.1"
BACKEND = "django.contrib.auth.backends.ModelBackend"
# Enough distinct (student, lesson) cells that no cell is saved twice in a run, so every save
# carries the version it read and is a real change (no conflicts the bench itself provokes).
MAX_CELLS = 60_000


@dataclass
class Page:
    key: str
    label: str
    login: str
    path: str | None  # None: the page does not exist in this build
    why_missing: str = ""


def _user(login: str) -> User:
    return User.objects.get(username=login)


def _client(login: str) -> Client:
    client = Client(HTTP_HOST=HOST, raise_request_exception=False)
    client.force_login(_user(login), backend=BACKEND)
    return client


def _diary_week_path(login: str) -> str:
    """The student's current week, or the last week with lessons when today is a holiday."""
    from shkola.timetable.models import Lesson

    student = _user(login).student  # type: ignore[attr-defined]
    today = clock.today()
    last = (
        Lesson.objects.filter(
            class_unit_id=student.current_class_id, date__lte=today, is_cancelled=False
        )
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    path = reverse("diary:week")
    if last is not None:
        monday = last - dt.timedelta(days=last.weekday())
        if monday != today - dt.timedelta(days=today.weekday()):
            path += f"?week={monday.isoformat()}"
    return path


def _journal_grid() -> tuple[str | None, str]:
    """The teacher's journal grid for one of the teacher's class–subject pairs."""
    try:
        reverse("journal:grid", kwargs={})
    except NoReverseMatch:
        return None, "в этой сборке нет страницы журнала (journal:grid)"
    return None, "TODO"


def save_cells(teacher: User, path: Path, limit: int, cookies: dict[str, str]) -> dict[str, Any]:
    try:
        reverse("journal:mark_save")
    except NoReverseMatch:
        return {"available": False, "why_missing": "в этой сборке нет сохранения отметки"}
    return {"available": False, "why_missing": "TODO"}


def pages() -> list[Page]:
    result = [Page("healthz", "/healthz (тривиальная)", "", reverse("core:healthz"))]
    result.append(Page("diary_week", "Дневник: неделя", "student", _diary_week_path("student")))
    result.append(Page("report_card", "Табель", "student", reverse("diary:report")))
    grid, why = _journal_grid()
    result.append(Page("journal_grid", "Журнал: сетка учителя", "teacher", grid, why))
    return result


def session_cookies(login: str) -> dict[str, str]:
    client = _client(login)
    csrf = _get_new_csrf_string()
    return {
        settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
        settings.CSRF_COOKIE_NAME: csrf,
    }


def query_counts(page_list: list[Page]) -> dict[str, Any]:
    """Queries of the second request of each page (the first one warms per-process caches and
    records the session's «last seen», which a browser pays once per five minutes)."""
    counts: dict[str, Any] = {}
    clients: dict[str, Client] = {}
    for page in page_list:
        if page.path is None or not page.login:
            continue
        client = clients.get(page.login) or _client(page.login)
        clients[page.login] = client
        client.get(page.path)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(page.path)
        counts[page.key] = {
            "status": response.status_code,
            "queries": len(ctx.captured_queries),
            "bytes": len(response.content),
        }
    return counts


def data_size() -> dict[str, int]:
    from shkola.journal.models import Mark
    from shkola.schools.models import Organisation, Student
    from shkola.timetable.models import Lesson

    return {
        "organisations": Organisation.objects.count(),
        "students": Student.objects.count(),
        "lessons": Lesson.objects.count(),
        "marks": Mark.objects.count(),
    }


def history_count() -> int:
    from shkola.journal.models import MarkHistory

    return MarkHistory.objects.count()


def prepare(workdir: Path) -> dict[str, Any]:
    page_list = pages()
    cookies = {login: session_cookies(login) for login in ("student", "teacher")}
    save = save_cells(_user("teacher"), workdir / "cells.txt", MAX_CELLS, cookies["teacher"])
    return {
        "pages": [page.__dict__ for page in page_list],
        "cookies": cookies,
        "queries": query_counts(page_list),
        "save": save,
        "data": data_size(),
    }


def main() -> None:
    command = sys.argv[1]
    if command == "prepare":
        result: Any = prepare(Path(sys.argv[2]))
    elif command == "queries":
        result = {"queries": query_counts(pages()), "data": data_size()}
    elif command == "history":
        result = {"history": history_count()}
    else:
        raise SystemExit(f"unknown command {command}")
    print("BENCH-JSON " + json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
