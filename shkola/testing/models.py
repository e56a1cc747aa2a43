"""Online tests (PRODUCT G2): a teacher's question bank, tests built from it, students'
attempts and their scoring.

Scoring — what each question type earns (``services.answer_score``; hand-computed cases in
tests/test_scoring.py). Every score is rounded to 0.01 of a point, the attempt's total to 0.1:
- single choice: all points for the right option, else 0;
- multiple choice: points × max(0, (right options ticked − wrong options ticked) / right
  options), so ticking everything earns nothing and one wrong tick costs one right one;
- short answer: all points when the answer equals one of the accepted variants, compared
  without case, «ё»/«е», spaces at the ends and repeated spaces; else 0;
- number: all points when |answer − value| ≤ tolerance (a comma or a point), else 0;
- matching: points × pairs matched right / pairs;
- ordering: points × items in their right place / items;
- free answer: 0…points, given by the teacher; until then the attempt is «на проверке».
Percent = total / maximum × 100; the mark is «5» from ``mark5_percent``, «4» from
``mark4_percent``, «3» from ``mark3_percent``, else «2» (thresholds inclusive)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Один вариант")
    MULTIPLE = "multiple", _("Несколько вариантов")
    SHORT = "short", _("Краткий ответ")
    NUMBER = "number", _("Число")
    MATCHING = "matching", _("Соответствие")
    ORDERING = "ordering", _("Порядок")
    FREE = "free", _("Развёрнутый ответ")


class Question(models.Model):
    """One question of a teacher's bank. ``data`` by kind:
    single/multiple ``{"options": [...], "correct": [index, ...]}``; short
    ``{"accepted": [...]}``; number ``{"value": "3.5", "tolerance": "0.1"}``; matching
    ``{"left": [...], "right": [...]}`` (left[i] goes with right[i]); ordering
    ``{"items": [...]}`` in the right order; free ``{}``."""

    organisation = models.ForeignKey(
        "schools.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(
        "schools.Subject", on_delete=models.PROTECT, related_name="+", verbose_name=_("предмет")
    )
    topic = models.CharField(_("тема"), max_length=200, blank=True)
    kind = models.CharField(_("тип"), max_length=10, choices=QuestionKind.choices)
    text = models.TextField(_("текст вопроса"), max_length=4000)
    data = models.JSONField(default=dict)
    points = models.PositiveSmallIntegerField(_("баллы"), default=1)
    kes_codes = models.CharField(_("КЭС"), max_length=100, blank=True)
    kt_codes = models.CharField(_("КТ"), max_length=100, blank=True)
    shared = models.BooleanField(_("доступен коллегам школы"), default=False)
    # Validated by shkola.core.uploads; served only through the permission-checked view.
    image = models.FileField(upload_to="testing/%Y/%m/", blank=True)
    image_type = models.CharField(max_length=40, blank=True)
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("вопрос")
        verbose_name_plural = _("вопросы")
        ordering = ["subject_id", "topic", "id"]
        indexes = [models.Index(fields=["organisation", "subject", "archived"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(points__gte=1, points__lte=100), name="question_points_1_100"
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]


class ReleaseMode(models.TextChoices):
    MANUAL = "manual", _("Когда учитель откроет")
    AFTER_CLOSE = "after_close", _("После закрытия теста")


class Test(models.Model):
    __test__ = False  # a model, not a pytest class

    organisation = models.ForeignKey(
        "schools.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(
        "schools.Subject", on_delete=models.PROTECT, related_name="+", verbose_name=_("предмет")
    )
    title = models.CharField(_("тема теста"), max_length=300)
    description = models.TextField(_("пояснение для учеников"), max_length=2000, blank=True)
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("время на попытку, мин"), null=True, blank=True
    )
    attempts_allowed = models.PositiveSmallIntegerField(_("попыток"), default=1)
    shuffle_questions = models.BooleanField(_("перемешивать вопросы"), default=False)
    shuffle_options = models.BooleanField(_("перемешивать варианты"), default=True)
    opens_at = models.DateTimeField(_("открывается"))
    closes_at = models.DateTimeField(_("закрывается"))
    class_units = models.ManyToManyField("schools.ClassUnit", blank=True, related_name="+")
    groups = models.ManyToManyField("schools.StudyGroup", blank=True, related_name="+")
    mark5_percent = models.PositiveSmallIntegerField(_("«5» от, %"), default=85)
    mark4_percent = models.PositiveSmallIntegerField(_("«4» от, %"), default=65)
    mark3_percent = models.PositiveSmallIntegerField(_("«3» от, %"), default=45)
    release_mode = models.CharField(
        _("ответы и решения показать"),
        max_length=12,
        choices=ReleaseMode.choices,
        default=ReleaseMode.MANUAL,
    )
    released_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("тест")
        verbose_name_plural = _("тесты")
        ordering = ["-opens_at", "-id"]

    def __str__(self) -> str:
        return self.title


class TestItem(models.Model):
    """A fixed question, or a random draw of ``draw_count`` questions of the test's subject
    from the bank the owner sees, filtered by topic and КЭС (empty: any)."""

    __test__ = False

    test = models.ForeignKey(Test, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    draw_count = models.PositiveSmallIntegerField(default=0)
    draw_topic = models.CharField(_("тема"), max_length=200, blank=True)
    draw_kes = models.CharField(_("КЭС"), max_length=100, blank=True)

    class Meta:
        ordering = ["position", "id"]


class FinishReason(models.TextChoices):
    SUBMITTED = "submitted", _("завершена учеником")
    TIMEOUT = "timeout", _("время вышло")


class Attempt(models.Model):
    test = models.ForeignKey(Test, on_delete=models.CASCADE, related_name="attempts")
    student = models.ForeignKey("schools.Student", on_delete=models.CASCADE, related_name="+")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    # min(start + limit, closes_at): the only clock that counts is the server's.
    deadline = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    finish_reason = models.CharField(max_length=10, choices=FinishReason.choices, blank=True)
    current_position = models.PositiveSmallIntegerField(default=1)
    score = models.DecimalField(max_digits=7, decimal_places=2, default=0)
    max_score = models.DecimalField(max_digits=7, decimal_places=2, default=0)
    needs_review = models.BooleanField(default=False)
    mark = models.CharField(max_length=2, blank=True)
    journal_lesson = models.ForeignKey(
        "timetable.Lesson", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    journal_at = models.DateTimeField(null=True, blank=True)
    portfolio_result_id = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["test_id", "student_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["test", "student", "number"], name="testing_attempt_unique"
            )
        ]

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None

    @property
    def percent(self) -> float:
        return float(self.score / self.max_score * 100) if self.max_score else 0.0


class AttemptQuestion(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    points = models.PositiveSmallIntegerField()
    # The order options (or the right column of a matching) are shown in: indexes into data.
    order = models.JSONField(default=list)
    answer = models.JSONField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    feedback = models.CharField(_("комментарий учителя"), max_length=1000, blank=True)

    class Meta:
        ordering = ["attempt_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="testing_aq_unique")
        ]
