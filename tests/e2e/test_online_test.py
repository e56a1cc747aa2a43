"""Browser journey (G2, issue 13): the teacher builds a test from the bank and assigns it to
the class; the student takes it on a 360-px phone and loses the connection once (the page
says «нет связи», keeps the answer and sends it when the connection is back); the teacher
grades the free answer and puts the mark in the journal and the result in the portfolio; the
parent sees the mark in the diary and the result in the portfolio «Тестирование»."""

from __future__ import annotations

import datetime as dt

import pytest

TODAY = dt.date(2026, 10, 7)  # a Wednesday


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_online_test_from_bank_to_diary(live_server, browser, sign_in, screenshot, monkeypatch):
    from shkola.core.testing.factories import UserFactory, guardian_of, make_school
    from shkola.journal.models import Mark
    from shkola.portfolio.models import TestingResult
    from shkola.testing import services
    from shkola.testing.models import AttemptQuestion

    monkeypatch.setenv("SHKOLA_TODAY", TODAY.isoformat())
    school = make_school(
        n_students=2, weekdays=(1, 2, 3, 4, 5), generate_lessons_until=dt.date(2026, 10, 9)
    )
    child = school.students[0]
    child.user = UserFactory()
    child.save(update_fields=["user"])
    parent = guardian_of(child)
    teacher = school.teacher
    # The teacher's bank: a choice, a short answer and a free answer (4 points in all).
    for kind, text, data, points in [
        ("single", "Сколько будет 2 + 2?", {"options": "3\n4\n5", "correct": "2"}, 1),
        ("short", "Хвойное дерево на «е»", {"accepted": "ель"}, 1),
        ("free", "Объясните, почему 0,5 = 1/2", {}, 2),
    ]:
        services.question_save(
            owner=teacher, organisation=school.organisation, subject=school.subject,
            kind=kind, text=text, data=data, points=points, kes_codes="1.1", kt_codes="2.1",
        )  # fmt: skip
    base = live_server.url

    def context(width: int):  # type: ignore[no-untyped-def]
        ctx = browser.new_context(
            viewport={"width": width, "height": 800}, locale="ru-RU", timezone_id="Europe/Moscow"
        )
        ctx.set_default_timeout(15_000)
        page = ctx.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        return ctx, page

    # Given the teacher builds a test from the bank and assigns it to the class
    ctx, page = context(1280)
    sign_in(page, base, teacher.username)
    page.goto(base + "/tests/new/")
    page.fill("input[name=title]", "Дроби и десятичные")
    page.check(f"input[name=class_units][value='{school.class_unit.id}']")
    with page.expect_navigation():
        page.click("#create-test")
    page.check("#add-from-bank input[name=question] >> nth=0")
    page.check("#add-from-bank input[name=question] >> nth=1")
    page.check("#add-from-bank input[name=question] >> nth=2")
    with page.expect_navigation():
        page.click("#add-questions")
    with page.expect_navigation():
        page.click("#publish-test")
    assert "назначен" in page.inner_text("main")
    screenshot(page, "online-test-editor-1280")
    ctx.close()

    # When the student takes it on a phone and loses the connection once
    ctx, page = context(360)
    sign_in(page, base, child.user.username)
    page.goto(base + "/tests/")
    with page.expect_navigation():
        page.click(".test-card a")
    with page.expect_navigation():
        page.click("#start")
    status = page.locator("#save-status")
    page.get_by_label("4", exact=True).check()
    status.get_by_text("Ответ сохранён").wait_for()
    with page.expect_navigation():
        page.click("#next")
    ctx.set_offline(True)
    page.fill("#answer-text", "Ель")
    page.locator("#save-status[data-offline]").wait_for()
    assert "Нет связи" in status.inner_text()
    page.click("#next")  # refused while offline: the student stays with the answer
    assert page.input_value("#answer-text") == "Ель"
    screenshot(page, "online-test-offline-360")
    ctx.set_offline(False)
    status.get_by_text("Ответ сохранён").wait_for(timeout=20_000)
    with page.expect_navigation():
        page.click("#next")
    page.fill("#answer-text", "Потому что половина — это одна вторая.")
    screenshot(page, "online-test-question-360")
    with page.expect_navigation():
        page.click("#finish")
    assert "Тест завершён" in page.inner_text("main")
    assert "учитель" in page.inner_text("#result").lower()
    screenshot(page, "online-test-result-360")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1
    ctx.close()
    saved = dict(
        AttemptQuestion.objects.filter(attempt__student=child).values_list("position", "answer")
    )
    assert saved == {1: [1], 2: "Ель", 3: "Потому что половина — это одна вторая."}

    # Then the teacher grades the free answer and puts the mark in the journal (and portfolio)
    ctx, page = context(1280)
    sign_in(page, base, teacher.username)
    page.goto(base + "/tests/")
    page.click(".test-card a >> text=Результаты")
    with page.expect_navigation():
        page.click("#attempts a")
    page.fill("#score-3", "2")
    with page.expect_navigation():
        page.click("#q3 button[type=submit]")
    assert page.inner_text("#attempt-mark") == "5"  # 4 of 4 points
    screenshot(page, "online-test-review-1280")
    # the form of control defaults to «как у урока»; this lesson has none, so choose one
    assert page.input_value("#id_control_form") == ""
    form_id = page.locator("#id_control_form option", has_text="Контрольная").first.get_attribute(
        "value"
    )
    page.select_option("#id_control_form", value=form_id)
    with page.expect_navigation():
        page.click("#put-to-journal")
    # «и в портфолио» is ticked by default: one click does both
    assert "Отметка выставлена в журнал" in page.inner_text("main")
    page.locator("#in-portfolio").wait_for()
    ctx.close()
    mark = Mark.objects.get(student=child)
    assert (mark.value, mark.lesson.date, mark.weight) == ("5", TODAY, 5)

    # And the parent sees the mark in the diary and the result in the portfolio
    ctx, page = context(360)
    sign_in(page, base, parent.username)
    page.goto(base + "/diary/")
    assert page.locator(".lesson-marks .mark", has_text="5").count() >= 1
    page.goto(base + f"/portfolio/students/{child.id}/testing/")
    text = page.inner_text("main")
    assert "Дроби и десятичные" in text and "1.1" in text and "2.1" in text
    assert TestingResult.objects.filter(student=child).count() == 1
    ctx.close()
