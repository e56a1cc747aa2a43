"""Browser journey of B1: the demo municipal official registers a school, issues its
curator's access sheet, the curator signs in with the one-time password, is made to choose
their own, and then reaches the home page. Screenshots: test-output/screenshots/
registry-*.png."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.django_db(transaction=True)
def test_an_official_registers_a_school_and_its_curator_signs_in(
    page: Any, live_url: str, screenshot: Any, sign_in: Any, axe: Any
) -> None:
    from shkola.accounts.models import User
    from shkola.demo.testing import build_demo_world
    from shkola.schools.models import Organisation

    world = build_demo_world()
    sign_in(page, live_url, "official", world.password)
    assert page.locator("header .nav-link", has_text="Организации").count() == 1
    page.click("#official-organisations")  # from the home page
    page.wait_for_selector("#organisation-new")
    screenshot(page, "registry-list")
    assert axe(page) == []
    page.click("#organisation-new")

    page.fill("#id_full_name", "Муниципальное бюджетное общеобразовательное учреждение «Школа №7»")
    page.fill("#id_short_name", "МБОУ «Школа №7»")
    page.fill("#id_inn", "7707083894")  # one digit wrong
    page.fill("#id_ogrn", "1027700132195")
    page.fill("#id_address", "142100, г. Подольск, ул. Садовая, д. 3")
    page.fill("#id_director_name", "Петрова Мария Ивановна")
    with page.expect_navigation():
        page.click("#organisation-form button[type=submit]")
    assert "ИНН указан неверно" in page.inner_text("#id_inn_error")
    assert page.input_value("#id_director_name") == "Петрова Мария Ивановна"
    screenshot(page, "registry-form-error")
    assert axe(page) == []
    page.fill("#id_inn", "7707083893")
    with page.expect_navigation():
        page.click("#organisation-form button[type=submit]")
    assert Organisation.objects.filter(inn="7707083893", territory=world.municipality).exists()

    page.fill("#id_last_name", "Смирнова")
    page.fill("#id_first_name", "Ольга")
    page.fill("#id_middle_name", "Викторовна")
    with page.expect_navigation():
        page.click("#curator-form button[type=submit]")
    login = page.inner_text("#sheet-login").strip()
    password = page.inner_text("#sheet-password").strip()
    screenshot(page, "registry-curator-sheet")
    assert axe(page) == []
    assert page.js_errors == [] and page.console_errors == []
    assert User.objects.get(username=login).must_change_password

    page.context.clear_cookies()
    sign_in(page, live_url, login, password)
    assert page.url.endswith("/accounts/password/")
    page.wait_for_selector("#must-change-password")
    page.goto(f"{live_url}/school/students/")
    assert page.url.endswith("/accounts/password/")  # nothing else until the password is hers
    page.fill("#id_old_password", password)
    page.fill("#id_new_password1", "Svoy-Parol-2026!")
    page.fill("#id_new_password2", "Svoy-Parol-2026!")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url == f"{live_url}/"
    assert "Пароль изменён." in page.inner_text("body")
    assert not User.objects.get(username=login).must_change_password
    screenshot(page, "registry-curator-home")
