"""Writes of notifications: ``notify`` (other apps call it inside their own transaction),
reading, settings, unsubscribing, and the outbox: building digests and delivering letters."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import get_template
from django.urls import reverse
from django.utils.translation import gettext as _

from shkola.accounts.models import User
from shkola.core import clock
from shkola.core.compiled import CompiledQuery

from .models import (
    DEFAULT_DELIVERY,
    DEFAULT_DIGEST_HOUR,
    Delivery,
    LetterKind,
    Notification,
    NotificationKind,
    NotificationSettings,
    Outbox,
    OutboxStatus,
)

log = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "shkola.notifications.unsubscribe"
# A letter the worker never picked up (a lost enqueue) is tried by the ticker after this.
ENQUEUE_GRACE = dt.timedelta(minutes=10)
MAX_BACKOFF = dt.timedelta(hours=6)
DIGEST_BATCH = 500


def public_url(path: str) -> str:
    return str(settings.SHKOLA["PUBLIC_URL"]).rstrip("/") + path


def outbox_message_id(outbox_id: int) -> str:
    """The same Message-ID on every try of one letter: a letter sent again after a worker died
    between the mail server's «accepted» and our commit (docs/workers.md) is recognisable as
    the same letter, by the recipient's mail client and by anyone counting."""
    host = urlsplit(str(settings.SHKOLA["PUBLIC_URL"])).hostname or "shkola.local"
    return f"<outbox-{outbox_id}@{host}>"


def _enqueue_on_commit(outbox_ids: list[int]) -> None:
    if not outbox_ids:
        return

    def enqueue() -> None:
        from .tasks import send_letter

        for outbox_id in outbox_ids:
            send_letter.enqueue(outbox_id)

    transaction.on_commit(enqueue)


def _may_receive_mail(user: User) -> bool:
    return bool(user.is_active and user.email and user.email_confirmed)


# --------------------------------------------------------------------------- notify


@transaction.atomic
def notify(
    *,
    kind: str,
    user_ids: Iterable[int],
    title: str,
    url: str,
    text: str = "",
    student_id: int | None = None,
) -> int:
    """In-app notifications for ``user_ids`` (one bulk insert), and an immediate letter,
    enqueued on commit, for each of them who chose «сразу по e-mail» for ``kind`` and has a
    confirmed address. Returns how many notifications were created."""
    if kind not in NotificationKind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    ids = sorted({int(i) for i in user_ids if i})
    if not ids:
        return 0
    title = title[:300]
    url = url[:500]
    Notification.objects.bulk_create(
        [
            Notification(
                user_id=uid, kind=kind, title=title, text=text, url=url, student_id=student_id
            )
            for uid in ids
        ]
    )
    chosen = dict(
        NotificationSettings.objects.filter(user_id__in=ids).values_list("user_id", "delivery")
    )
    by_email = [
        uid for uid in ids if (chosen.get(uid) or {}).get(kind, DEFAULT_DELIVERY[kind]) == "email"
    ]
    if by_email:
        recipients = list(
            User.objects.filter(id__in=by_email, is_active=True, email_confirmed=True).exclude(
                email=""
            )
        )
        if recipients:
            now = clock.now()
            context = {
                "title": title,
                "text": text,
                "link": public_url(url) if _is_local_url(url) else "",
                "settings_link": public_url(reverse("notifications:settings")),
                "kind_label": NotificationKind(kind).label,
            }
            body_text = get_template("notifications/email/immediate.txt").render(context)
            body_html = get_template("notifications/email/immediate.html").render(context)
            rows = Outbox.objects.bulk_create(
                [
                    Outbox(
                        user=user,
                        letter_kind=LetterKind.IMMEDIATE,
                        day=now.date(),
                        subject=title,
                        body_text=body_text,
                        body_html=body_html,
                        next_try_at=now + ENQUEUE_GRACE,
                    )
                    for user in recipients
                ]
            )
            _enqueue_on_commit([r.pk for r in rows])
    return len(ids)


def _family_rows(p: Any) -> Any:
    from shkola.schools.models import Student

    return Student.objects.filter(id__in=p.ids).values_list(
        "id", "user_id", "guardianships__guardian__user_id"
    )


# every saved mark asks it (issue 14: compiled once per process)
_FAMILY_ROWS = CompiledQuery(_family_rows, ids=[int])


def family_user_ids(student_ids: Iterable[int]) -> dict[int, set[int]]:
    """Accounts to tell about each student: the student's own and their guardians'. One query."""
    result: dict[int, set[int]] = {}
    rows = _FAMILY_ROWS(ids=sorted({int(i) for i in student_ids}))
    for sid, own, guardian in rows:
        users = result.setdefault(sid, set())
        if own:
            users.add(own)
        if guardian:
            users.add(guardian)
    return result


def guardian_user_ids(student_ids: Iterable[int]) -> set[int]:
    from shkola.schools.models import Guardianship

    return set(
        Guardianship.objects.filter(
            student_id__in=list(student_ids), guardian__user__isnull=False
        ).values_list("guardian__user_id", flat=True)
    )


# --------------------------------------------------------------------------- reading


def _is_local_url(url: str) -> bool:
    """Only same-site relative addresses are followed: «/diary/…», never «//evil» or «http…»."""
    return url.startswith("/") and not url.startswith("//") and "\\" not in url


def notification_open(*, notification: Notification) -> str:
    """Marks it read and says where to go: its own address when it is on this site."""
    if notification.read_at is None:
        notification.read_at = clock.now()
        notification.save(update_fields=["read_at"])
    return notification.url if _is_local_url(notification.url) else ""


def notifications_read_all(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=clock.now())


# --------------------------------------------------------------------------- settings


def settings_of(user: User) -> NotificationSettings:
    found = NotificationSettings.objects.filter(user=user).first()
    return found or NotificationSettings(user=user)


@transaction.atomic
def notification_settings_save(
    *, user: User, delivery: dict[str, str], digest_hour: Any
) -> NotificationSettings:
    errors: dict[str, str] = {}
    clean: dict[str, str] = {}
    for kind in NotificationKind.values:
        value = delivery.get(kind, DEFAULT_DELIVERY[kind])
        if value not in Delivery.values:
            errors[kind] = _("«%(kind)s»: выберите один из вариантов.") % {
                "kind": NotificationKind(kind).label
            }
        else:
            clean[kind] = value
    try:
        hour = int(str(digest_hour).strip())
    except (TypeError, ValueError):
        hour = -1
    if not 0 <= hour <= 23:
        errors["digest_hour"] = _("Час сводки: целое число от 0 до 23.")
    if errors:
        raise ValidationError(errors)
    row, _created = NotificationSettings.objects.get_or_create(user=user)
    row.delivery = clean
    row.digest_hour = hour
    row.save(update_fields=["delivery", "digest_hour"])
    return row


def unsubscribe_token(user: User) -> str:
    return signing.dumps({"u": user.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def user_of_unsubscribe_token(token: str) -> User | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    return User.objects.filter(pk=data["u"], is_active=True).first()


@transaction.atomic
def digest_unsubscribe(*, user: User) -> NotificationSettings:
    """The letter's «Отписаться»: every kind that went into the digest is switched off."""
    row, _created = NotificationSettings.objects.select_for_update().get_or_create(user=user)
    row.delivery = {
        kind: (Delivery.OFF if row.delivery_of(kind) == Delivery.DIGEST else row.delivery_of(kind))
        for kind in NotificationKind.values
    }
    row.save(update_fields=["delivery"])
    return row


# --------------------------------------------------------------------------- delivery


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4, 8… minutes after each failure, at most six hours."""
    return min(dt.timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def outbox_deliver(*, outbox_id: int) -> bool:
    """Send one letter. Idempotent: a sent or dropped letter is left alone. A failure keeps
    it pending with the error and the time of the next try (``outbox_retry_due``).

    The row stays locked from the read to the commit of SENT, so two workers given the same
    letter (a retry enqueued beside a slow first try) send it once, and a worker killed before
    the mail server accepted the letter leaves it pending for the retried task. One window
    remains: the server accepted it and the worker died before the commit; the letter is then
    sent again, with the same Message-ID (docs/workers.md). To keep that window to the
    commit alone, the SMTP session is closed (QUIT) after the commit, not before it."""
    mailer = mailers.default
    try:
        return _outbox_send(outbox_id, mailer)
    finally:
        try:
            mailer.close()
        except Exception as error:  # the letter is sent and recorded; only the goodbye failed
            log.info("letter %s: closing the mail connection failed: %s", outbox_id, error)


def _outbox_send(outbox_id: int, mailer: Any) -> bool:
    with transaction.atomic():
        row = (
            Outbox.objects.select_for_update()
            .select_related("user")
            .filter(pk=outbox_id, status=OutboxStatus.PENDING)
            .first()
        )
        if row is None:
            return False
        if not _may_receive_mail(row.user):
            row.status = OutboxStatus.DROPPED
            row.save(update_fields=["status"])
            return False
        message = EmailMultiAlternatives(
            subject=row.subject,
            body=row.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[row.user.email],
            headers={"Message-ID": outbox_message_id(row.pk)},
        )
        if row.letter_kind == LetterKind.DIGEST:
            link = public_url(
                reverse("notifications:unsubscribe", args=[unsubscribe_token(row.user)])
            )
            message.extra_headers["List-Unsubscribe"] = f"<{link}>"
        if row.body_html:
            message.attach_alternative(row.body_html, "text/html")
        row.attempts += 1
        try:
            # opened here, the connection stays open after sending (closed by the caller)
            mailer.open()
            mailer.send_messages([message])
        except Exception as error:  # any failure of the mail server: keep it, try later
            log.warning("letter %s not delivered (attempt %s): %s", row.pk, row.attempts, error)
            row.last_error = f"{type(error).__name__}: {error}"[:2000]
            row.next_try_at = clock.now() + backoff(row.attempts)
            row.save(update_fields=["attempts", "last_error", "next_try_at"])
            return False
        row.status = OutboxStatus.SENT
        row.sent_at = clock.now()
        row.next_try_at = None
        row.save(update_fields=["status", "sent_at", "attempts", "next_try_at"])
        return True


def outbox_retry_due(*, now: dt.datetime | None = None) -> int:
    """Enqueue every pending letter whose next try is due; the ticker calls it each minute."""
    from .tasks import send_letter

    now = now or clock.now()
    ids = list(
        Outbox.objects.filter(status=OutboxStatus.PENDING, next_try_at__lte=now).values_list(
            "id", flat=True
        )[:5000]
    )
    for outbox_id in ids:
        send_letter.enqueue(outbox_id)
    return len(ids)


# --------------------------------------------------------------------------- digests


def digest_recipients(*, hour: int, day: dt.date) -> list[int]:
    """Ids of people whose digest hour is ``hour``, who may receive mail and have no digest
    for ``day`` yet."""
    hour_q = Q(notification_settings__digest_hour=hour)
    if hour == DEFAULT_DIGEST_HOUR:
        hour_q |= Q(notification_settings__isnull=True)
    already = Outbox.objects.filter(letter_kind=LetterKind.DIGEST, day=day).values("user_id")
    return list(
        User.objects.filter(hour_q, is_active=True, email_confirmed=True)
        .exclude(email="")
        .exclude(id__in=already)
        .order_by("id")
        .values_list("id", flat=True)
    )


def digests_send(*, hour: int | None = None, now: dt.datetime | None = None) -> int:
    """Build and enqueue the digests of the people whose hour it is. Idempotent: a person
    gets at most one digest a day (the outbox's unique constraint says so too)."""
    from . import digest

    now = now or clock.now()
    hour = now.hour if hour is None else hour
    ids = digest_recipients(hour=hour, day=now.date())
    made = 0
    for start in range(0, len(ids), DIGEST_BATCH):
        made += _digest_batch(ids[start : start + DIGEST_BATCH], now, digest)
    return made


@transaction.atomic
def _digest_batch(user_ids: list[int], now: dt.datetime, digest: Any) -> int:
    letters = digest.digests_build(user_ids=user_ids, now=now)
    planned = [
        Outbox(
            user_id=letter.user_id,
            letter_kind=LetterKind.DIGEST,
            day=now.date(),
            subject=letter.subject,
            body_text=letter.text,
            body_html=letter.html,
            next_try_at=now + ENQUEUE_GRACE,
        )
        for letter in letters
    ]
    try:
        with transaction.atomic():
            rows = Outbox.objects.bulk_create(planned)
    except IntegrityError:
        # Another run (two tickers, or cron beside the demo loop) made some of today's
        # digests first: theirs stand, the rest are made here one by one.
        rows = []
        for row in planned:
            try:
                with transaction.atomic():
                    row.save(force_insert=True)
            except IntegrityError:
                continue
            rows.append(row)
    NotificationSettings.objects.bulk_create(
        [NotificationSettings(user_id=uid) for uid in user_ids], ignore_conflicts=True
    )
    NotificationSettings.objects.filter(user_id__in=user_ids).update(last_digest_at=now)
    _enqueue_on_commit([r.pk for r in rows])
    return len(rows)
