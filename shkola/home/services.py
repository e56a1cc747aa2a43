"""Writes of the home page: the person's visit, which moves the boundary of «new marks»."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from shkola.schools.models import Student

from .models import HomeVisit

# Openings closer than this are one visit: reloading the page, or coming back to it from the
# diary, does not make the marks just shown «old».
VISIT_GAP = dt.timedelta(minutes=30)
# On the very first visit the marks of the last week count as new.
FIRST_VISIT_WINDOW = dt.timedelta(days=7)


@dataclass(frozen=True)
class MarksBoundary:
    since: dt.datetime  # marks put or changed after this are «new»
    first_visit: bool  # no previous visit: ``since`` is a week back


@transaction.atomic
def home_visit_record(*, user: Any, student: Student, at: dt.datetime) -> MarksBoundary:
    """Record that ``user`` opened the home page for ``student`` at ``at``; return the moment
    since which marks are new: the previous visit's last opening, or a week before the first
    visit while that first visit lasts."""
    if at.tzinfo is None:
        raise ValueError("home_visit_record needs an aware datetime")
    visit = HomeVisit.objects.select_for_update().filter(user=user, student=student).first()
    if visit is None:
        try:
            with transaction.atomic():
                visit = HomeVisit.objects.create(
                    user=user, student=student, first_seen=at, last_seen=at, marks_since=None
                )
        except IntegrityError:  # the same person's second tab got there first
            return MarksBoundary(at - FIRST_VISIT_WINDOW, first_visit=True)
    else:
        if at - visit.last_seen >= VISIT_GAP:
            visit.marks_since = visit.last_seen
        visit.last_seen = max(visit.last_seen, at)
        HomeVisit.objects.filter(pk=visit.pk).update(
            last_seen=visit.last_seen, marks_since=visit.marks_since
        )
    if visit.marks_since is None:
        return MarksBoundary(visit.first_seen - FIRST_VISIT_WINDOW, first_visit=True)
    return MarksBoundary(visit.marks_since, first_visit=False)
