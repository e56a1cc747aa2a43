"""«Модульные курсы» (G1): a course the school forms (extra education, electives, exam
preparation) for classes or groups, or open for sign-up; ordered modules of materials
(sanitised rich text, files, links) and assignments; students' submissions with the
teacher's feedback and, optionally, a mark that goes into the journal."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Course(models.Model):
    organisation = models.ForeignKey(
        "schools.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(_("название"), max_length=200)
    description = models.TextField(_("описание"), max_length=4000, blank=True)
    subject = models.ForeignKey(
        "schools.Subject",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("предмет"),
    )
    teachers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    class_units = models.ManyToManyField("schools.ClassUnit", blank=True, related_name="+")
    groups = models.ManyToManyField("schools.StudyGroup", blank=True, related_name="+")
    # «Открытая запись»: students of the school sign up themselves (seed 001).
    open_enrolment = models.BooleanField(_("открытая запись"), default=False)
    starts_on = models.DateField(_("начало"), null=True, blank=True)
    ends_on = models.DateField(_("окончание"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("курс")
        verbose_name_plural = _("курсы")
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class CourseSignup(models.Model):
    """A student who signed up to an open course (and has not left it)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="signups")
    student = models.ForeignKey("schools.Student", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "student"], name="course_signup_unique")
        ]


class Module(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(_("название модуля"), max_length=200)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class MaterialKind(models.TextChoices):
    TEXT = "text", _("Текст")
    FILE = "file", _("Файл")
    LINK = "link", _("Ссылка")


class Material(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="materials")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=MaterialKind.choices)
    title = models.CharField(_("заголовок"), max_length=200)
    # Stored already cleaned by nh3 (services.clean_html); templates render it as it is.
    body_html = models.TextField(blank=True)
    url = models.URLField(_("ссылка"), max_length=500, blank=True)
    file = models.FileField(upload_to="courses/materials/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    file_size = models.PositiveIntegerField(default=0)
    file_content_type = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["position", "id"]


class MaterialView(models.Model):
    """A student opened the module that shows this material (progress: «материалы открыты»)."""

    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey("schools.Student", on_delete=models.CASCADE, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["material", "student"], name="material_view_unique")
        ]


class Assignment(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="assignments")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(_("название задания"), max_length=200)
    instructions = models.TextField(_("что сделать"), max_length=4000)
    due_on = models.DateField(_("срок сдачи"), null=True, blank=True)
    is_marked = models.BooleanField(_("с отметкой"), default=False)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class SubmissionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("сдано, ждёт проверки")
    RETURNED = "returned", _("проверено")


class Submission(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="submissions")
    student = models.ForeignKey("schools.Student", on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("ответ"), max_length=10000, blank=True)
    status = models.CharField(
        max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.SUBMITTED
    )
    submitted_at = models.DateTimeField()
    # After the due date a work is still accepted, marked «сдано с опозданием».
    is_late = models.BooleanField(default=False)
    feedback = models.TextField(_("отзыв учителя"), max_length=4000, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The mark given through the journal (journal.services.mark_set); the journal keeps it.
    mark_value = models.CharField(max_length=10, blank=True)
    mark_lesson = models.ForeignKey(
        "timetable.Lesson", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "student"], name="course_submission_unique"
            )
        ]
        indexes = [models.Index(fields=["assignment", "status"])]


class SubmissionFile(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="courses/submissions/%Y/%m/")
    name = models.CharField(max_length=255)
    size = models.PositiveIntegerField(default=0)
    content_type = models.CharField(max_length=100)
