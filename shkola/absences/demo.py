"""Demo absence notes: the demo parent has one note the class teacher accepted (a past day,
with a scan of the doctor's note) and one still waiting (the next school days). Both go
through the services, so the accepted one marks its lessons «у» with history rows."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from shkola.accounts.models import User
from shkola.journal.models import Mark
from shkola.schools.models import Student

from . import selectors, services
from .models import NoteReason


def _scan() -> SimpleUploadedFile:
    image = Image.new("RGB", (420, 300), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, 409, 289), outline="navy", width=3)
    for y in range(60, 260, 30):
        draw.line((30, y, 390, y), fill="gray", width=2)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return SimpleUploadedFile("spravka.png", out.getvalue(), content_type="image/png")


def _school_day(
    student: Student, start: dt.date, step: int, *, unmarked: bool = False
) -> dt.date | None:
    """The first day from ``start`` with lessons; with ``unmarked``, also without the child's
    marks (a child with a mark that day was at school, and the demo's journal never has a
    mark and an absence on one lesson)."""
    day = start
    for _ in range(21):
        lessons = selectors.student_lessons_between(student, day, day)
        if lessons.exists() and not (
            unmarked and Mark.objects.filter(student=student, lesson__in=lessons).exists()
        ):
            return day
        day += dt.timedelta(days=step)
    return None


def absences_demo_fill(*, today: dt.date) -> int:
    parent = User.objects.get(username="parent")
    class_teacher = User.objects.get(username="classteacher")
    student = Student.objects.select_related("current_class").get(user__username="student")
    made = 0
    past = _school_day(student, today - dt.timedelta(days=8), -1, unmarked=True)
    if past is not None:
        note = services.absence_note_create(
            student=student,
            author=parent,
            date_from=past,
            date_to=past,
            reason=NoteReason.DOCTOR,
            comment="Была на приёме у врача, справка прилагается.",
            scan=_scan(),
        )
        services.absence_note_accept(note=note, by=class_teacher)
        made += 1
    upcoming = _school_day(student, today + dt.timedelta(days=1), 1)
    if upcoming is not None:
        services.absence_note_create(
            student=student,
            author=parent,
            date_from=upcoming,
            date_to=upcoming,
            reason=NoteReason.EVENT,
            comment="Городская олимпиада по математике.",
        )
        made += 1
    return made
