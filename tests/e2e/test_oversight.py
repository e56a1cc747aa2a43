"""Browser journey of H1: the demo municipal official opens «Мониторинг» from the menu, sees
the territory's schools with a chart, downloads the table as Excel, drills into the demo
school and one of its classes — aggregates only, no child's name — on a desktop and a phone.
Screenshots: test-output/screenshots/oversight-*.png."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, {"width": 360, "height": 740}], ids=["1280", "360"]
)
def test_an_official_browses_the_territory_school_and_class(
    page: Any, live_url: str, viewport: Any, screenshot: Any, sign_in: Any, axe: Any
) -> None:
    from shkola.demo.testing import build_demo_world
    from shkola.journal.models import FinalMark, FinalMarkKind
    from shkola.schools.models import Student

    world = build_demo_world()
    # The tiny demo's lessons are recent, no period is closed yet: the student's class gets its
    # algebra period marks, so the rates have something to show.
    students = list(Student.objects.filter(current_class=world.class_unit).order_by("id"))
    for i, student in enumerate(students):
        FinalMark.objects.update_or_create(
            student=student,
            subject=world.subject,
            academic_year=world.year,
            kind=FinalMarkKind.PERIOD,
            period=world.period,
            defaults={"value": "54"[i % 2]},
        )
    width = viewport["width"]
    sign_in(page, live_url, "official", world.password)

    # The menu leads to the territory (on a phone behind the menu button).
    toggler = page.locator("header .navbar-toggler")
    if toggler.is_visible():
        toggler.click()
    with page.expect_navigation():
        page.locator("header .nav-link", has_text="Мониторинг").click()
    page.select_option("#period-select", "year")  # submits on change
    page.wait_for_url("**/oversight/?period=year")
    row = page.locator(f"#school-{world.school.id}")
    assert world.school.short_name in row.inner_text()
    assert page.locator(f"#school-{world.other_school.id}").count() == 1
    assert int(row.locator("[data-figure=lessons]").inner_text()) > 0
    assert page.evaluate(
        "() => !!window.Chart.getChart(document.getElementById('oversight-chart'))"
    )
    screenshot(page, f"oversight-territory-{width}")
    assert axe(page) == []

    # The table downloads as Excel with the same schools.
    with page.expect_download() as download_info:
        page.click("#schools-xlsx")
    sheet = load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "Учебный год"
    assert rows[1][0] == "Школа" and rows[1][2] == "Успеваемость, %"
    assert {world.school.short_name, world.other_school.short_name} <= {r[0] for r in rows[2:]}

    # Drill into the demo school, then into the student's class.
    with page.expect_navigation():
        row.locator("a").click()
    assert page.locator("h1").inner_text() == world.school.short_name
    assert page.locator("#table-classes").is_visible()
    screenshot(page, f"oversight-school-{width}")
    assert axe(page) == []
    with page.expect_navigation():
        page.locator(f"#class-{world.class_unit.id} a").click()
    assert world.class_unit.name in page.locator("h1").inner_text()
    assert page.inner_text("#summary [data-figure=quality]") != "—"
    assert page.inner_text("#summary [data-figure=counted]") == str(len(students))
    assert "Алгебра" in page.inner_text("#table-subjects")
    main = page.inner_text("main")
    for student in Student.objects.filter(current_class=world.class_unit):
        assert f"{student.last_name} {student.first_name}" not in main
    screenshot(page, f"oversight-class-{width}")
    assert axe(page) == []
    with page.expect_download() as download_info:
        page.click("#subjects-xlsx")
    names = {
        r[0]
        for r in load_workbook(
            io.BytesIO(Path(download_info.value.path()).read_bytes())
        ).active.iter_rows(values_only=True)
    }
    assert "Алгебра" in names
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    assert page.js_errors == [] and page.console_errors == []
