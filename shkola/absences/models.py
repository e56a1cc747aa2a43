"""«Записки от родителей» (F3, C6): a parent tells the class teacher that a child will be, or
was, absent; the class teacher (or the school's administration) accepts or rejects it.
An accepted note turns the attendance of the lessons it covers into «у»."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NoteStatus(models.TextChoices):
    PENDING = "pending", _("на рассмотрении")
    ACCEPTED = "accepted", _("принята")
    REJECTED = "rejected", _("отклонена")
    WITHDRAWN = "withdrawn", _("отозвана")


class NoteReason(models.TextChoices):
    ILLNESS = "illness", _("Болезнь")
    DOCTOR = "doctor", _("Приём у врача")
    FAMILY = "family", _("Семейные обстоятельства")
    EVENT = "event", _("Соревнования, олимпиада, конкурс")
    OTHER = "other", _("Другое")


class AbsenceNote(models.Model):
    student = models.ForeignKey(
        "schools.Student", on_delete=models.CASCADE, related_name="absence_notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    date_from = models.DateField(_("с"))
    date_to = models.DateField(_("по"))
    # Empty: every lesson of the days; else only these lessons of ``date_from``.
    lessons = models.ManyToManyField("timetable.Lesson", blank=True, related_name="+")
    reason = models.CharField(_("причина"), max_length=20, choices=NoteReason.choices)
    comment = models.TextField(_("пояснение"), max_length=1000, blank=True)
    status = models.CharField(
        _("состояние"), max_length=10, choices=NoteStatus.choices, default=NoteStatus.PENDING
    )
    reject_reason = models.CharField(_("причина отказа"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The scan (справка): PDF, JPEG or PNG, served only through the permission-checked view.
    file = models.FileField(upload_to="absences/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    file_size = models.PositiveIntegerField(default=0)
    file_content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("записка об отсутствии")
        verbose_name_plural = _("записки об отсутствии")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["student", "status"]),
            models.Index(fields=["status", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.student_id}: {self.date_from}–{self.date_to}"
