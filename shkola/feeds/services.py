"""Making and revoking calendar links. Each write audited like the project's other access
grants (invitation codes): who made which student's link, and when it was revoked."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shkola.accounts import services as account_services
from shkola.accounts.models import AuditEvent
from shkola.schools.models import Student

from .models import CALENDARS, CalendarFeed

# 32 random bytes: 43 URL-safe characters, not guessable and not enumerable.
TOKEN_BYTES = 32
MAX_ACTIVE_PER_STUDENT = 10


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _summary(feed: CalendarFeed) -> str:
    names = {
        "timetable": _("расписание"),
        "tests": _("контрольные работы"),
        "holidays": _("каникулы"),
        "events": _("события школы"),
    }
    return _("%(student)s: %(calendars)s (…%(tail)s)") % {
        "student": feed.student.full_name,
        "calendars": ", ".join(str(names[c]) for c in feed.calendars),
        "tail": feed.token_tail,
    }


@transaction.atomic
def feed_create(
    *, owner: Any, student: Student, calendars: Iterable[str]
) -> tuple[CalendarFeed, str]:
    """A new secret link of `student`'s calendars for `owner` (a parent or the student; the
    view checks that). Returns the link and its token, which is not stored and shown once."""
    chosen = {c for c in calendars if c in CALENDARS}
    if not chosen:
        raise ValidationError(
            {"calendars": [_("«Что показывать»: выберите хотя бы один календарь.")]}
        )
    active = CalendarFeed.objects.filter(owner=owner, student=student, revoked_at__isnull=True)
    if active.count() >= MAX_ACTIVE_PER_STUDENT:
        raise ValidationError(
            {
                "calendars": [
                    _("Ссылок уже %(n)s: отзовите ненужную, прежде чем создать новую.")
                    % {"n": MAX_ACTIVE_PER_STUDENT}
                ]
            }
        )
    token = secrets.token_urlsafe(TOKEN_BYTES)
    feed = CalendarFeed.objects.create(
        owner=owner,
        student=student,
        token_hash=token_hash(token),
        token_tail=token[-6:],
        **{name: name in chosen for name in CALENDARS},
    )
    account_services.audit_record(
        kind=AuditEvent.Kind.FEED_CREATE,
        actor=owner,
        subject_user=owner,
        organisation=student.organisation,
        details={"summary": _summary(feed), "student": student.id, "feed": feed.id},
    )
    return feed, token


@transaction.atomic
def feed_revoke(*, feed: CalendarFeed, by: Any) -> CalendarFeed:
    """The link stops working at once (its address answers «not found»)."""
    feed = (
        CalendarFeed.objects.select_for_update()
        .select_related("student__organisation", "owner")
        .get(pk=feed.pk)
    )
    if feed.revoked_at is not None:
        return feed
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at"])
    account_services.audit_record(
        kind=AuditEvent.Kind.FEED_REVOKE,
        actor=by,
        subject_user=feed.owner,
        organisation=feed.student.organisation,
        details={"summary": _summary(feed), "student": feed.student_id, "feed": feed.id},
    )
    return feed
