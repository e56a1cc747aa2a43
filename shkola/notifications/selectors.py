"""Reads of notifications."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404

from .models import Notification

PAGE_SIZE = 25


def unread(user: Any) -> QuerySet[Notification]:
    """What the bell counts (with the other counters, in one query)."""
    if not getattr(user, "pk", None):
        return Notification.objects.none()
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True)


def unread_count(user: Any) -> int:
    """The bell's counter: one query on the partial index of unread rows."""
    if not getattr(user, "pk", None):
        return 0
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).count()


def notifications_page(user: Any, page: str | None) -> Page:
    """Newest first; a page number that is not one gives the nearest page (never an error)."""
    rows = Notification.objects.filter(user_id=user.pk).only(
        "id", "kind", "title", "text", "url", "created_at", "read_at"
    )
    return Paginator(rows, PAGE_SIZE).get_page(page)


def notification_of(user: Any, notification_id: int) -> Notification:
    """Someone else's notification is a 404, like one that never existed."""
    found = Notification.objects.filter(pk=notification_id, user_id=user.pk).first()
    if found is None:
        raise Http404
    return found
