"""Pages of the messaging app: parse, authorise, one service or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shkola.accounts.selectors import viewer_from_request
from shkola.core.confirm import confirm_delete

from . import selectors, services
from .forms import ComposeForm, ReplyForm
from .models import Folder, Message
from .rules import can_use_messages, recipients_for


def _user(request: HttpRequest) -> Any:
    """The signed-in user who may use messages (with the request's Viewer shared with the
    rules); anyone else gets a 404."""
    user = request.user
    viewer = viewer_from_request(request)
    if not can_use_messages(viewer):
        raise Http404
    if not hasattr(user, "_shkola_viewer"):
        user._shkola_viewer = viewer  # type: ignore[union-attr]
    return user


def _apply_errors(form: Any, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _folder(request: HttpRequest, folder: str, template_title: str) -> HttpResponse:
    user = _user(request)
    q = request.GET.get("q", "")[:100]
    page = selectors.folder_page(user, folder=folder, q=q, page=request.GET.get("page"))
    return render(
        request,
        "messaging/folder.html",
        {"page": page, "q": q, "folder": folder, "title": template_title, "tab": folder},
    )


def inbox(request: HttpRequest) -> HttpResponse:
    return _folder(request, Folder.INBOX, _("Входящие"))


def trash(request: HttpRequest) -> HttpResponse:
    return _folder(request, Folder.TRASH, _("Корзина"))


def sent(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    q = request.GET.get("q", "")[:100]
    page = selectors.sent_page(user, q=q, page=request.GET.get("page"))
    return render(
        request,
        "messaging/sent.html",
        {"page": page, "q": q, "title": _("Отправленные"), "tab": "sent"},
    )


def drafts(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    page = selectors.drafts_page(user, page=request.GET.get("page"))
    return render(
        request, "messaging/drafts.html", {"page": page, "title": _("Черновики"), "tab": "drafts"}
    )


def _signature_body(user: Any) -> str:
    signature = (getattr(user, "signature", "") or "").strip()
    return f"\n\n-- \n{signature}" if signature else ""


def _compose(request: HttpRequest, draft: Message | None) -> HttpResponse:
    user = _user(request)
    to_error = ""
    extra: int | None = None
    initial: dict[str, Any] = {"body": _signature_body(user)}
    raw_to = request.GET.get("to", "")
    if raw_to:
        if raw_to.isdigit() and len(raw_to) <= 12:
            extra = int(raw_to)
        else:
            to_error = _("Адресат указан неверно.")
    groups = recipients_for(user, extra_user_id=extra)
    codes = {code for g in groups for code, _label in g.options}
    if extra is not None:
        if f"u:{extra}" in codes:
            initial["to"] = [f"u:{extra}"]
        else:
            to_error = _("Этому адресату вы не можете написать.")
    if draft is not None:
        initial = {"to": draft.draft_targets, "subject": draft.subject, "body": draft.body}
    if request.method == "POST":
        form = ComposeForm(request.POST, request.FILES, groups=groups)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if "save_draft" in request.POST:
                    saved = services.draft_save(
                        sender=user,
                        targets=data["to"],
                        subject=data["subject"],
                        body=data["body"],
                        attachments=data["attachments"],
                        draft=draft,
                    )
                    flash.success(request, _("Черновик сохранён."))
                    return redirect("messaging:draft_edit", draft_id=saved.pk)
                result = services.message_send(
                    sender=user,
                    targets=data["to"],
                    subject=data["subject"],
                    body=data["body"],
                    attachments=data["attachments"],
                    target_labels=form.labels(),
                    draft=draft,
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                flash.success(
                    request,
                    _("Сообщение отправлено: получателей %(n)s.")
                    % {"n": len(result.recipient_ids)},
                )
                return redirect("messaging:message", message_id=result.message.pk)
    else:
        form = ComposeForm(initial=initial, groups=groups)
    return render(
        request,
        "messaging/compose.html",
        {
            "form": form,
            "to_error": to_error,
            "draft": draft,
            "title": _("Написать сообщение"),
            "tab": "compose",
        },
    )


@require_http_methods(["GET", "POST"])
def compose(request: HttpRequest) -> HttpResponse:
    return _compose(request, None)


@require_http_methods(["GET", "POST"])
def draft_edit(request: HttpRequest, draft_id: int) -> HttpResponse:
    return _compose(request, selectors.draft_for(_user(request), draft_id))


@require_http_methods(["GET", "POST"])
def draft_delete(request: HttpRequest, draft_id: int) -> HttpResponse:
    user = _user(request)
    draft = selectors.draft_for(user, draft_id)
    if request.method != "POST":
        return confirm_delete(
            request,
            what=_("черновик «%(s)s»") % {"s": draft.subject},
            cancel_url=reverse("messaging:draft_edit", args=[draft.pk]),
        )
    services.draft_delete(sender=user, draft=draft)
    flash.success(request, _("Черновик удалён."))
    return redirect("messaging:drafts")


def _conversation_page(
    request: HttpRequest, user: Any, message_id: int, form: ReplyForm | None = None
) -> HttpResponse:
    conversation = selectors.conversation_for(user, message_id)
    unread = [m.pk for m in conversation.thread if m.sender_id != user.pk]
    if unread:
        services.deliveries_mark_read(user=user, message_ids=unread)
    reply_to = services.reply_recipient_id(user=user, message=conversation.message)
    return render(
        request,
        "messaging/message.html",
        {
            "c": conversation,
            "m": conversation.message,
            "can_reply": reply_to is not None,
            "reply_to": selectors.person(reply_to),
            "form": form or ReplyForm(),
            "title": conversation.message.subject,
            "tab": "",
        },
    )


def message(request: HttpRequest, message_id: int) -> HttpResponse:
    return _conversation_page(request, _user(request), message_id)


@require_POST
def reply(request: HttpRequest, message_id: int) -> HttpResponse:
    user = _user(request)
    original = selectors.message_for(user, message_id)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            result = services.message_reply(
                sender=user,
                message=original,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            flash.success(request, _("Ответ отправлен."))
            return redirect("messaging:message", message_id=result.message.pk)
    response = _conversation_page(request, user, message_id, form)
    response.status_code = 400
    return response


@require_POST
def move_to_trash(request: HttpRequest, message_id: int) -> HttpResponse:
    if not services.delivery_trash(user=_user(request), message_id=message_id):
        raise Http404
    flash.success(request, _("Сообщение перемещено в корзину."))
    return redirect("messaging:inbox")


@require_POST
def restore(request: HttpRequest, message_id: int) -> HttpResponse:
    if not services.delivery_restore(user=_user(request), message_id=message_id):
        raise Http404
    flash.success(request, _("Сообщение восстановлено во «Входящие»."))
    return redirect("messaging:trash")


def attachment(request: HttpRequest, attachment_id: int) -> HttpResponseBase:
    record = selectors.attachment_for(_user(request), attachment_id)
    response = FileResponse(
        record.file.open("rb"),
        content_type=record.content_type,
        as_attachment=request.GET.get("download") == "1",
        filename=record.name,
    )
    # Attachments are people's uploads: never let one run as a page of the site.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    response["Cache-Control"] = "private, max-age=300"
    return response
