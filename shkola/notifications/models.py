"""In-app notifications, each person's delivery settings and the outbox of letters."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    MARK = "mark", _("Новая или изменённая отметка")
    REMARK = "remark", _("Замечание")
    HOMEWORK = "homework", _("Домашнее задание на завтра")
    MESSAGE = "message", _("Сообщение")
    ANNOUNCEMENT = "announcement", _("Объявление")
    ABSENCE_NOTE = "absence_note", _("Решение по записке")
    ACHIEVEMENT = "achievement", _("Достижение подтверждено или возвращено")


class Delivery(models.TextChoices):
    OFF = "off", _("выключено")
    EMAIL = "email", _("сразу по e-mail")
    DIGEST = "digest", _("в ежедневной сводке")


# Everyday school life goes into the evening digest; the decision on an absence note is
# awaited by the parent who wrote it and is rare, so it comes at once.
DEFAULT_DELIVERY: dict[str, str] = {
    NotificationKind.MARK: Delivery.DIGEST,
    NotificationKind.REMARK: Delivery.DIGEST,
    NotificationKind.HOMEWORK: Delivery.DIGEST,
    NotificationKind.MESSAGE: Delivery.DIGEST,
    NotificationKind.ANNOUNCEMENT: Delivery.DIGEST,
    NotificationKind.ABSENCE_NOTE: Delivery.EMAIL,
    NotificationKind.ACHIEVEMENT: Delivery.DIGEST,
}
DEFAULT_DIGEST_HOUR = 18


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("вид"), max_length=20, choices=NotificationKind.choices)
    title = models.CharField(_("заголовок"), max_length=300)
    text = models.TextField(_("текст"), blank=True)
    url = models.CharField(_("ссылка"), max_length=500, blank=True)
    student = models.ForeignKey(
        "schools.Student", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("уведомление")
        verbose_name_plural = _("уведомления")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"]),
            models.Index(
                fields=["user"], condition=models.Q(read_at__isnull=True), name="ntf_unread"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class NotificationSettings(models.Model):
    """A person's choice per kind; a person without a row has ``DEFAULT_DELIVERY``."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    delivery = models.JSONField(default=dict)
    digest_hour = models.PositiveSmallIntegerField(_("час сводки"), default=DEFAULT_DIGEST_HOUR)
    # What the next digest counts as new starts here (None: the last 24 hours).
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("настройки уведомлений")
        verbose_name_plural = _("настройки уведомлений")
        indexes = [models.Index(fields=["digest_hour"])]

    def delivery_of(self, kind: str) -> str:
        return str(self.delivery.get(kind) or DEFAULT_DELIVERY[kind])


class LetterKind(models.TextChoices):
    IMMEDIATE = "immediate", _("сразу")
    DIGEST = "digest", _("сводка")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("ждёт отправки")
    SENT = "sent", _("отправлено")
    DROPPED = "dropped", _("не отправлено: нет подтверждённого адреса")


class Outbox(models.Model):
    """One letter. A failed delivery stays pending with ``next_try_at`` and is tried again by
    the ticker, so a letter is never lost; digests are unique per person and day, so a rerun
    of ``send_digests`` never builds a second one."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    letter_kind = models.CharField(max_length=10, choices=LetterKind.choices)
    day = models.DateField()
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_try_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("письмо")
        verbose_name_plural = _("исходящие письма")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "letter_kind", "day"],
                condition=models.Q(letter_kind="digest"),
                name="outbox_one_digest_a_day",
            )
        ]
        indexes = [
            models.Index(
                fields=["next_try_at"],
                condition=models.Q(status="pending"),
                name="outbox_pending",
            )
        ]

    def __str__(self) -> str:
        return self.subject
