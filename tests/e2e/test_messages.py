"""Browser journey (F1, F5; issue 10 «Done means»): the parent finds the class teacher on
«Учителя и администрация», writes to her with «Написать»; the class teacher sees the counter in
the top bar, opens the message and answers; the parent reads the answer in the same
conversation. On a desktop and on a phone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [1280, 360])
def test_parent_writes_to_the_class_teacher_and_gets_an_answer(
    live_server: Any,
    page: Any,
    browser: Any,
    viewport: int,
    sign_in: Any,
    monkeypatch: Any,
    screenshot: Any,
) -> None:
    from shkola.core.testing.factories import guardian_of, make_school

    monkeypatch.setenv("SHKOLA_TODAY", "2026-09-09")
    school = make_school(
        n_students=2, weekdays=(1, 2, 3, 4, 5), generate_lessons_until=dt.date(2026, 9, 30)
    )
    parent = guardian_of(school.students[0])
    teacher = school.class_teacher
    tag = "desktop" if viewport > 600 else "phone"

    # Given the parent on the page of their child's teachers
    sign_in(page, live_server.url, parent.username)
    page.goto(live_server.url + "/people/teachers/")
    # (by the link's address: the factories' surnames repeat, another teacher may share hers)
    row = page.locator(".person-row", has=page.locator(f"a.write-link[href$='?to={teacher.pk}']"))
    assert "классный руководитель" in row.inner_text().lower() or teacher.last_name in (
        row.inner_text()
    )
    # When they press «Написать» beside the class teacher and send a message
    with page.expect_navigation():
        row.locator(".write-link").click()
    page.fill("input[name=subject]", "Пропуск в пятницу")
    page.fill("textarea[name=body]", "Здравствуйте! В пятницу сын будет у врача.")
    with page.expect_navigation():
        page.click("button[name=send]")
    assert "Пропуск в пятницу" in page.inner_text("main")
    screenshot(page, f"messages-parent-sent-{tag}")

    # Then the class teacher sees one unread message in the top bar and opens it
    other = browser.new_context(
        viewport={"width": viewport, "height": 900}, locale="ru-RU", timezone_id="Europe/Moscow"
    )
    teacher_page = other.new_page()
    sign_in(teacher_page, live_server.url, teacher.username)
    counter = teacher_page.locator(".top-badge[href='/messages/'] .badge-count").first
    assert counter.text_content() == "1"
    teacher_page.goto(live_server.url + "/messages/")
    with teacher_page.expect_navigation():
        teacher_page.get_by_role("link", name="Пропуск в пятницу").first.click()
    assert "В пятницу сын будет у врача." in teacher_page.inner_text("main")
    # and answers; the answer goes to that parent only
    teacher_page.fill("#reply textarea[name=body]", "Спасибо, отмечу.")
    with teacher_page.expect_navigation():
        teacher_page.click("#reply button[type=submit]")
    screenshot(teacher_page, f"messages-teacher-answered-{tag}")
    other.close()

    # The parent reads the answer in the conversation
    page.goto(live_server.url + "/messages/")
    with page.expect_navigation():
        page.get_by_role("link", name="Re: Пропуск в пятницу").first.click()
    text = page.inner_text("main")
    assert "Спасибо, отмечу." in text and "В пятницу сын будет у врача." in text
    assert page.js_errors == []
