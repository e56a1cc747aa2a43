"""Browser journey (E4, E9–E11): a parent adds an olympiad result with a photo; it shows
«н/п» and does not count; the class teacher confirms it from the queue; the rating rises by
the points the school configured. Screenshots at 1280 and 360 px go to
test-output/screenshots/portfolio-*.png."""

from __future__ import annotations

import io

import pytest


def open_as(browser, sign_in, base: str, username: str, width: int):  # type: ignore[no-untyped-def]
    page = browser.new_context(viewport={"width": width, "height": 900}, locale="ru-RU").new_page()
    sign_in(page, base, username)
    return page


def diploma_jpeg() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 420), (59, 125, 221))
    ImageDraw.Draw(image).text((40, 180), "DIPLOMA", fill="white")
    out = io.BytesIO()
    image.save(out, format="JPEG")
    return out.getvalue()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 360])
def test_parent_adds_olympiad_with_photo_class_teacher_confirms_rating_rises(
    live_server, browser, screenshot, sign_in, monkeypatch, width
):
    from shkola.core.testing.factories import guardian_of, make_school
    from shkola.portfolio import services

    monkeypatch.setenv("SHKOLA_TODAY", "2026-11-18")
    school = make_school(n_students=2)
    student = school.students[0]
    parent = guardian_of(student, username=f"mama{width}")
    # The school's administration set its own points: school round 1st place 15, municipal
    # round 2nd place 20.
    services.points_table_save(
        organisation=school.organisation,
        values={
            services.points_key("olympiad", "school", "1"): 15,
            services.points_key("olympiad", "municipal", "2"): 20,
        },
    )
    tag = "desktop" if width > 600 else "phone"
    base = live_server.url

    # A parent opens the child's portfolio from the menu entry and adds an olympiad.
    page = open_as(browser, sign_in, base, parent.username, width)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{base}/portfolio/")
    assert student.last_name in page.inner_text("h1")
    page.click("nav.portfolio-nav >> text=Олимпиады")
    page.click("text=Добавить")
    page.fill("input[name=work_type]", "Индивидуальная")
    page.fill("input[name=work_kind]", "Предметная олимпиада")
    page.select_option("select[name=level]", "municipal")
    page.fill("input[name=subject]", "Математика")
    page.fill("input[name=year]", "2026/2027")
    page.fill("input[name=name]", "ВсОШ по математике")
    page.fill("input[name=result]", "Призёр")
    page.select_option("select[name=round_school]", "1")
    page.select_option("select[name=round_municipal]", "2")
    page.set_input_files(
        "input[name=photos]",
        files=[{"name": "diploma.jpg", "mimeType": "image/jpeg", "buffer": diploma_jpeg()}],
    )
    screenshot(page, f"portfolio-add-olympiad-{tag}")
    page.click("button[form=achievement-form]")
    page.wait_for_load_state()

    card = page.locator("article.achievement", has_text="ВсОШ по математике")
    assert "н/п" in card.inner_text()
    thumb = card.locator(".photo-thumb img")
    assert thumb.evaluate("img => img.naturalWidth") > 0  # the thumbnail is served to the family
    screenshot(page, f"portfolio-olympiads-unconfirmed-{tag}")
    page.click("nav.portfolio-nav >> text=Рейтинг")
    assert page.inner_text("#rating-total") == "0"

    # The class teacher confirms it from the queue.
    teacher_page = open_as(browser, sign_in, base, school.class_teacher.username, width)
    teacher_page.goto(f"{base}/portfolio/confirm/")
    item = teacher_page.locator("article.queue-item", has_text="ВсОШ по математике")
    assert student.last_name in item.inner_text()
    screenshot(teacher_page, f"portfolio-queue-{tag}")
    item.locator("button", has_text="Подтвердить").click()
    teacher_page.wait_for_load_state()
    assert "подтверждено" in teacher_page.inner_text(".messages")
    assert teacher_page.locator("article.queue-item").count() == 0

    # The parent's rating rose by the configured 15 + 20 points.
    page.reload()
    assert page.inner_text("#rating-total") == "35"
    assert page.inner_text("#rounds-sum") == "35"
    screenshot(page, f"portfolio-rating-{tag}")
    assert errors == []
