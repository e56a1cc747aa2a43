"""Writes of the home page: the person's visit, which moves the boundary of «new marks»."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction

from shkola.schools.models import Student

from .models import HomeVisit

# Openings closer than this are one visit: reloading the page, or coming back to it from the
# diary, does not make the marks just shown «old».
VISIT_GAP = dt.timedelta(minutes=30)
# On the very first visit the marks of the last week count as new.
FIRST_VISIT_WINDOW = dt.timedelta(days=7)


@transaction.atomic
def home_visit_record(*, user: Any, student: Student, at: dt.datetime) -> dt.datetime:
    """Record that ``user`` opened the home page for ``student`` at ``at``; return the moment
    since which marks are new (the previous visit's last opening)."""
    if at.tzinfo is None:
        raise ValueError("home_visit_record needs an aware datetime")
    visit = HomeVisit.objects.select_for_update().filter(user=user, student=student).first()
    if visit is None:
        since = at - FIRST_VISIT_WINDOW
        try:
            with transaction.atomic():
                HomeVisit.objects.create(
                    user=user, student=student, last_seen=at, marks_since=since
                )
        except IntegrityError:  # the same person's second tab got there first
            return since
        return since
    if at - visit.last_seen >= VISIT_GAP:
        visit.marks_since = visit.last_seen
    if at > visit.last_seen:
        visit.last_seen = at
    HomeVisit.objects.filter(pk=visit.pk).update(
        last_seen=visit.last_seen, marks_since=visit.marks_since
    )
    return visit.marks_since
