"""C4 over HTTP: the extra-education journal of a club that mixes classes. Its teacher marks a
pupil in the club's own grid; the family reads it in «Журнал ДО»; the main report card and
its averages do not count it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from shkola.core import clock
from shkola.journal import services
from shkola.journal.models import Mark
from shkola.schools.models import StudyGroup
from shkola.timetable.models import Lesson, TimetableEntry

pytestmark = pytest.mark.django_db


def test_a_club_mark_reaches_the_family_in_the_extra_journal_only(demo_world: Any) -> None:
    w = demo_world
    club = StudyGroup.objects.get(kind=StudyGroup.Kind.EXTRA, students=w.student)
    entry = TimetableEntry.objects.filter(group=club).select_related("subject").first()
    assert entry is not None
    lessons = Lesson.objects.filter(
        group=club, period=w.period, date__lte=clock.today(), is_cancelled=False
    ).order_by("-date")
    lesson = next(
        x for x in lessons if not Mark.objects.filter(lesson=x, student=w.student).exists()
    )

    teacher = Client()
    teacher.force_login(entry.teacher)
    grid = teacher.get(reverse("journal:group_grid", args=[club.id, entry.subject_id]))
    assert grid.status_code == 200
    assert w.student.last_name in grid.content.decode()
    saved = teacher.post(
        reverse("journal:cell_save"),
        {
            "lesson": lesson.id,
            "student": w.student.id,
            "text": "2",
            "fp": services.cell_load(lesson=lesson, student=w.student).fingerprint,
        },
        HTTP_HX_REQUEST="true",
    )
    assert saved.status_code == 200

    family = Client()
    family.force_login(w.users["parent"])
    extra = family.get(
        reverse("diary:extra_of", args=[w.student.id]), {"period": w.period.id}, follow=True
    )
    assert extra.status_code == 200, extra.status_code
    row = next(r for r in extra.context["rows"] if r.subject.id == entry.subject_id)
    assert (lesson.date, "2") in [(m.lesson.date, m.value) for m in row.marks]
    assert entry.subject.name in extra.content.decode()

    report = family.get(
        reverse("diary:report_of", args=[w.student.id]), {"period": w.period.id}, follow=True
    )
    assert report.status_code == 200
    subjects = [row.subject.id for row in report.context["rows"]]
    assert subjects and entry.subject_id not in subjects
