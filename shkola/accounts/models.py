"""People who sign in, and the roles they hold."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "m", _("Муж.")
    FEMALE = "f", _("Жен.")


class User(AbstractUser):
    """One account per person. ``username`` is the login («логин»)."""

    middle_name = models.CharField(_("отчество"), max_length=150, blank=True)
    birth_date = models.DateField(_("дата рождения"), null=True, blank=True)
    sex = models.CharField(_("пол"), max_length=1, choices=Sex.choices, blank=True)
    phone = models.CharField(_("мобильный телефон"), max_length=20, blank=True)
    email_confirmed = models.BooleanField(_("e-mail подтверждён"), default=False)
    snils = models.CharField(_("СНИЛС"), max_length=11, blank=True, db_index=True)
    signature = models.TextField(_("подпись в сообщениях"), blank=True)
    # «Учителя и администрация» / «Коллеги» show a phone or an address only with consent.
    show_phone = models.BooleanField(_("показывать телефон"), default=False)
    show_email = models.BooleanField(_("показывать e-mail"), default=False)
    must_change_password = models.BooleanField(_("сменить пароль при входе"), default=False)
    is_demo = models.BooleanField(
        _("демо-учётная запись"),
        default=False,
        help_text=_("Вход с демо-паролем разрешён только при DEBUG."),
    )

    objects: ClassVar[UserManager[User]] = UserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("пользователь")
        verbose_name_plural = _("пользователи")
        ordering = ["last_name", "first_name", "middle_name"]

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    @property
    def short_name(self) -> str:
        initials = "".join(f"{p[0]}." for p in (self.first_name, self.middle_name) if p)
        return f"{self.last_name} {initials}".strip() or self.username

    def __str__(self) -> str:
        return self.full_name or self.username


class Role(models.TextChoices):
    TEACHER = "teacher", _("Учитель")
    CLASS_TEACHER = "class_teacher", _("Классный руководитель")
    CURATOR = "curator", _("Куратор (администратор школы)")
    DEPUTY = "deputy", _("Заместитель директора")
    DIRECTOR = "director", _("Директор")
    SPECIALIST = "specialist", _("Специалист")
    MUNICIPAL = "municipal", _("Муниципальный специалист")
    REGIONAL = "regional", _("Региональный специалист")


ORGANISATION_ROLES = {
    Role.TEACHER,
    Role.CLASS_TEACHER,
    Role.CURATOR,
    Role.DEPUTY,
    Role.DIRECTOR,
    Role.SPECIALIST,
}
ADMIN_ROLES = {Role.CURATOR, Role.DEPUTY, Role.DIRECTOR}
TERRITORY_ROLES = {Role.MUNICIPAL, Role.REGIONAL}


class SpecialistKind(models.TextChoices):
    SOCIAL_PEDAGOGUE = "social", _("Социальный педагог")
    PSYCHOLOGIST = "psychologist", _("Психолог")
    NURSE = "nurse", _("Медицинский работник")
    LIBRARIAN = "librarian", _("Библиотекарь")
    SECRETARY = "secretary", _("Секретарь")


class RoleAssignment(models.Model):
    """A role a user holds in one organisation (staff) or one territory (officials)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("роль"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        "schools.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="staff_roles",
    )
    territory = models.ForeignKey(
        "schools.Territory",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="official_roles",
    )
    specialist_kind = models.CharField(
        _("специальность"), max_length=20, choices=SpecialistKind.choices, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("роль")
        verbose_name_plural = _("роли")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "organisation", "territory"],
                name="role_assignment_unique",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(organisation__isnull=False, territory__isnull=True)
                    | models.Q(organisation__isnull=True, territory__isnull=False)
                ),
                name="role_scope_is_organisation_xor_territory",
            ),
        ]

    def __str__(self) -> str:
        scope = self.organisation or self.territory
        return f"{self.get_role_display()} — {scope}"


class AuditEvent(models.Model):
    """Security-relevant events (logins, resets, merges, role changes, personal-data access)."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Вход")
        LOGOUT = "logout", _("Выход")
        LOGIN_FAILED = "login_failed", _("Неудачный вход")
        LOCKOUT = "lockout", _("Блокировка")
        UNLOCK = "unlock", _("Разблокировка")
        PASSWORD_RESET = "password_reset", _("Сброс пароля")
        PASSWORD_RESET_REQUEST = "reset_request", _("Запрос письма для сброса пароля")
        PASSWORD_SET = "password_set", _("Установка пароля куратором")
        PASSWORD_CHANGE = "password_change", _("Смена пароля")
        MERGE = "merge", _("Объединение учётных записей")
        ROLE_CHANGE = "role_change", _("Изменение ролей")
        REGISTRATION = "registration", _("Регистрация")
        SSO_LOGIN = "sso_login", _("Вход через внешнего провайдера")
        DATA_ACCESS = "data_access", _("Доступ к персональным данным")
        DATA_CHANGE = "data_change", _("Изменение персональных данных")
        INVITATION_GENERATE = "invitation_generate", _("Выдача пригласительных кодов")
        INVITATION_REVOKE = "invitation_revoke", _("Отзыв пригласительного кода")
        INVITATION_REISSUE = "invitation_reissue", _("Замена пригласительного кода")
        ORGANISATION_REGISTER = "org_register", _("Регистрация организации")
        ORGANISATION_CHANGE = "org_change", _("Изменение сведений об организации")
        CURATOR_ISSUE = "curator_issue", _("Выдача доступа куратору")
        STUDENT_CHANGE = "student_change", _("Изменение карточки обучающегося")
        ENROLMENT = "enrolment", _("Зачисление, перевод, отчисление")
        GUARDIAN_CHANGE = "guardian_change", _("Изменение законных представителей")
        STAFF_CREATE = "staff_create", _("Создание учётной записи сотрудника")
        YEAR_SETUP = "year_setup", _("Настройка учебного года")
        TIMETABLE_CHANGE = "timetable_change", _("Изменение расписания")
        SUBSTITUTION = "substitution", _("Замена урока")
        APP_CONSENT = "app_consent", _("Разрешение доступа приложению")
        APP_REVOKE = "app_revoke", _("Отзыв доступа приложения")
        FEED_CREATE = "feed_create", _("Ссылка на календарь создана")
        FEED_REVOKE = "feed_revoke", _("Ссылка на календарь отозвана")

    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subject_user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        "schools.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("событие журнала безопасности")
        verbose_name_plural = _("журнал безопасности")
        ordering = ["-created_at"]


class InvitationKind(models.TextChoices):
    STUDENT = "student", _("Для обучающегося")
    PARENT = "parent", _("Для родителя")


class Invitation(models.Model):
    """An invitation code («пригласительный код»): single use, expiring, revocable.

    A student code registers the student's own account; a parent code links its holder to
    the student as a legal representative."""

    code = models.CharField(_("код"), max_length=20, unique=True)
    kind = models.CharField(_("для кого"), max_length=10, choices=InvitationKind.choices)
    organisation = models.ForeignKey(
        "schools.Organisation", on_delete=models.CASCADE, related_name="invitations"
    )
    class_unit = models.ForeignKey(
        "schools.ClassUnit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
    )
    student = models.ForeignKey(
        "schools.Student", on_delete=models.CASCADE, related_name="invitations"
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("действует до"))
    used_at = models.DateTimeField(_("использован"), null=True, blank=True)
    used_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("отозван"), null=True, blank=True)

    class Meta:
        verbose_name = _("пригласительный код")
        verbose_name_plural = _("пригласительные коды")
        ordering = ["student__last_name", "student__first_name", "kind", "-created_at"]
        indexes = [models.Index(fields=["class_unit", "kind"])]

    def __str__(self) -> str:
        return self.code

    def state_at(self, moment: Any) -> str:
        if self.used_at:
            return "used"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= moment:
            return "expired"
        return "active"


class UserSession(models.Model):
    """A signed-in browser, so a person can see where they are signed in and end it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    user_agent = models.CharField(_("браузер"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("IP-адрес"), null=True, blank=True)
    created_at = models.DateTimeField(_("вход"), auto_now_add=True)
    last_seen = models.DateTimeField(_("последняя активность"))

    class Meta:
        verbose_name = _("сеанс")
        verbose_name_plural = _("сеансы")
        ordering = ["-last_seen"]
