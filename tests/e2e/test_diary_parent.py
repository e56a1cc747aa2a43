"""Browser journey (D1, D2, D7): a parent signs in, sees the week with marks, opens a mark's
comment, switches to the other child and opens the report card. Screenshots at 1280 and
360 px go to test-output/screenshots/diary-*.png."""

from __future__ import annotations

import pytest


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [1280, 360])
def test_parent_reads_the_week_opens_a_comment_switches_child_and_opens_report_card(
    live_server, page, viewport, diary_world, screenshot, sign_in
):
    world = diary_world
    tag = "desktop" if viewport > 600 else "phone"

    sign_in(page, live_server.url, world.parent.username)
    page.goto(f"{live_server.url}/diary/")
    # The week of 16–21 November with today (Wednesday) highlighted and Anna's marks.
    assert "Антонова Анна" in page.inner_text(".diary-student")
    today_card = page.locator(".diary-day.is-today")
    assert "18 ноября" in today_card.inner_text()
    monday = page.locator("#day-2026-11-16")
    assert "Линейные уравнения" in monday.inner_text()
    screenshot(page, f"diary-week-{tag}")

    # The red corner on the test mark opens its work name and comment.
    marker = monday.locator("button.mark-has-comment")
    assert marker.inner_text() == "4"
    marker.click()
    popover = page.locator(".popover")
    popover.wait_for(state="visible")
    page.wait_for_timeout(300)  # let the fade-in finish before the screenshot
    assert "Ошибка в задаче 3" in popover.inner_text()
    assert "Контрольная №2" in popover.inner_text()
    screenshot(page, f"diary-comment-{tag}")

    # The previous week, then back to this one.
    page.click("a[rel=prev]")
    assert "9 ноября" in page.inner_text(".week-range")
    page.click(".week-switch >> text=Эта неделя")
    assert "16 ноября" in page.inner_text(".week-range")

    # Switch to Gleb (7Б): his week, not Anna's.
    page.click("#child-switcher button:has-text('Глеб')")
    page.wait_for_load_state()
    assert "Глебов Глеб" in page.inner_text(".diary-student")
    assert "Линейные уравнения" not in page.inner_text("main")
    screenshot(page, f"diary-week-second-child-{tag}")

    # His report card: mathematics 5,00.
    page.goto(f"{live_server.url}/diary/report/")
    row = page.locator(".subject-row", has_text="Математика")
    assert "5,00" in row.inner_text()

    # Back to Anna: 3,78 in mathematics; a click on the row shows the dates and work names.
    page.click("#child-switcher button:has-text('Анна')")
    page.wait_for_load_state()
    row = page.locator(".subject-row", has_text="Математика")
    assert "3,78" in row.inner_text()
    row.click()
    dates = page.locator(f"#dates-{world.school.subject.id}")
    dates.wait_for(state="visible")
    assert "16.11" in dates.inner_text()
    assert "Контрольная №2" in dates.inner_text()
    # What she needs this quarter (X1; hand-computed in shkola/diary/tests/test_forecast.py).
    assert "Чтобы выйти на 5: четыре пятёрки (Контрольная работа, вес 5)." in dates.inner_text()
    # Nothing of the report card hides behind a sideways scroll, on a phone either.
    table = page.locator(".report-card .table-responsive")
    assert table.evaluate("el => el.scrollWidth <= el.clientWidth")
    assert "5,00" in page.locator(".subject-row", has_text="Изобразительное").inner_text()
    screenshot(page, f"diary-report-{tag}")
    assert page.js_errors == [] and page.console_errors == []
