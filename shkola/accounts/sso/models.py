"""Links between accounts and identity providers, and children a provider named that the
school roster does not have."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SsoIdentity(models.Model):
    """«This provider's subject is this account»: found by SNILS once, then by subject."""

    provider = models.CharField(_("провайдер"), max_length=40)
    subject = models.CharField(_("идентификатор у провайдера"), max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_identities"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(_("последний вход"), null=True, blank=True)

    class Meta:
        verbose_name = _("вход через провайдера")
        verbose_name_plural = _("входы через провайдеров")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "subject"], name="sso_identity_unique_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.subject}"


class UnmatchedChildStatus(models.TextChoices):
    OPEN = "open", _("Ждёт решения")
    LINKED = "linked", _("Привязан")
    DISMISSED = "dismissed", _("Отклонён")


class UnmatchedChild(models.Model):
    """A child in a parent's provider record with no roster student of the same SNILS and
    birth date. Listed for the curator, who links it to a student or dismisses it; never
    guessed."""

    provider = models.CharField(_("провайдер"), max_length=40)
    parent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sso_unmatched_children",
        verbose_name=_("родитель"),
    )
    last_name = models.CharField(_("фамилия"), max_length=150, blank=True)
    first_name = models.CharField(_("имя"), max_length=150, blank=True)
    middle_name = models.CharField(_("отчество"), max_length=150, blank=True)
    birth_date = models.DateField(_("дата рождения"), null=True, blank=True)
    snils = models.CharField(_("СНИЛС"), max_length=11, blank=True)
    status = models.CharField(
        _("состояние"),
        max_length=10,
        choices=UnmatchedChildStatus.choices,
        default=UnmatchedChildStatus.OPEN,
        db_index=True,
    )
    student = models.ForeignKey(
        "schools.Student",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("привязан к обучающемуся"),
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(_("последний вход родителя"))

    class Meta:
        verbose_name = _("непривязанный ребёнок")
        verbose_name_plural = _("непривязанные дети")
        ordering = ["-last_seen_at", "-id"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)
