"""An import of people from a spreadsheet: the checked rows wait here for «Применить», and the
worker reports its progress and result on the same row."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    STUDENTS = "students", _("Обучающиеся")
    PARENTS = "parents", _("Родители (законные представители)")
    STAFF = "staff", _("Сотрудники")
    KTP = "ktp", _("Календарно-тематическое планирование")


class ImportJob(models.Model):
    class Status(models.TextChoices):
        CHECKED = "checked", _("Проверен, ждёт применения")
        REFUSED = "refused", _("Есть ошибки")
        QUEUED = "queued", _("В очереди")
        RUNNING = "running", _("Загружается")
        DONE = "done", _("Загружен")
        FAILED = "failed", _("Не загружен")

    organisation = models.ForeignKey(
        "schools.Organisation", on_delete=models.CASCADE, related_name="import_jobs"
    )
    kind = models.CharField(_("что загружается"), max_length=20, choices=ImportKind.choices)
    file_name = models.CharField(_("файл"), max_length=255)
    # КТП only: the journal (a class and a subject) the plan fills.
    class_unit = models.ForeignKey(
        "schools.ClassUnit", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    subject = models.ForeignKey(
        "schools.Subject", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    # The rows as read from the file, keyed by field (see services.COLUMNS); applied later.
    rows = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0)
    progress = models.PositiveIntegerField(default=0)
    # The dry run: counts and one entry per row (action, name, errors with their columns).
    report = models.JSONField(default=dict)
    result = models.JSONField(default=dict)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("загрузка из файла")
        verbose_name_plural = _("загрузки из файлов")
        ordering = ["-created_at", "-id"]

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, self.progress * 100 // self.total) if self.total else 0
