"""Who gets what from each messaging URL (see shkola/core/testing/matrix.py)."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile

from shkola.core.testing.matrix import Case, expect

EVERYONE = expect(200, anonymous=302)
POST_ONLY = expect(405, anonymous=302)
# A message from the demo parent to the class teacher: the two of them, nobody else.
PARENT_AND_CLASSTEACHER = expect(404, anonymous=302, parent=200, classteacher=200)


def _letter(w: Any) -> Any:
    from shkola.messaging.models import Attachment, Message
    from shkola.messaging.services import message_send

    message = Message.objects.filter(
        sender=w.users["parent"], subject="Матричное письмо", sent_at__isnull=False
    ).first()
    if message is None:
        message = message_send(
            sender=w.users["parent"],
            targets=[f"u:{w.users['classteacher'].pk}"],
            subject="Матричное письмо",
            body="Текст",
        ).message
        record = Attachment(message=message, name="a.txt", size=2, content_type="text/plain")
        record.file.save("a.txt", ContentFile(b"ok"), save=False)
        record.save()
    return message


def _draft(w: Any) -> Any:
    from shkola.messaging.models import Message
    from shkola.messaging.services import draft_save

    draft = Message.objects.filter(sender=w.users["parent"], sent_at__isnull=True).first()
    return draft or draft_save(sender=w.users["parent"], targets=[], subject="Черновик", body="")


CASES = [
    Case("messaging:inbox", EVERYONE),
    Case("messaging:inbox", EVERYONE, query="q=%3Cscript%3E&page=abc", label="odd query"),
    Case("messaging:sent", EVERYONE),
    Case("messaging:drafts", EVERYONE),
    Case("messaging:trash", EVERYONE),
    Case("messaging:compose", EVERYONE),
    # ?to= of someone the role may not write to is a form error, never a 500
    Case(
        "messaging:compose",
        EVERYONE,
        query=lambda w: f"to={w.users['teacher2'].pk}",
        label="to another school",
    ),
    Case("messaging:compose", EVERYONE, query="to=abc", label="to garbage"),
    Case(
        "messaging:message",
        PARENT_AND_CLASSTEACHER,
        kwargs=lambda w: {"message_id": _letter(w).pk},
    ),
    Case("messaging:reply", POST_ONLY, kwargs=lambda w: {"message_id": _letter(w).pk}),
    Case("messaging:move_to_trash", POST_ONLY, kwargs=lambda w: {"message_id": _letter(w).pk}),
    Case("messaging:restore", POST_ONLY, kwargs=lambda w: {"message_id": _letter(w).pk}),
    Case(
        "messaging:attachment",
        PARENT_AND_CLASSTEACHER,
        kwargs=lambda w: {"attachment_id": _letter(w).attachments.first().pk},
    ),
    Case(
        "messaging:draft_edit",
        expect(404, anonymous=302, parent=200),
        kwargs=lambda w: {"draft_id": _draft(w).pk},
    ),
    Case(
        "messaging:draft_delete",
        expect(404, anonymous=302, parent=200),
        kwargs=lambda w: {"draft_id": _draft(w).pk},
    ),
]
