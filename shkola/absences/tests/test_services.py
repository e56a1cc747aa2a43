"""Absence notes through their services: sending, validation, accepting (attendance «у»
with history rows, future lessons too), rejecting, withdrawing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from shkola.absences import services
from shkola.absences.models import NoteStatus
from shkola.journal import services as journal_services
from shkola.journal.models import Attendance, MarkHistory
from shkola.schools.services import period_close

from .conftest import pdf

pytestmark = pytest.mark.django_db

SEP = lambda day: dt.date(2026, 9, day)  # noqa: E731


def send(w, date_from, date_to=None, **kw):
    kw.setdefault("reason", "illness")
    return services.absence_note_create(
        student=w.student, author=w.parent, date_from=date_from, date_to=date_to, **kw
    )


def kinds(w):
    return dict(Attendance.objects.filter(student=w.student).values_list("lesson__date", "kind"))


def test_accepting_turns_absences_and_lessons_to_come_into_excused_with_history(world):
    w = world
    teacher = w.school.class_teacher
    # Given «н» on 2 September, «б» on 4 September, nothing yet on 7 (today) and later
    Attendance.objects.create(student=w.student, lesson=w.lessons[0], kind="н")
    Attendance.objects.create(student=w.student, lesson=w.lessons[1], kind="б")
    note = send(w, SEP(2), SEP(9))
    # When the class teacher accepts the note
    returned = services.absence_note_accept(note=note, by=teacher)
    # Then the note is returned accepted, and every lesson from 2 to 9 September is «у»
    assert returned.pk == note.pk and returned.status == NoteStatus.ACCEPTED
    assert returned.decided_by == teacher
    got = {
        (a.lesson.date, a.lesson.lesson_number): a.kind
        for a in Attendance.objects.filter(student=w.student).select_related("lesson")
    }
    assert got == {
        (SEP(2), 2): "у",
        (SEP(4), 2): "у",
        (SEP(7), 2): "у",
        (SEP(7), 3): "у",
        (SEP(9), 2): "у",  # still to come
    }
    # the classmate's attendance is untouched
    assert not Attendance.objects.filter(student=w.classmate).exists()
    history = {
        (h.lesson.date, h.lesson.lesson_number): (h.action, h.old_value, h.new_value)
        for h in MarkHistory.objects.filter(student=w.student, what="attendance")
    }
    assert history[(SEP(2), 2)] == ("change", "н", "у")
    assert history[(SEP(4), 2)] == ("change", "б", "у")
    assert history[(SEP(9), 2)] == ("create", "", "у")
    assert len(history) == 5
    assert set(
        MarkHistory.objects.filter(student=w.student).values_list("changed_by", flat=True)
    ) == {teacher.pk}


def test_a_late_arrival_stays_and_closed_periods_are_left_alone(world):
    w = world
    Attendance.objects.create(student=w.student, lesson=w.lessons[2], kind="оп")
    note = send(w, SEP(7))
    services.absence_note_accept(note=note, by=w.school.class_teacher)
    assert Attendance.objects.get(student=w.student, lesson=w.lessons[2]).kind == "оп"
    assert Attendance.objects.get(student=w.student, lesson=w.third).kind == "у"

    # Given the first quarter is closed, a note about 4 September changes nothing there
    period_close(period=w.school.periods[0], user=w.school.curator)
    note = send(w, SEP(4))
    services.absence_note_accept(note=note, by=w.school.curator)
    assert not Attendance.objects.filter(student=w.student, lesson=w.lessons[1]).exists()


def test_chosen_lessons_of_one_day_are_the_only_ones_excused(world):
    w = world
    note = send(w, SEP(7), lessons=[w.third])
    services.absence_note_accept(note=note, by=w.school.class_teacher)
    assert kinds(w) == {SEP(7): "у"}
    assert Attendance.objects.get(student=w.student).lesson == w.third


def test_the_teacher_can_still_change_an_excused_cell_later(world, monkeypatch):
    w = world
    note = send(w, SEP(9))
    services.absence_note_accept(note=note, by=w.school.class_teacher)
    # On 9 September the child came after all: the teacher empties the cell and gives a 5
    monkeypatch.setenv("SHKOLA_TODAY", "2026-09-09")
    cell = journal_services.cell_load(lesson=w.lessons[3], student=w.student)
    assert cell.attendance is not None and cell.attendance.kind == "у"
    journal_services.mark_set(
        lesson=w.lessons[3], student=w.student, text="5",
        fingerprint=cell.fingerprint, user=w.school.teacher,
    )  # fmt: skip
    assert not Attendance.objects.filter(student=w.student, lesson=w.lessons[3]).exists()


@pytest.mark.parametrize(
    ("args", "field", "words"),
    [
        ({"date_from": SEP(9), "date_to": SEP(7)}, "date_to", "раньше"),
        ({"date_from": dt.date(2026, 8, 20)}, "date_from", "учебного года"),
        ({"date_from": dt.date(2027, 6, 10)}, "date_from", "учебного года"),
        ({"date_from": SEP(7), "date_to": dt.date(2026, 10, 20)}, "date_to", "30 дней"),
        ({"date_from": SEP(7), "reason": "other"}, "comment", "Другое"),
        ({"date_from": SEP(7), "reason": "holiday"}, "reason", "Причина"),
    ],
)
def test_bad_input_is_refused_naming_the_field(world, args, field, words):
    with pytest.raises(ValidationError) as exc:
        send(world, args.pop("date_from"), args.pop("date_to", None), **args)
    assert words in " ".join(exc.value.message_dict[field])


def test_lessons_must_be_the_childs_on_that_day(world):
    w = world
    with pytest.raises(ValidationError) as exc:
        send(w, SEP(4), lessons=[w.third])
    assert "Уроки" in " ".join(exc.value.message_dict["lessons"])


def test_a_scan_must_be_pdf_jpeg_or_png(world):
    w = world
    text = SimpleUploadedFile("spravka.txt", b"just text", "text/plain")
    with pytest.raises(ValidationError) as exc:
        send(w, SEP(7), scan=text)
    assert "PDF, JPEG или PNG" in " ".join(exc.value.message_dict["file"])
    note = send(w, SEP(7), scan=pdf())
    assert note.file_content_type == "application/pdf" and note.file_name == "spravka.pdf"


def test_rejecting_needs_a_reason_and_a_note_is_decided_once(world):
    w = world
    note = send(w, SEP(9))
    with pytest.raises(ValidationError) as exc:
        services.absence_note_reject(note=note, by=w.school.class_teacher, reason="  ")
    assert "Причина отказа" in " ".join(exc.value.message_dict["reject_reason"])
    rejected = services.absence_note_reject(
        note=note, by=w.school.class_teacher, reason="Олимпиада в другой день"
    )
    assert rejected.status == NoteStatus.REJECTED
    assert rejected.reject_reason == "Олимпиада в другой день"
    with pytest.raises(ValidationError):
        services.absence_note_accept(note=note, by=w.school.class_teacher)
    assert not Attendance.objects.filter(student=w.student).exists()


def test_a_withdrawn_note_cannot_be_accepted(world):
    w = world
    note = send(w, SEP(9))
    assert services.absence_note_withdraw(note=note, by=w.parent).status == NoteStatus.WITHDRAWN
    with pytest.raises(ValidationError) as exc:
        services.absence_note_accept(note=note, by=w.school.class_teacher)
    assert "отозвана" in " ".join(exc.value.message_dict["status"])


def test_the_family_is_notified_of_each_decision(world):
    from shkola.notifications.models import Notification

    w = world
    teacher = w.school.class_teacher
    # Given two notes of the parent
    accepted = send(w, SEP(2), SEP(3))
    rejected = send(w, SEP(9), SEP(9))
    # When the class teacher accepts one and rejects the other with a reason
    services.absence_note_accept(note=accepted, by=teacher)
    services.absence_note_reject(note=rejected, by=teacher, reason="Нет справки")
    # Then the parent has one notification per decision, the rejection with its reason
    got = list(
        Notification.objects.filter(user=w.parent, kind="absence_note")
        .order_by("id")
        .values_list("title", "text", "url")
    )
    assert [t.split(":")[0] for t, _, _ in got] == ["Записка принята", "Записка отклонена"]
    assert "Нет справки" in got[1][1]
    assert got[0][2].endswith(f"/absences/{accepted.pk}/")
    # and nobody outside the family heard of it
    assert not Notification.objects.filter(kind="absence_note").exclude(user=w.parent).exists()
