from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FormSubmission(models.Model):
    """A create form's one-time token, consumed by its first POST (see shkola.core.once).
    The unique key makes a double submit lose the race in the database, not in Python."""

    token = models.CharField(_("токен формы"), max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    result_url = models.CharField(_("адрес результата"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("отправленная форма")
        verbose_name_plural = _("отправленные формы")

    def __str__(self) -> str:
        return self.token


class TaskWorker(models.Model):
    """A running ``manage.py worker``: it writes ``last_seen`` (the database's clock, so the
    hosts' clocks never disagree) every few seconds. A task still RUNNING under a worker not
    seen for ``WORKER_STALE_SECONDS`` is put back in the queue (shkola.core.workers)."""

    worker_id = models.CharField(_("обработчик"), max_length=64, primary_key=True)
    host = models.CharField(_("сервер"), max_length=255)
    pid = models.PositiveIntegerField(_("процесс"))
    started_at = models.DateTimeField(_("запущен"))
    last_seen = models.DateTimeField(_("последний сигнал"), db_index=True)

    class Meta:
        verbose_name = _("обработчик фоновых задач")
        verbose_name_plural = _("обработчики фоновых задач")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}, {self.pid})"
