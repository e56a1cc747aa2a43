"""Browser journey (G3 «Услуги»): a parent applies for a service on a 360-px phone, the
curator accepts the application on a desktop, and the parent sees «Принята» and the service
in the child's list."""

from __future__ import annotations

import pytest


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [{"width": 360, "height": 740}])
def test_parent_applies_on_a_phone_and_the_curator_accepts(
    live_server, page, viewport, sign_in, monkeypatch
):
    from shkola.core.testing.factories import guardian_of, make_school
    from shkola.extras import services
    from shkola.extras.models import Application, ApplicationStatus

    monkeypatch.setenv("SHKOLA_TODAY", "2026-09-07")
    school = make_school(n_students=1)
    child = school.students[0]
    parent = guardian_of(child)
    service = services.service_create(
        organisation=school.organisation,
        title="Робототехника",
        schedule="вторник и четверг, 15:00–16:30",
        teacher=school.teacher,
        capacity=12,
        price=2500,
        status="published",
    )

    # Given the parent, on a phone, finds the service and applies for the child
    sign_in(page, live_server.url, parent.username)
    page.goto(live_server.url + "/services/")
    assert "Оплата — по договору со школой" in page.inner_text("#payment-note")
    with page.expect_navigation():
        page.click(f"#service-{service.pk} a")
    page.fill("textarea[name=comment]", "Занимался в лагере")
    with page.expect_navigation():
        page.click("#apply-form button[type=submit]")
    assert "На рассмотрении" in page.inner_text("#applications")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1
    application = Application.objects.get(student=child, service=service)

    # When the curator, on a desktop, accepts it
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, school.curator.username)
    page.goto(live_server.url + "/services/school/")
    with page.expect_navigation():
        page.click(f"#service-{service.pk}")
    with page.expect_navigation():
        page.click(f"#application-{application.pk} button[value=accept]")
    assert "заявка принята" in page.inner_text(".messages")

    # Then the parent sees «Принята» and the service among the child's services
    page.context.clear_cookies()
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, live_server.url, parent.username)
    page.goto(live_server.url + "/services/")
    attending = page.inner_text(f"#application-{application.pk}")
    assert "Робототехника" in attending and "Принята" in attending
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED
    assert page.js_errors == [] and page.console_errors == []
