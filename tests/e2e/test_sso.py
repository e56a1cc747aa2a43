"""Browser journey (A2): «Войти через Госуслуги» against the test OpenID Connect provider on
localhost. A parent signs in and finds her roster children; a forged answer gets the error
page; a stranger gets the explanation; the curator sees the child the roster lacks.
Screenshots at 1280 and 360 px go to test-output/screenshots/sso-*.png."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from shkola.accounts.sso.tests.conftest import (
    PEOPLE,
    RunningProvider,
    start_provider,
    stop_provider,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def provider() -> Iterator[RunningProvider]:
    running = start_provider()
    yield running
    stop_provider(running)


@pytest.fixture
def roster(settings: Any, provider: RunningProvider) -> Any:
    from shkola.core.testing.factories import enrol, make_school

    settings.SHKOLA_SSO_PROVIDERS = {
        "gosuslugi": provider.settings_entry(),
        "school": {"title": "Войти через школьный портал", "issuer": ""},
    }
    school = make_school(n_students=2)
    for claimed in PEOPLE["parent"]["children"][:2]:
        enrol(
            school,
            school.class_unit,
            last_name=claimed["family_name"],
            first_name=claimed["given_name"],
            middle_name=claimed["middle_name"],
            birth_date=dt.date.fromisoformat(claimed["birthdate"]),
            snils="".join(ch for ch in claimed["snils"] if ch.isdigit()),
        )
    return school


@pytest.mark.parametrize("viewport", [1280, 360])
def test_parent_signs_in_through_gosuslugi_and_sees_her_children(
    page: Any, live_url: str, roster: Any, viewport: Any, screenshot: Any
) -> None:
    tag = "desktop" if viewport > 600 else "phone"
    # the login page offers the configured provider only
    page.goto(f"{live_url}/accounts/login/")
    button = page.locator("#sso-gosuslugi")
    assert button.inner_text().strip() == "Войти через Госуслуги"
    assert page.locator("#sso-school").count() == 0
    screenshot(page, f"sso-login-{tag}")

    # at the provider she picks herself, and comes back signed in
    button.click()
    page.locator("#login-parent").click()
    page.wait_for_url(f"{live_url}/")
    body = page.locator("body").inner_text()
    assert "Иванов Пётр Сергеевич" in body and "Иванова Анна Сергеевна" in body
    assert "Иванов Илья Сергеевич" in body  # not on the roster: the curator will check
    screenshot(page, f"sso-home-{tag}")
    assert page.js_errors == []


@pytest.mark.parametrize("viewport", [1280, 360])
def test_forged_answer_and_stranger_get_clear_pages(
    page: Any, live_url: str, roster: Any, viewport: Any, screenshot: Any
) -> None:
    tag = "desktop" if viewport > 600 else "phone"
    response = page.goto(f"{live_url}/sso/gosuslugi/callback/?code=abc&state=forged")
    assert response.status == 400
    assert "параметр state не совпадает" in page.locator("#sso-error").inner_text()
    screenshot(page, f"sso-error-{tag}")

    page.goto(f"{live_url}/accounts/login/")
    page.locator("#sso-gosuslugi").click()
    page.locator("#login-stranger").click()
    page.wait_for_selector("#sso-refused")
    assert "Вы пока не зарегистрированы" in page.locator("body").inner_text()
    screenshot(page, f"sso-refused-{tag}")


@pytest.mark.parametrize("viewport", [1280, 360])
def test_curator_sees_the_child_the_roster_lacks(
    page: Any, live_url: str, roster: Any, viewport: Any, browser: Any, screenshot: Any
) -> None:
    from shkola.core.testing.factories import TEST_PASSWORD, enrol
    from shkola.schools.models import Guardianship

    tag = "desktop" if viewport > 600 else "phone"
    page.goto(f"{live_url}/accounts/login/")
    page.locator("#sso-gosuslugi").click()
    page.locator("#login-parent").click()
    page.wait_for_url(f"{live_url}/")
    page.context.clear_cookies()

    page.goto(f"{live_url}/accounts/login/")
    page.fill("input[name=username]", roster.curator.username)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_url}/")
    page.goto(f"{live_url}/sso/unmatched/")
    card = page.locator("#unmatched-list .card").first
    assert "Иванов Илья Сергеевич" in card.inner_text()
    assert "Иванова Мария Петровна" in card.inner_text()
    assert "нет учеников с такой датой рождения" in card.inner_text()

    # Илья turns out to be enrolled, without a SNILS: he is offered and linked
    ilya = enrol(
        roster,
        roster.class_unit,
        last_name="Иванов",
        first_name="Илья",
        birth_date=dt.date(2019, 11, 11),
        snils="",
    )
    page.reload()
    assert page.locator(f"#unmatched-list option[value='{ilya.pk}']").count() == 1
    screenshot(page, f"sso-unmatched-{tag}")
    page.locator("#unmatched-list button[type=submit]").first.click()
    page.wait_for_selector("#unmatched-empty")
    assert "привязан(а) к родителю Иванова Мария Петровна" in page.locator("body").inner_text()
    assert Guardianship.objects.filter(
        student=ilya, guardian__user__snils__startswith="198"
    ).exists()
    screenshot(page, f"sso-unmatched-done-{tag}")
