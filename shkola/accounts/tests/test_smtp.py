"""The one test that sends through a real SMTP server (aiosmtpd on localhost): proves the
MAILERS settings built from EMAIL_URL really deliver the confirmation letter."""

from __future__ import annotations

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller

from shkola.accounts import tasks
from shkola.core.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


class Collector:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], str]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        self.messages.append(
            (
                envelope.mail_from,
                list(envelope.rcpt_tos),
                envelope.content.decode("utf-8", "replace"),
            )
        )
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_confirmation_letter_goes_through_smtp(settings):
    collector = Collector()
    port = free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
            }
        }
        user = UserFactory(email="parent@example.org")
        result = tasks.send_email_confirmation.enqueue(user.pk)
        assert result.return_value is True
    finally:
        controller.stop()
    [(sender, recipients, content)] = collector.messages
    assert recipients == ["parent@example.org"]
    assert "noreply@shkola.local" in sender
    letter = email.message_from_string(content, policy=email.policy.default)
    assert letter.get_content_type() == "multipart/alternative"
    text = letter.get_body(("plain",)).get_content()
    html = letter.get_body(("html",)).get_content()
    assert "Подтвердите адрес" in str(letter["Subject"])
    # a retry of the same task would carry the same Message-ID
    assert letter["Message-ID"] == f"<confirm-{result.id}@127.0.0.1>"
    assert "/accounts/confirm/" in text and "/accounts/confirm/" in html
