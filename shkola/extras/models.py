"""«Услуги» (G3): the school's extra services, paid or free, and the families' applications.

A service has a number of places; an accepted application holds one. Acceptance checks the
places under a row lock on the service (services.application_accept), so two curators, or
two requests of one curator, can never fill more places than there are. Payment is not kept
here at all: see payments.py and docs/payments.md."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceStatus(models.TextChoices):
    DRAFT = "draft", _("черновик")
    PUBLISHED = "published", _("опубликована")
    CLOSED = "closed", _("запись закрыта")


class PriceUnit(models.TextChoices):
    MONTH = "month", _("в месяц")
    COURSE = "course", _("за курс")


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("На рассмотрении")
    WAITLISTED = "waitlisted", _("В листе ожидания")
    ACCEPTED = "accepted", _("Принята")
    DECLINED = "declined", _("Отклонена")
    WITHDRAWN = "withdrawn", _("Отозвана")
    REMOVED = "removed", _("Снят с занятий")


# An application in one of these states blocks a second one for the same child and service.
OPEN_STATUSES = (
    ApplicationStatus.PENDING,
    ApplicationStatus.WAITLISTED,
    ApplicationStatus.ACCEPTED,
)


class Service(models.Model):
    organisation = models.ForeignKey(
        "schools.Organisation", on_delete=models.CASCADE, related_name="extra_services"
    )
    title = models.CharField(_("название"), max_length=200)
    description = models.TextField(_("описание"), max_length=4000, blank=True)
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("педагог"),
    )
    schedule = models.CharField(_("расписание"), max_length=300)
    starts_on = models.DateField(_("начало занятий"), null=True, blank=True)
    ends_on = models.DateField(_("окончание занятий"), null=True, blank=True)
    # Whom it is for: the classes, else the grades from–to, else every child of the school.
    grade_from = models.PositiveSmallIntegerField(_("с класса"), null=True, blank=True)
    grade_to = models.PositiveSmallIntegerField(_("по класс"), null=True, blank=True)
    class_units = models.ManyToManyField(
        "schools.ClassUnit", blank=True, related_name="+", verbose_name=_("классы")
    )
    capacity = models.PositiveIntegerField(_("мест"))
    price = models.PositiveIntegerField(_("цена, ₽"), default=0)
    price_unit = models.CharField(
        _("цена за"), max_length=10, choices=PriceUnit.choices, default=PriceUnit.MONTH
    )
    status = models.CharField(
        _("состояние"), max_length=10, choices=ServiceStatus.choices, default=ServiceStatus.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("услуга")
        verbose_name_plural = _("услуги")
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_free(self) -> bool:
        return self.price == 0

    @property
    def price_text(self) -> str:
        """«1 500 ₽ в месяц», «бесплатно»."""
        from django.utils import formats
        from django.utils.translation import gettext

        if self.is_free:
            return gettext("бесплатно")
        amount = formats.number_format(self.price, force_grouping=True)
        return f"{amount} ₽ {self.get_price_unit_display()}"


class Application(models.Model):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="applications")
    student = models.ForeignKey(
        "schools.Student", on_delete=models.CASCADE, related_name="service_applications"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    comment = models.CharField(_("комментарий"), max_length=500, blank=True)
    status = models.CharField(
        _("состояние"),
        max_length=12,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.PENDING,
    )
    reason = models.CharField(_("причина"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When it joined the waiting list: the list is served in this order.
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("заявка на услугу")
        verbose_name_plural = _("заявки на услуги")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "student"],
                condition=models.Q(status__in=["pending", "waitlisted", "accepted"]),
                name="extras_one_open_application",
            )
        ]
        indexes = [models.Index(fields=["service", "status"])]

    def __str__(self) -> str:
        return f"{self.service_id}: {self.student_id} ({self.status})"
