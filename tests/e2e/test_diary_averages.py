"""Browser check of the averages page (D8): the three averages, a table that fits a phone and
a chart that is really drawn (Chart.js under the CSP), at 1280 and 360 px."""

from __future__ import annotations

import pytest


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [1280, 360])
def test_averages_page_fits_and_draws_the_weekly_chart(
    live_server, page, viewport, diary_world, screenshot, sign_in, axe
):
    world = diary_world
    tag = "desktop" if viewport > 600 else "phone"

    sign_in(page, live_server.url, world.anna.user.username)
    page.goto(f"{live_server.url}/diary/averages/?period={world.period.id}")
    # (34/9 + 5) / 2 = 4,39 mine; class 3,69; parallel 4,13 (see world.py)
    assert page.inner_text("#avg-mine") == "4,39"
    assert page.inner_text("#avg-class") == "3,69"
    assert page.inner_text("#avg-parallel") == "4,13"
    # Every column of the subject table is on screen, no sideways scroll.
    table = page.locator(".avg-table").locator("xpath=..")
    assert table.evaluate("el => el.scrollWidth <= el.clientWidth")
    row = page.locator(".avg-table tr", has_text="Изобразительное")
    assert row.inner_text().split()[-3:] == ["5,00", "4,50", "4,50"]
    # The chart is drawn: the canvas has painted pixels, for mathematics (my 5 and 3,63).
    canvas = page.locator("#dynamics-chart")
    canvas.wait_for(state="visible")
    page.wait_for_timeout(500)  # Chart.js animates the first paint
    painted = canvas.evaluate(
        """c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                 let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; }"""
    )
    assert painted > 1000
    # «Что нужно для…» (X1): a subject opens to a short line per threshold, on a phone too.
    forecast = page.locator(f"#forecast-{world.school.subject.id}")
    assert forecast.locator(".forecast-lines").is_hidden()
    forecast.locator("summary").click()
    assert "Чтобы выйти на 5: четыре пятёрки (Контрольная работа, вес 5)." in (
        forecast.locator(".forecast-lines").inner_text()
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe(page) == []
    screenshot(page, f"diary-averages-{tag}")
    assert page.js_errors == [] and page.console_errors == []
