"""Every page of the URL × role matrix, opened in Chromium on a 360-px phone and a 1280-px
desktop by the first demo role that may see it: no sideways scroll of the page, no script or
CSP error, no serious or critical WCAG 2.x A/AA violation found by axe-core, every role's menu on
one line at 1280 px, and a full-page screenshot in test-output/screenshots/tour-*-{phone,desktop}.png to
look at. A new page is toured as soon as its app declares it in url_matrix.py."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.text import slugify

from shkola.core.testing.matrix import ROLES

# Every signed-in role of the URL × role matrix, in its order (the first allowed role opens a page).
TOUR_ROLES = tuple(role for role in ROLES if role != "anonymous")
# Pages that are not for a phone screen by design: printed cards of invitation codes.
NOT_FOR_PHONES = {"accounts:invitations_print"}
# Developers' pages drawn by a third-party widget whose markup we do not own: the API's Swagger UI
# (its own colours and nested buttons fail axe). tests/e2e/test_oauth_api.py opens it on both
# screens and checks it loads under the CSP without script errors.
NOT_TOURED = {"api:openapi-view"}


def _pages(world: Any) -> dict[str, list[tuple[str, str]]]:
    """role → [(name, url)] of the HTML pages that role is the first to be allowed."""
    from shkola.accounts.tests.test_url_matrix import declared_cases

    by_role: dict[str, list[tuple[str, str]]] = {role: [] for role in TOUR_ROLES}
    clients: dict[str, Client] = {}
    for case in declared_cases():
        role = next((r for r in TOUR_ROLES if case.expect.get(r) == 200), None)
        if role is None or case.url_name in NOT_FOR_PHONES | NOT_TOURED:
            continue
        url = reverse(case.url_name, kwargs=case.kwargs(world) if case.kwargs else None)
        query = case.query(world) if callable(case.query) else case.query
        url = f"{url}?{query}" if query else url
        if role not in clients:
            clients[role] = Client()
            clients[role].force_login(world.users[role])
        response = clients[role].get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            name = slugify(f"{case.url_name.replace(':', '-')} {case.label}".strip())
            by_role[role].append((name, url))
    return by_role


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "viewport",
    [{"width": 360, "height": 740}, {"width": 1280, "height": 900}],
    ids=["phone", "desktop"],
)
def test_every_page_fits_the_screen(live_server, page, viewport, screenshot, sign_in, axe):
    from shkola.demo.testing import build_demo_world

    world = build_demo_world()
    tour = _pages(world)
    assert sum(len(pages) for pages in tour.values()) > 30
    problems: list[str] = []
    for role, pages in tour.items():
        # Every role's menu is measured on a desktop, even a role with no page of its own here.
        if not pages and viewport["width"] < 1280:
            continue
        page.context.clear_cookies()
        sign_in(page, live_server.url, role, world.password)
        if viewport["width"] >= 1280:
            # The menu is one line on a desktop: its bar no higher than one item (plus padding).
            heights = page.evaluate(
                """() => ({nav: document.querySelector('.navbar-nav').getBoundingClientRect().height,
                          item: document.querySelector('.navbar-nav .nav-item')
                                        .getBoundingClientRect().height})"""
            )
            if heights["nav"] > heights["item"] * 1.5:
                problems.append(
                    f"{role}: the menu wraps at {viewport['width']} px "
                    f"({heights['nav']:.0f} px high, one item {heights['item']:.0f} px)"
                )
        for name, url in pages:
            del page.js_errors[:], page.console_errors[:]
            page.goto(live_server.url + url)
            page.wait_for_load_state("load")
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 1:
                problems.append(f"{role} {url}: the page scrolls sideways by {overflow} px")
            for error in [*page.js_errors, *page.console_errors]:
                problems.append(f"{role} {url}: {error}")
            for violation in axe(page):
                problems.append(f"{role} {url}: accessibility: {violation}")
            screenshot(page, f"tour-{name}-{'phone' if viewport['width'] < 600 else 'desktop'}")
    assert not problems, "\n".join(problems)
