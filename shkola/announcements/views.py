"""Announcement pages: parse → authorise (rules) → one service/selector → render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shkola.accounts.selectors import viewer_from_request
from shkola.core import clock
from shkola.core.confirm import confirm_delete
from shkola.core.once import submit_once

from . import selectors, services
from .forms import AnnouncementForm
from .models import Announcement

DEFAULT_DAYS_SHOWN = 14


def _user(request: HttpRequest) -> Any:
    """The signed-in user sharing the request's Viewer with the rules."""
    user = request.user
    if getattr(user, "is_authenticated", False) and not hasattr(user, "_shkola_viewer"):
        user._shkola_viewer = viewer_from_request(request)  # type: ignore[union-attr]
    return user


def _apply_errors(form: AnnouncementForm, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        target = field if field in form.fields else None
        for error in errors:
            form.add_error(target, error)


def announcement_list(request: HttpRequest) -> HttpResponse:
    viewer = viewer_from_request(request)
    return render(
        request,
        "announcements/list.html",
        {
            "announcements": selectors.announcements_for_reader(viewer),
            "can_post": _user(request).has_perm("announcements.post"),
        },
    )


def detail(request: HttpRequest, announcement_id: int) -> HttpResponse:
    viewer = viewer_from_request(request)
    announcement = selectors.announcement_for(viewer, announcement_id)
    if selectors.is_reader(viewer, announcement):
        services.announcement_read_mark(announcement=announcement, user=request.user)
    today = clock.today()
    return render(
        request,
        "announcements/detail.html",
        {
            "announcement": announcement,
            "can_change": _user(request).has_perm("announcements.change", announcement),
            "is_shown": announcement.valid_from <= today <= announcement.valid_to,
        },
    )


def mine(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    viewer = viewer_from_request(request)
    announcements = selectors.managed_announcements(viewer)
    if not user.has_perm("announcements.post") and not announcements:
        raise Http404
    today = clock.today()
    return render(
        request,
        "announcements/mine.html",
        {
            "announcements": announcements,
            "today": today,
            "can_post": user.has_perm("announcements.post"),
            "is_admin": bool(viewer.admin_org_ids),
        },
    )


def _form_page(
    request: HttpRequest, form: AnnouncementForm, announcement: Announcement | None
) -> HttpResponse:
    return render(
        request,
        "announcements/form.html",
        {"form": form, "announcement": announcement},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    if not _user(request).has_perm("announcements.post"):
        raise Http404
    viewer = viewer_from_request(request)
    choices = selectors.author_choices(viewer)
    today = clock.today()
    initial: dict[str, Any] = {
        "valid_from": today,
        "valid_to": today + dt.timedelta(days=DEFAULT_DAYS_SHOWN),
        "audience": "everyone" if choices["is_admin"] else "families",
    }
    if not choices["is_admin"] and len(choices["class_units"]) == 1:
        initial["class_units"] = [choices["class_units"][0].id]
    form = AnnouncementForm(
        request.POST or None, request.FILES or None, choices=choices, initial=initial
    )
    if request.method == "POST":
        with submit_once(request, fallback=reverse("announcements:mine")) as once:
            if once.duplicate:
                return once.duplicate
            if form.is_valid():
                try:
                    announcement = services.announcement_publish(
                        author=request.user, **form.service_kwargs()
                    )
                except ValidationError as exc:
                    _apply_errors(form, exc)
                else:
                    messages.success(request, _("Объявление опубликовано."))
                    return once.done(reverse("announcements:detail", args=[announcement.id]))
    return _form_page(request, form, None)


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, announcement_id: int) -> HttpResponse:
    viewer = viewer_from_request(request)
    announcement = selectors.announcement_to_manage(viewer, announcement_id)
    if not _user(request).has_perm("announcements.change", announcement):
        raise Http404
    files = list(announcement.files.all())
    initial = {
        "title": announcement.title,
        "body": announcement.body,
        "audience": announcement.audience,
        "scope": announcement.scope,
        "parallels": [p.id for p in announcement.parallels.all()],
        "class_units": [c.id for c in announcement.class_units.all()],
        "valid_from": announcement.valid_from,
        "valid_to": announcement.valid_to,
        "pinned": announcement.pinned,
    }
    form = AnnouncementForm(
        request.POST or None,
        request.FILES or None,
        choices=selectors.author_choices(viewer),
        existing_files=files,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.announcement_update(
                announcement=announcement,
                by=request.user,
                remove_file_ids=form.cleaned_data.get("remove_files") or [],
                **form.service_kwargs(),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Объявление сохранено."))
            return redirect("announcements:detail", announcement_id=announcement.id)
    return _form_page(request, form, announcement)


@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, announcement_id: int) -> HttpResponse:
    viewer = viewer_from_request(request)
    announcement = selectors.announcement_to_manage(viewer, announcement_id)
    if not _user(request).has_perm("announcements.change", announcement):
        raise Http404
    if request.method != "POST":
        return confirm_delete(
            request,
            what=_("объявление «%(t)s»") % {"t": announcement.title},
            cancel_url=reverse("announcements:detail", args=[announcement.id]),
        )
    services.announcement_delete(announcement=announcement)
    messages.success(request, _("Объявление удалено."))
    return redirect("announcements:mine")


def file_view(request: HttpRequest, file_id: int) -> HttpResponseBase:
    record = selectors.file_for(viewer_from_request(request), file_id)
    response = FileResponse(
        record.file.open("rb"),
        content_type=record.content_type,
        as_attachment=request.GET.get("download") == "1",
        filename=record.name,
    )
    # Attachments are uploads: never let one run as a page of the site.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    response["Cache-Control"] = "private, max-age=300"
    return response
