"""Sections that other apps add to the home page (unread messages, absence notes to decide,
announcements…). The home page renders, in ``order``, every feed whose ``load`` returns
something other than ``None``; ``template`` is included with ``feed`` set to that value.

``load(request, viewer)`` runs a fixed number of queries whatever the data holds; the home
page's query budget in its tests covers all registered feeds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class HomeFeed:
    key: str
    template: str
    load: Callable[[HttpRequest, Any], Any | None]
    order: int = 100
    # "main" feeds take the wide column, "side" feeds the narrow one
    column: str = "side"


_FEEDS: list[HomeFeed] = []


def register_home_feed(feed: HomeFeed) -> None:
    if all(existing.key != feed.key for existing in _FEEDS):
        _FEEDS.append(feed)


def home_feeds(request: HttpRequest, viewer: Any) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    for feed in sorted(_FEEDS, key=lambda f: f.order):
        data = feed.load(request, viewer)
        if data is None:
            continue
        result.append(
            {"key": feed.key, "template": feed.template, "feed": data, "column": feed.column}
        )
    return result
