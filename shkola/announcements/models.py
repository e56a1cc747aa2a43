"""Announcements («объявления») of a school to its families and staff (F4)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Всем (семьи и сотрудники)")
    FAMILIES = "families", _("Обучающимся и родителям")
    STUDENTS = "students", _("Только обучающимся")
    PARENTS = "parents", _("Только родителям")
    STAFF = "staff", _("Сотрудникам школы")


# Who of a family reads an announcement of each audience.
STUDENT_AUDIENCES = (Audience.EVERYONE, Audience.FAMILIES, Audience.STUDENTS)
PARENT_AUDIENCES = (Audience.EVERYONE, Audience.FAMILIES, Audience.PARENTS)
STAFF_AUDIENCES = (Audience.EVERYONE, Audience.STAFF)
FAMILY_AUDIENCES = (Audience.FAMILIES, Audience.STUDENTS, Audience.PARENTS)


class Scope(models.TextChoices):
    SCHOOL = "school", _("Вся школа")
    PARALLELS = "parallels", _("Выбранные параллели")
    CLASSES = "classes", _("Выбранные классы")


class Announcement(models.Model):
    organisation = models.ForeignKey(
        "schools.Organisation", on_delete=models.CASCADE, related_name="announcements"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="announcements"
    )
    title = models.CharField(_("заголовок"), max_length=200)
    body = models.TextField(_("текст"))
    audience = models.CharField(_("кому"), max_length=10, choices=Audience.choices)
    scope = models.CharField(_("охват"), max_length=10, choices=Scope.choices, default=Scope.SCHOOL)
    parallels = models.ManyToManyField(
        "schools.Parallel", blank=True, related_name="+", verbose_name=_("параллели")
    )
    class_units = models.ManyToManyField(
        "schools.ClassUnit", blank=True, related_name="+", verbose_name=_("классы")
    )
    valid_from = models.DateField(_("показывать с"))
    valid_to = models.DateField(_("показывать по"))
    pinned = models.BooleanField(_("закрепить"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("объявление")
        verbose_name_plural = _("объявления")
        ordering = ["-pinned", "-valid_from", "-id"]
        indexes = [models.Index(fields=["organisation", "valid_to", "valid_from"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__gte=models.F("valid_from")),
                name="announcement_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.title


class AnnouncementFile(models.Model):
    """An attachment, served only through the permission-checked view."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="announcements/%Y/%m/")
    name = models.CharField(_("имя файла"), max_length=255)
    size = models.PositiveIntegerField(default=0)
    content_type = models.CharField(max_length=100)
    is_image = models.BooleanField(default=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("файл объявления")
        verbose_name_plural = _("файлы объявлений")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class AnnouncementRead(models.Model):
    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField()

    class Meta:
        verbose_name = _("прочтение объявления")
        verbose_name_plural = _("прочтения объявлений")
        constraints = [
            models.UniqueConstraint(fields=["announcement", "user"], name="announcement_read_once")
        ]
        indexes = [models.Index(fields=["user", "announcement"])]
