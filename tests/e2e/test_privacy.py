"""Browser journey (H2, X3): a parent sees the consents given for their children and
withdraws one; the curator sees the destruction pending, runs it now and downloads the act of
destruction, a PDF naming the destroyed categories; on a desktop and on a phone."""

from __future__ import annotations

import pytest


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, {"width": 360, "height": 740}]
)
def test_parent_withdraws_a_consent_and_the_curator_gets_the_act(
    live_server, page, viewport, sign_in, screenshot, monkeypatch
):
    from shkola.core.testing.factories import guardian_of, make_school
    from shkola.privacy import acts, services
    from shkola.privacy.models import Destruction
    from shkola.privacy.tests.conftest import pdf_text
    from shkola.schools.models import Student

    monkeypatch.setattr(acts, "COMPRESS", False)
    school = make_school(n_students=2)
    child, sibling = school.students
    parent = guardian_of(child, sibling)
    for student in (child, sibling):
        services.consent_give(user=parent, student=student, kind="parent")
    width = viewport["width"]

    # Given the parent opens «Мои данные» → «Персональные данные»
    sign_in(page, live_server.url, parent.username)
    page.goto(live_server.url + "/accounts/profile/")
    with page.expect_navigation():
        page.click("text=Персональные данные")
    card = page.locator(f"#subject-{child.pk}")
    assert "версия 1" in card.inner_text() and "согласие действует" in card.inner_text()
    screenshot(page, f"privacy-consents-{width}")

    # When they withdraw the consent given for one child
    card.locator("summary", has_text="Отозвать согласие").click()
    card.locator("input[name=confirm]").check()
    with page.expect_navigation():
        card.locator("button", has_text="Отозвать согласие").click()
    assert "Согласие отозвано" in page.inner_text("main")
    assert "уничтожение до" in page.locator(f"#subject-{child.pk}").inner_text()
    destruction = Destruction.objects.get(student=child)

    # Then the curator sees it pending and destroys it now
    page.context.clear_cookies()
    sign_in(page, live_server.url, school.curator.username)
    page.goto(live_server.url + "/privacy/destructions/")
    assert destruction.pseudonym in page.inner_text("#pending")
    with page.expect_navigation():
        page.click(f"#destruction-{destruction.pk}")
    with page.expect_navigation():
        page.click("#destroy-now")
    assert "выполнено" in page.inner_text("#status")
    assert "Связи с законными представителями" in page.inner_text("#destroyed")
    screenshot(page, f"privacy-destruction-{width}")

    # And the act is a PDF that names the person by the pseudonym only
    with page.expect_download() as download:
        page.click("#act-download")
    data = open(download.value.path(), "rb").read()
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert f"Акт № {destruction.pk} об уничтожении персональных данных" in text
    assert destruction.pseudonym in text and "Выписка из журнала событий" in text
    assert child.full_name not in text
    assert Student.objects.get(pk=child.pk).last_name == destruction.pseudonym
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1
    assert page.js_errors == [] and page.console_errors == []
