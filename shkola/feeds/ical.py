"""The iCalendar text of a feed (RFC 5545) with the `icalendar` library: it folds long lines,
escapes text and writes the VTIMEZONE for Europe/Moscow, so phones and desktop calendars
read it as they read any subscribed calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from icalendar import Calendar, Event

from .selectors import FeedEvent

PRODID = "-//Shkola//Календарь школы//RU"


def calendar_bytes(name: str, events: Iterable[FeedEvent], stamp: dt.datetime) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Moscow")
    # Ask a subscribed calendar to look again every few hours (substitutions change the day).
    cal.add("refresh-interval", dt.timedelta(hours=3), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT3H")
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("summary", item.summary)
        event.add("dtstart", item.start)
        event.add("dtend", item.end)
        if item.location:
            event.add("location", item.location)
        if item.description:
            event.add("description", item.description)
        event.add("status", "CONFIRMED")
        # Holidays and all-day school events do not make the person «busy».
        all_day = not isinstance(item.start, dt.datetime)
        event.add("transp", "TRANSPARENT" if all_day else "OPAQUE")
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
