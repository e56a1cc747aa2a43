"""Browser journey (issue 10, F4/F5): the demo class teacher posts an announcement for the
families of her class; the demo parent sees the counter in the top bar and the announcement
on the home page, opens it and the counter goes down; «Учителя и администрация» lists the
class teacher. Screenshots: test-output/screenshots/announcements-*.png."""

from __future__ import annotations

from typing import Any

import pytest


def _counter(page: Any) -> int:
    badge = page.locator("#badge-announcements .badge-count")
    return int(badge.inner_text()) if badge.count() else 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [1280, 360])
def test_class_teacher_posts_and_the_parent_reads(
    page: Any, live_url: str, viewport: int, screenshot: Any, sign_in: Any, axe: Any
) -> None:
    from shkola.demo.testing import build_demo_world

    world = build_demo_world()
    tag = "desktop" if viewport > 600 else "phone"
    title = f"Контрольная по алгебре ({tag})"

    sign_in(page, live_url, "classteacher", world.password)
    page.goto(f"{live_url}/announcements/new/")
    page.fill("#id_title", title)
    page.fill("#id_body", "Повторите параграфы 12–14: https://example.org/algebra")
    page.select_option("#id_audience", "parents")
    assert page.is_checked(f"#fieldset-class_units input[value='{world.class_unit.id}']")
    assert axe(page) == []
    screenshot(page, f"announcements-form-{tag}")
    with page.expect_navigation():
        page.click("button[form=announcement-form]")
    assert page.inner_text("#announcement h1").strip() == title
    assert page.locator("#announcement a[href='https://example.org/algebra']").count() == 1

    page.context.clear_cookies()
    sign_in(page, live_url, "parent", world.password)
    if viewport > 600:  # on a phone the counter lives in the collapsed menu
        before = _counter(page)
        assert before >= 1
    assert page.locator("#home-announcements", has_text=title).count() == 1
    page.goto(f"{live_url}/announcements/")
    item = page.locator(".announcement-item", has_text=title)
    assert "unread" in (item.get_attribute("class") or "")
    assert axe(page) == []
    screenshot(page, f"announcements-list-{tag}")
    with page.expect_navigation():
        item.click()
    assert title in page.inner_text("#announcement")
    if viewport > 600:
        assert _counter(page) == before - 1

    page.goto(f"{live_url}/people/teachers/")
    # The page follows the child chosen in the switcher: choose the one in 7А.
    with page.expect_navigation():
        page.click(f"#child-switcher button[value='{world.student.id}']")
    assert world.class_unit.class_teacher.full_name in page.inner_text("#class-teacher")
    assert axe(page) == []
    screenshot(page, f"people-teachers-{tag}")
    assert page.js_errors == [] and page.console_errors == []


@pytest.mark.django_db(transaction=True)
def test_the_curators_form_shows_the_lists_the_scope_asks_for(
    page: Any, live_url: str, sign_in: Any
) -> None:
    from shkola.demo.testing import build_demo_world

    world = build_demo_world()
    sign_in(page, live_url, "curator", world.password)
    page.goto(f"{live_url}/announcements/new/")
    assert not page.is_visible("#fieldset-parallels")
    assert not page.is_visible("#fieldset-class_units")
    page.check("input[name=scope][value=classes]")
    assert page.is_visible("#fieldset-class_units")
    assert not page.is_visible("#fieldset-parallels")
    page.check("input[name=scope][value=parallels]")
    assert page.is_visible("#fieldset-parallels")
    assert page.js_errors == [] and page.console_errors == []
