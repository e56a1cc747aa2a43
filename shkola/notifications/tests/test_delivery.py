"""Letters through a real SMTP server (aiosmtpd on localhost): the digest that arrives, the
retry after a refused delivery, and no letter twice."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from shkola.accounts.models import User
from shkola.core import clock
from shkola.notifications import services
from shkola.notifications.models import NotificationSettings, Outbox, OutboxStatus

from .conftest import past_lesson, set_mark

pytestmark = pytest.mark.django_db


def _parent_waiting_for_a_digest(world):
    parent = world.users["parent"]
    User.objects.filter(pk=parent.pk).update(email_confirmed=True)
    NotificationSettings.objects.update_or_create(
        user=parent,
        defaults={"digest_hour": 19, "last_digest_at": clock.now() - dt.timedelta(seconds=1)},
    )
    return parent


def _parts(message):
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_the_parents_digest_arrives_names_the_two_and_unsubscribes_without_login(
    demo_world, smtp, django_capture_on_commit_callbacks
):
    # Given a teacher enters a «2» for the demo parent's child
    parent = _parent_waiting_for_a_digest(demo_world)
    lesson = past_lesson(demo_world)
    set_mark(lesson, demo_world.student, "2", demo_world.users["teacher"])
    # When the digests of the parent's hour go out
    with django_capture_on_commit_callbacks(execute=True):
        services.digests_send(hour=19)
    # Then one letter arrives at the SMTP server with a text and an HTML part naming the «2»
    [letter] = [m for m in smtp.messages if m["To"] == parent.email]
    text, html = _parts(letter)
    child = f"{demo_world.student.last_name} {demo_world.student.first_name}"
    assert child in letter["Subject"]
    assert f"{lesson.subject.name}: 2 (средний балл" in text
    assert lesson.subject.name in html and ">2</td>" in html
    assert letter["List-Unsubscribe"]
    # and its unsubscribe link works for someone who is not signed in
    link = re.search(r"http://127\.0\.0\.1:8000(/notifications/unsubscribe/\S+/)", text)
    assert link is not None
    anonymous = Client()
    page = anonymous.get(link.group(1))
    assert page.status_code == 200 and "Отписаться" in page.content.decode()
    done = anonymous.post(link.group(1))
    assert "Вы отписались" in done.content.decode()
    assert NotificationSettings.objects.get(user=parent).delivery_of("mark") == "off"


def test_a_refused_delivery_is_retried_with_backoff_and_delivered_once(
    demo_world, smtp, django_capture_on_commit_callbacks
):
    # Given the mail server refuses the first letter
    parent = _parent_waiting_for_a_digest(demo_world)
    set_mark(past_lesson(demo_world), demo_world.student, "3", demo_world.users["teacher"])
    smtp.refuse = 1
    with django_capture_on_commit_callbacks(execute=True):
        services.digests_send(hour=19)
    # Then the letter is kept, with the error and the time of the next try
    row = Outbox.objects.get(user=parent, letter_kind="digest")
    assert row.status == OutboxStatus.PENDING and row.attempts == 1
    assert "451" in row.last_error
    assert row.next_try_at is not None and row.next_try_at > clock.now()
    assert smtp.messages == []
    # When the ticker runs before the next try: nothing; after it: delivered
    assert services.outbox_retry_due() == 0
    assert services.outbox_retry_due(now=row.next_try_at + dt.timedelta(seconds=1)) == 1
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT and row.attempts == 2
    assert len(smtp.messages) == 1
    # with the Message-ID every try of this outbox row carries (docs/workers.md)
    assert smtp.messages[0]["Message-ID"] == f"<outbox-{row.pk}@127.0.0.1>"
    # And a rerun of the digests and of the ticker sends nothing twice
    with django_capture_on_commit_callbacks(execute=True):
        assert services.digests_send(hour=19) == 0
    assert services.outbox_retry_due(now=clock.now() + dt.timedelta(days=1)) == 0
    assert services.outbox_deliver(outbox_id=row.pk) is False
    assert len(smtp.messages) == 1


def test_an_immediate_letter_arrives_for_a_decided_absence_note(
    demo_world, smtp, django_capture_on_commit_callbacks
):
    # Given the defaults: a decision on an absence note comes at once by e-mail
    parent = demo_world.users["parent"]
    User.objects.filter(pk=parent.pk).update(email_confirmed=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            kind="absence_note",
            user_ids=[parent.pk],
            title="Записка принята",
            text="С 1 по 3 декабря",
            url="/diary/",
        )
    [letter] = smtp.messages
    text, html = _parts(letter)
    assert letter["Subject"] == "Записка принята"
    assert "С 1 по 3 декабря" in text and "http://127.0.0.1:8000/diary/" in html


def test_the_worker_command_sends_the_hours_digests(
    demo_world, smtp, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    parent = _parent_waiting_for_a_digest(demo_world)
    set_mark(past_lesson(demo_world), demo_world.student, "5", demo_world.users["teacher"])
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digests", "--hour", "19")
        call_command("send_digests", "--hour", "19")
    assert len([m for m in smtp.messages if m["To"] == parent.email]) == 1
