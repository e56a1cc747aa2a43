"""Browser journey of issue 11's «Done means»: a municipal official registers a new school and
issues its curator's sheet; the curator signs in with the one-time password, changes it, sets
up the year (dates and periods, bells and a room, a teacher, class 7А with its class teacher, a
subject and its hours), puts lessons into the timetable grid and imports 300 students and
their parents from the page's templates. The next school day the teacher sees 7А's lesson on
the home page, and a parent registers with an invitation code and sees the child's diary.

Everything goes through the real pages; the clock is pinned with SHKOLA_TODAY (the timetable
changes only from tomorrow on, so the setup happens the day before the lessons).
Screenshots: test-output/screenshots/journey-*.png."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest

SETUP_DAY = dt.date(2026, 10, 6)  # a Tuesday of the first quarter
LESSON_DAY = SETUP_DAY + dt.timedelta(days=1)  # Wednesday: the timetable counts from here
STUDENTS = 300
SURNAMES = [
    "Иванов", "Петров", "Сидоров", "Смирнов", "Кузнецов", "Попов", "Васильев", "Соколов",
    "Михайлов", "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов",
    "Егоров", "Павлов", "Козлов", "Степанов",
]  # fmt: skip
NAMES = [
    "Артём", "Максим", "Иван", "Лев", "Марк", "Егор", "Матвей", "Тимофей", "Роман", "Кирилл",
    "Даниил", "Никита", "Михаил", "Андрей", "Фёдор",
]  # fmt: skip
MOTHERS = ["Анна", "Елена", "Ольга", "Мария", "Наталья"]
NEW_PASSWORD = "Svoy-Parol-2026!"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


def _top(page: Any, name: str) -> None:
    """The visible part only: a full-page shot of a 300-row page costs seconds and megabytes."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def _submit(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def _filled_template(page: Any, base: str, kind: str, rows: list[dict[str, str]]) -> bytes:
    """The page's own template with its example row replaced by ``rows`` (keyed by header)."""
    from openpyxl import load_workbook

    href = page.get_attribute(f"#import-templates a[href$='/{kind}.xlsx']", "href")
    response = page.request.get(f"{base}{href}")
    assert response.ok, response.status
    book = load_workbook(io.BytesIO(response.body()))
    sheet = book.worksheets[0]
    headers = [str(c.value) for c in sheet[1]]
    sheet.delete_rows(2, sheet.max_row)
    for row in rows:
        sheet.append([row.get(h, "") for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _import(page: Any, base: str, kind: str, name: str, content: bytes) -> None:
    page.goto(f"{base}/school/import/")
    page.select_option("#import-kind", kind)
    page.set_input_files(
        "#import-file",
        files=[
            {
                "name": name,
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": content,
            }
        ],
    )
    _submit(page, "#import-form button[type=submit]")
    counts = page.inner_text("#import-counts")
    assert f"Создать: {STUDENTS}" in counts and "Отклонить: 0" in counts, counts
    _top(page, f"journey-5-import-{kind}-dry-run")
    _submit(page, "#import-apply button[type=submit]")
    page.wait_for_selector("#import-done")
    assert f"создано — {STUDENTS}" in page.inner_text("#import-done")


@pytest.mark.django_db(transaction=True)
def test_a_new_school_is_registered_set_up_and_used_by_its_teacher_and_a_parent(
    page: Any,
    browser: Any,
    live_url: str,
    screenshot: Any,
    sign_in: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from shkola.accounts.models import Role, RoleAssignment, User
    from shkola.core.testing.factories import TerritoryFactory, UserFactory, valid_snils
    from shkola.schools.models import ClassUnit, Organisation, Student

    monkeypatch.setenv("SHKOLA_TODAY", SETUP_DAY.isoformat())
    territory = TerritoryFactory(name="Городской округ Подольск")
    official = UserFactory(username="official")
    RoleAssignment.objects.create(user=official, role=Role.MUNICIPAL, territory=territory)

    # 1. The official registers the school and issues its curator's sheet.
    sign_in(page, live_url, "official")
    page.goto(f"{live_url}/registry/new/")
    page.fill("#id_full_name", "Муниципальное бюджетное общеобразовательное учреждение «Школа №7»")
    page.fill("#id_short_name", "МБОУ «Школа №7»")
    page.fill("#id_inn", "7707083893")
    page.fill("#id_ogrn", "1027700132195")
    page.fill("#id_address", "142100, г. Подольск, ул. Садовая, д. 3")
    page.fill("#id_director_name", "Петрова Мария Ивановна")
    _submit(page, "#organisation-form button[type=submit]")
    school = Organisation.objects.get(inn="7707083893", territory=territory)
    page.fill("#id_last_name", "Смирнова")
    page.fill("#id_first_name", "Ольга")
    _submit(page, "#curator-form button[type=submit]")
    curator_login = page.inner_text("#sheet-login").strip()
    one_time = page.inner_text("#sheet-password").strip()
    screenshot(page, "journey-1-curator-sheet")

    # 2. The curator signs in with the sheet and is made to choose a password.
    page.context.clear_cookies()
    sign_in(page, live_url, curator_login, one_time)
    assert page.url.endswith("/accounts/password/")
    page.fill("#id_old_password", one_time)
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    _submit(page, "main form button[type=submit]")
    assert page.url == f"{live_url}/"

    # 3. The year: dates (quarters come with them), bells, a room, a teacher, 7А, a subject.
    page.goto(f"{live_url}/school/year/")
    page.fill("#year-name", "2026/2027")
    page.fill("#year-start", "2026-09-01")
    page.fill("#year-end", "2027-05-31")
    page.select_option("#year-scheme", "quarters")
    _submit(page, "#year-save")
    assert page.locator("#periods-quarters input[type=date]").count() == 8
    screenshot(page, "journey-3-year-dates")

    page.goto(f"{live_url}/school/year/bells/")
    for number, start, end in (("1", "08:30", "09:15"), ("2", "09:25", "10:10")):
        page.fill("#bell-number", number)
        page.fill("#bell-start", start)
        page.fill("#bell-end", end)
        _submit(page, "#bell-add")
    page.fill("#room-name", "214")
    _submit(page, "#room-add")
    assert page.locator("#bell-list li").count() == 2
    assert "214" in page.inner_text("#room-list")
    screenshot(page, "journey-3-bells-rooms")

    page.goto(f"{live_url}/roster/staff/add/")
    page.fill("#f-last_name", "Орлова")
    page.fill("#f-first_name", "Нина")
    page.fill("#f-middle_name", "Павловна")
    page.fill("#f-username", "orlova.np")
    page.click("label[for=role-teacher]")
    page.click("label[for=role-class_teacher]")
    _submit(page, "#staff-save")
    teacher_password = page.inner_text("#sheet-password").strip()
    assert page.inner_text("#sheet-login").strip() == "orlova.np"

    page.goto(f"{live_url}/school/year/classes/")
    page.select_option("#class-grade", "7")
    page.fill("#class-letter", "А")
    page.select_option("#class-teacher", label="Орлова Нина Павловна")
    _submit(page, "#class-add")
    assert "7А" in page.inner_text("#parallel-7")
    class_7a = ClassUnit.objects.get(parallel__organisation=school, parallel__grade=7, letter="А")
    screenshot(page, "journey-3-classes")

    page.goto(f"{live_url}/school/year/curriculum/")
    page.fill("#subject-name", "Математика")
    _submit(page, "#subject-add")
    page.select_option("#hours-grade", "7")
    page.select_option("#hours-subject", label="Математика")
    page.fill("#hours-hours", "5")
    _submit(page, "#hours-save")
    assert "5" in page.inner_text("#curriculum-table")
    screenshot(page, "journey-3-curriculum")

    # 4. The timetable grid of 7А: mathematics as the first lesson on the lesson day, from it on.
    page.goto(f"{live_url}/timetable/editor/")
    assert page.locator("#tt-target option:checked").inner_text() == "7А"
    cell = f"#cell-{LESSON_DAY.isoweekday()}-1"
    page.click(f"{cell} .tt-add")
    page.wait_for_selector("#cell-form")
    assert page.input_value("#f-from") == LESSON_DAY.isoformat()
    page.select_option("#f-subject", label="Математика")
    teacher = User.objects.get(username="orlova.np")
    page.select_option("#f-teacher", str(teacher.pk))
    page.select_option("#f-room", label="214")
    page.click("#cell-save")
    page.wait_for_selector(f"{cell} .tt-entry")
    assert "Математика" in page.inner_text(cell)
    assert page.locator("#cell-errors").count() == 0
    screenshot(page, "journey-4-timetable")

    # 5. 300 students of 7А and a mother of each, from the page's templates.
    children = [
        {
            "last_name": SURNAMES[i % len(SURNAMES)],
            "first_name": NAMES[i // len(SURNAMES)],
            "birth": (dt.date(2013, 1, 1) + dt.timedelta(days=i)).strftime("%d.%m.%Y"),
            "snils": valid_snils(200_000_000 + i),
        }
        for i in range(STUDENTS)
    ]
    page.goto(f"{live_url}/school/import/")
    students_file = _filled_template(
        page,
        live_url,
        "students",
        [
            {
                "Фамилия": c["last_name"],
                "Имя": c["first_name"],
                "Дата рождения": c["birth"],
                "Пол": "м",
                "СНИЛС": c["snils"],
                "Класс": "7А",
            }
            for c in children
        ],
    )
    parents_file = _filled_template(
        page,
        live_url,
        "parents",
        [
            {
                "Фамилия": c["last_name"] + "а",
                "Имя": MOTHERS[i % len(MOTHERS)],
                # namesakes in a file are one parent unless the birth dates differ
                "Дата рождения": (dt.date(1985, 1, 1) + dt.timedelta(days=i)).strftime("%d.%m.%Y"),
                "Кем приходится": "мать",
                "СНИЛС ребёнка": c["snils"],
            }
            for i, c in enumerate(children)
        ],
    )
    _import(page, live_url, "students", "ученики-7А.xlsx", students_file)
    _import(page, live_url, "parents", "родители-7А.xlsx", parents_file)
    assert Student.objects.filter(organisation=school).count() == STUDENTS
    _top(page, "journey-5-import-done")

    # 7 (first half). The curator prints the invitation codes of 7А's parents.
    page.goto(f"{live_url}/accounts/invitations/class/{class_7a.pk}/")
    _submit(page, "#generate-parent")
    first_row = page.locator("#class-invitations tbody tr").first
    child_name = first_row.locator("td").first.locator(".fw-semibold").inner_text().strip()
    code = first_row.locator("td").nth(2).locator("code.invitation-code").inner_text().strip()
    _top(page, "journey-7-invitations")

    # 6. The next day the teacher signs in (made to change the password) and sees 7А's lesson.
    monkeypatch.setenv("SHKOLA_TODAY", LESSON_DAY.isoformat())
    page.context.clear_cookies()
    sign_in(page, live_url, "orlova.np", teacher_password)
    assert page.url.endswith("/accounts/password/")
    page.fill("#id_old_password", teacher_password)
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    _submit(page, "main form button[type=submit]")
    assert page.url == f"{live_url}/"
    today_lessons = page.inner_text("#teacher-today")
    assert "Математика · 7А" in today_lessons, today_lessons
    screenshot(page, "journey-6-teacher-today")
    _submit(page, "#teacher-today a:has-text('Журнал')")
    assert child_name in page.inner_text("main")
    _top(page, "journey-6-teacher-journal")

    # 7. A parent registers with the code in a browser of their own and opens the diary.
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="ru-RU", timezone_id="Europe/Moscow"
    )
    context.set_default_timeout(15_000)
    try:
        parent = context.new_page()
        parent.goto(f"{live_url}/accounts/register/")
        parent.fill("#id_code", code)
        _submit(parent, "main button[type=submit]")
        assert child_name in parent.inner_text("#invitation-info")
        parent.fill("#id_last_name", child_name.split()[0] + "а")
        parent.fill("#id_first_name", "Анна")
        parent.select_option("#id_representative_kind", "mother")
        parent.fill("#id_username", "mama.7a")
        parent.fill("#id_password", "Quiet-Harbour-58")
        parent.fill("#id_password2", "Quiet-Harbour-58")
        parent.fill("#id_email", "mama.7a@example.org")
        parent.fill("#id_phone", "8 916 555-44-33")
        parent.check("#id_personal_data_consent")
        _submit(parent, "main button[type=submit]")
        parent.wait_for_load_state()
        assert parent.locator("#registration-done").count() == 1, parent.inner_text("main")
        sign_in(parent, live_url, "mama.7a", "Quiet-Harbour-58")
        parent.goto(f"{live_url}/diary/")
        diary = parent.inner_text("main")
        assert "Математика" in diary and "Орлова Н.П." in diary, diary
        screenshot(parent, "journey-7-parent-diary")
    finally:
        context.close()
