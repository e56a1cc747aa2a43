"""Personal data under 152-FZ (H2, X3): consents given and withdrawn, the versioned texts
they were given to, and the destruction that a withdrawal schedules, with its act."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentKind(models.TextChoices):
    PARENT = "parent", _("Родитель: за себя и за ребёнка")
    STUDENT = "student", _("Обучающийся 14 лет и старше: за себя")


class ConsentText(models.Model):
    """One published version of a consent text. A region (the root territory) publishes its
    own; a text without a territory is Shkola's default, used where the region has none."""

    kind = models.CharField(_("вид согласия"), max_length=10, choices=ConsentKind.choices)
    territory = models.ForeignKey(
        "schools.Territory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("регион"),
    )
    version = models.PositiveIntegerField(_("версия"))
    title = models.CharField(_("заголовок"), max_length=300)
    text = models.TextField(_("текст"))
    published_at = models.DateTimeField(_("опубликован"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("текст согласия")
        verbose_name_plural = _("тексты согласий")
        ordering = ["kind", "-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "territory", "version"], name="consent_text_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, v{self.version}"


class Consent(models.Model):
    """A consent given by ``user`` to the text ``text``: a parent's covers the parent and
    the child ``student``; a student's own covers the student (``student`` is then them)."""

    kind = models.CharField(_("вид"), max_length=10, choices=ConsentKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents"
    )
    student = models.ForeignKey(
        "schools.Student", on_delete=models.CASCADE, related_name="consents"
    )
    text = models.ForeignKey(ConsentText, on_delete=models.PROTECT, related_name="consents")
    given_at = models.DateTimeField(_("дано"))
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("отозвано"), null=True, blank=True)

    class Meta:
        verbose_name = _("согласие на обработку персональных данных")
        verbose_name_plural = _("согласия на обработку персональных данных")
        ordering = ["-given_at", "-id"]
        indexes = [models.Index(fields=["student", "withdrawn_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.student_id} ({self.kind})"


class DestructionStatus(models.TextChoices):
    PENDING = "pending", _("запланировано")
    DONE = "done", _("выполнено")


class Destruction(models.Model):
    """The destruction of one student's personal data, scheduled by a withdrawn consent and
    done by the worker (or the curator, «Уничтожить сейчас»). ``act`` keeps what the act of
    destruction lists (categories and counts, the event-log extract), ``act_pdf`` the act."""

    organisation = models.ForeignKey(
        "schools.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    student = models.ForeignKey(
        "schools.Student", on_delete=models.PROTECT, related_name="destructions"
    )
    consent = models.ForeignKey(
        Consent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("запрошено"))
    due_at = models.DateTimeField(_("срок"))
    status = models.CharField(
        _("состояние"),
        max_length=10,
        choices=DestructionStatus.choices,
        default=DestructionStatus.PENDING,
    )
    done_at = models.DateTimeField(_("выполнено"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The pseudonym the student's row carries afterwards («Обучающийся №…»); shown before,
    # too, so the act and the list name the person the same way.
    pseudonym = models.CharField(_("псевдоним"), max_length=100)
    act = models.JSONField(default=dict, blank=True)
    act_pdf = models.BinaryField(null=True, blank=True, editable=False)
    # Names of the files (default storage) a done destruction still has to remove: the
    # removal follows the commit, and a retried task finishes it if the worker died first.
    files_left = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        verbose_name = _("уничтожение персональных данных")
        verbose_name_plural = _("уничтожения персональных данных")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["status", "due_at"])]
        constraints = [
            # One pending destruction per student: a second withdrawal joins the first.
            models.UniqueConstraint(
                fields=["student"],
                condition=models.Q(status="pending"),
                name="destruction_one_pending_per_student",
            )
        ]

    def __str__(self) -> str:
        return self.pseudonym
