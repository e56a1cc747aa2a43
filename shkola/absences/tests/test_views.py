"""Absence notes through HTTP: the parent's form and list, the class teacher's queue and
decisions, the scan download, the class week, the home page, and query budgets."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shkola.absences import services
from shkola.absences.models import AbsenceNote, NoteStatus
from shkola.core.testing.factories import enrol, guardian_of, staff
from shkola.journal.models import Attendance
from shkola.schools.models import ClassUnit

from .conftest import pdf

pytestmark = pytest.mark.django_db


def note_of(w, day=9, **kw):
    kw.setdefault("reason", "illness")
    return services.absence_note_create(
        student=w.student, author=w.parent, date_from=dt.date(2026, 9, day), date_to=None, **kw
    )


def test_parent_sends_a_note_and_sees_it_waiting(client, world):
    w = world
    client.force_login(w.parent)
    page = client.get(reverse("absences:create"))
    assert page.status_code == 200 and "Записка об отсутствии" in page.content.decode()
    response = client.post(
        reverse("absences:create"),
        {
            "date_from": "2026-09-09",
            "date_to": "2026-09-11",
            "reason": "illness",
            "comment": "Температура",
            "scan": pdf(),
        },
    )
    assert response.status_code == 302
    note = AbsenceNote.objects.get(student=w.student)
    assert (note.student, note.date_from, note.date_to) == (
        w.student, dt.date(2026, 9, 9), dt.date(2026, 9, 11)
    )  # fmt: skip
    listing = client.get(reverse("absences:mine")).content.decode()
    assert "на рассмотрении" in listing and "справка" in listing


def test_parent_chooses_lessons_of_one_day(client, world):
    w = world
    client.force_login(w.parent)
    page = client.get(reverse("absences:create") + "?day=2026-09-07").content.decode()
    assert f'value="{w.third.id}"' in page and f'value="{w.lessons[2].id}"' in page
    # When nothing is chosen the form names the field
    response = client.post(
        reverse("absences:create"), {"day": "2026-09-07", "date_from": "2026-09-07",
                                     "reason": "doctor"}
    )  # fmt: skip
    assert response.status_code == 200
    assert "выберите хотя бы один урок" in response.content.decode()
    response = client.post(
        reverse("absences:create"),
        {"day": "2026-09-07", "date_from": "2026-09-07", "reason": "doctor",
         "lessons": [str(w.third.id)]},
    )  # fmt: skip
    assert response.status_code == 302
    assert list(AbsenceNote.objects.get(student=w.student).lessons.all()) == [w.third]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"date_from": "2026-09-11", "date_to": "2026-09-07", "reason": "illness"}, "раньше"),
        ({"date_from": "2025-09-11", "reason": "illness"}, "учебного года"),
        ({"date_from": "не дата", "reason": "illness"}, "Дата «с»"),
        ({"date_from": "2026-09-11", "reason": ""}, "Выберите причину"),
        ({"date_from": "2026-09-11", "reason": "other"}, "Пояснение"),
    ],
)
def test_form_errors_are_russian_and_name_the_field(client, world, data, words):
    client.force_login(world.parent)
    response = client.post(reverse("absences:create"), data)
    assert response.status_code == 200
    assert words in response.content.decode()
    assert not AbsenceNote.objects.filter(student=world.student).exists()


def test_a_scan_of_the_wrong_type_is_an_error_under_the_scan_field(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.parent)
    fake = SimpleUploadedFile("spravka.png", b"not a picture at all", "image/png")
    response = client.post(
        reverse("absences:create"), {"date_from": "2026-09-09", "reason": "illness", "scan": fake}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "spravka.png" in " ".join(errors["scan"])
    assert not AbsenceNote.objects.filter(student=world.student).exists()


def test_garbage_in_the_query_is_no_500(client, world):
    client.force_login(world.parent)
    assert client.get(reverse("absences:create") + "?day=99999-1-1").status_code == 200
    client.force_login(world.school.class_teacher)
    url = reverse("absences:class_week", kwargs={"class_id": world.school.class_unit.id})
    assert client.get(url + "?week=0001-01-01").status_code == 200
    note = note_of(world)
    response = client.post(reverse("absences:detail", kwargs={"note_id": note.id}), {"action": "x"})
    assert response.status_code == 400


def test_class_teacher_accepts_and_the_attendance_turns_excused(client, world):
    w = world
    note = note_of(w, day=4)
    Attendance.objects.create(student=w.student, lesson=w.lessons[1], kind="н")
    client.force_login(w.school.class_teacher)
    queue = client.get(reverse("absences:queue")).content.decode()
    assert f"note-{note.id}" in queue and w.student.last_name in queue
    response = client.post(
        reverse("absences:detail", kwargs={"note_id": note.id}), {"action": "accept"}
    )
    assert response.status_code == 302
    assert Attendance.objects.get(student=w.student, lesson=w.lessons[1]).kind == "у"
    client.force_login(w.parent)
    assert "принята" in client.get(reverse("absences:mine")).content.decode()


def test_rejecting_without_a_reason_is_a_form_error(client, world):
    w = world
    note = note_of(w)
    client.force_login(w.school.class_teacher)
    url = reverse("absences:detail", kwargs={"note_id": note.id})
    response = client.post(url, {"action": "reject", "reject_reason": ""})
    assert response.status_code == 400
    assert "Причина отказа" in response.content.decode()
    assert AbsenceNote.objects.get(student=w.student).status == NoteStatus.PENDING
    client.post(url, {"action": "reject", "reject_reason": "Нет справки"})
    client.force_login(w.parent)
    listing = client.get(reverse("absences:mine")).content.decode()
    assert "отклонена" in listing and "Нет справки" in listing


def test_parent_withdraws_a_pending_note_but_may_not_decide_it(client, world):
    w = world
    note = note_of(w)
    client.force_login(w.parent)
    url = reverse("absences:detail", kwargs={"note_id": note.id})
    assert client.post(url, {"action": "accept"}).status_code == 400
    assert AbsenceNote.objects.get(student=w.student).status == NoteStatus.PENDING
    assert client.post(url, {"action": "withdraw"}).status_code == 302
    assert AbsenceNote.objects.get(student=w.student).status == NoteStatus.WITHDRAWN


def test_other_families_and_classes_get_404(client, world):
    w = world
    note = note_of(w, scan=pdf())
    other_class = ClassUnit.objects.create(
        parallel=w.school.parallel, letter="Б", class_teacher=staff(w.school.organisation)
    )
    other_parent = guardian_of(enrol(w.school, other_class))
    urls = [
        reverse("absences:detail", kwargs={"note_id": note.id}),
        reverse("absences:scan", kwargs={"note_id": note.id}),
    ]
    for user in (other_parent, other_class.class_teacher, w.school.teacher):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
        assert client.post(urls[0], {"action": "accept"}).status_code == 404
    assert AbsenceNote.objects.get(student=w.student).status == NoteStatus.PENDING
    for user in (w.parent, w.school.class_teacher, w.school.curator):
        client.force_login(user)
        response = client.get(urls[1])
        assert response.status_code == 200
        assert response["Content-Security-Policy"].startswith("sandbox")
        assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_class_week_marks_absences_covered_by_a_note(client, world):
    w = world
    Attendance.objects.create(student=w.classmate, lesson=w.lessons[0], kind="н")
    services.absence_note_accept(note=note_of(w, day=2), by=w.school.class_teacher)
    client.force_login(w.school.class_teacher)
    url = reverse("absences:class_week", kwargs={"class_id": w.school.class_unit.id})
    page = client.get(url + "?week=2026-09-02").content.decode()
    assert "Посещаемость класса" in page
    assert page.count('class="badge text-bg-success by-note"') == 1


def test_home_page_shows_notes_to_decide_and_the_parents_status(client, world):
    w = world
    note_of(w)
    client.force_login(w.school.class_teacher)
    home = client.get("/").content.decode()
    assert 'id="absence-notes-feed"' in home and 'id="notes-to-decide">1<' in home
    client.force_login(w.parent)
    home = client.get("/").content.decode()
    assert 'id="absence-notes-feed"' in home and "на рассмотрении" in home
    client.force_login(w.school.teacher)
    assert 'id="absence-notes-feed"' not in client.get("/").content.decode()


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url_name", ["absences:queue", "absences:mine"])
def test_query_count_does_not_grow_with_the_notes(client, world, url_name):
    w = world
    user = w.parent if url_name == "absences:mine" else w.school.class_teacher
    client.force_login(user)
    note_of(w, day=9, lessons=[w.lessons[3]])
    decided = note_of(w, day=11)
    services.absence_note_reject(note=decided, by=w.school.class_teacher, reason="нет")
    _queries(client, reverse(url_name))  # the session's first page loads more
    few = _queries(client, reverse(url_name))
    for day in (14, 15, 16, 17, 18, 21):
        note_of(w, day=day, scan=pdf())
    assert _queries(client, reverse(url_name)) == few
