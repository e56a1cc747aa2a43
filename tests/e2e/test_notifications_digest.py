"""Browser journey (F6, issue 10 «Done means»): a teacher enters a «2» in the journal grid; the
mother sees it under the bell, her evening digest arrives at a real SMTP server (aiosmtpd)
naming the «2», and its unsubscribe link works in a browser that is not signed in."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

TODAY = dt.date(2026, 10, 7)  # a Wednesday of the first quarter


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_two_in_the_journal_reaches_the_mothers_digest(
    live_server, browser, sign_in, monkeypatch, settings, screenshot
):
    from aiosmtpd.controller import Controller
    from django.urls import reverse
    from django.utils import timezone

    from shkola.accounts.models import User
    from shkola.core.testing.factories import guardian_of, make_school
    from shkola.journal.models import Mark
    from shkola.notifications import services
    from shkola.notifications.models import NotificationSettings
    from shkola.notifications.tests.conftest import CollectingHandler, _free_port

    monkeypatch.setenv("SHKOLA_TODAY", TODAY.isoformat())
    school = make_school(n_students=3, generate_lessons_until=TODAY)
    anna = school.students[0]
    mother = guardian_of(anna, username="mother-anna")
    User.objects.filter(pk=mother.pk).update(email="mother@example.org", email_confirmed=True)
    NotificationSettings.objects.create(
        user=mother, digest_hour=19, last_digest_at=timezone.now() - dt.timedelta(minutes=1)
    )
    handler = CollectingHandler()
    port = _free_port()
    smtp = Controller(handler, hostname="127.0.0.1", port=port)
    smtp.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    try:
        # Given the teacher types «2» into Anna's cell of today's lesson
        teacher_page: Any = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in(teacher_page, live_server.url, school.teacher.username)
        teacher_page.goto(
            live_server.url
            + reverse("journal:grid", args=[school.class_unit.id, school.subject.id])
        )
        teacher_page.locator(f"tr[data-student='{anna.id}'] td.jc[data-l]").last.click()
        teacher_page.keyboard.type("2")
        teacher_page.keyboard.press("Enter")
        # Wait on the page, never on the database: on SQLite the test's shared in-memory
        # database is locked while the server thread writes, so polling it races the save.
        for _ in range(200):
            if teacher_page.locator("td.saving").count() == 0:
                break
            teacher_page.wait_for_timeout(50)
        assert Mark.objects.filter(student=anna, value="2").exists()
        teacher_page.close()

        # Then the mother's bell counts it and the list names the subject and the mark
        mother_page: Any = browser.new_page(viewport={"width": 360, "height": 740})
        sign_in(mother_page, live_server.url, mother.username)
        # (on a phone the bell sits in the collapsed menu: read its text, not what is shown)
        assert mother_page.locator("#badge-notifications .badge-count").text_content() == "1"
        mother_page.goto(live_server.url + reverse("notifications:list"))
        item = mother_page.locator(".notification-unread").first
        assert f"{school.subject.name}: 2 за 7 октября" in item.inner_text()
        screenshot(mother_page, "notifications-list-phone")
        mother_page.close()

        # When the evening digests go out, one letter reaches the SMTP server naming the «2»
        services.digests_send(hour=19)
        [letter] = handler.messages
        text = letter.get_body(preferencelist=("plain",)).get_content()
        html = letter.get_body(preferencelist=("html",)).get_content()
        assert f"{school.subject.name}: 2" in text and ">2</td>" in html
        assert f"{anna.last_name} {anna.first_name}" in letter["Subject"]

        # And its unsubscribe link works in a browser nobody signed in to
        link = re.search(r"http://127\.0\.0\.1:8000(/notifications/unsubscribe/\S+/)", text)
        assert link is not None
        stranger: Any = browser.new_page(viewport={"width": 360, "height": 740})
        stranger.goto(live_server.url + link.group(1))
        stranger.click("#unsubscribe-confirm")
        stranger.wait_for_selector("#unsubscribed")
        assert NotificationSettings.objects.get(user=mother).delivery_of("mark") == "off"
        stranger.close()
    finally:
        smtp.stop()
