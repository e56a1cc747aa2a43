"""Writes of the messaging app: sending (one copy per recipient, in bulk), replies, drafts,
trash and reading. ``message_deliver`` is the one place that creates copies: whatever has to
happen for each new copy (notifications) hooks there."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from shkola.accounts.rules import viewer_of
from shkola.core import clock
from shkola.core.uploads import check_upload, max_total_bytes

from .models import Attachment, Delivery, Folder, Message
from .rules import allowed_recipients, can_use_messages, target_q

SUBJECT_MAX = 200
BODY_MAX = 20_000
TARGETS_MAX = 200
DELIVERY_BATCH = 2_000


@dataclass
class Sent:
    message: Message
    recipient_ids: list[int]


def _check_sender(sender: Any) -> None:
    if not getattr(sender, "is_authenticated", False) or not can_use_messages(viewer_of(sender)):
        raise ValidationError({"to": _("Вам недоступны сообщения.")})


def _check_text(subject: str, body: str) -> tuple[str, str]:
    subject = (subject or "").strip()
    body = (body or "").strip("\n").rstrip()
    errors: dict[str, str] = {}
    if not subject:
        errors["subject"] = _("Укажите тему сообщения.")
    elif len(subject) > SUBJECT_MAX:
        errors["subject"] = _("Тема длиннее %(n)s символов.") % {"n": SUBJECT_MAX}
    if not body.strip():
        errors["body"] = _("Напишите текст сообщения.")
    elif len(body) > BODY_MAX:
        errors["body"] = _("Текст длиннее %(n)s символов.") % {"n": BODY_MAX}
    if errors:
        raise ValidationError(errors)
    return subject, body


def recipients_of(*, sender: Any, targets: Sequence[str]) -> list[int]:
    """The user ids that ``targets`` name and the sender may write to, in one query;
    a target outside the rule is an error naming «Кому», never a silent skip."""
    codes = [str(t) for t in targets if str(t).strip()]
    if not codes:
        raise ValidationError({"to": _("Выберите, кому отправить сообщение.")})
    if len(codes) > TARGETS_MAX:
        raise ValidationError({"to": _("Слишком много получателей в одном сообщении.")})
    wanted = Q(pk__in=[])
    for code in codes:
        q = target_q(code)
        if q is None:
            raise ValidationError({"to": _("Неизвестный получатель.")})
        wanted |= q
    allowed = allowed_recipients(sender)
    ids = list(allowed.filter(wanted).values_list("pk", flat=True).distinct())
    individual = {int(c[2:]) for c in codes if c.startswith("u:")}
    if individual - set(ids):
        raise ValidationError({"to": _("Этому адресату вы не можете написать.")})
    if not ids:
        raise ValidationError({"to": _("В выбранной группе нет ни одного получателя.")})
    return ids


def message_deliver(*, message: Message, recipient_ids: Sequence[int]) -> list[int]:
    """Create one copy per recipient (bulk) and return the recipients' user ids."""
    unique = sorted({int(pk) for pk in recipient_ids if int(pk) != message.sender_id})
    Delivery.objects.bulk_create(
        [Delivery(message_id=message.pk, recipient_id=pk) for pk in unique],
        batch_size=DELIVERY_BATCH,
    )
    _notify_recipients(message, unique)
    return unique


def _notify_recipients(message: Message, recipient_ids: list[int]) -> None:
    """F6: each recipient hears of the message (in one bulk insert, whatever the group); the
    notification names the sender and the subject, never the other recipients."""
    from django.urls import reverse

    from shkola.notifications.services import notify

    if not recipient_ids:
        return
    notify(
        kind="message",
        user_ids=recipient_ids,
        title=_("Сообщение от %(sender)s: %(subject)s")
        % {"sender": message.sender.short_name, "subject": message.subject},
        url=reverse("messaging:message", args=[message.pk]),
    )


def _attach(message: Message, files: Sequence[Any]) -> None:
    if not files:
        return
    checked = [check_upload(f, field="attachments") for f in files]
    existing = sum(a.size for a in message.attachments.all()) if message.pk else 0
    if existing + sum(c.size for c in checked) > max_total_bytes():
        raise ValidationError(
            {
                "attachments": _("Вложения вместе больше %(mb)s МБ.")
                % {"mb": max_total_bytes() // (1024 * 1024)}
            }
        )
    for c in checked:
        record = Attachment(message=message, name=c.name, size=c.size, content_type=c.content_type)
        record.file.save(c.name, c.upload, save=False)
        record.save()
    if not message.has_attachments:
        message.has_attachments = True
        message.save(update_fields=["has_attachments"])


def _label_for(targets: Sequence[str], labels: dict[str, str], ids: list[int]) -> str:
    """What the sender's «Отправленные» says in «Кому»: the form's labels, else the names of
    up to three people, else how many got it."""
    named = [labels.get(t, "") for t in targets]
    named = [n for n in named if n]
    if not named and len(ids) <= 3:
        from shkola.accounts.models import User

        named = [str(u) for u in User.objects.filter(pk__in=ids).order_by("last_name")]
    text = ", ".join(named)
    if len(text) > 280:
        text = text[:277] + "…"
    count = len(ids)
    return text or _("получателей: %(n)s") % {"n": count}


@transaction.atomic
def message_send(
    *,
    sender: Any,
    targets: Sequence[str],
    subject: str,
    body: str,
    attachments: Sequence[Any] = (),
    target_labels: dict[str, str] | None = None,
    draft: Message | None = None,
) -> Sent:
    """Send a new message (or a draft) to the people ``targets`` name, each their own copy."""
    _check_sender(sender)
    subject, body = _check_text(subject, body)
    ids = recipients_of(sender=sender, targets=targets)
    now = clock.now()
    if draft is not None:
        if draft.sender_id != sender.pk or draft.sent_at is not None:
            raise ValidationError({"to": _("Черновик не найден.")})
        message = draft
    else:
        message = Message(sender=sender, created_at=now)
    message.subject = subject
    message.body = body
    message.sent_at = now
    message.created_at = now
    message.draft_targets = []
    message.recipient_count = len(ids)
    message.recipients_label = _label_for(list(targets), target_labels or {}, ids)
    message.save()
    _attach(message, attachments)
    recipient_ids = message_deliver(message=message, recipient_ids=ids)
    return Sent(message=message, recipient_ids=recipient_ids)


def reply_recipient_id(*, user: Any, message: Message) -> int | None:
    """Whom a reply to ``message`` goes to: its sender, for someone who received it; the one
    recipient, for its sender when it went to one person; else nobody (a group send is
    answered reply by reply)."""
    if message.sender_id != user.pk:
        if Delivery.objects.filter(message=message, recipient=user).exists():
            return message.sender_id
        return None
    if message.recipient_count == 1:
        return Delivery.objects.filter(message=message).values_list("recipient_id", flat=True)[0]
    return None


@transaction.atomic
def message_reply(
    *, sender: Any, message: Message, body: str, attachments: Sequence[Any] = ()
) -> Sent:
    """Answer ``message``: the reply goes to one person only (see ``reply_recipient_id``)."""
    recipient_id = reply_recipient_id(user=sender, message=message)
    if recipient_id is None:
        raise ValidationError({"body": _("На это сообщение нельзя ответить.")})
    subject = message.subject
    if not subject.startswith("Re: "):
        subject = f"Re: {subject}"[:SUBJECT_MAX]
    subject, body = _check_text(subject, body)
    now = clock.now()
    from shkola.accounts.models import User

    recipient = User.objects.get(pk=recipient_id)
    reply = Message.objects.create(
        sender=sender,
        subject=subject,
        body=body,
        created_at=now,
        sent_at=now,
        reply_to=message,
        thread_id=message.thread_id or message.pk,
        recipient_count=1,
        recipients_label=recipient.full_name or recipient.username,
    )
    _attach(reply, attachments)
    return Sent(
        message=reply, recipient_ids=message_deliver(message=reply, recipient_ids=[recipient_id])
    )


@transaction.atomic
def draft_save(
    *,
    sender: Any,
    targets: Sequence[str],
    subject: str,
    body: str,
    attachments: Sequence[Any] = (),
    draft: Message | None = None,
) -> Message:
    """Keep an unsent message; recipients are checked when it is sent."""
    _check_sender(sender)
    subject = (subject or "").strip()[:SUBJECT_MAX] or _("(без темы)")
    if len(body or "") > BODY_MAX:
        raise ValidationError({"body": _("Текст длиннее %(n)s символов.") % {"n": BODY_MAX}})
    codes = [str(t) for t in targets if target_q(str(t)) is not None][:TARGETS_MAX]
    if draft is None:
        draft = Message(sender=sender, created_at=clock.now())
    elif draft.sender_id != sender.pk or draft.sent_at is not None:
        raise ValidationError({"to": _("Черновик не найден.")})
    draft.subject = subject
    draft.body = body or ""
    draft.draft_targets = codes
    draft.created_at = clock.now()
    draft.save()
    _attach(draft, attachments)
    return draft


@transaction.atomic
def draft_delete(*, sender: Any, draft: Message) -> None:
    if draft.sender_id != sender.pk or draft.sent_at is not None:
        raise ValidationError({"to": _("Черновик не найден.")})
    for attachment in draft.attachments.all():
        attachment.file.delete(save=False)
    draft.delete()


def _move(user: Any, message_id: int, folder: str) -> int:
    return Delivery.objects.filter(recipient=user, message_id=message_id).update(folder=folder)


@transaction.atomic
def delivery_trash(*, user: Any, message_id: int) -> bool:
    """Move the user's copy to «Корзина»; False when the user has no copy of that message."""
    return _move(user, message_id, Folder.TRASH) > 0


@transaction.atomic
def delivery_restore(*, user: Any, message_id: int) -> bool:
    return _move(user, message_id, Folder.INBOX) > 0


@transaction.atomic
def deliveries_mark_read(*, user: Any, message_ids: Sequence[int]) -> int:
    """The user has opened these messages: their unread copies get the reading time."""
    return Delivery.objects.filter(
        recipient=user, message_id__in=list(message_ids), read_at__isnull=True
    ).update(read_at=clock.now())
