"""The region's Django-side helper: runs inside the project (the region's settings and its
database, straight to the primary) and answers region.py and drill.py.

    python scripts/region/side.py accounts <password>   accounts for the drill and the operator
    python scripts/region/side.py logins                 who may sign in (printed by make region)
    python scripts/region/side.py plan                   JSON: families' diary pages, teachers'
                                                         cells to save (on stdout)
    python scripts/region/side.py digest-reset           today's digests may be built again
    python scripts/region/side.py outbox                 JSON: today's digest letters
    python scripts/region/side.py marks <acks.json>      JSON: acknowledged saves missing

The drill reuses the bench's choice of cells (scripts/bench/django_side.py): each a real
change of one cell, with the fingerprint the teacher's page would carry."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts" / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django_side as bench  # noqa: E402  (django.setup() happens there)
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import transaction  # noqa: E402
from django.urls import reverse  # noqa: E402

from shkola.accounts.models import Role, User  # noqa: E402
from shkola.core import clock  # noqa: E402
from shkola.demo.services import DEMO_ROLES  # noqa: E402

FAMILY_PREFIX = "family"
EMAIL_DOMAIN = "region.shkola.local"
FAMILIES = int(os.environ.get("REGION_FAMILIES", "300"))
TEACHERS = int(os.environ.get("REGION_TEACHERS", "8"))


def region_teachers(limit: int) -> list[User]:
    """Teachers of the first school with class lessons: the demo teacher, then colleagues."""
    demo = User.objects.get(username="teacher")
    org_ids = list(
        demo.roles.filter(role=Role.TEACHER).values_list(  # type: ignore[attr-defined]
            "organisation_id", flat=True
        )
    )
    colleagues = (
        User.objects.filter(roles__role=Role.TEACHER, roles__organisation_id__in=org_ids)
        .filter(lessons__isnull=False)
        .exclude(pk=demo.pk)
        .distinct()
        .order_by("id")[: max(limit - 1, 0)]
    )
    return [demo, *colleagues]


@transaction.atomic
def accounts(password: str) -> None:
    """Idempotent: the demo logins, some teachers and FAMILIES guardians get the region's
    password; the guardians get an account with a confirmed address first (the seed gives
    accounts to the demo logins only). The demo logins stop being demo accounts: with DEBUG
    off the published demo password is refused, and here they have the region's own."""
    from shkola.schools.models import Guardian

    hashed = make_password(password)
    have = Guardian.objects.filter(user__username__startswith=FAMILY_PREFIX).count()
    missing = list(
        Guardian.objects.filter(user__isnull=True, guardianships__isnull=False)
        .distinct()
        .order_by("id")[: max(FAMILIES - have, 0)]
    )
    users = User.objects.bulk_create(
        [
            User(
                username=f"{FAMILY_PREFIX}{g.pk}",
                last_name=g.last_name,
                first_name=g.first_name,
                middle_name=g.middle_name,
                email=f"{FAMILY_PREFIX}{g.pk}@{EMAIL_DOMAIN}",
                email_confirmed=True,
                password=hashed,
            )
            for g in missing
        ]
    )
    for guardian, user in zip(missing, users, strict=True):
        guardian.user = user
    Guardian.objects.bulk_update(missing, ["user"], batch_size=1000)
    logins = [*DEMO_ROLES, *(t.username for t in region_teachers(TEACHERS))]
    User.objects.filter(username__in=logins).update(
        password=hashed, is_demo=False, must_change_password=False
    )
    User.objects.filter(username__startswith=FAMILY_PREFIX).update(password=hashed)
    print(
        f"[region] accounts: {len(users)} new family accounts "
        f"({have + len(users)} in all), {len(logins)} staff and demo logins"
    )


def logins() -> None:
    who = dict(DEMO_ROLES)
    for teacher in region_teachers(TEACHERS)[1:]:
        who.setdefault(teacher.username, "учитель")
    found = set(User.objects.filter(username__in=list(who)).values_list("username", flat=True))
    for login, role in who.items():
        if login in found:
            print(f"{login:20} {role}")
    families = User.objects.filter(username__startswith=FAMILY_PREFIX).order_by("id")
    first = families.first()
    if first is not None:
        print(f"{first.username + '…':20} {families.count()} родителей (family<id>)")


def plan() -> dict[str, Any]:
    """Who the drill's load signs in as and what they do."""
    from shkola.schools.models import Guardianship

    # One child per family: /diary/s/<id>/ makes it the session's active child once (at
    # sign-in), then the family reads /diary/ as a parent does, week after week.
    families: dict[str, dict[str, Any]] = {}
    rows = (
        Guardianship.objects.filter(guardian__user__username__startswith=FAMILY_PREFIX)
        .values_list("guardian__user__username", "student_id", "student__current_class_id")
        .order_by("guardian__user_id", "student_id")
    )
    for username, student_id, class_id in rows[:2000]:
        families.setdefault(
            username,
            {
                "login": username,
                "choose": reverse("diary:week_of", args=[student_id]),
                "path": reverse("diary:week") + bench._last_week_query(class_id or 0),
            },
        )
    today = clock.today()
    teachers = []
    for teacher in region_teachers(TEACHERS):
        cells = bench._teacher_cells(teacher, today)
        if cells:
            teachers.append(
                {
                    "login": teacher.username,
                    "cells": [
                        {"lesson": lesson, "student": student, "text": text, "fp": fp}
                        for lesson, student, text, fp in cells
                    ],
                }
            )
    return {
        "families": list(families.values()),
        "teachers": teachers,
        "login_path": reverse("accounts:login"),
        "save_path": reverse("journal:cell_save"),
        "today": today.isoformat(),
    }


def digest_reset() -> dict[str, Any]:
    """The drill's digest run must have letters to send: today's digests are deleted and the
    window of every digest opened again (a drill database, not a region's)."""
    from shkola.notifications.models import LetterKind, NotificationSettings, Outbox

    today = clock.now().date()
    deleted, _ = Outbox.objects.filter(letter_kind=LetterKind.DIGEST, day=today).delete()
    NotificationSettings.objects.update(last_digest_at=None)
    return {"deleted": deleted, "day": today.isoformat()}


def outbox() -> dict[str, Any]:
    from shkola.notifications.models import LetterKind, Outbox

    today = clock.now().date()
    rows = Outbox.objects.filter(letter_kind=LetterKind.DIGEST, day=today).values_list(
        "id", "user__email", "status"
    )
    return {"letters": [{"id": i, "email": e, "status": s} for i, e, s in rows]}


def marks(acks_path: str) -> dict[str, Any]:
    """Acknowledged saves (lesson, student, text) whose mark is not in the database."""
    from shkola.journal.models import JournalKind, Mark

    acks = json.loads(Path(acks_path).read_text())
    wanted = {(a["lesson"], a["student"]): a["text"] for a in acks}
    found: dict[tuple[int, int], list[str]] = {}
    lessons = sorted({lesson for lesson, _ in wanted})
    for lesson, student, value in Mark.objects.filter(
        lesson_id__in=lessons, journal=JournalKind.MAIN
    ).values_list("lesson_id", "student_id", "value"):
        found.setdefault((lesson, student), []).append(value)
    lost = [
        {"lesson": lesson, "student": student, "text": text}
        for (lesson, student), text in wanted.items()
        if text not in found.get((lesson, student), [])
    ]
    return {"checked": len(wanted), "lost": lost}


def main() -> None:
    command = sys.argv[1]
    if command == "accounts":
        accounts(sys.argv[2])
        return
    if command == "logins":
        logins()
        return
    result: Any
    if command == "plan":
        result = plan()
    elif command == "digest-reset":
        result = digest_reset()
    elif command == "outbox":
        result = outbox()
    elif command == "marks":
        result = marks(sys.argv[2])
    else:
        raise SystemExit(f"unknown command {command}")
    print("REGION-JSON " + json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
