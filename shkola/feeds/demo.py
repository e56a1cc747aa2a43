"""Demo calendar link: the demo parent already has one link of the child's timetable and
holidays, so «Календарь в телефоне» shows how a link looks (its token is not kept anywhere,
so the demo makes a new one to try the .ics)."""

from __future__ import annotations

from shkola.accounts.models import User
from shkola.schools.models import Student

from . import services


def feeds_demo_fill() -> None:
    parent = User.objects.filter(username="parent").first()
    student = Student.objects.filter(user__username="student").first()
    if parent is None or student is None:
        return
    services.feed_create(owner=parent, student=student, calendars=["timetable", "holidays"])
