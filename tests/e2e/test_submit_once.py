"""Browser journey: a double click on «Сохранить» saves one club, and deleting the club asks
first on a page of its own (no JS dialog needed); no script errors on the way."""

from __future__ import annotations

import pytest


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_double_click_saves_one_club_and_deleting_asks_first(live_server, browser, sign_in):
    from shkola.core.testing.factories import guardian_of, make_school
    from shkola.portfolio.models import Club

    school = make_school(n_students=1)
    student = school.students[0]
    parent = guardian_of(student, username="mama-twice")
    base = live_server.url
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU").new_page()
    sign_in(page, base, parent.username)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{base}/portfolio/students/{student.id}/clubs/add/")
    page.select_option("select[name=kind]", "section")
    page.select_option("select[name=direction]", "sport")
    page.fill("input[name=name]", "Лыжи")
    page.fill("input[name=year]", "2026/2027")
    page.fill("input[name=organisation_name]", "ДЮСШ")
    # An impatient double click: one club (the one-time token; shkola.js also disables the
    # button after the first submit, which a browser test cannot tell from Chrome's own
    # dropping of a second form navigation).
    with page.expect_navigation():
        page.dblclick("button[form=club-form]")

    assert Club.objects.filter(student=student, name="Лыжи").count() == 1
    assert "Лыжи" in page.inner_text("main")

    club = Club.objects.get(student=student, name="Лыжи")
    page.goto(f"{base}/portfolio/students/{student.id}/clubs/{club.id}/")
    page.click("text=Удалить")
    assert "Удалить запись о секции «Лыжи»?" in page.inner_text("main")
    assert Club.objects.filter(pk=club.pk).exists()
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert not Club.objects.filter(pk=club.pk).exists()
    assert errors == []
