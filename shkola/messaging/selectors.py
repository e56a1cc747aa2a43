"""Reads of the messaging app. Every list is a page of fixed size loaded with its relations:
the number of queries does not grow with the mailbox."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from .models import Attachment, Delivery, Folder, Message

PAGE_SIZE = 20
READERS_SHOWN = 200
HOME_LATEST = 5
SEARCH_MAX = 100


def _search(q: str, prefix: str = "") -> Q:
    q = (q or "").strip()[:SEARCH_MAX]
    if not q:
        return Q()
    cond = Q()
    for word in q.split()[:5]:
        cond &= (
            Q(**{f"{prefix}subject__icontains": word})
            | Q(**{f"{prefix}body__icontains": word})
            | Q(**{f"{prefix}sender__last_name__icontains": word})
            | Q(**{f"{prefix}sender__first_name__icontains": word})
        )
    return cond


def _page(items: QuerySet[Any], page: Any) -> Page[Any]:
    return Paginator(items, PAGE_SIZE).get_page(page)


def folder_page(user: Any, *, folder: str, q: str = "", page: Any = 1) -> Page[Delivery]:
    """«Входящие» or «Корзина»: the user's copies, newest first, searched by text and sender."""
    items = (
        Delivery.objects.filter(recipient=user, folder=folder)
        .filter(_search(q, "message__"))
        .select_related("message__sender")
        .order_by("-message__sent_at", "-id")
    )
    return _page(items, page)


def sent_page(user: Any, *, q: str = "", page: Any = 1) -> Page[Message]:
    items = (
        Message.objects.filter(sender=user, sent_at__isnull=False)
        .filter(_search(q))
        .annotate(read_count=Count("deliveries", filter=Q(deliveries__read_at__isnull=False)))
        .order_by("-sent_at", "-id")
    )
    return _page(items, page)


def drafts_page(user: Any, *, page: Any = 1) -> Page[Message]:
    items = Message.objects.filter(sender=user, sent_at__isnull=True).order_by("-created_at")
    return _page(items, page)


def unread_deliveries(user: Any) -> QuerySet[Delivery]:
    """What the top bar's counter counts (with the other counters, in one query)."""
    return Delivery.objects.filter(recipient=user, folder=Folder.INBOX, read_at__isnull=True)


def unread_count(user: Any) -> int:
    return unread_deliveries(user).count()


def draft_for(user: Any, draft_id: int) -> Message:
    draft = (
        Message.objects.filter(pk=draft_id, sender=user, sent_at__isnull=True)
        .prefetch_related("attachments")
        .first()
    )
    if draft is None:
        raise Http404
    return draft


def message_for(user: Any, message_id: int) -> Message:
    """A sent message the user wrote or received a copy of; anyone else's is a 404."""
    message = (
        Message.objects.filter(pk=message_id, sent_at__isnull=False)
        .filter(Q(sender=user) | Q(deliveries__recipient=user))
        .select_related("sender")
        .first()
    )
    if message is None:
        raise Http404
    return message


@dataclass
class Conversation:
    message: Message
    thread: list[Message]
    own_copy: Delivery | None
    readers: list[Delivery]
    readers_total: int
    unread_total: int


def conversation_for(user: Any, message_id: int) -> Conversation:
    """The message and the messages of its conversation the user wrote or received (a parent
    never sees another parent's reply to a class's group message)."""
    message = message_for(user, message_id)
    root_id = message.thread_id or message.pk
    thread = list(
        Message.objects.filter(Q(pk=root_id) | Q(thread_id=root_id), sent_at__isnull=False)
        .filter(Q(sender=user) | Q(deliveries__recipient=user))
        .select_related("sender")
        .prefetch_related("attachments")
        .distinct()
        .order_by("sent_at", "id")
    )
    own_copy = Delivery.objects.filter(message=message, recipient=user).first()
    readers: list[Delivery] = []
    readers_total = unread_total = 0
    if message.sender_id == user.pk:
        copies = Delivery.objects.filter(message=message)
        counts = copies.aggregate(
            read=Count("id", filter=Q(read_at__isnull=False)),
            unread=Count("id", filter=Q(read_at__isnull=True)),
        )
        readers_total, unread_total = counts["read"], counts["unread"]
        readers = list(
            copies.filter(read_at__isnull=False)
            .select_related("recipient")
            .order_by("read_at")[:READERS_SHOWN]
        )
    return Conversation(message, thread, own_copy, readers, readers_total, unread_total)


def attachment_for(user: Any, attachment_id: int) -> Attachment:
    """Only the sender and the people who got a copy may download; anyone else gets 404."""
    attachment = (
        Attachment.objects.filter(pk=attachment_id)
        .filter(Q(message__sender=user) | Q(message__deliveries__recipient=user))
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment


@dataclass
class HomeMessages:
    unread: int
    latest: list[Delivery]


def home_messages(user: Any) -> HomeMessages:
    latest = list(
        Delivery.objects.filter(recipient=user, folder=Folder.INBOX, read_at__isnull=True)
        .select_related("message__sender")
        .order_by("-message__sent_at", "-id")[:HOME_LATEST]
    )
    count = len(latest) if len(latest) < HOME_LATEST else unread_count(user)
    return HomeMessages(unread=count, latest=latest)


def person(user_id: int | None) -> Any:
    """The account a reply goes to (its name on the reply form)."""
    if user_id is None:
        return None
    from shkola.accounts.models import User

    return User.objects.filter(pk=user_id).first()
