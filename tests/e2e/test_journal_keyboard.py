"""Browser journey (C1, C2, D1, D2): a teacher opens the journal from «Мои уроки сегодня»,
types a column of marks with the keyboard (5 Enter 4 Enter н Enter), sees a bad value kept
with its error, reloads and finds the marks saved, then moves back with the arrow keys and
types a row (3 Tab 4 Tab 5 Tab); a student's mother sees the new mark in her diary week and
the grid's average on the report card, and the report card's Excel file, opened with
openpyxl, holds the same numbers. Screenshots at 1280 and 360 px go to
test-output/screenshots/journal-*.png; on a phone the grid scrolls sideways under a sticky
name column."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

TODAY = dt.date(2026, 10, 7)  # a Wednesday of the first quarter


def wait_saved(page) -> None:  # type: ignore[no-untyped-def]
    # wait_for_function evaluates a string, which the strict CSP forbids: poll instead.
    for _ in range(100):
        if page.locator("td.saving").count() == 0:
            return
        page.wait_for_timeout(50)
    raise AssertionError("cells still saving")


def build_school():  # type: ignore[no-untyped-def]
    from shkola.core.testing.factories import make_school

    school = make_school(n_students=6, generate_lessons_until=TODAY)
    for s, (last, first) in zip(
        school.students,
        [
            ("Антонова", "Анна"),
            ("Борисов", "Борис"),
            ("Васильева", "Вера"),
            ("Григорьев", "Глеб"),
            ("Дмитриева", "Дарья"),
            ("Егоров", "Егор"),
        ],
        strict=True,
    ):
        s.last_name, s.first_name = last, first
        s.save(update_fields=["last_name", "first_name"])
    return school


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 360])
def test_teacher_types_a_column_of_marks_and_finds_them_after_reload(
    live_server, browser, screenshot, sign_in, monkeypatch, width
):
    from shkola.journal.models import Attendance, Mark

    monkeypatch.setenv("SHKOLA_TODAY", TODAY.isoformat())
    school = build_school()
    tag = "desktop" if width > 600 else "phone"
    page = browser.new_page(viewport={"width": width, "height": 800}, locale="ru-RU")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    sign_in(page, live_server.url, school.teacher.username)
    # «Мои уроки сегодня» → «Журнал» opens the grid at today's lesson column.
    page.click("#teacher-today a:has-text('Журнал')")
    page.wait_for_selector("#journal-grid")
    assert "7А · Математика" in page.inner_text(".journal-title")
    # the grid's script selects today's cell after the page has loaded: wait for it (on a
    # loaded machine the count could be read before the script ran)
    page.wait_for_selector("td.sel")
    selected = page.locator("td.sel")
    assert selected.count() == 1

    # Type a column: 5 Enter 4 Enter н Enter, then «5 4» for two marks.
    # Playwright types non-Latin letters as text input without key events, so «н» goes
    # through the cell editor (Enter opens it), as a teacher may also do.
    for text in ["5", "4", "н", "5 4"]:
        if text == "н":
            page.keyboard.press("Enter")
        page.keyboard.type(text)
        page.keyboard.press("Enter")
    wait_saved(page)
    # A typo stays visible with the error, nothing is dropped silently.
    page.keyboard.type("7")
    page.keyboard.press("Enter")
    page.wait_for_selector("td.err")
    assert "не отметка" in page.inner_text("#journal-status")
    screenshot(page, f"journal-grid-{tag}")

    page.reload()
    page.wait_for_selector("#journal-grid")
    ours = {"student__organisation": school.organisation}  # other tests' data may be here
    values = sorted(Mark.objects.filter(**ours).values_list("value", flat=True))
    assert values == ["4", "4", "5", "5"]
    assert list(Attendance.objects.filter(**ours).values_list("kind", flat=True)) == ["н"]
    anna = school.students[0]
    assert page.inner_text(f"#avg-{anna.id}") == "5,00"
    grid_text = page.inner_text("#journal-grid")
    assert "Антонова Анна" in grid_text

    # A row: from Anna's cell today, three lessons back with the arrow keys, then 3 Tab 4 Tab
    # 5 Tab — each Tab saves and moves right, the last one lands on today's 5.
    page.locator(f"tr[data-student='{anna.id}'] td.jc[data-l]").last.click()
    page.keyboard.press("Escape")
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    for text in ["3", "4", "5"]:
        page.keyboard.type(text)
        page.keyboard.press("Tab")
    wait_saved(page)
    page.reload()
    page.wait_for_selector("#journal-grid")
    anna_row = page.locator(f"tr[data-student='{anna.id}'] td.jc[data-l]")
    assert [anna_row.nth(i).inner_text().strip() for i in range(-4, 0)] == ["3", "4", "5", "5"]
    assert sorted(Mark.objects.filter(student=anna).values_list("value", flat=True)) == [
        "3",
        "4",
        "5",
        "5",
    ]
    grid_average = page.inner_text(f"#avg-{anna.id}")
    assert grid_average != "5,00"

    if width < 600:
        # The name column stays in view while the grid scrolls sideways.
        page.evaluate("document.querySelector('.journal-scroll').scrollLeft = 400")
        box = page.locator("tbody th.jname").first.bounding_box()
        assert box is not None and box["x"] < 40
        screenshot(page, "journal-grid-phone-scrolled")
    # The cell's panel lists its history: who put the 5.
    page.locator(f"tr[data-student='{anna.id}'] td.jc[data-l]").last.click()
    page.keyboard.press("Escape")
    page.click("#cell-details")
    page.wait_for_selector(".cell-history li")
    assert "→ 5" in page.inner_text(".cell-history")
    screenshot(page, f"journal-panel-{tag}")

    page.goto(f"{live_server.url}/journal/class/{school.class_unit.id}/{school.subject.id}/finals/")
    assert "Итоговые отметки" in page.inner_text("h1")
    screenshot(page, f"journal-finals-{tag}")
    assert not errors, errors

    # Anna's mother opens her diary the same evening: today's mathematics lesson carries the
    # 5, and the report card's average is the one the teacher's grid shows.
    from shkola.core.testing.factories import guardian_of

    mother = guardian_of(anna)
    family = browser.new_page(viewport={"width": width, "height": 800}, locale="ru-RU")
    family.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(family, live_server.url, mother.username)
    family.goto(f"{live_server.url}/diary/")
    today_card = family.locator(".diary-day.is-today")
    assert "Математика" in today_card.inner_text()
    assert today_card.locator(".mark", has_text="5").count() >= 1
    screenshot(family, f"journal-parent-week-{tag}")
    family.goto(f"{live_server.url}/diary/report/")
    row = family.locator(".subject-row", has_text="Математика")
    assert grid_average in row.inner_text()
    screenshot(family, f"journal-parent-report-{tag}")

    # The report card's Excel file: the same average and marks, opened with openpyxl.
    with family.expect_download() as download:
        family.click("a:has-text('Экспорт в Excel')")
    assert download.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=5) if r[0].value}
    assert f"{rows['Математика'][1].value:.2f}".replace(".", ",") == grid_average
    assert sorted(str(c.value) for c in rows["Математика"][3:] if c.value) == ["3", "4", "5", "5"]
    assert not errors, errors
