"""Accessibility (WCAG 2.2 AA, checked by axe-core) of the states the page tour does not reach:
the report card with its subject rows opened by keyboard, and a portfolio card without a
photo. The tour (test_page_tour.py) checks every page as its first role sees it."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [1280, 360])
def test_report_card_rows_open_from_the_keyboard_and_pass_axe(
    live_server: Any, page: Any, viewport: Any, diary_world: Any, sign_in: Any, axe: Any
) -> None:
    world = diary_world
    sign_in(page, live_server.url, world.parent.username)
    page.goto(f"{live_server.url}/diary/report/")
    dates = page.locator(f"#dates-{world.school.subject.id}")
    toggle = page.locator(".subject-row", has_text="Математика").locator(".subject-toggle")
    assert toggle.get_attribute("aria-expanded") == "false"
    # A keyboard user reaches the subject and opens its dates with Enter.
    toggle.focus()
    page.keyboard.press("Enter")
    dates.wait_for(state="visible")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert "16.11" in dates.inner_text()
    assert axe(page) == []
    # A click anywhere on the row still opens and closes it.
    page.locator(".subject-row", has_text="Математика").locator(".report-marks").click()
    dates.wait_for(state="hidden")
    assert page.js_errors == [] and page.console_errors == []


@pytest.mark.parametrize("viewport", [1280, 360])
def test_portfolio_card_without_a_photo_passes_axe(
    live_server: Any, page: Any, viewport: Any, sign_in: Any, axe: Any
) -> None:
    from shkola.core.testing.factories import guardian_of, make_school

    school = make_school(n_students=1)
    student = school.students[0]
    parent = guardian_of(student)
    sign_in(page, live_server.url, parent.username)
    page.goto(f"{live_server.url}/portfolio/students/{student.id}/")
    assert page.locator(".student-photo-empty").count() == 1
    assert axe(page) == []
    assert page.js_errors == [] and page.console_errors == []
