"""Navigation items by role. Apps register their entries here; a role sees only what it may use."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.signals import setting_changed
from django.db import connection
from django.db.models import QuerySet
from django.dispatch import receiver
from django.http import HttpRequest
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: str | Promise  # usually a lazy translation
    url_name: str
    icon: str
    visible: Callable[[Any], bool]
    order: int = 100
    # Entries with the same menu fold into one drop-down under that name (school
    # administration, for instance), so a curator's menu stays on one line.
    menu: str | Promise | None = None
    menu_icon: str = "three-dots"
    # A family entry (diary, portfolio) of a person who is also staff somewhere folds into
    # «Семья», so that a teacher who is a parent keeps the menu on one line.
    family: bool = False


FAMILY_MENU = _("Семья")


_REGISTRY: list[NavItem] = []

# Menu and badge addresses, reversed once per process: the URL configuration does not change
# while a process runs. Keyed by the request's urlconf and script prefix (a test may swap
# either); a setting change (tests) forgets them all.
_ADDRESSES: dict[tuple[str, str, str], str | None] = {}


def address_of(url_name: str) -> str | None:
    """``reverse(url_name)``, once per process; None when the name does not resolve."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    key = (str(urlconf), get_script_prefix(), url_name)
    try:
        return _ADDRESSES[key]
    except KeyError:
        pass
    try:
        found: str | None = reverse(url_name)
    except NoReverseMatch:
        found = None
    _ADDRESSES[key] = found
    return found


# An id no URL pattern can confuse with its own digits, replaced by the real one.
_ID_STAND_IN = 987_654_321
_ID_ADDRESSES: dict[tuple[str, str, str], tuple[str, str]] = {}


def address_with_id(url_name: str) -> tuple[str, str]:
    """``reverse(url_name, args=[id])`` split around the id, once per process: a page that
    links hundreds of rows joins ``head + str(id) + tail`` instead of reversing each."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    key = (str(urlconf), get_script_prefix(), url_name)
    found = _ID_ADDRESSES.get(key)
    if found is None:
        head, stand_in, tail = reverse(url_name, args=[_ID_STAND_IN]).partition(str(_ID_STAND_IN))
        assert stand_in, url_name
        found = _ID_ADDRESSES[key] = (head, tail)
    return found


@receiver(setting_changed, dispatch_uid="shkola_navigation_addresses")
def _addresses_forget(**kwargs: Any) -> None:
    _ADDRESSES.clear()
    _ID_ADDRESSES.clear()


def register(item: NavItem) -> None:
    if all(existing.url_name != item.url_name for existing in _REGISTRY):
        _REGISTRY.append(item)


def navigation_for(viewer: Any, request: HttpRequest) -> list[dict[str, Any]]:
    """The viewer's menu; the one entry whose address is the longest prefix of the current
    path is active (/diary/report/ lights «Табель», not «Дневник» as well)."""
    items: list[dict[str, Any]] = []
    fold_family = bool(getattr(viewer, "is_staff_member", False))
    for item in sorted(_REGISTRY, key=lambda i: i.order):
        if not item.visible(viewer):
            continue
        url = address_of(item.url_name)
        if url is None:
            continue
        items.append(
            {
                "label": item.label,
                "url": url,
                "icon": item.icon,
                "menu": FAMILY_MENU if item.family and fold_family else item.menu,
                "menu_icon": "people" if item.family and fold_family else item.menu_icon,
                "active": False,
            }
        )
    matching = [
        i
        for i in items
        if request.path == i["url"] or (i["url"] != "/" and request.path.startswith(i["url"]))
    ]
    if matching:
        max(matching, key=lambda i: len(i["url"]))["active"] = True
    return _fold_menus(items)


def _fold_menus(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A menu with a single visible entry stays a plain link; two or more become a drop-down
    placed where its first entry was."""
    sizes: dict[str, int] = {}
    for i in items:
        if i["menu"] is not None:
            sizes[str(i["menu"])] = sizes.get(str(i["menu"]), 0) + 1
    result: list[dict[str, Any]] = []
    menus: dict[str, dict[str, Any]] = {}
    for i in items:
        key = str(i["menu"]) if i["menu"] is not None else None
        if key is None or sizes[key] < 2:
            result.append(i)
        elif key in menus:
            menus[key]["children"].append(i)
            menus[key]["active"] |= i["active"]
        else:
            menus[key] = {
                "label": i["menu"],
                "icon": i["menu_icon"],
                "children": [i],
                "active": i["active"],
                "id": f"menu-{len(menus) + 1}",
            }
            result.append(menus[key])
    return result


@dataclass(frozen=True)
class Badge:
    """An icon in the top bar with a counter (unread messages, notifications, announcements).

    ``count`` gets the viewer and returns the queryset of what waits (or a number). The
    querysets of all badges are counted together in ONE query, because the top bar is on every
    signed-in page: each new counter must not add a query to every page. Zero shows the icon
    without a counter."""

    key: str
    label: str | Promise
    url_name: str
    icon: str
    count: Callable[[Any], QuerySet[Any] | int]
    visible: Callable[[Any], bool]
    order: int = 100


_BADGES: list[Badge] = []


def register_badge(badge: Badge) -> None:
    if all(existing.key != badge.key for existing in _BADGES):
        _BADGES.append(badge)


def count_together(querysets: dict[str, QuerySet[Any]]) -> dict[str, int]:
    """``{key: queryset.count()}`` in one ``SELECT (SELECT COUNT(*) …), (…)`` round trip."""
    return _run_counts(_counts_sql(querysets), list(querysets))


def _counts_sql(querysets: dict[str, QuerySet[Any]]) -> tuple[str, list[Any], list[str]]:
    parts: list[str] = []
    params: list[Any] = []
    keys: list[str] = []
    for key, queryset in querysets.items():
        try:
            sql, more = queryset.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # .none(): nothing to count
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) badge_{len(parts)})")
        params.extend(more)
        keys.append(key)
    return ("SELECT " + ", ".join(parts) if parts else ""), params, keys


def _run_counts(built: tuple[str, list[Any], list[str]], all_keys: list[str]) -> dict[str, int]:
    sql, params, keys = built
    counts = {key: 0 for key in all_keys}
    if sql:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        counts.update({key: int(value or 0) for key, value in zip(keys, row, strict=True)})
    return counts


# The counters' SQL per person (issue 14): building three apps' querysets and compiling them
# was a quarter of a diary week's time. What they select depends only on who the person is
# (roles, children, classes: the Viewer, whose cached state carries a tag that every change to
# it replaces) and on the day; the counts themselves are read fresh on every page.
_COUNTS_SQL: OrderedDict[tuple[Any, ...], tuple[tuple[str, list[Any], list[str]], list[str]]] = (
    OrderedDict()
)
_COUNTS_SQL_MAX = 2048


def _counts_key(viewer: Any, keys: list[str]) -> tuple[Any, ...] | None:
    person = getattr(viewer, "person", None)
    tag = getattr(person, "tag", None)
    user_id = getattr(getattr(viewer, "user", None), "pk", None)
    if not tag or not user_id:
        return None
    from .clock import today

    return (user_id, tuple(tag), today(), tuple(keys))


def badges_for(viewer: Any) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    shown: list[Badge] = []
    for badge in sorted(_BADGES, key=lambda b: b.order):
        if not badge.visible(viewer):
            continue
        url = address_of(badge.url_name)
        if url is None:
            continue
        shown.append(badge)
        result.append(
            {"key": badge.key, "label": badge.label, "url": url, "icon": badge.icon, "count": 0}
        )
    memo_key = _counts_key(viewer, [b.key for b in shown])
    remembered = _COUNTS_SQL.get(memo_key) if memo_key is not None else None
    if remembered is not None:
        built, counted_keys = remembered
        counts = _run_counts(built, counted_keys)
        for badge, item in zip(shown, result, strict=True):
            if badge.key not in counts:
                item["count"] = badge.count(viewer)
            else:
                item["count"] = counts[badge.key]
        return result
    pending: dict[str, QuerySet[Any]] = {}
    for badge, item in zip(shown, result, strict=True):
        counted = badge.count(viewer)
        if isinstance(counted, QuerySet):
            pending[badge.key] = counted
        else:
            item["count"] = counted
    if pending:
        built = _counts_sql(pending)
        counts = _run_counts(built, list(pending))
        if memo_key is not None:
            _COUNTS_SQL[memo_key] = (built, list(pending))
            while len(_COUNTS_SQL) > _COUNTS_SQL_MAX:
                _COUNTS_SQL.popitem(last=False)
        for item in result:
            if item["key"] in counts:
                item["count"] = counts[item["key"]]
    return result
