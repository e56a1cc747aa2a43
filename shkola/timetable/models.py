"""Rooms, bells, the weekly timetable and the dated lessons generated from it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Weekday(models.IntegerChoices):
    MONDAY = 1, _("Понедельник")
    TUESDAY = 2, _("Вторник")
    WEDNESDAY = 3, _("Среда")
    THURSDAY = 4, _("Четверг")
    FRIDAY = 5, _("Пятница")
    SATURDAY = 6, _("Суббота")


class Room(models.Model):
    organisation = models.ForeignKey(
        "schools.Organisation", on_delete=models.CASCADE, related_name="rooms"
    )
    name = models.CharField(_("кабинет"), max_length=50)

    class Meta:
        verbose_name = _("кабинет")
        verbose_name_plural = _("кабинеты")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="room_unique")]

    def __str__(self) -> str:
        return self.name


class BellSlot(models.Model):
    """Bell schedule: lesson number → start and end time."""

    organisation = models.ForeignKey(
        "schools.Organisation", on_delete=models.CASCADE, related_name="bells"
    )
    number = models.PositiveSmallIntegerField(_("урок №"))
    start = models.TimeField(_("начало"))
    end = models.TimeField(_("окончание"))

    class Meta:
        verbose_name = _("звонок")
        verbose_name_plural = _("расписание звонков")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="bell_unique"),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")),
                name="bell_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.start:%H:%M}–{self.end:%H:%M}"


class TimetableEntry(models.Model):
    """One weekly slot. ``group`` is set when only a subgroup (or an extra-education group)
    attends; otherwise the whole class does."""

    academic_year = models.ForeignKey(
        "schools.AcademicYear",
        on_delete=models.CASCADE,
        related_name="timetable_entries",
    )
    class_unit = models.ForeignKey(
        "schools.ClassUnit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="timetable_entries",
    )
    group = models.ForeignKey(
        "schools.StudyGroup",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="timetable_entries",
    )
    weekday = models.PositiveSmallIntegerField(_("день недели"), choices=Weekday.choices)
    lesson_number = models.PositiveSmallIntegerField(_("урок №"))
    subject = models.ForeignKey("schools.Subject", on_delete=models.PROTECT, related_name="+")
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="timetable_entries",
    )
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("урок расписания")
        verbose_name_plural = _("расписание")
        ordering = ["weekday", "lesson_number"]
        indexes = [
            models.Index(fields=["academic_year", "teacher", "weekday", "lesson_number"]),
            models.Index(fields=["academic_year", "class_unit", "weekday", "lesson_number"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(class_unit__isnull=False) | models.Q(group__isnull=False),
                name="timetable_entry_has_class_or_group",
            ),
        ]


class Lesson(models.Model):
    """A dated lesson: a column of the journal. Generated from the timetable; a lesson
    that already has marks or attendance is never deleted by regeneration."""

    academic_year = models.ForeignKey(
        "schools.AcademicYear", on_delete=models.CASCADE, related_name="lessons"
    )
    period = models.ForeignKey(
        "schools.AttestationPeriod",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lessons",
    )
    timetable_entry = models.ForeignKey(
        TimetableEntry,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lessons",
    )
    class_unit = models.ForeignKey(
        "schools.ClassUnit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="lessons",
    )
    group = models.ForeignKey(
        "schools.StudyGroup",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="lessons",
    )
    subject = models.ForeignKey("schools.Subject", on_delete=models.PROTECT, related_name="+")
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="lessons"
    )
    room = models.ForeignKey(
        Room, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    date = models.DateField(_("дата"))
    lesson_number = models.PositiveSmallIntegerField(_("урок №"))
    topic = models.CharField(_("тема урока"), max_length=500, blank=True)
    control_form = models.ForeignKey(
        "schools.ControlForm",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("форма контроля"),
    )
    is_cancelled = models.BooleanField(
        _("снят с расписания"),
        default=False,
        help_text=_("Урок убран из расписания, но на нём уже есть отметки."),
    )
    topic_set_at = models.DateTimeField(null=True, blank=True)
    # A substitution (замена) for this one day: ``teacher``, ``subject`` and ``room`` hold what
    # is given, the ``replaced_*`` fields what the timetable had, so the lesson is counted for
    # the teacher who gave it and the substitution can be undone.
    # db_default: the demo builder inserts lessons with raw SQL listing its own columns.
    is_substitution = models.BooleanField(_("замена"), default=False, db_default=False)
    replaced_teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("заменяемый учитель"),
    )
    replaced_subject = models.ForeignKey(
        "schools.Subject", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    replaced_room = models.ForeignKey(
        Room, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("урок")
        verbose_name_plural = _("уроки")
        ordering = ["date", "lesson_number"]
        indexes = [
            models.Index(fields=["class_unit", "subject", "date"]),
            models.Index(fields=["group", "date"]),
            models.Index(fields=["teacher", "date"]),
            models.Index(fields=["class_unit", "date"]),
        ]
