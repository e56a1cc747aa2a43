"""Who gets what from each notifications URL (see shkola/core/testing/matrix.py)."""

from __future__ import annotations

from typing import Any

from shkola.core.testing.matrix import Case, expect

SIGNED_IN = expect(200, anonymous=302)


def _parents_notification(w: Any) -> dict[str, Any]:
    from shkola.notifications.models import Notification

    note, _ = Notification.objects.get_or_create(
        user=w.users["parent"],
        kind="mark",
        title="Матричное уведомление",
        defaults={"url": "/diary/"},
    )
    return {"notification_id": note.pk}


def _token(w: Any) -> dict[str, Any]:
    from shkola.notifications.services import unsubscribe_token

    return {"token": unsubscribe_token(w.users["parent"])}


CASES = [
    Case("notifications:list", SIGNED_IN),
    Case("notifications:list", SIGNED_IN, query="page=abc", label="bad page"),
    Case("notifications:settings", SIGNED_IN),
    Case("notifications:read_all", expect(405, anonymous=302)),
    # one's own notification redirects to its page; anybody else's does not exist
    Case(
        "notifications:open",
        expect(404, anonymous=302, parent=302),
        kwargs=_parents_notification,
    ),
    # the letter's link works without signing in, for whoever holds it
    Case("notifications:unsubscribe", expect(200), kwargs=_token),
    Case(
        "notifications:unsubscribe",
        expect(404),
        kwargs=lambda w: {"token": "not-a-signed-token"},
        label="forged",
    ),
]
