"""Who gets what from the calendar-feed URLs: the page is for families (a student for
themself, a parent for each child, also in two schools, and a teacher who is a parent
elsewhere); staff without children and officials get a 404. Revoking is POST only. The
.ics link needs no sign-in: a real token gives the calendar to anyone who holds it, an
unknown or revoked one is a 404."""

from __future__ import annotations

from typing import Any

from shkola.core.testing.matrix import Case, expect

FAMILY_PAGE = expect(
    404,
    anonymous=302,
    student=200,
    parent=200,
    parent_two_schools=200,
    teacher_parent=200,
)
POST_ONLY = expect(405, anonymous=302)


def _feed(w: Any) -> dict[str, int]:
    from shkola.feeds import services

    feed, _token = services.feed_create(
        owner=w.users["parent"], student=w.student, calendars=["timetable"]
    )
    return {"feed_id": feed.id}


def _token(w: Any) -> dict[str, str]:
    from shkola.feeds import services

    _feed, token = services.feed_create(
        owner=w.users["parent"], student=w.student, calendars=["timetable", "holidays"]
    )
    return {"token": token}


def _revoked_token(w: Any) -> dict[str, str]:
    from shkola.feeds import services

    feed, token = services.feed_create(
        owner=w.users["parent"], student=w.student, calendars=["timetable"]
    )
    services.feed_revoke(feed=feed, by=w.users["parent"])
    return {"token": token}


CASES = [
    Case("feeds:index", FAMILY_PAGE),
    Case("feeds:revoke", POST_ONLY, kwargs=_feed),
    Case("feeds:calendar", expect(200), kwargs=_token, label="valid token"),
    Case("feeds:calendar", expect(404), kwargs=_revoked_token, label="revoked"),
    Case("feeds:calendar", expect(404), kwargs=lambda w: {"token": "x" * 43}, label="unknown"),
]
