"""Messages between the school and the family (F1).

A message is written once; each recipient gets their own copy (``Delivery``), so a group
send to the parents of a class never shows one parent to another, and each copy keeps its
own folder and reading time. A draft is a message not sent yet (no copies)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sent_messages",
        verbose_name=_("отправитель"),
    )
    subject = models.CharField(_("тема"), max_length=200)
    body = models.TextField(_("текст"), blank=True)
    created_at = models.DateTimeField(_("создано"))
    # None while the message is a draft.
    sent_at = models.DateTimeField(_("отправлено"), null=True, blank=True)
    # The message this one answers, and the first message of the conversation.
    reply_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replies"
    )
    thread = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="thread_messages"
    )
    # What the sender sees in «Отправленные» («Все родители 7А», a name…); recipients never do.
    recipients_label = models.CharField(_("кому"), max_length=300, blank=True)
    # A draft keeps the chosen recipients (the compose form's values) until it is sent.
    draft_targets = models.JSONField(default=list, blank=True)
    recipient_count = models.PositiveIntegerField(default=0)
    has_attachments = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("сообщение")
        verbose_name_plural = _("сообщения")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["sender", "sent_at"]),
        ]

    def __str__(self) -> str:
        return self.subject


class Folder(models.TextChoices):
    INBOX = "inbox", _("Входящие")
    TRASH = "trash", _("Корзина")


class Delivery(models.Model):
    """One recipient's copy of a message."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="message_deliveries",
        verbose_name=_("получатель"),
    )
    folder = models.CharField(max_length=10, choices=Folder.choices, default=Folder.INBOX)
    read_at = models.DateTimeField(_("прочитано"), null=True, blank=True)

    class Meta:
        verbose_name = _("копия сообщения")
        verbose_name_plural = _("копии сообщений")
        constraints = [
            models.UniqueConstraint(fields=["message", "recipient"], name="delivery_unique"),
        ]
        indexes = [
            models.Index(fields=["recipient", "folder", "read_at"]),
        ]


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="messages/%Y/%m/")
    name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)

    class Meta:
        verbose_name = _("вложение")
        verbose_name_plural = _("вложения")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
