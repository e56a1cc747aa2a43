"""The teacher's side of the register: marks, attendance, homework, period and final marks,
remarks, and the history of every mark change."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Values a teacher can type into a cell. Numeric ones enter the weighted average.
FIVE_POINT = ("5", "4", "3", "2", "1")
PASS_FAIL = ("зач", "незач")


class MarkValue(models.TextChoices):
    FIVE = "5", "5"
    FOUR = "4", "4"
    THREE = "3", "3"
    TWO = "2", "2"
    ONE = "1", "1"
    PASS = "зач", _("зачёт")
    FAIL = "незач", _("незачёт")


class JournalKind(models.TextChoices):
    MAIN = "main", _("Основной журнал")
    HOMEWORK = "homework", _("Журнал домашних заданий")


class Mark(models.Model):
    """A mark for a lesson. Several per student and lesson are allowed."""

    student = models.ForeignKey("schools.Student", on_delete=models.CASCADE, related_name="marks")
    lesson = models.ForeignKey("timetable.Lesson", on_delete=models.PROTECT, related_name="marks")
    journal = models.CharField(max_length=10, choices=JournalKind.choices, default=JournalKind.MAIN)
    value = models.CharField(_("отметка"), max_length=5, choices=MarkValue.choices)
    # 1..5 for the five-point scale, NULL for pass/fail: what the averages read.
    points = models.PositiveSmallIntegerField(null=True, blank=True)
    control_form = models.ForeignKey(
        "schools.ControlForm",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("форма контроля"),
    )
    weight = models.PositiveSmallIntegerField(_("вес"), default=1)
    comment = models.CharField(_("комментарий"), max_length=500, blank=True)
    work_name = models.CharField(_("название работы"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("отметка")
        verbose_name_plural = _("отметки")
        ordering = ["lesson__date", "lesson__lesson_number", "id"]
        indexes = [
            models.Index(fields=["student", "lesson"]),
            models.Index(fields=["lesson", "student"]),
        ]


class AttendanceKind(models.TextChoices):
    ABSENT = "н", _("отсутствовал")
    ILL = "б", _("болел")
    EXCUSED = "у", _("уважительная причина")
    LATE = "оп", _("опоздал")


class Attendance(models.Model):
    student = models.ForeignKey(
        "schools.Student", on_delete=models.CASCADE, related_name="attendance"
    )
    lesson = models.ForeignKey(
        "timetable.Lesson", on_delete=models.PROTECT, related_name="attendance"
    )
    kind = models.CharField(_("посещаемость"), max_length=2, choices=AttendanceKind.choices)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("посещаемость")
        verbose_name_plural = _("посещаемость")
        constraints = [
            models.UniqueConstraint(fields=["student", "lesson"], name="attendance_unique"),
        ]


class FinalMarkKind(models.TextChoices):
    PERIOD = "period", _("За период")
    YEAR = "year", _("Годовая")
    EXAM = "exam", _("Экзамен")
    FINAL = "final", _("Итоговая")


class FinalMarkValue(models.TextChoices):
    FIVE = "5", "5"
    FOUR = "4", "4"
    THREE = "3", "3"
    TWO = "2", "2"
    PASS = "зач", _("зачёт")
    FAIL = "незач", _("незачёт")
    EXEMPT = "осв", _("освобождён")
    NOT_ATTESTED = "н/а", _("не аттестован")


class FinalMark(models.Model):
    student = models.ForeignKey(
        "schools.Student", on_delete=models.CASCADE, related_name="final_marks"
    )
    subject = models.ForeignKey("schools.Subject", on_delete=models.PROTECT, related_name="+")
    academic_year = models.ForeignKey(
        "schools.AcademicYear", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("вид"), max_length=10, choices=FinalMarkKind.choices)
    period = models.ForeignKey(
        "schools.AttestationPeriod",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    value = models.CharField(_("отметка"), max_length=5, choices=FinalMarkValue.choices)
    version = models.PositiveIntegerField(default=1)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("итоговая отметка")
        verbose_name_plural = _("итоговые отметки")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "subject", "academic_year", "kind", "period"],
                condition=models.Q(period__isnull=False),
                name="final_mark_unique_period",
            ),
            models.UniqueConstraint(
                fields=["student", "subject", "academic_year", "kind"],
                condition=models.Q(period__isnull=True),
                name="final_mark_unique_year",
            ),
        ]


class MarkHistory(models.Model):
    """Who changed which mark when, old → new. Kept after the mark is deleted."""

    class Action(models.TextChoices):
        CREATE = "create", _("выставлена")
        CHANGE = "change", _("изменена")
        DELETE = "delete", _("удалена")

    student = models.ForeignKey("schools.Student", on_delete=models.CASCADE, related_name="+")
    lesson = models.ForeignKey(
        "timetable.Lesson", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    mark_id_ref = models.BigIntegerField(null=True, blank=True)
    final_mark = models.ForeignKey(
        FinalMark, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # mark, attendance, final; comment and work_name: the note on a mark (``mark_note_set``)
    what = models.CharField(max_length=20, default="mark")
    # A final mark's cell, kept so its history survives the mark being cleared.
    subject = models.ForeignKey(
        "schools.Subject", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    period = models.ForeignKey(
        "schools.AttestationPeriod",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    final_kind = models.CharField(max_length=10, blank=True)
    journal = models.CharField(max_length=10, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    # Wide enough for a mark's comment (500) and work name (300), kept old → new too.
    old_value = models.CharField(max_length=500, blank=True)
    new_value = models.CharField(max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("изменение отметки")
        verbose_name_plural = _("история отметок")
        ordering = ["-changed_at", "-id"]
        indexes = [
            models.Index(fields=["student", "lesson"]),
            models.Index(fields=["student", "subject", "final_kind"]),
        ]


class Homework(models.Model):
    lesson = models.ForeignKey(
        "timetable.Lesson", on_delete=models.CASCADE, related_name="homework"
    )
    student = models.ForeignKey(
        "schools.Student",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Пусто — задание всему классу."),
    )
    text = models.TextField(_("домашнее задание"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("домашнее задание")
        verbose_name_plural = _("домашние задания")
        ordering = ["lesson__date", "id"]


class HomeworkFile(models.Model):
    homework = models.ForeignKey(Homework, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="homework/%Y/%m/")
    name = models.CharField(max_length=255)
    size = models.PositiveIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)


class Remark(models.Model):
    """«Замечания» are shown to parents only; «Комментарии» to the student and parents."""

    class Kind(models.TextChoices):
        REMARK = "remark", _("Замечание")
        COMMENT = "comment", _("Комментарий")

    student = models.ForeignKey("schools.Student", on_delete=models.CASCADE, related_name="remarks")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    subject = models.ForeignKey(
        "schools.Subject", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.TextField(_("текст"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("замечание или комментарий")
        verbose_name_plural = _("замечания и комментарии")
        ordering = ["-created_at"]
