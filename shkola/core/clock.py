"""The one place that says what day it is, so tests and the demo can pin it."""

from __future__ import annotations

import datetime as dt
import os

from django.utils import timezone


def now() -> dt.datetime:
    pinned = os.environ.get("SHKOLA_TODAY")
    if pinned:
        day = dt.date.fromisoformat(pinned)
        current = timezone.localtime()
        return current.replace(year=day.year, month=day.month, day=day.day)
    return timezone.localtime()


def today() -> dt.date:
    return now().date()
