"""A secret calendar link of one student, made by the student or a parent (X6)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# What a link may carry; each is a switch on the link.
CALENDARS = ("timetable", "tests", "holidays", "events")


class CalendarFeed(models.Model):
    """Only the SHA-256 of the token is stored: the link is shown once, when it is made, and a
    copy of the database does not open anyone's calendar. Revoked links stay, for the log."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    student = models.ForeignKey(
        "schools.Student", on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    # The last characters of the token, so the person can tell their links apart.
    token_tail = models.CharField(max_length=8)
    timetable = models.BooleanField(_("расписание"), default=True)
    tests = models.BooleanField(_("контрольные работы"), default=True)
    holidays = models.BooleanField(_("каникулы"), default=True)
    events = models.BooleanField(_("события школы"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ссылка на календарь")
        verbose_name_plural = _("ссылки на календарь")
        indexes = [models.Index(fields=["owner", "revoked_at"])]

    def __str__(self) -> str:
        return f"…{self.token_tail}"

    @property
    def calendars(self) -> list[str]:
        return [name for name in CALENDARS if getattr(self, name)]
