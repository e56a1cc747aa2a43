"""The top bar's counter and the home page's section for messages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from . import selectors
from .rules import can_use_messages


def unread_for_badge(viewer: Any) -> QuerySet[Any]:
    return selectors.unread_deliveries(viewer.user)


def home_feed_load(request: HttpRequest, viewer: Any) -> selectors.HomeMessages | None:
    if not can_use_messages(viewer):
        return None
    return selectors.home_messages(viewer.user)
