"""Navigation items by role. Apps register their entries here; a role sees only what it may use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    visible: Callable[[Any], bool]
    order: int = 100


_REGISTRY: list[NavItem] = []


def register(item: NavItem) -> None:
    if all(existing.url_name != item.url_name for existing in _REGISTRY):
        _REGISTRY.append(item)


def navigation_for(viewer: Any, request: HttpRequest) -> list[dict[str, Any]]:
    items = []
    for item in sorted(_REGISTRY, key=lambda i: i.order):
        if not item.visible(viewer):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append(
            {
                "label": item.label,
                "url": url,
                "icon": item.icon,
                "active": request.path == url
                or (url != "/" and request.path.startswith(url)),
            }
        )
    return items
