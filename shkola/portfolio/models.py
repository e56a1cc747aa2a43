"""The digital portfolio of a student: clubs, achievements with rounds or points, files,
diagnostics (НИКО, ВПР, regional), testing results, the school's points table and the
history of changes to the student card."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StudentChange(models.Model):
    """Who changed which field of the student card, when, old → new (E1)."""

    student = models.ForeignKey(
        "schools.Student", on_delete=models.CASCADE, related_name="portfolio_changes"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("когда"))
    field = models.CharField(_("поле"), max_length=40)
    field_label = models.CharField(_("название поля"), max_length=100)
    old_value = models.CharField(_("было"), max_length=300, blank=True)
    new_value = models.CharField(_("стало"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("изменение карточки обучающегося")
        verbose_name_plural = _("история изменений карточки")
        ordering = ["-changed_at", "-id"]


class ClubKind(models.TextChoices):
    CLUB = "club", _("Кружок")
    SECTION = "section", _("Секция")
    STUDIO = "studio", _("Студия")
    ELECTIVE = "elective", _("Элективный курс")


class ClubDirection(models.TextChoices):
    TECHNICAL = "technical", _("Техническая")
    SCIENCE = "science", _("Естественнонаучная")
    ART = "art", _("Художественная")
    SPORT = "sport", _("Физкультурно-спортивная")
    TOURISM = "tourism", _("Туристско-краеведческая")
    SOCIAL = "social", _("Социально-гуманитарная")


class Club(models.Model):
    """A club or section the student attends («Кружки и секции», E2)."""

    student = models.ForeignKey(
        "schools.Student", on_delete=models.CASCADE, related_name="portfolio_clubs"
    )
    kind = models.CharField(_("тип"), max_length=20, choices=ClubKind.choices)
    direction = models.CharField(_("направленность"), max_length=20, choices=ClubDirection.choices)
    year = models.CharField(_("учебный год"), max_length=9)  # «2026/2027»
    name = models.CharField(_("наименование"), max_length=300)
    organisation_name = models.CharField(_("организация"), max_length=300)
    teacher_name = models.CharField(_("педагог"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("кружок или секция")
        verbose_name_plural = _("кружки и секции")
        ordering = ["-year", "name", "id"]


class Category(models.TextChoices):
    """Sections of the portfolio. The six spheres of «Интересы и хобби» (E3), «Олимпиады»
    (E4) and the two kinds with points for presence and defence (E9)."""

    CREATIVITY = "creativity", _("Творчество")
    COMPETITION = "competition", _("Соревнования")
    CONTEST = "contest", _("Конкурсы")
    RESEARCH = "research", _("Исследования")
    PROJECT = "project", _("Проекты")
    SPORT = "sport", _("Спорт")
    OLYMPIAD = "olympiad", _("Олимпиады")
    EXTRA_EDUCATION = "extra", _("Дополнительное образование")
    ELECTIVE = "elective", _("Элективные курсы")


SPHERES = (
    Category.CREATIVITY,
    Category.COMPETITION,
    Category.CONTEST,
    Category.RESEARCH,
    Category.PROJECT,
    Category.SPORT,
)
# Kinds whose result is a place per round (seed 001: olympiad, contest, research, sport).
ROUND_CATEGORIES = frozenset(
    {
        Category.OLYMPIAD,
        Category.CONTEST,
        Category.RESEARCH,
        Category.SPORT,
        Category.COMPETITION,
    }
)
# Kinds scored by points for presence and for defence.
PRESENCE_CATEGORIES = frozenset(
    {
        Category.CREATIVITY,
        Category.PROJECT,
        Category.EXTRA_EDUCATION,
        Category.ELECTIVE,
    }
)

# The fields each section shows and asks for, exactly as seed 000 lists them.
CATEGORY_FIELDS: dict[str, tuple[str, ...]] = {
    Category.CREATIVITY: (
        "work_type", "name", "year", "level", "subject", "result", "teacher_name", "comment",
    ),
    Category.COMPETITION: (
        "work_type", "name", "year", "level", "subject", "result", "teacher_name", "comment",
    ),
    Category.CONTEST: (
        "work_type", "name", "year", "level", "subject", "result", "teacher_name", "comment",
    ),
    Category.RESEARCH: (
        "work_type", "work_kind", "name", "year", "level", "result", "teacher_name",
        "subject", "comment",
    ),
    Category.PROJECT: (
        "work_type", "work_kind", "name", "year", "level", "result", "teacher_name",
        "subject", "comment",
    ),
    Category.SPORT: (
        "sport_kind", "name", "year", "level", "result", "teacher_name", "subject", "comment",
    ),
    Category.OLYMPIAD: (
        "work_type", "work_kind", "level", "subject", "year", "name", "result",
        "teacher_name", "comment",
    ),
    Category.EXTRA_EDUCATION: (
        "name", "year", "level", "subject", "result", "teacher_name", "comment",
    ),
    Category.ELECTIVE: ("name", "year", "subject", "result", "teacher_name", "comment"),
}  # fmt: skip


FIELD_LABELS = {
    "work_type": _("Тип работы"),
    "work_kind": _("Вид работы"),
    "sport_kind": _("Вид спорта"),
    "name": _("Наименование"),
    "year": _("Год"),
    "level": _("Уровень"),
    "subject": _("Предмет"),
    "result": _("Результат"),
    "teacher_name": _("Педагог"),
    "comment": _("Комментарий"),
}


def field_label(category: str, name: str) -> str:
    if name == "name" and category == Category.OLYMPIAD:
        return str(_("Мероприятие"))
    return str(FIELD_LABELS[name])


class Level(models.TextChoices):
    SCHOOL = "school", _("Школьный")
    MUNICIPAL = "municipal", _("Муниципальный")
    REGIONAL = "regional", _("Региональный")
    FINAL = "final", _("Заключительный (всероссийский)")
    INTERNATIONAL = "international", _("Международный")


class Stage(models.TextChoices):
    """A round («тур») of an achievement with rounds."""

    SCHOOL = "school", _("Школьный")
    MUNICIPAL = "municipal", _("Муниципальный")
    REGIONAL = "regional", _("Региональный")
    FINAL = "final", _("Заключительный")


class Place(models.TextChoices):
    FIRST = "1", "1"
    SECOND = "2", "2"
    THIRD = "3", "3"
    PARTICIPANT = "у", _("у (участие)")


class Status(models.TextChoices):
    PENDING = "pending", _("н/п")
    CONFIRMED = "confirmed", _("Подтверждено")
    REJECTED = "rejected", _("Отклонено")


class Achievement(models.Model):
    """One entry of «Интересы и хобби», «Олимпиады» or the points kinds. Entries added by the
    family stay «н/п» until a teacher confirms them; only confirmed ones count."""

    student = models.ForeignKey(
        "schools.Student", on_delete=models.CASCADE, related_name="achievements"
    )
    category = models.CharField(_("раздел"), max_length=20, choices=Category.choices)
    work_type = models.CharField(_("тип работы"), max_length=200, blank=True)
    work_kind = models.CharField(_("вид работы"), max_length=200, blank=True)
    sport_kind = models.CharField(_("вид спорта"), max_length=200, blank=True)
    name = models.CharField(_("наименование"), max_length=300)
    year = models.CharField(_("год"), max_length=9)
    level = models.CharField(_("уровень"), max_length=20, choices=Level.choices, blank=True)
    subject = models.CharField(_("предмет"), max_length=200, blank=True)
    result = models.CharField(_("результат"), max_length=300, blank=True)
    teacher_name = models.CharField(_("педагог"), max_length=300, blank=True)
    comment = models.TextField(_("комментарий"), blank=True)
    # Points kinds: «за наличие» and «за защиту».
    present = models.BooleanField(_("наличие"), default=True)
    defended = models.BooleanField(_("защита"), default=False)
    status = models.CharField(
        _("статус"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reject_reason = models.CharField(_("причина отклонения"), max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("достижение")
        verbose_name_plural = _("достижения")
        ordering = ["-year", "-created_at", "-id"]
        indexes = [
            models.Index(fields=["student", "category"]),
            models.Index(fields=["status", "student"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_rounds(self) -> bool:
        return self.category in ROUND_CATEGORIES

    @property
    def is_confirmed(self) -> bool:
        return self.status == Status.CONFIRMED


class AchievementRound(models.Model):
    """The place won in one round of an achievement with rounds."""

    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="rounds")
    stage = models.CharField(_("тур"), max_length=20, choices=Stage.choices)
    place = models.CharField(_("место"), max_length=2, choices=Place.choices)

    class Meta:
        verbose_name = _("тур")
        verbose_name_plural = _("туры")
        constraints = [
            models.UniqueConstraint(fields=["achievement", "stage"], name="round_unique")
        ]


class FileRole(models.TextChoices):
    COVER = "cover", _("Обложка")
    PHOTO = "photo", _("Фото")
    FILE = "file", _("Файл")


class AchievementFile(models.Model):
    """A file attached to an achievement: a cover, a photo or any document (E11). Served only
    through the permission-checked view."""

    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="files")
    role = models.CharField(_("назначение"), max_length=10, choices=FileRole.choices)
    file = models.FileField(upload_to="portfolio/%Y/%m/")
    thumbnail = models.FileField(upload_to="portfolio/thumbs/%Y/%m/", blank=True)
    name = models.CharField(_("имя файла"), max_length=255)
    size = models.PositiveIntegerField(default=0)
    content_type = models.CharField(max_length=100)
    is_image = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("файл достижения")
        verbose_name_plural = _("файлы достижений")
        ordering = ["role", "id"]


class PointsItem(models.TextChoices):
    PRESENCE = "presence", _("За наличие")
    DEFENCE = "defence", _("За защиту")


class PointsRule(models.Model):
    """How many rating points a school gives: for a place in a round of a kind with rounds
    (stage + place), or for presence/defence in a points kind (item)."""

    organisation = models.ForeignKey(
        "schools.Organisation", on_delete=models.CASCADE, related_name="points_rules"
    )
    category = models.CharField(_("вид достижения"), max_length=20, choices=Category.choices)
    stage = models.CharField(_("тур"), max_length=20, choices=Stage.choices, blank=True)
    place = models.CharField(_("место"), max_length=2, choices=Place.choices, blank=True)
    item = models.CharField(_("за что"), max_length=10, choices=PointsItem.choices, blank=True)
    points = models.PositiveSmallIntegerField(_("баллы"), default=0)

    class Meta:
        verbose_name = _("правило начисления баллов")
        verbose_name_plural = _("баллы портфолио")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "category", "stage", "place", "item"],
                name="points_rule_unique",
            )
        ]


class DiagnosticKind(models.TextChoices):
    CONTROL = "control", _("Контрольная / диагностика")
    REGIONAL = "regional", _("Региональная диагностика")
    NIKO = "niko", _("НИКО")
    VPR = "vpr", _("ВПР")


class Diagnostic(models.Model):
    """A result of a diagnostic work (НИКО, ВПР, regional) the school enters or imports.
    ``tasks``: [{"number": 1, "kes": "1.1", "kt": "2.3", "score": 1, "max": 1}, …]."""

    student = models.ForeignKey(
        "schools.Student", on_delete=models.CASCADE, related_name="diagnostics"
    )
    kind = models.CharField(_("вид"), max_length=10, choices=DiagnosticKind.choices)
    subject = models.ForeignKey(
        "schools.Subject",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("предмет"),
    )
    date = models.DateField(_("дата"))
    score = models.DecimalField(_("балл"), max_digits=6, decimal_places=1)
    max_score = models.DecimalField(_("максимальный балл"), max_digits=6, decimal_places=1)
    mark = models.CharField(_("отметка"), max_length=2, blank=True)
    tasks = models.JSONField(_("задания"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("диагностическая работа")
        verbose_name_plural = _("диагностические работы")
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["student", "kind", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_score__gt=0), name="diagnostic_max_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=0, score__lte=models.F("max_score")),
                name="diagnostic_score_in_range",
            ),
        ]

    @property
    def percent(self) -> float:
        return round(float(self.score) * 100 / float(self.max_score), 1)


class TestingResult(models.Model):
    """A result of a test («Тестирование», E7)."""

    __test__ = False  # a model, not a pytest class

    student = models.ForeignKey(
        "schools.Student", on_delete=models.CASCADE, related_name="testing_results"
    )
    topic = models.CharField(_("тема"), max_length=300)
    date = models.DateField(_("дата прохождения"))
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("педагог"),
    )
    grade = models.PositiveSmallIntegerField(_("параллель"))
    subject = models.ForeignKey(
        "schools.Subject",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("предмет"),
    )
    score = models.DecimalField(_("полученный балл"), max_digits=6, decimal_places=1)
    max_score = models.DecimalField(_("максимальный балл"), max_digits=6, decimal_places=1)
    duration_minutes = models.PositiveSmallIntegerField(_("время прохождения, мин"))
    kes_codes = models.CharField(_("КЭС"), max_length=300, blank=True)
    kt_codes = models.CharField(_("КТ"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("результат тестирования")
        verbose_name_plural = _("результаты тестирования")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_score__gt=0), name="testing_max_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=0, score__lte=models.F("max_score")),
                name="testing_score_in_range",
            ),
        ]

    @property
    def percent(self) -> float:
        return round(float(self.score) * 100 / float(self.max_score), 1)
