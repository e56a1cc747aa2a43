"""A real SMTP server on localhost (aiosmtpd) that collects or refuses letters, and helpers
that find the demo family's lessons."""

from __future__ import annotations

import datetime as dt
import email
import socket
from email import policy
from email.message import EmailMessage
from typing import Any

import pytest

from shkola.core import clock


class CollectingHandler:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse = 0  # how many of the next letters get a temporary failure

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse > 0:
            self.refuse -= 1
            return "451 4.3.0 Temporary failure, try again later"
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=policy.default)  # type: ignore[arg-type]
        )
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp(settings: Any) -> Any:
    """Starts aiosmtpd on a free port and points Django's default mailer at it."""
    from aiosmtpd.controller import Controller

    handler = CollectingHandler()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    try:
        yield handler
    finally:
        controller.stop()


def past_lesson(world: Any, class_unit: Any = None) -> Any:
    """A whole-class lesson (of the demo student's class by default) in an open period,
    already given; in the student's class, one of «Алгебра»."""
    from shkola.timetable.models import Lesson

    subject = {"subject": world.subject} if class_unit is None else {}
    lesson = (
        Lesson.objects.filter(
            class_unit=class_unit or world.class_unit,
            group__isnull=True,
            **subject,
            period__closed_at__isnull=True,
            date__lte=clock.today(),
            is_cancelled=False,
        )
        .select_related("subject")
        .order_by("-date")
        .first()
    )
    assert lesson is not None
    return lesson


def tomorrow_lesson(world: Any) -> Any:
    from shkola.timetable.models import Lesson

    lesson = Lesson.objects.create(
        academic_year=world.year,
        period=world.period,
        class_unit=world.class_unit,
        subject=world.subject,
        teacher=world.users["teacher"],
        date=clock.today() + dt.timedelta(days=1),
        lesson_number=8,
    )
    return lesson


def set_mark(lesson: Any, student: Any, text: str, user: Any) -> Any:
    from shkola.journal import services

    current = services.cell_load(lesson=lesson, student=student)
    return services.mark_set(
        lesson=lesson,
        student=student,
        text=text,
        fingerprint=current.fingerprint,
        user=user,
        may_edit_closed=True,
    )
