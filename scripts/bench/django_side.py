"""The benchmark's Django-side helper: runs inside the project (same settings and database as the
served app) and answers the orchestrator (scripts/bench/run.py) with one JSON document.

    python scripts/bench/django_side.py prepare <workdir>   sessions, page URLs, query counts,
                                                             the cells the save test writes to
    python scripts/bench/django_side.py queries             query counts only (the small DB)
    python scripts/bench/django_side.py history             MarkHistory rows, to count real saves
    python scripts/bench/django_side.py digests             daily digests built per second
    python scripts/bench/django_side.py send                one message to every family of the
                                                             largest school, timed (then removed)
    python scripts/bench/django_side.py scale <workdir> <n> the scale run's people (issue 15): n
                                                             students' diary weeks, n teachers'
                                                             grids, their cells to save

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

from shkola.accounts.backends import LOGIN_BACKEND as BACKEND  # noqa: E402
from shkola.accounts.models import User  # noqa: E402
from shkola.core import clock  # noqa: E402

HOST = "127.0.0.1"
# Enough distinct (student, lesson) cells that no cell is saved twice in a run, so every save
# carries the version it read and is a real change (no conflicts the bench itself provokes).
MAX_CELLS = 30_000


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
    student = _user(login).student  # type: ignore[attr-defined]
    return reverse("diary:week") + _last_week_query(student.current_class_id or 0)


def _last_week_query(class_id: int) -> str:
    """``?week=`` of the last week with lessons of a class ('' when that is this week)."""
    from shkola.timetable.models import Lesson

    today = clock.today()
    last = (
        Lesson.objects.filter(class_unit_id=class_id, date__lte=today, is_cancelled=False)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    if last is not None:
        monday = last - dt.timedelta(days=last.weekday())
        if monday != today - dt.timedelta(days=today.weekday()):
            return f"?week={monday.isoformat()}"
    return ""


def _journal_grid() -> tuple[str | None, str]:
    """The demo teacher's journal grid for the class and subject they teach most."""
    try:
        reverse("journal:grid", kwargs={"class_id": 1, "subject_id": 1})
    except NoReverseMatch:
        return None, "в этой сборке нет страницы журнала (journal:grid)"
    from django.db.models import Count

    from shkola.timetable.models import Lesson

    pair = (
        Lesson.objects.filter(
            teacher=_user("teacher"), class_unit__isnull=False, group__isnull=True
        )
        .values("class_unit_id", "subject_id")
        .annotate(n=Count("id"))
        .order_by("-n", "class_unit_id", "subject_id")
        .first()
    )
    if pair is None:
        return None, "у демо-учителя нет уроков"
    kwargs = {"class_id": pair["class_unit_id"], "subject_id": pair["subject_id"]}
    return reverse("journal:grid", kwargs=kwargs), ""


def _class_week_page() -> Page:
    """The class teacher's week of their class (every subject's lessons, marks, absences)."""
    from shkola.schools.models import ClassUnit

    label = "Журнал: неделя класса"
    led = ClassUnit.objects.filter(class_teacher=_user("classteacher")).order_by("id").first()
    if led is None:
        return Page("class_week", label, "classteacher", None, "у демо-классного нет класса")
    try:
        path = reverse("journal:class_week", kwargs={"class_id": led.id})
    except NoReverseMatch:
        return Page("class_week", label, "classteacher", None, "нет страницы недели класса")
    return Page("class_week", label, "classteacher", path + _last_week_query(led.id))


def _closed_ranges(org_id: int) -> list[tuple[dt.date, dt.date]]:
    from shkola.schools.models import AttestationPeriod

    return list(
        AttestationPeriod.objects.filter(
            academic_year__organisation_id=org_id, closed_at__isnull=False
        ).values_list("start", "end")
    )


def _teacher_cells(teacher: User, today: dt.date) -> list[tuple[int, int, str, str]]:
    """(lesson, student, text, fingerprint) of the teacher's class lessons up to today in open
    periods, for cells that are empty or hold one five-point mark and no attendance: the save
    writes a different single mark, so each save is one real change with one history row."""
    from shkola.journal.models import Attendance, JournalKind, Mark
    from shkola.journal.services import cell_fingerprint
    from shkola.schools.models import Student
    from shkola.timetable.models import Lesson

    lessons = list(
        Lesson.objects.filter(
            teacher=teacher,
            date__lte=today,
            is_cancelled=False,
            class_unit__isnull=False,
            group__isnull=True,
        )
        .order_by("-date", "-lesson_number")
        .values("id", "date", "class_unit_id", "subject__organisation_id")[:400]
    )
    if not lessons:
        return []
    closed = _closed_ranges(lessons[0]["subject__organisation_id"])
    lessons = [x for x in lessons if not any(a <= x["date"] <= b for a, b in closed)]
    lesson_ids = [x["id"] for x in lessons]
    roster: dict[int, list[int]] = {}
    for student_id, class_id in Student.objects.filter(
        current_class_id__in={x["class_unit_id"] for x in lessons}
    ).values_list("id", "current_class_id"):
        roster.setdefault(class_id, []).append(student_id)
    marks: dict[tuple[int, int], list[Mark]] = {}
    for mark in Mark.objects.filter(lesson_id__in=lesson_ids, journal=JournalKind.MAIN).only(
        "id", "version", "value", "lesson_id", "student_id"
    ):
        marks.setdefault((mark.lesson_id, mark.student_id), []).append(mark)
    absent = set(
        Attendance.objects.filter(lesson_id__in=lesson_ids).values_list("lesson_id", "student_id")
    )
    cells = []
    for lesson in lessons:
        for student_id in roster.get(lesson["class_unit_id"], []):
            key = (lesson["id"], student_id)
            held = sorted(marks.get(key, []), key=lambda m: m.id)
            if key in absent or len(held) > 1:
                continue
            if held and held[0].value not in "12345":
                continue
            text = "4" if held and held[0].value == "5" else "5"
            cells.append((lesson["id"], student_id, text, cell_fingerprint(held, None)))
    return cells


def save_cells(path: Path, limit: int) -> dict[str, Any]:
    """Write the save requests: the demo teacher's cells first, then colleagues' of the same
    school, each teacher with their own session, shuffled so that concurrent saves rarely wait
    for the same lesson's lock (16 clients are 16 teachers at work, not one)."""
    import random

    try:
        save_path = reverse("journal:cell_save")
    except NoReverseMatch:
        return {"available": False, "why_missing": "в этой сборке нет сохранения отметки"}
    from urllib.parse import urlencode

    from shkola.accounts.models import Role

    demo = _user("teacher")
    org_ids = demo.roles.filter(role=Role.TEACHER).values_list(  # type: ignore[attr-defined]
        "organisation_id", flat=True
    )
    colleagues = (
        User.objects.filter(roles__role=Role.TEACHER, roles__organisation_id__in=org_ids)
        .exclude(pk=demo.pk)
        .distinct()
        .order_by("id")
    )
    today = clock.today()
    lines: list[str] = []
    teachers = 0
    for teacher in [demo, *colleagues]:
        cells = _teacher_cells(teacher, today)
        if not cells:
            continue
        teachers += 1
        cookies = session_cookies(teacher)
        cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
        csrf = cookies[settings.CSRF_COOKIE_NAME]
        for lesson_id, student_id, text, fp in cells:
            body = urlencode({"lesson": lesson_id, "student": student_id, "text": text, "fp": fp})
            lines.append(f"{save_path}\t{cookie}\t{csrf}\t{body}")
        if len(lines) >= limit:
            break
    random.Random(2026).shuffle(lines)
    path.write_text("\n".join(lines[:limit]) + "\n", encoding="utf-8")
    return {
        "available": bool(lines),
        "cells": min(len(lines), limit),
        "teachers": teachers,
        "why_missing": "" if lines else "нет клеток для сохранения",
    }


def pages() -> list[Page]:
    result = [Page("healthz", "/healthz (тривиальная)", "", reverse("core:healthz"))]
    # The floor of any signed-in page: session, user, roles, menu and base.html around a
    # small form. No page that shows a person's data can be cheaper than this one.
    result.append(Page("frame", "Профиль (только рамка)", "student", reverse("accounts:profile")))
    result.append(Page("diary_week", "Дневник: неделя", "student", _diary_week_path("student")))
    result.append(Page("report_card", "Табель", "student", reverse("diary:report")))
    grid, why = _journal_grid()
    result.append(Page("journal_grid", "Журнал: сетка учителя", "teacher", grid, why))
    result.append(_class_week_page())
    inbox, why = _inbox_path()
    result.append(Page("inbox", "Сообщения: входящие", "parent", inbox, why))
    result.append(_oversight_page())
    result.append(
        Page("diary_averages", "Средние баллы (с прогнозом)", "student", reverse("diary:averages"))
    )
    result.extend(_learning_pages())
    return result


def _optional(key: str, label: str, login: str, url_name: str, **kwargs: Any) -> Page:
    try:
        return Page(key, label, login, reverse(url_name, kwargs=kwargs or None))
    except NoReverseMatch:
        return Page(key, label, login, None, f"в этой сборке нет страницы {url_name}")


def _learning_pages() -> list[Page]:
    """Issue 13's busy pages: a class opening its test at once, the teacher's results of it,
    the student's courses and a parent's «Услуги» (a database seeded before they existed has
    no demo test: that page is then reported missing, not measured on nothing)."""
    pages = [
        _optional("tests_student", "Тесты: список ученика", "student", "testing:index"),
        _optional("courses_student", "Курсы: список ученика", "student", "courses:mine"),
        _optional("services_parent", "Услуги: страница родителя", "parent", "extras:family"),
    ]
    try:
        from shkola.testing.models import Test

        test = Test.objects.filter(owner__username="teacher").order_by("id").first()
    except ImportError:
        test = None
    if test is None:
        pages.append(
            Page("test_results", "Тест: результаты учителя", "teacher", None, "нет демо-теста")
        )
    else:
        pages.append(
            _optional(
                "test_results",
                "Тест: результаты учителя",
                "teacher",
                "testing:results",
                test_id=test.pk,
            )
        )
    return pages


def _oversight_page() -> Page:
    """The authority's page over every school of the region (H1), as the regional official
    (a database seeded before that login existed: the municipal one, who sees the same
    schools — the demo region has one municipality)."""
    label = "Мониторинг: все школы региона"
    try:
        path = reverse("oversight:territory")
    except NoReverseMatch:
        return Page("oversight_region", label, "official", None, "в этой сборке нет мониторинга")
    login = "region" if User.objects.filter(username="region").exists() else "official"
    return Page("oversight_region", label, login, path)


INBOX_SIZE = 40


def _inbox_path() -> tuple[str | None, str]:
    """The demo parent's inbox, filled up to INBOX_SIZE messages from the child's class
    teacher (once: a rerun finds them there), so the page shows a full first page."""
    try:
        path = reverse("messaging:inbox")
    except NoReverseMatch:
        return None, "в этой сборке нет сообщений (messaging:inbox)"
    from shkola.messaging.models import Delivery
    from shkola.messaging.services import message_send

    parent = _user("parent")
    missing = INBOX_SIZE - Delivery.objects.filter(recipient=parent).count()
    if missing > 0:
        sender = User.objects.get(username="classteacher")
        for n in range(missing):
            message_send(
                sender=sender,
                targets=[f"u:{parent.pk}"],
                subject=f"Бенчмарк: сообщение {n + 1}",
                body="Текст сообщения со ссылкой https://example.org",
            )
    return path, ""


def send_to_every_family() -> dict[str, Any]:
    """One message from a curator to «Все родители школы» of a 1,500-student school built for
    the purpose and rolled back afterwards: the request's time and the copies it created."""
    try:
        reverse("messaging:compose")
    except NoReverseMatch:
        return {"available": False, "why_missing": "в этой сборке нет сообщений"}
    from shkola.messaging.bench import measure_send_to_every_family

    result = measure_send_to_every_family(students=1500)
    return {"available": result["status"] == 302, **result}


def session_cookies(user: User | str) -> dict[str, str]:
    client = Client(HTTP_HOST=HOST)
    client.force_login(_user(user) if isinstance(user, str) else user, backend=BACKEND)
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


def _accounts_for_guardians(limit: int) -> None:
    """The seed gives accounts to the demo logins only; every family of a real region has
    one, so the guardians get accounts here (inside the caller's rolled-back transaction)."""
    from shkola.schools.models import Guardian

    missing = list(Guardian.objects.filter(user__isnull=True).order_by("id")[:limit])
    users = User.objects.bulk_create(
        [
            User(username=f"bench-guardian-{g.pk}", email=f"g{g.pk}@bench.local", password="!")
            for g in missing
        ]
    )
    for guardian, user in zip(missing, users, strict=True):
        guardian.user = user
    Guardian.objects.bulk_update(missing, ["user"], batch_size=1000)


def digests(limit: int = 20_000) -> dict[str, Any]:
    """Daily digests built per second for the region's families (issue 10): every parent
    account (up to ``limit``), in the batches ``send_digests`` uses. The seed wrote all marks
    at once, so the marks of the last school day are made "new" (updated an hour ago) inside a
    transaction that is rolled back: each letter carries one day's marks with their averages,
    tomorrow's homework and remarks, as a real evening's digest does. Nothing is sent."""
    import time

    from django.db import transaction

    from shkola.journal.models import Mark
    from shkola.notifications.digest import digests_build
    from shkola.notifications.services import DIGEST_BATCH
    from shkola.schools.models import Guardianship

    now = clock.now()
    last_day = (
        Mark.objects.filter(lesson__date__lte=now.date())
        .order_by("-lesson__date")
        .values_list("lesson__date", flat=True)
        .first()
    )
    letters = marks = 0
    with transaction.atomic():
        _accounts_for_guardians(limit)
        parents = list(
            Guardianship.objects.filter(guardian__user__isnull=False)
            .values_list("guardian__user_id", flat=True)
            .distinct()
            .order_by("guardian__user_id")[:limit]
        )
        if not parents:
            transaction.set_rollback(True)
            return {"available": False, "why_missing": "в базе нет законных представителей"}
        if last_day is not None:
            Mark.objects.filter(lesson__date=last_day).update(
                updated_at=now - dt.timedelta(hours=1)
            )
        started = time.perf_counter()
        for start in range(0, len(parents), DIGEST_BATCH):
            built = digests_build(user_ids=parents[start : start + DIGEST_BATCH], now=now)
            letters += len(built)
            marks += sum(len(c.marks) for letter in built for c in letter.children)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return {
        "available": True,
        "families": len(parents),
        "letters": letters,
        "marks": marks,
        "seconds": seconds,
        "per_second": len(parents) / seconds if seconds else 0.0,
    }


def prepare(workdir: Path) -> dict[str, Any]:
    page_list = pages()
    cookies = {login: session_cookies(login) for login in {p.login for p in page_list if p.login}}
    save = save_cells(workdir / "cells.txt", MAX_CELLS)
    return {
        "pages": [page.__dict__ for page in page_list],
        "cookies": cookies,
        "queries": query_counts(page_list),
        "save": save,
        "data": data_size(),
    }


def _evenly(items: list[Any], count: int) -> list[Any]:
    """``count`` items spread over the whole list (first and last included): people from
    every part of the region, not the first ids only."""
    if len(items) <= count:
        return items
    if count == 1:
        return [items[len(items) // 2]]
    return [items[round(j * (len(items) - 1) / (count - 1))] for j in range(count)]


def _modal(counts: dict[int, int]) -> int:
    """The most common value (the larger one on a tie)."""
    tally: dict[int, int] = {}
    for value in counts.values():
        tally[value] = tally.get(value, 0) + 1
    return max(tally, key=lambda value: (tally[value], value))


def scale_people(workdir: Path, count: int) -> dict[str, Any]:
    """The people of the scale run, comparable between region sizes: 7th-graders outside the
    demo school whose last full week holds the most common number of marks, and the algebra
    teachers of 7th-grade classes of the most common size, each set spread evenly over the
    region. Writes the save requests of those teachers' cells to ``cells.txt``."""
    from django.db.models import Count

    from shkola.journal.models import JournalKind, Mark
    from shkola.schools.models import ClassUnit, Organisation, Student
    from shkola.timetable.models import Lesson

    today = clock.today()
    monday = today - dt.timedelta(days=today.weekday() + 7)
    demo_school = Organisation.objects.order_by("id").values_list("id", flat=True).first()
    sevenths = Student.objects.filter(current_class__parallel__grade=7, user__isnull=False).exclude(
        organisation_id=demo_school
    )
    marks = dict(
        Mark.objects.filter(
            student__in=sevenths,
            journal=JournalKind.MAIN,
            lesson__date__range=(monday, monday + dt.timedelta(days=6)),
        )
        .values_list("student_id")
        .annotate(n=Count("id"))
        .values_list("student_id", "n")
    )
    usual = _modal(marks)
    chosen_students = _evenly(sorted(s for s, n in marks.items() if n == usual), count)
    users = dict(Student.objects.filter(pk__in=chosen_students).values_list("pk", "user_id"))
    path = reverse("diary:week") + f"?week={monday.isoformat()}"
    diary = [
        {"path": path, "cookies": session_cookies(User.objects.get(pk=users[s]))}
        for s in chosen_students
    ]

    classes = dict(
        ClassUnit.objects.filter(parallel__grade=7)
        .exclude(parallel__organisation_id=demo_school)
        .annotate(n=Count("students"))
        .values_list("id", "n")
    )
    size = _modal(classes)
    pairs = list(
        Lesson.objects.filter(
            class_unit_id__in=[c for c, n in classes.items() if n == size],
            subject__name="Алгебра",
            group__isnull=True,
        )
        .values("class_unit_id", "subject_id", "teacher_id")
        .annotate(n=Count("id"))
        .order_by("class_unit_id", "-n")
    )
    first_pair: dict[int, dict[str, Any]] = {}
    for pair in pairs:
        first_pair.setdefault(pair["class_unit_id"], pair)
    chosen_grids = _evenly([first_pair[c] for c in sorted(first_pair)], count)
    grids = []
    lines: list[str] = []
    save_path = reverse("journal:cell_save")
    from urllib.parse import urlencode

    per_teacher: list[list[str]] = []
    for pair in chosen_grids:
        teacher = User.objects.get(pk=pair["teacher_id"])
        cookies = session_cookies(teacher)
        grid_path = reverse(
            "journal:grid",
            kwargs={"class_id": pair["class_unit_id"], "subject_id": pair["subject_id"]},
        )
        grids.append({"path": grid_path, "cookies": cookies})
        cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
        csrf = cookies[settings.CSRF_COOKIE_NAME]
        mine = []
        for lesson_id, student_id, text, fp in _teacher_cells(teacher, today):
            body = urlencode({"lesson": lesson_id, "student": student_id, "text": text, "fp": fp})
            mine.append(f"{save_path}\t{cookie}\t{csrf}\t{body}")
        per_teacher.append(mine)
    # round robin over the teachers: each save a different teacher's cell, as in a school day
    longest = max((len(m) for m in per_teacher), default=0)
    for i in range(longest):
        lines.extend(m[i] for m in per_teacher if i < len(m))
    (workdir / "cells.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    grid_marks = [
        Mark.objects.filter(
            lesson__class_unit_id=pair["class_unit_id"],
            lesson__subject_id=pair["subject_id"],
            lesson__period__start__lte=today,
            lesson__period__end__gte=today,
        ).count()
        for pair in chosen_grids
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        db_bytes = int(cursor.fetchone()[0])
    return {
        "week": monday.isoformat(),
        "diary": diary,
        "diary_marks": usual,
        "diary_candidates": sum(1 for n in marks.values() if n == usual),
        "grids": grids,
        "class_size": size,
        "grid_marks_mean": sum(grid_marks) / len(grid_marks) if grid_marks else 0,
        "cells": len(lines),
        "data": data_size(),
        "db_bytes": db_bytes,
    }


class _ReprNames(dict[str, Any]):
    """Names in a logged parameter list's repr: the choices enums of the project's models."""

    def __missing__(self, key: str) -> Any:
        import importlib

        from django.apps import apps

        for config in apps.get_app_configs():
            try:
                module = importlib.import_module(f"{config.name}.models")
            except ImportError:
                continue
            if hasattr(module, key):
                return getattr(module, key)
        raise KeyError(key)


def explain(workdir: Path) -> dict[str, Any]:
    """EXPLAIN (ANALYZE, BUFFERS) of every query of the scale run's first diary week and first
    grid (the second request of each: the first fills per-process caches): per page, each
    query's execution time, the plan's first line and the shared buffers it touched."""
    import re

    people = scale_people(workdir, 1)
    result: dict[str, Any] = {}
    for key, page in (("diary_week", people["diary"][0]), ("journal_grid", people["grids"][0])):
        client = Client(HTTP_HOST=HOST)
        for name, value in page["cookies"].items():
            client.cookies[name] = value
        client.get(page["path"])
        with CaptureQueriesContext(connection) as ctx:
            status = client.get(page["path"]).status_code
        # Django's client-bound queries are logged with their values inlined; the compiled
        # reads' prepared statements with placeholders and the repr of their parameters.
        seen: list[tuple[str, Any]] = []
        for query in ctx.captured_queries:
            sql, _sep, given = query["sql"].partition(" -- prepared ")
            names = _ReprNames(datetime=dt, Int4=int, Int8=int, Int2=int)
            params = eval(given, names) if given else None  # noqa: S307 - our own log
            seen.append((sql, params))
        rows = []
        with connection.cursor() as cursor:
            for sql, params in seen:
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) " + sql, params)
                plan = [line for (line,) in cursor.fetchall()]
                total = next(
                    (
                        float(m.group(1))
                        for line in plan
                        if (m := re.search(r"Execution Time: ([\d.]+)", line))
                    ),
                    0.0,
                )
                hits = sum(
                    int(n)
                    for line in plan[:3]
                    for n in re.findall(r"shared (?:hit|read)=(\d+)", line)
                )
                rows.append(
                    {"ms": total, "buffers": hits, "plan": plan[0][:140], "sql": sql, "full": plan}
                )
        rows.sort(key=lambda r: -r["ms"])
        result[key] = {"status": status, "queries": len(seen), "explained": rows}
    return result


def main() -> None:
    command = sys.argv[1]
    if command == "prepare":
        result: Any = prepare(Path(sys.argv[2]))
    elif command == "queries":
        result = {"queries": query_counts(pages()), "data": data_size()}
    elif command == "history":
        result = {"history": history_count()}
    elif command == "digests":
        result = digests()
    elif command == "send":
        result = send_to_every_family()
    elif command == "explain":
        result = explain(Path(sys.argv[2]))
    elif command == "scale":
        result = scale_people(Path(sys.argv[2]), int(sys.argv[3]))
    else:
        raise SystemExit(f"unknown command {command}")
    print("BENCH-JSON " + json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
