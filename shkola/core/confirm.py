"""Deleting asks first: a GET to a delete URL shows «Удалить …? Это действие нельзя
отменить.» naming the thing, and only a POST from that page deletes. Works without JS;
the old ``data-confirm`` dialog is a convenience on top, not the guard."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def confirm_delete(
    request: HttpRequest, *, what: str, cancel_url: str, extra: dict[str, str] | None = None
) -> HttpResponse:
    """The confirmation page. ``what`` names the thing («достижение «Конкурс»»), ``extra``
    are hidden fields the POST must carry back."""
    return render(
        request,
        "core/confirm_delete.html",
        {"what": what, "cancel_url": cancel_url, "extra": sorted((extra or {}).items())},
    )
