"""Territories, organisations and the school year: periods, holidays, classes, subjects,
curriculum, groups, the student roster with guardians and enrolment history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shkola.accounts.models import Sex

from .validators import validate_inn, validate_ogrn, validate_snils


class Territory(models.Model):
    class Kind(models.TextChoices):
        REGION = "region", _("Регион")
        MUNICIPALITY = "municipality", _("Муниципалитет")

    name = models.CharField(_("название"), max_length=200)
    kind = models.CharField(_("вид"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )

    class Meta:
        verbose_name = _("территория")
        verbose_name_plural = _("территории")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PeriodScheme(models.TextChoices):
    QUARTERS = "quarters", _("Четверти")
    TRIMESTERS = "trimesters", _("Триместры")
    HALVES = "halves", _("Полугодия")


class OrganisationKind(models.TextChoices):
    SCHOOL = "school", _("Общеобразовательная организация (школа)")
    EXTRA = "extra", _("Организация дополнительного образования")


class Organisation(models.Model):
    """A school («образовательная организация») or an extra-education organisation."""

    territory = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="organisations")
    short_name = models.CharField(_("краткое наименование"), max_length=200)
    full_name = models.CharField(_("полное наименование"), max_length=500)
    address = models.CharField(_("адрес"), max_length=500, blank=True)
    phones = models.CharField(_("телефоны"), max_length=200, blank=True)
    admin_last_name = models.CharField(_("фамилия ответственного"), max_length=150, blank=True)
    admin_first_name = models.CharField(_("имя ответственного"), max_length=150, blank=True)
    admin_middle_name = models.CharField(_("отчество ответственного"), max_length=150, blank=True)
    admin_birth_date = models.DateField(_("дата рождения ответственного"), null=True, blank=True)
    admin_phone = models.CharField(_("телефон ответственного"), max_length=50, blank=True)
    admin_email = models.EmailField(_("e-mail ответственного"), blank=True)
    period_scheme = models.CharField(
        _("аттестационные периоды"),
        max_length=20,
        choices=PeriodScheme.choices,
        default=PeriodScheme.QUARTERS,
    )
    # Suggested period mark thresholds (ENGINEERING.md: 5 from 4.60, 4 from 3.60, 3 from 2.60).
    threshold_5 = models.DecimalField(_("«5» от"), max_digits=3, decimal_places=2, default=4.60)
    threshold_4 = models.DecimalField(_("«4» от"), max_digits=3, decimal_places=2, default=3.60)
    threshold_3 = models.DecimalField(_("«3» от"), max_digits=3, decimal_places=2, default=2.60)
    # Registration by the municipality (B1).
    kind = models.CharField(
        _("тип организации"),
        max_length=20,
        choices=OrganisationKind.choices,
        default=OrganisationKind.SCHOOL,
    )
    inn = models.CharField(_("ИНН"), max_length=10, blank=True, validators=[validate_inn])
    ogrn = models.CharField(_("ОГРН"), max_length=13, blank=True, validators=[validate_ogrn])
    director_name = models.CharField(_("директор (ФИО)"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("образовательная организация")
        verbose_name_plural = _("образовательные организации")
        ordering = ["short_name"]

    def __str__(self) -> str:
        return self.short_name


class AcademicYear(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="years")
    name = models.CharField(_("учебный год"), max_length=20)  # «2026/2027»
    start = models.DateField(_("начало"))
    end = models.DateField(_("окончание"))
    is_current = models.BooleanField(_("текущий"), default=False)
    # Set by the year rollover: a closed year is read-only, its marks included.
    closed_at = models.DateTimeField(_("закрыт"), null=True, blank=True)

    class Meta:
        verbose_name = _("учебный год")
        verbose_name_plural = _("учебные годы")
        ordering = ["-start"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="year_unique_per_org"),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")),
                name="year_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AttestationPeriod(models.Model):
    academic_year = models.ForeignKey(
        AcademicYear, on_delete=models.CASCADE, related_name="periods"
    )
    scheme = models.CharField(_("вид"), max_length=20, choices=PeriodScheme.choices)
    number = models.PositiveSmallIntegerField(_("номер"))
    start = models.DateField(_("начало"))
    end = models.DateField(_("окончание"))
    closed_at = models.DateTimeField(_("закрыт"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("аттестационный период")
        verbose_name_plural = _("аттестационные периоды")
        ordering = ["academic_year", "scheme", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["academic_year", "scheme", "number"], name="period_unique"
            ),
        ]

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def name(self) -> str:
        word = {
            PeriodScheme.QUARTERS: _("четверть"),
            PeriodScheme.TRIMESTERS: _("триместр"),
            PeriodScheme.HALVES: _("полугодие"),
        }[PeriodScheme(self.scheme)]
        return f"{self.number} {word}"

    def __str__(self) -> str:
        return self.name


class Holiday(models.Model):
    """Holidays of the calendar schedule («КУГ»). ``grades`` narrows a holiday to some
    parallels (e.g. the extra February week of the first grade)."""

    academic_year = models.ForeignKey(
        AcademicYear, on_delete=models.CASCADE, related_name="holidays"
    )
    name = models.CharField(_("название"), max_length=200)
    start = models.DateField(_("начало"))
    end = models.DateField(_("окончание"))
    grades = models.JSONField(_("только для параллелей"), default=list, blank=True)

    class Meta:
        verbose_name = _("каникулы")
        verbose_name_plural = _("каникулы и праздники")
        ordering = ["start"]

    def applies_to_grade(self, grade: int | None) -> bool:
        return not self.grades or grade is None or grade in self.grades

    def __str__(self) -> str:
        return self.name


class Parallel(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="parallels"
    )
    academic_year = models.ForeignKey(
        AcademicYear, on_delete=models.CASCADE, related_name="parallels"
    )
    grade = models.PositiveSmallIntegerField(_("параллель"))
    period_scheme = models.CharField(
        _("аттестационные периоды"),
        max_length=20,
        choices=PeriodScheme.choices,
        blank=True,
        help_text=_("Пусто — как у школы."),
    )

    class Meta:
        verbose_name = _("параллель")
        verbose_name_plural = _("параллели")
        ordering = ["grade"]
        constraints = [
            models.UniqueConstraint(fields=["academic_year", "grade"], name="parallel_unique"),
            models.CheckConstraint(
                condition=models.Q(grade__gte=1, grade__lte=11), name="grade_1_11"
            ),
        ]

    @property
    def effective_scheme(self) -> str:
        return self.period_scheme or self.organisation.period_scheme

    def __str__(self) -> str:
        return _("%(grade)s классы") % {"grade": self.grade}


class ClassType(models.TextChoices):
    GENERAL = "general", _("Общеобразовательный")
    PROFILE = "profile", _("Профильный")
    ADVANCED = "advanced", _("С углублённым изучением")
    CORRECTIONAL = "correctional", _("Коррекционный")


class ClassUnit(models.Model):
    parallel = models.ForeignKey(Parallel, on_delete=models.CASCADE, related_name="class_units")
    letter = models.CharField(_("литера"), max_length=4)
    class_type = models.CharField(
        _("тип класса"),
        max_length=20,
        choices=ClassType.choices,
        default=ClassType.GENERAL,
    )
    class_teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_classes",
        verbose_name=_("классный руководитель"),
    )

    class Meta:
        verbose_name = _("класс")
        verbose_name_plural = _("классы")
        ordering = ["parallel__grade", "letter"]
        constraints = [
            models.UniqueConstraint(fields=["parallel", "letter"], name="class_unit_unique"),
        ]

    @property
    def name(self) -> str:
        return f"{self.parallel.grade}{self.letter}"

    def __str__(self) -> str:
        return self.name


class Subject(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="subjects"
    )
    name = models.CharField(_("предмет"), max_length=200)
    short_name = models.CharField(_("сокращение"), max_length=40, blank=True)
    is_extra = models.BooleanField(_("дополнительное образование"), default=False)

    class Meta:
        verbose_name = _("предмет")
        verbose_name_plural = _("предметы")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="subject_unique")
        ]

    def __str__(self) -> str:
        return self.name


class CurriculumItem(models.Model):
    """One line of the curriculum («учебный план»): a subject in a class with hours per week."""

    class_unit = models.ForeignKey(ClassUnit, on_delete=models.CASCADE, related_name="curriculum")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+")
    hours_per_week = models.DecimalField(_("часов в неделю"), max_digits=4, decimal_places=1)
    split_into_groups = models.BooleanField(_("деление на подгруппы"), default=False)

    class Meta:
        verbose_name = _("строка учебного плана")
        verbose_name_plural = _("учебный план")
        constraints = [
            models.UniqueConstraint(fields=["class_unit", "subject"], name="curriculum_unique")
        ]


class ControlForm(models.Model):
    """Form of control («форма контроля») with its weight in the average."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="control_forms"
    )
    name = models.CharField(_("форма контроля"), max_length=200)
    weight = models.PositiveSmallIntegerField(_("вес"), default=1)
    is_test = models.BooleanField(
        _("контрольная"),
        default=False,
        help_text=_("Учитывается в «Графике контрольных работ»."),
    )

    class Meta:
        verbose_name = _("форма контроля")
        verbose_name_plural = _("формы контроля")
        ordering = ["-weight", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="control_form_unique"),
            models.CheckConstraint(
                condition=models.Q(weight__gte=1, weight__lte=10), name="weight_1_10"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight})"


class IdDocumentKind(models.TextChoices):
    BIRTH_CERTIFICATE = "birth_certificate", _("Свидетельство о рождении")
    PASSPORT = "passport", _("Паспорт гражданина РФ")
    FOREIGN_BIRTH_CERTIFICATE = "foreign_birth", _("Свидетельство о рождении (иностранное)")
    FOREIGN_PASSPORT = "foreign_passport", _("Паспорт иностранного гражданина")
    OTHER = "other", _("Иной документ")


class Student(models.Model):
    """A student of the roster. Name and birth date are kept by school staff."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="students"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="student",
    )
    last_name = models.CharField(_("фамилия"), max_length=150)
    first_name = models.CharField(_("имя"), max_length=150)
    middle_name = models.CharField(_("отчество"), max_length=150, blank=True)
    birth_date = models.DateField(_("дата рождения"))
    sex = models.CharField(_("пол"), max_length=1, choices=Sex.choices)
    snils = models.CharField(
        _("СНИЛС"),
        max_length=11,
        blank=True,
        db_index=True,
        validators=[validate_snils],
    )
    id_document = models.CharField(
        _("документ, удостоверяющий личность"), max_length=100, blank=True
    )
    # The identity document in parts (B3), as the curator types it from the paper.
    id_doc_kind = models.CharField(
        _("вид документа"), max_length=20, choices=IdDocumentKind.choices, blank=True
    )
    id_doc_series = models.CharField(_("серия документа"), max_length=20, blank=True)
    id_doc_number = models.CharField(_("номер документа"), max_length=30, blank=True)
    id_doc_issued_on = models.DateField(_("дата выдачи документа"), null=True, blank=True)
    id_doc_issued_by = models.CharField(_("кем выдан документ"), max_length=300, blank=True)
    address = models.CharField(_("адрес"), max_length=500, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    special_needs = models.BooleanField(_("ОВЗ"), default=False)
    photo = models.ImageField(_("фото"), upload_to="students/photos/", blank=True)
    # Denormalised from the enrolment history by ``enrolment_record``; never set by hand.
    current_class = models.ForeignKey(
        ClassUnit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="students",
    )

    class Meta:
        verbose_name = _("обучающийся")
        verbose_name_plural = _("обучающиеся")
        ordering = ["last_name", "first_name", "middle_name"]
        indexes = [models.Index(fields=["current_class", "last_name"])]

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    @property
    def short_name(self) -> str:
        return f"{self.last_name} {self.first_name}"

    def __str__(self) -> str:
        return self.full_name


class Guardian(models.Model):
    """A legal representative of a student; may or may not have an account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="guardian",
    )
    last_name = models.CharField(_("фамилия"), max_length=150)
    first_name = models.CharField(_("имя"), max_length=150)
    middle_name = models.CharField(_("отчество"), max_length=150, blank=True)
    birth_date = models.DateField(_("дата рождения"), null=True, blank=True)
    sex = models.CharField(_("пол"), max_length=1, choices=Sex.choices, blank=True)
    phone = models.CharField(_("телефон"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    snils = models.CharField(_("СНИЛС"), max_length=11, blank=True, validators=[validate_snils])

    class Meta:
        verbose_name = _("законный представитель")
        verbose_name_plural = _("законные представители")
        ordering = ["last_name", "first_name"]

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    def __str__(self) -> str:
        return self.full_name


class RepresentativeKind(models.TextChoices):
    MOTHER = "mother", _("Мать")
    FATHER = "father", _("Отец")
    GUARDIAN = "guardian", _("Опекун")
    TRUSTEE = "trustee", _("Попечитель")
    OTHER = "other", _("Иной законный представитель")


class Guardianship(models.Model):
    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE, related_name="guardianships")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="guardianships")
    kind = models.CharField(
        _("тип представителя"), max_length=20, choices=RepresentativeKind.choices
    )

    class Meta:
        verbose_name = _("связь с представителем")
        verbose_name_plural = _("связи с представителями")
        constraints = [
            models.UniqueConstraint(fields=["guardian", "student"], name="guardianship_unique")
        ]


class EnrolmentAction(models.TextChoices):
    ADMIT = "admit", _("Зачисление")
    TRANSFER = "transfer", _("Перевод в другой класс")
    PROMOTE = "promote", _("Перевод в следующий класс")
    EXPEL = "expel", _("Выбытие")
    GRADUATE = "graduate", _("Окончание обучения")


LEAVING_ACTIONS = {EnrolmentAction.EXPEL, EnrolmentAction.GRADUATE}


class Enrolment(models.Model):
    """One line of the education history («История обучения»)."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="enrolments")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("действие"), max_length=20, choices=EnrolmentAction.choices)
    date = models.DateField(_("дата"))
    order_number = models.CharField(_("номер приказа"), max_length=50)
    class_unit = models.ForeignKey(
        ClassUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    class_type = models.CharField(
        _("тип класса"), max_length=20, choices=ClassType.choices, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("запись истории обучения")
        verbose_name_plural = _("история обучения")
        ordering = ["date", "id"]


class StudyGroup(models.Model):
    """A subgroup of a class (languages, labour) or an extra-education group mixing classes."""

    class Kind(models.TextChoices):
        SUBGROUP = "subgroup", _("Подгруппа класса")
        EXTRA = "extra", _("Группа дополнительного образования")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="groups")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="groups")
    kind = models.CharField(_("вид"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("название"), max_length=200)
    class_unit = models.ForeignKey(
        ClassUnit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subgroups",
    )
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    students = models.ManyToManyField(Student, related_name="study_groups", blank=True)

    class Meta:
        verbose_name = _("группа")
        verbose_name_plural = _("группы")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SchoolEvent(models.Model):
    """An upcoming school event (D9)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="events")
    title = models.CharField(_("название"), max_length=300)
    date = models.DateField(_("дата"))
    time = models.TimeField(_("время"), null=True, blank=True)
    place = models.CharField(_("место"), max_length=300, blank=True)
    description = models.TextField(_("описание"), blank=True)
    class_units = models.ManyToManyField(ClassUnit, related_name="events", blank=True)
    students = models.ManyToManyField(Student, related_name="events", blank=True)

    class Meta:
        verbose_name = _("школьное событие")
        verbose_name_plural = _("школьные события")
        ordering = ["date", "time"]

    def __str__(self) -> str:
        return self.title
