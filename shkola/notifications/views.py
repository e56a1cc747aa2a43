"""Pages of notifications: the list, opening one, the settings tab of the profile and the
unsubscribe link of the digest (which works without signing in)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shkola.accounts.selectors import viewer_from_request

from . import selectors, services
from .forms import NotificationSettingsForm
from .models import NotificationKind


def notification_list(request: HttpRequest) -> HttpResponse:
    page = selectors.notifications_page(request.user, request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {"page": page, "unread": selectors.unread_count(request.user)},
    )


def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = selectors.notification_of(request.user, notification_id)
    target = services.notification_open(notification=notification)
    return redirect(target or "notifications:list")


@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_read_all(user=request.user)  # type: ignore[arg-type]
    if count:
        messages.success(request, _("Все уведомления отмечены прочитанными."))
    return redirect("notifications:list")


def notification_settings(request: HttpRequest) -> HttpResponse:
    viewer = viewer_from_request(request)
    current = services.settings_of(request.user)  # type: ignore[arg-type]
    initial: dict[str, object] = {"digest_hour": current.digest_hour}
    initial.update({kind: current.delivery_of(kind) for kind in NotificationKind.values})
    form = NotificationSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.notification_settings_save(
                user=request.user,  # type: ignore[arg-type]
                delivery={kind: data[kind] for kind in NotificationKind.values},
                digest_hour=data["digest_hour"],
            )
        except ValidationError as error:
            for name, errs in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errs)
        else:
            messages.success(request, _("Настройки уведомлений сохранены."))
            return redirect("notifications:settings")
    user = request.user
    return render(
        request,
        "notifications/settings.html",
        {
            "form": form,
            "viewer": viewer,
            "tab": "notifications",
            "show_children_tab": not viewer.is_student,
            "mail_ok": bool(user.email and user.email_confirmed),  # type: ignore[union-attr]
        },
    )


@login_not_required
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks, POST switches the digest off: a mail scanner that opens links changes nothing."""
    person = services.user_of_unsubscribe_token(token)
    if person is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=404)
    done = False
    if request.method == "POST":
        services.digest_unsubscribe(user=person)
        done = True
    return render(request, "notifications/unsubscribe.html", {"person": person, "done": done})
