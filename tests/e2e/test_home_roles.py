"""Browser check of every role's home page at 1280 and 360 px (issue 10, home pages): on a
desktop the side cards stand right of the main column; on a phone one column with the most
urgent card first; nothing wider than the screen, no script errors. Screenshots:
test-output/screenshots/home-<role>-<desktop|phone>.png."""

from __future__ import annotations

from typing import Any

import pytest

# (main-column card, side card, which comes first on a phone)
LAYOUT = {
    "student": ("#student-today", "#new-marks", "side"),
    "parent": ("#student-today", "#new-marks", "side"),
    "parent_two_schools": ("#student-today", "#new-marks", "side"),
    "teacher": ("#teacher-today", "#achievements-to-confirm", "main"),
    "classteacher": ("#teacher-today", "#achievements-to-confirm", "main"),
    "teacher_parent": ("#teacher-today", "#new-marks", "main"),
    "curator": ("#journal-timeliness", "#school-waits", "side"),
    "official": ("#territory-schools", None, "main"),
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [1280, 360])
@pytest.mark.parametrize("role", list(LAYOUT))
def test_every_roles_home_is_laid_out_for_the_screen(
    page: Any,
    live_url: str,
    viewport: int,
    role: str,
    screenshot: Any,
    sign_in: Any,
    axe: Any,
) -> None:
    from shkola.demo.testing import build_demo_world

    world = build_demo_world()
    sign_in(page, live_url, role, world.password)
    main, side, first_on_phone = LAYOUT[role]
    page.wait_for_selector(main)
    screenshot(page, f"home-{role}-{'desktop' if viewport > 600 else 'phone'}")
    assert page.js_errors == [] and page.console_errors == []
    assert axe(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport
    if side is None:
        return
    main_box = page.locator(main).bounding_box()
    side_box = page.locator(side).bounding_box()
    if viewport > 600:
        assert side_box["x"] > main_box["x"] + main_box["width"] - 1  # a column of its own
    else:
        assert abs(side_box["x"] - main_box["x"]) < 2  # one column
        above = side_box["y"] < main_box["y"]
        assert above == (first_on_phone == "side")
