"""«Расписание» (the week grid) and «Замены» through HTTP and the services: clashes shown at
the cell, changes from a date, substitutions seen by the family and the substitute."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shkola.core.testing.factories import guardian_of, make_school, staff
from shkola.schools.models import ClassUnit
from shkola.timetable import services
from shkola.timetable.models import Lesson, TimetableEntry

pytestmark = pytest.mark.django_db

TODAY = "2026-09-15"  # a Tuesday; the timetable has lesson 2 on Mon, Wed and Fri


@pytest.fixture
def school(monkeypatch):
    monkeypatch.setenv("SHKOLA_TODAY", TODAY)
    return make_school(generate_lessons_until=dt.date(2026, 10, 16))


def _grid(school, **query):
    base = {"school": school.organisation.id, **query}
    return reverse("timetable:grid") + "?" + "&".join(f"{k}={v}" for k, v in base.items())


def _cell_html(html: str, weekday: int, number: int) -> str:
    return html.split(f'id="cell-{weekday}-{number}"')[1].split("</td>")[0]


def _post_cell(client, school, *, cell, entry=None, **fields):
    query = {"view": "class", "id": school.class_unit.id, "cell": cell}
    if entry is not None:
        query["entry"] = entry.id
    data = {
        "subject": school.subject.id,
        "teacher": school.teacher.id,
        "room": school.rooms[0].id,
        "class_unit": school.class_unit.id,
        "group": "",
        "effective_from": "2026-09-16",
        "action": "save",
        **fields,
    }
    return client.post(_grid(school, **query), data)


# --------------------------------------------------------------------------- the grid


def test_the_curator_sees_the_class_week_with_subject_teacher_and_room(client, school):
    client.force_login(school.curator)
    response = client.get(_grid(school, view="class", id=school.class_unit.id))
    assert response.status_code == 200
    cell = _cell_html(response.content.decode(), 1, 2)
    assert "Математика" in cell and school.teacher.short_name in cell and "101" in cell
    assert "Математика" not in _cell_html(response.content.decode(), 2, 2)


def test_a_clash_is_shown_at_the_cell_and_nothing_is_saved(client, school):
    # Given 7Б and the teacher already teaching 7А on Monday, lesson 2
    other = ClassUnit.objects.create(parallel=school.parallel, letter="Б")
    client.force_login(school.curator)
    before = TimetableEntry.objects.count()
    # When the curator puts the same teacher into 7Б's Monday lesson 2, in room 101 too
    response = _post_cell(
        client,
        school,
        cell="1-2",
        class_unit=other.id,
        **{"view": "class"},
    )
    # Then the cell shows, in Russian, what is in the way, and nothing is saved
    assert response.status_code == 422
    cell = _cell_html(response.content.decode(), 1, 2)
    assert "У учителя в это время уже есть урок: Математика, 7А" in cell
    assert "Кабинет в это время уже занят: Математика, 7А" in cell
    assert TimetableEntry.objects.count() == before


def test_a_clash_through_htmx_swaps_the_grid_with_a_200(client, school):
    other = ClassUnit.objects.create(parallel=school.parallel, letter="Б")
    client.force_login(school.curator)
    response = client.post(
        _grid(school, view="class", id=other.id, cell="1-2"),
        {
            "subject": school.subject.id,
            "teacher": school.teacher.id,
            "class_unit": other.id,
            "effective_from": "2026-09-16",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200  # htmx swaps only 2xx answers
    assert "У учителя в это время уже есть урок" in _cell_html(response.content.decode(), 1, 2)


def test_a_new_lesson_in_an_empty_cell_reaches_the_future_lessons_only(client, school):
    client.force_login(school.curator)
    teacher2 = staff(school.organisation)
    response = _post_cell(
        client,
        school,
        cell="2-3",
        teacher=teacher2.id,
        room=school.rooms[1].id,
        effective_from="2026-09-22",
    )
    assert response.status_code == 302
    entry = TimetableEntry.objects.get(weekday=2, lesson_number=3, academic_year=school.year)
    dates = sorted(Lesson.objects.filter(timetable_entry=entry).values_list("date", flat=True))
    assert dates[0] == dt.date(2026, 9, 22)
    assert dt.date(2026, 9, 15) not in dates


def test_a_change_from_a_date_leaves_the_earlier_lessons_as_they_were(client, school):
    # Given Monday's lesson 2 taught by the teacher all term
    monday = school.entries[0]
    teacher2 = staff(school.organisation)
    client.force_login(school.curator)
    # When the curator gives it to another teacher from 28 September
    response = _post_cell(
        client, school, cell="1-2", entry=monday, teacher=teacher2.id, effective_from="2026-09-28"
    )
    assert response.status_code == 302
    teachers = dict(Lesson.objects.filter(timetable_entry=monday).values_list("date", "teacher_id"))
    # Then the past and the lessons before that date keep their teacher; later ones change
    assert teachers[dt.date(2026, 9, 7)] == school.teacher.id
    assert teachers[dt.date(2026, 9, 14)] == school.teacher.id
    assert teachers[dt.date(2026, 9, 21)] == school.teacher.id
    assert teachers[dt.date(2026, 9, 28)] == teacher2.id
    assert teachers[dt.date(2026, 10, 12)] == teacher2.id


def test_removing_a_cell_from_a_date_keeps_the_earlier_lessons(client, school):
    friday = school.entries[2]
    client.force_login(school.curator)
    response = _post_cell(
        client, school, cell="5-2", entry=friday, action="delete", effective_from="2026-10-01"
    )
    assert response.status_code == 302
    assert not TimetableEntry.objects.filter(id=friday.id).exists()
    fridays = set(
        Lesson.objects.filter(
            class_unit=school.class_unit, date__week_day=6, is_cancelled=False
        ).values_list("date", flat=True)
    )
    assert dt.date(2026, 9, 11) in fridays and dt.date(2026, 9, 25) in fridays
    assert dt.date(2026, 10, 2) not in fridays


@pytest.mark.parametrize(
    ("cell", "fields", "message"),
    [
        ("2-3", {"teacher": "999999"}, "«Учитель»: выберите учителя этой школы из списка."),
        ("2-3", {"teacher": "abc"}, "«Учитель»: выберите учителя этой школы из списка."),
        ("2-3", {"subject": ""}, "«Предмет»: выберите предмет из списка."),
        ("2-3", {"room": "-1"}, "«Кабинет»: выберите кабинет из списка."),
        ("2-3", {"class_unit": "", "group": ""}, "«Класс»: укажите класс или группу."),
        ("2-3", {"effective_from": "2030-01-01"}, "«Действует с»: дата должна быть в пределах"),
        ("2-3", {"effective_from": "2026-09-10"}, "«Действует с»: прошедшие и сегодняшние"),
        ("2-3", {"effective_from": "32.13.2026"}, "«Действует с»: укажите дату"),
        ("2-9", {}, "«Урок №»: урока 9 нет в расписании звонков школы"),
    ],
)
def test_bad_input_names_the_field_in_russian_and_saves_nothing(
    client, school, cell, fields, message
):
    client.force_login(school.curator)
    before = TimetableEntry.objects.count()
    response = _post_cell(client, school, cell=cell, **fields)
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html
    weekday, number = (int(x) for x in cell.split("-"))
    assert message.split("»")[0] in _cell_html(html, weekday, number)
    assert TimetableEntry.objects.count() == before


@pytest.mark.parametrize(
    "query",
    [
        {"view": "nonsense", "id": "x"},
        {"view": "teacher", "id": "999999999999999999999"},
        {"view": "class", "cell": "x-y"},
        {"view": "class", "cell": "9-2"},
        {"view": "class", "cell": "1-2", "entry": "abc"},
    ],
)
def test_odd_queries_never_fail(client, school, query):
    client.force_login(school.curator)
    response = client.get(_grid(school, **query))
    assert response.status_code in (200, 404)


def test_an_entry_of_another_school_is_a_404(client, school):
    other = make_school()
    client.force_login(school.curator)
    response = client.get(_grid(school, view="class", cell="1-2", entry=other.entries[0].id))
    assert response.status_code == 404


def test_a_teacher_sees_only_their_own_week_and_cannot_post(client, school):
    client.force_login(school.teacher)
    other_teacher = staff(school.organisation)
    response = client.get(_grid(school, view="teacher", id=other_teacher.id))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Математика" in _cell_html(html, 1, 2)
    assert "cell-form" not in html and "tt-add" not in html
    response = _post_cell(client, school, cell="2-3")
    assert response.status_code == 404


def test_the_grid_costs_the_same_queries_for_few_and_many_entries(client, school):
    client.force_login(school.curator)
    url = _grid(school, view="class", id=school.class_unit.id)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for weekday in (2, 4, 6):
        for number in (1, 3, 4, 5):
            teacher = staff(school.organisation)
            TimetableEntry.objects.create(
                academic_year=school.year,
                weekday=weekday,
                lesson_number=number,
                subject=school.subject,
                teacher=teacher,
                class_unit=school.class_unit,
            )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count('class="tt-entry"') == 3 + 12
    assert len(many) == len(few)


# --------------------------------------------------------------------------- «Замены»


def _lesson_on(school, day):
    return Lesson.objects.get(class_unit=school.class_unit, date=day)


def test_a_substitution_is_seen_by_the_family_the_substitute_and_counted_for_them(
    client, school, monkeypatch
):
    # Given the teacher is ill on Wednesday 16 September and another one takes the lesson
    lesson = _lesson_on(school, dt.date(2026, 9, 16))
    substitute = staff(school.organisation, last_name="Заменова", first_name="Зоя")
    client.force_login(school.curator)
    response = client.post(
        reverse("timetable:substitute", args=[lesson.id]),
        {"teacher": substitute.id, "subject": school.subject.id, "room": school.rooms[2].id},
    )
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert lesson.teacher_id == substitute.id and lesson.replaced_teacher_id == school.teacher.id

    # Then the family sees «замена» and the substitute in the diary
    parent = guardian_of(school.students[0])
    client.force_login(parent)
    html = client.get(reverse("diary:week") + "?week=2026-09-14").content.decode()
    assert html.count("lesson-substitution") == 1
    substituted = html.split("lesson-substitution")[1].split("</li>")[0]
    assert "Заменова З." in substituted and "103" in substituted

    # And the substitute has the lesson in their day and may fill it in the journal
    monkeypatch.setenv("SHKOLA_TODAY", "2026-09-16")
    client.force_login(substitute)
    home = client.get("/").content.decode()
    assert "Мои уроки сегодня" in home and "замена" in home
    from shkola.journal.selectors import journal_url_for_lesson

    journal = journal_url_for_lesson(lesson)
    assert journal in home and client.get(journal).status_code == 200
    url = reverse("journal:lesson", args=[lesson.id])
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "lesson", "topic": "Дроби (замена)"}).status_code == 302
    lesson.refresh_from_db()
    assert lesson.topic == "Дроби (замена)"

    # And the teacher who was replaced still reads the lesson
    client.force_login(school.teacher)
    assert client.get(url).status_code == 200
    from shkola.timetable.selectors import teacher_day

    assert [row.lesson.id for row in teacher_day(school.teacher, lesson.date)] == []

    # And the week's timeliness counts the lesson for the one who gave it
    monkeypatch.setenv("SHKOLA_TODAY", "2026-09-17")
    client.force_login(school.curator)
    html = client.get(reverse("journal:timeliness") + "?week=2026-09-14").content.decode()
    row = html.split(f'id="teacher-{substitute.id}"')[1].split("</tr>")[0]
    assert re.search(r'<td class="text-end">1</td>', row)
    own = html.split(f'id="teacher-{school.teacher.id}"')[1].split("</tr>")[0]
    assert re.findall(r'<td class="text-end">(\d+)</td>', own)[0] == "1"  # Monday only


def test_a_busy_substitute_is_marked_and_refused_with_the_lesson_named(client, school):
    other = ClassUnit.objects.create(parallel=school.parallel, letter="Б")
    busy = staff(school.organisation)
    services.timetable_entry_create(
        academic_year=school.year,
        weekday=3,
        lesson_number=2,
        subject=school.subject,
        teacher=busy,
        room=school.rooms[1],
        class_unit=other,
        effective_from=dt.date(2026, 9, 16),
    )
    lesson = _lesson_on(school, dt.date(2026, 9, 16))
    # The form marks the busy teacher and room
    client.force_login(school.curator)
    html = client.get(reverse("timetable:substitute", args=[lesson.id])).content.decode()
    teachers, rooms = html.split('id="s-teacher"')[1].split('id="s-room"')
    option = teachers.split(f'<option value="{busy.id}"')[1].split("</option>")[0]
    assert "занят(а)" in option
    free = teachers.split(f'<option value="{school.teacher.id}"')[1].split("</option>")[0]
    assert "занят" not in free
    room_option = rooms.split(f'<option value="{school.rooms[1].id}"')[1].split("</option>")[0]
    assert "занят" in room_option
    with pytest.raises(Exception) as err:
        services.lesson_substitute(
            lesson=lesson,
            teacher=busy,
            subject=school.subject,
            room=school.rooms[1],
            by=school.curator,
        )
    messages = err.value.message_dict  # type: ignore[attr-defined]
    assert messages["teacher"][0].startswith("«Учитель»: у ")
    assert "2 урок, 7Б, Математика" in messages["teacher"][0]
    assert "«Кабинет»: кабинет 102 в это время занят" in messages["room"][0]
    lesson.refresh_from_db()
    assert not lesson.is_substitution and lesson.teacher_id == school.teacher.id


def test_a_past_lesson_and_a_no_change_substitution_are_refused(client, school):
    client.force_login(school.curator)
    past = _lesson_on(school, dt.date(2026, 9, 14))
    response = client.post(
        reverse("timetable:substitute", args=[past.id]),
        {"teacher": staff(school.organisation).id, "subject": school.subject.id},
    )
    assert response.status_code == 422
    assert "«Дата»: прошедший урок уже проведён" in response.content.decode()
    future = _lesson_on(school, dt.date(2026, 9, 16))
    response = client.post(
        reverse("timetable:substitute", args=[future.id]),
        {"teacher": school.teacher.id, "subject": school.subject.id, "room": school.rooms[0].id},
    )
    assert response.status_code == 422
    assert "замена ничего не меняет" in response.content.decode()
    response = client.post(
        reverse("timetable:substitute", args=[future.id]),
        {"teacher": "999999", "subject": "x", "room": "zz"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "«Учитель»: выберите учителя" in html and "«Предмет»: выберите" in html
    assert "«Кабинет»: выберите" in html


def test_a_substitution_survives_a_timetable_change_and_can_be_undone(client, school):
    lesson = _lesson_on(school, dt.date(2026, 9, 23))
    substitute = staff(school.organisation)
    services.lesson_substitute(
        lesson=lesson,
        teacher=substitute,
        subject=school.subject,
        room=school.rooms[0],
        by=school.curator,
    )
    # When the weekly slot changes room from tomorrow
    services.timetable_entry_update(
        entry=school.entries[1], effective_from=dt.date(2026, 9, 16), room=school.rooms[2]
    )
    lesson.refresh_from_db()
    # Then the day's substitution stands, the other Wednesdays follow the timetable
    assert lesson.teacher_id == substitute.id and lesson.room_id == school.rooms[0].id
    assert _lesson_on(school, dt.date(2026, 9, 30)).room_id == school.rooms[2].id
    # And undoing it gives the lesson back to the timetable's teacher
    client.force_login(school.curator)
    response = client.post(reverse("timetable:substitute", args=[lesson.id]), {"action": "cancel"})
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert not lesson.is_substitution and lesson.teacher_id == school.teacher.id


def test_the_day_list_names_substitutions_and_refuses_bad_filters(client, school):
    lesson = _lesson_on(school, dt.date(2026, 9, 16))
    substitute = staff(school.organisation, last_name="Заменова")
    services.lesson_substitute(
        lesson=lesson, teacher=substitute, subject=school.subject, room=None, by=school.curator
    )
    client.force_login(school.curator)
    url = reverse("timetable:substitutions")
    html = client.get(url + "?date=2026-09-16").content.decode()
    assert f'id="lesson-{lesson.id}"' in html and "замена" in html and "Заменова" in html
    html = client.get(url + f"?date=2026-09-16&teacher={school.teacher.id}").content.decode()
    assert f'id="lesson-{lesson.id}"' in html  # listed under the absent teacher too
    for query, message in [
        ("date=2031-01-01", "«Дата»: день вне учебного года"),
        ("date=junk", "«Дата»: укажите дату"),
        ("teacher=424242", "«Учитель»: выберите учителя"),
        ("class=abc", "«Класс»: выберите класс"),
    ]:
        response = client.get(f"{url}?{query}")
        assert response.status_code == 422, query
        assert message in response.content.decode()


def test_the_day_list_costs_the_same_queries_for_one_and_many_substitutions(client, school):
    client.force_login(school.curator)
    url = reverse("timetable:substitutions") + "?date=2026-09-16"
    lesson = _lesson_on(school, dt.date(2026, 9, 16))
    services.lesson_substitute(
        lesson=lesson,
        teacher=staff(school.organisation),
        subject=school.subject,
        room=None,
        by=school.curator,
    )
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for letter in "БВГ":
        other = ClassUnit.objects.create(parallel=school.parallel, letter=letter)
        entry = services.timetable_entry_create(
            academic_year=school.year,
            weekday=3,
            lesson_number=3 + "БВГ".index(letter),
            subject=school.subject,
            teacher=staff(school.organisation),
            class_unit=other,
            effective_from=dt.date(2026, 9, 16),
        )
        services.lesson_substitute(
            lesson=Lesson.objects.get(timetable_entry=entry, date=dt.date(2026, 9, 16)),
            teacher=staff(school.organisation),
            subject=school.subject,
            room=school.rooms[1],
            by=school.curator,
        )
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert html.count('class="badge text-bg-info"') == 4
    assert len(many) == len(one)
