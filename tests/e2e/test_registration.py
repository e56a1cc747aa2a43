"""Browser journey (A3–A5, A7): a parent with two invitation codes registers once, confirms the
e-mail from the letter and sees both children. Screenshots of the pages at 1280 and 360 px."""

from __future__ import annotations

import re

import pytest


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_parent_registers_with_two_codes_confirms_email_and_sees_both_children(
    live_server, browser, screenshot, settings
):
    from django.core import mail

    from shkola.accounts import services
    from shkola.core.testing.factories import make_school

    settings.SHKOLA = {**settings.SHKOLA, "PUBLIC_URL": live_server.url}
    school = make_school()
    first, second = services.invitation_generate(
        class_unit=school.class_unit, kind="parent", actor=school.curator
    )[:2]
    mail.outbox.clear()

    phone = browser.new_page(viewport={"width": 360, "height": 800}, locale="ru-RU")
    phone.goto(f"{live_server.url}/accounts/login/")
    phone.click("#register-link")
    phone.fill("#id_code", first.code.lower())
    screenshot(phone, "accounts-register-code-360")
    phone.click("button[type=submit]")
    assert first.student.full_name in phone.inner_text("#invitation-info")

    # First attempt with a weak password and a bad phone: clear messages, input kept.
    phone.fill("#id_last_name", "Смирнова")
    phone.fill("#id_first_name", "Анна")
    phone.select_option("#id_representative_kind", "mother")
    phone.fill("#id_username", "smirnova.anna")
    phone.fill("#id_password", "12345678")
    phone.fill("#id_password2", "12345678")
    phone.fill("#id_email", "anna@example.org")
    phone.fill("#id_phone", "12-34")
    phone.fill("#id_child_codes", second.code)
    phone.click("button[type=submit]")
    body = phone.inner_text("main")
    assert "Пароль:" in body and "Мобильный телефон:" in body
    # The consent is a separate document with its own tick, not buried in the terms (H2).
    assert "Согласие законного представителя" in phone.inner_text("#consent")
    assert "без него зарегистрироваться нельзя" in body
    assert phone.input_value("#id_username") == "smirnova.anna"
    screenshot(phone, "accounts-register-errors-360")

    phone.fill("#id_password", "Quiet-Harbour-58")
    phone.fill("#id_password2", "Quiet-Harbour-58")
    phone.fill("#id_phone", "8 916 555-44-33")
    phone.check("#id_personal_data_consent")
    phone.click("button[type=submit]")
    phone.wait_for_selector("#registration-done")
    assert "Регистрация успешно завершена" in phone.inner_text("#registration-done")
    screenshot(phone, "accounts-register-done-360")

    [letter] = mail.outbox
    assert letter.to == ["anna@example.org"]
    link = re.search(r"http\S+/accounts/confirm/\S+/", letter.body).group(0)

    phone.click("text=Войти")
    phone.fill("#id_username", "smirnova.anna")
    phone.fill("#id_password", "Quiet-Harbour-58")
    phone.click("button[type=submit]")
    phone.goto(f"{live_server.url}/accounts/profile/")
    assert "не подтверждена" in phone.inner_text("#email-state")
    phone.goto(link)
    assert "подтверждён" in phone.inner_text("main")
    phone.goto(f"{live_server.url}/accounts/profile/")
    assert "подтверждена" in phone.inner_text("#email-state")
    assert "не подтверждена" not in phone.inner_text("#email-state")
    screenshot(phone, "accounts-profile-main-360")

    phone.click("text=Обучающиеся")
    children = phone.inner_text("#children")
    assert first.student.full_name in children and second.student.full_name in children
    screenshot(phone, "accounts-profile-children-360")
    phone.click("text=Доступ")
    assert "это устройство" in phone.inner_text("#sessions")
    screenshot(phone, "accounts-profile-access-360")

    # The curator's side: the class page and the printable invitations.
    desk = browser.new_page(viewport={"width": 1280, "height": 900}, locale="ru-RU")
    desk.goto(f"{live_server.url}/accounts/login/")
    desk.fill("#id_username", school.curator.username)
    desk.fill("#id_password", "Very-Secret-Pass-42")
    desk.click("button[type=submit]")
    desk.click("#mainNav .dropdown-toggle:has-text('Школа')")  # the school admin menu
    desk.click("text=Коды приглашения")
    desk.click(f"text={school.class_unit.name}")
    desk.click("#generate-student")
    assert "Создано кодов" in desk.inner_text("main")
    assert "использован" in desk.inner_text("#class-invitations")
    screenshot(desk, "accounts-invitations-class-1280")
    desk.click("#print-all")
    assert desk.locator(".invitation-card").count() == 4  # 3 student codes + 1 unused parent code
    screenshot(desk, "accounts-invitations-print-1280")
    desk.emulate_media(media="print")
    screenshot(desk, "accounts-invitations-print-media-1280")
    desk.set_viewport_size({"width": 360, "height": 800})
    desk.emulate_media(media="screen")
    screenshot(desk, "accounts-invitations-print-360")
