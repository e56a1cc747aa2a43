"""Browser journey (X6, I4): a parent makes a calendar link for the child on «Календарь в
телефоне», a calendar app (here: an HTTP fetch parsed with `icalendar`) reads the child's
lessons, the parent revokes the link and it is gone; and the curator downloads «Обучающиеся»
as Excel from the page."""

from __future__ import annotations

import datetime as dt
import urllib.error
import urllib.request

import pytest

TODAY = dt.date(2026, 9, 9)  # a Wednesday


def _get(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read(), response.headers["Content-Type"]
    except urllib.error.HTTPError as error:
        return error.code, b"", ""


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, {"width": 360, "height": 740}]
)
def test_parent_makes_copies_and_revokes_a_calendar_link(
    live_server, page, viewport, sign_in, monkeypatch
):
    from icalendar import Calendar

    from shkola.core.testing.factories import guardian_of, make_school

    monkeypatch.setenv("SHKOLA_TODAY", TODAY.isoformat())
    school = make_school(generate_lessons_until=dt.date(2026, 9, 30))
    child = school.students[0]
    parent = guardian_of(child)

    # Given the parent opens the child's timetable in the diary and follows the calendar link
    sign_in(page, live_server.url, parent.username)
    page.goto(live_server.url + "/diary/timetable/")
    with page.expect_navigation():
        page.click("a.feed-link")
    assert "Календарь в телефоне" in page.inner_text("h1")

    # When they make a link of the timetable and holidays
    page.uncheck("#cal-events")
    page.uncheck("#cal-tests")
    with page.expect_navigation():
        page.click("#feed-create")
    url = page.input_value("#feed-url")
    assert url.startswith(live_server.url + "/feeds/") and url.endswith(".ics")
    page.click("#feed-copy")
    page.wait_for_selector("#feed-copy:has-text('Скопировано')")

    # Then a calendar app reads the child's lessons from it
    status, body, content_type = _get(url)
    assert status == 200 and content_type == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(body)
    summaries = {str(e["SUMMARY"]) for e in cal.walk("VEVENT")}
    assert summaries == {"Математика", "Осенние каникулы", "Зимние каникулы"}

    # When the parent revokes it, the link answers «not found»
    page.goto(live_server.url + "/feeds/")
    assert page.locator(".feed-row").count() == 1
    with page.expect_navigation():
        page.click(".feed-row button[type=submit]")
    assert "отозвана" in page.inner_text("main")
    assert page.locator(".feed-row").count() == 0
    assert _get(url)[0] == 404
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1
    assert page.js_errors == [] and page.console_errors == []


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_curator_downloads_the_student_list_as_excel(live_server, page, sign_in):
    from io import BytesIO

    from openpyxl import load_workbook

    from shkola.core.testing.factories import make_school

    school = make_school(n_students=3)
    sign_in(page, live_server.url, school.curator.username)
    page.goto(live_server.url + "/roster/students/")
    with page.expect_download() as download:
        page.click("#students-xlsx")
    assert download.value.suggested_filename == (
        f"Обучающиеся {school.organisation.short_name}.xlsx"
    )
    ws = load_workbook(BytesIO(open(download.value.path(), "rb").read())).active
    names = [row[1].value for row in ws.iter_rows(min_row=5)]
    assert sorted(names) == sorted(s.full_name for s in school.students)
