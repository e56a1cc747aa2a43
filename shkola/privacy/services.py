"""Writes about personal data: consents, their texts, withdrawal and destruction (H2, X3).

What a destruction removes and what it keeps is listed in ``DESTROYED`` and ``KEPT`` below
and in docs/personal-data.md; the act of destruction names the categories and counts."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shkola.accounts.models import AuditEvent, User
from shkola.accounts.services import (
    audit_record,
    people_cache_drop,
    people_cache_drop_all,
    sessions_end,
)
from shkola.core import clock
from shkola.schools.models import Organisation, Student, Territory

from .models import Consent, ConsentKind, ConsentText, Destruction, DestructionStatus
from .texts import DEFAULTS

log = logging.getLogger(__name__)

OWN_CONSENT_AGE = 14


def _data_change(
    actor: User | None,
    summary: str,
    *,
    organisation: Any = None,
    subject_user: User | None = None,
    ip_address: str | None = None,
    **refs: Any,
) -> None:
    """One DATA_CHANGE row of the event log: who, what (``summary``) and the ids it is about."""
    audit_record(
        kind=AuditEvent.Kind.DATA_CHANGE,
        actor=actor,
        subject_user=subject_user,
        organisation=organisation,
        ip_address=ip_address,
        details={**refs, "summary": summary},
    )


# --- consent texts -------------------------------------------------------------------------


def region_of(organisation: Organisation | None) -> Territory | None:
    """The root territory (the region) above a school."""
    territory = organisation.territory if organisation is not None else None
    seen = 0
    while territory is not None and territory.parent_id is not None and seen < 10:
        territory = territory.parent
        seen += 1
    return territory


def consent_text_current(*, kind: str, organisation: Organisation | None) -> ConsentText:
    """The newest text of ``kind`` the school's region published, else Shkola's default; the
    default version 1 is written when missing (a database emptied after the migration)."""
    region = region_of(organisation)
    texts = ConsentText.objects.filter(kind=kind)
    if region is not None:
        found = texts.filter(territory=region).order_by("-version").first()
        if found is not None:
            return found
    found = texts.filter(territory__isnull=True).order_by("-version").first()
    if found is not None:
        return found
    title, text = DEFAULTS[kind]
    created, _created = ConsentText.objects.get_or_create(
        kind=kind,
        territory=None,
        version=1,
        defaults={"title": title, "text": text, "published_at": clock.now()},
    )
    return created


@transaction.atomic
def consent_text_publish(
    *, actor: User, kind: str, title: str, text: str, territory: Territory | None
) -> ConsentText:
    """A new version of a region's consent text; consents given before keep their version."""
    title, text = (title or "").strip(), (text or "").strip()
    errors: dict[str, list[str]] = {}
    if kind not in ConsentKind.values:
        errors["kind"] = [_("Вид согласия: выберите из списка.")]
    if not title:
        errors["title"] = [_("Заголовок: введите заголовок согласия.")]
    if len(text) < 50:
        errors["text"] = [_("Текст: введите полный текст согласия (не короче 50 знаков).")]
    if errors:
        raise ValidationError(errors)
    latest = (
        ConsentText.objects.select_for_update()
        .filter(kind=kind, territory=territory)
        .aggregate(v=Max("version"))["v"]
    )
    if latest is None and territory is not None:
        # A region's first own text continues the default's numbering, so people never see
        # two different texts both called «версия 1».
        latest = ConsentText.objects.filter(kind=kind, territory__isnull=True).aggregate(
            v=Max("version")
        )["v"]
    published = ConsentText.objects.create(
        kind=kind,
        territory=territory,
        version=(latest or 0) + 1,
        title=title,
        text=text,
        published_at=clock.now(),
        published_by=actor,
    )
    _data_change(
        actor,
        _("Опубликована версия %(v)s текста согласия «%(k)s»")
        % {"v": published.version, "k": published.get_kind_display()},
        consent_text=published.pk,
        version=published.version,
    )
    return published


# --- consents --------------------------------------------------------------------------------


def age_on(birth_date: dt.date | None, day: dt.date) -> int:
    if birth_date is None:
        return 0
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def student_gives_own_consent(student: Student) -> bool:
    return age_on(student.birth_date, clock.today()) >= OWN_CONSENT_AGE


def _may_consent(user: User, student: Student, kind: str) -> bool:
    if kind == ConsentKind.PARENT:
        return student.guardianships.filter(guardian__user=user).exists()
    return student.user_id == user.pk and student_gives_own_consent(student)


def consent_give(
    *, user: User, student: Student, kind: str, ip_address: str | None = None
) -> Consent:
    """``user`` consents to the current text of ``kind`` for ``student``: a parent for a child,
    a student of 14 or over for themselves. Giving it again while it stands changes nothing."""
    with transaction.atomic():
        if kind not in ConsentKind.values or not _may_consent(user, student, kind):
            raise ValidationError({"student": [_("Согласие за этого обучающегося дать нельзя.")]})
        Student.objects.select_for_update().filter(pk=student.pk).first()
        existing = Consent.objects.filter(
            user=user, student=student, kind=kind, withdrawn_at__isnull=True
        ).first()
        if existing is not None:
            return existing
        if Destruction.objects.filter(student=student, status=DestructionStatus.DONE).exists():
            raise ValidationError({"student": [_("Данные этого обучающегося уже уничтожены.")]})
        text = consent_text_current(kind=kind, organisation=student.organisation)
        consent = Consent.objects.create(
            kind=kind,
            user=user,
            student=student,
            text=text,
            given_at=clock.now(),
            ip_address=ip_address or None,
        )
        _data_change(
            user,
            _("Дано согласие на обработку персональных данных (версия %(v)s)")
            % {"v": text.version},
            subject_user=user,
            organisation=student.organisation,
            ip_address=ip_address,
            consent=consent.pk,
            student=student.pk,
            version=text.version,
        )
        return consent


def registration_consents(
    *, user: User, students: list[Student], kind: str, ip_address: str | None = None
) -> list[Consent]:
    """The consents a registration gives: a parent's for each child linked, a student's own."""
    return [consent_give(user=user, student=s, kind=kind, ip_address=ip_address) for s in students]


def destruction_days() -> int:
    return int(getattr(settings, "PERSONAL_DATA_DESTRUCTION_DAYS", 30))


def pseudonym_of(student: Student) -> str:
    return _("Обучающийся №%(n)s") % {"n": student.pk}


def consent_withdraw(
    *, consent: Consent, actor: User, ip_address: str | None = None
) -> Destruction:
    """Withdraw a consent: the student's personal data is scheduled for destruction within
    ``PERSONAL_DATA_DESTRUCTION_DAYS`` days. Withdrawing a second consent about the same
    student joins the destruction already pending."""
    with transaction.atomic():
        consent = Consent.objects.select_for_update().select_related("student").get(pk=consent.pk)
        if consent.user_id != actor.pk:
            raise ValidationError(
                {"consent": [_("Отозвать согласие может только тот, кто его дал.")]}
            )
        student = consent.student
        now = clock.now()
        if consent.withdrawn_at is None:
            consent.withdrawn_at = now
            consent.save(update_fields=["withdrawn_at"])
        destruction = Destruction.objects.filter(
            student=student, status=DestructionStatus.PENDING
        ).first()
        if destruction is None:
            destruction = Destruction.objects.create(
                organisation_id=student.organisation_id,
                student=student,
                consent=consent,
                requested_by=actor,
                requested_at=now,
                due_at=now + dt.timedelta(days=destruction_days()),
                pseudonym=pseudonym_of(student),
            )
            _schedule(destruction)
        _data_change(
            actor,
            _("Согласие отозвано; уничтожение персональных данных (%(p)s) назначено на %(d)s")
            % {
                "p": destruction.pseudonym,
                "d": f"{timezone.localtime(destruction.due_at):%d.%m.%Y}",
            },
            subject_user=actor,
            organisation=student.organisation,
            ip_address=ip_address,
            consent=consent.pk,
            student=student.pk,
            destruction=destruction.pk,
        )
        return destruction


def _schedule(destruction: Destruction) -> None:
    """Put the destruction on the worker's queue for its due time, when the backend can defer
    (the database worker can); the ticker (``run_destructions``) catches what it cannot."""
    from django.tasks import default_task_backend

    if not default_task_backend.supports_defer:
        return
    pk, due = destruction.pk, destruction.due_at

    def enqueue() -> None:
        from .tasks import destroy_personal_data

        destroy_personal_data.using(run_after=due).enqueue(pk)

    transaction.on_commit(enqueue)


def destruction_now(*, destruction: Destruction, actor: User) -> None:
    """«Уничтожить сейчас»: the curator sends a pending destruction to the worker at once."""
    if destruction.status != DestructionStatus.PENDING:
        return
    _data_change(
        actor,
        _("Уничтожение персональных данных (%(p)s) запущено досрочно")
        % {"p": destruction.pseudonym},
        organisation=destruction.organisation,
        destruction=destruction.pk,
    )
    pk, actor_id = destruction.pk, actor.pk

    def enqueue() -> None:
        from .tasks import destroy_personal_data

        destroy_personal_data.enqueue(pk, actor_id)

    transaction.on_commit(enqueue)


def destructions_due_enqueue(*, now: dt.datetime | None = None) -> int:
    """The ticker's part: every pending destruction whose day has come goes to the worker,
    and every done one whose files could not all be removed yet (the storage was away)."""
    from .tasks import destroy_personal_data

    now = now or clock.now()
    due = Q(status=DestructionStatus.PENDING, due_at__lte=now) | (
        Q(status=DestructionStatus.DONE) & ~Q(files_left=[])
    )
    ids = list(
        Destruction.objects.filter(due).order_by("due_at").values_list("pk", flat=True)[:500]
    )
    for pk in ids:
        destroy_personal_data.enqueue(pk)
    return len(ids)


# --- destruction -----------------------------------------------------------------------------

# What goes (category key → label in the act) and what stays, in the act's order.
DESTROYED = {
    "student_identity": _("ФИО обучающегося (заменены псевдонимом)"),
    "student_birth_date": _("Дата рождения обучающегося (оставлен только год)"),
    "student_snils": _("СНИЛС обучающегося"),
    "student_document": _("Документ, удостоверяющий личность"),
    "student_contacts": _("Адрес и e-mail обучающегося"),
    "student_photo": _("Фотография обучающегося"),
    "student_special_needs": _("Отметка об ОВЗ"),
    "accounts": _("Учётные записи (обезличены и заблокированы)"),
    "guardian_links": _("Связи с законными представителями"),
    "guardians": _("Сведения о законных представителях (ФИО, контакты, СНИЛС)"),
    "invitations": _("Пригласительные коды"),
    "absence_notes": _("Записки об отсутствии и справки"),
    "remarks": _("Замечания"),
    "achievements": _("Достижения портфолио"),
    "achievement_files": _("Файлы портфолио"),
    "clubs": _("Кружки и секции в портфолио"),
    "card_changes": _("История изменений карточки"),
    "message_attachments": _("Вложения в отправленных сообщениях"),
    "notifications": _("Уведомления"),
    "sessions": _("Сеансы входа"),
    "app_tokens": _("Разрешения приложений (ключи доступа к API)"),
    "calendar_feeds": _("Ссылки на календарь обучающегося"),
    "audit_names": _("ФИО в записях журнала событий (заменены псевдонимом)"),
}
KEPT = [
    _("Отметки, посещаемость, итоговые отметки и история их изменений (архив журнала)"),
    _("Приказы о зачислении, переводе и отчислении (книга движения)"),
    _("Год рождения и пол (для отчётов по архиву)"),
    _("Записи журнала событий (без ФИО)"),
    _("Тексты отправленных сообщений (без подписи отправителя)"),
    _("Согласия и их отзыв (подтверждение законности обработки)"),
]


def _anonymise_user(user: User, label: str) -> None:
    user.username = f"destroyed-{user.pk}"
    user.first_name = label
    user.last_name = ""
    user.middle_name = ""
    user.email = ""
    user.email_confirmed = False
    user.phone = ""
    user.birth_date = None
    user.sex = ""
    user.snils = ""
    user.signature = ""
    user.show_phone = False
    user.show_email = False
    user.is_active = False
    user.set_unusable_password()
    user.save()


def _count_delete(qs: Any) -> int:
    count = qs.count()
    if count:
        qs.delete()
    return count


def _file_names(files: list[Any]) -> list[str]:
    return [f.name for f in files if f]


def destruction_files_remove(*, destruction_id: int) -> int:
    """Remove the files a done destruction listed, then forget the list. Runs after the
    destruction's commit, and again from a retried task when the worker died between that
    commit and this (the list survives in the row): a file is never left behind."""
    from django.core.files.storage import default_storage

    names = list(Destruction.objects.filter(pk=destruction_id).values_list("files_left", flat=True))
    removed = 0
    left: list[str] = []
    for name in names[0] if names else []:
        try:
            default_storage.delete(name)  # every personal-data file field uses it
            removed += 1
        except FileNotFoundError:  # already gone: the removal is idempotent
            log.warning("personal data file %s was already removed", name)
        except Exception as error:  # noqa: BLE001 - S3 errors are no OSError
            # the storage is away (S3 down, a share unmounted): kept for the ticker's next try
            log.warning("personal data file %s not removed yet: %s", name, error)
            left.append(name)
    Destruction.objects.filter(pk=destruction_id).update(files_left=left)
    return removed


def destruction_run(*, destruction_id: int, actor_id: int | None = None) -> Destruction:
    """Destroy one student's personal data; all in one transaction, and a destruction done is
    left as it is (the task may run twice). Returns the destruction with its act.

    A worker killed in the middle leaves nothing destroyed (the transaction rolls back) and
    the retried task does it all. Files cannot be in the transaction: their names are saved
    with the act and removed after the commit; a retry finishes a removal that was cut short."""
    from oauth2_provider.models import AccessToken, Grant, RefreshToken

    from shkola.absences.models import AbsenceNote
    from shkola.accounts.models import Invitation, UserSession
    from shkola.feeds.models import CalendarFeed
    from shkola.journal.models import Remark
    from shkola.messaging.models import Attachment
    from shkola.notifications.models import Notification, NotificationSettings, Outbox
    from shkola.portfolio.models import Achievement, AchievementFile, Club, StudentChange
    from shkola.schools.models import Guardianship

    from . import acts

    done_id = destruction_id
    files: list[str] = []
    with transaction.atomic():
        destruction = (
            Destruction.objects.select_for_update()
            .select_related("organisation")
            .get(pk=destruction_id)
        )
        if destruction.status == DestructionStatus.DONE:
            if destruction.files_left:
                transaction.on_commit(lambda: destruction_files_remove(destruction_id=done_id))
            return destruction
        student = Student.objects.select_for_update().get(pk=destruction.student_id)
        pseudonym = destruction.pseudonym
        counts: dict[str, int] = {}

        # The log extract is taken first, while the rows still name the person.
        users: list[User] = []
        if student.user_id:
            users.append(User.objects.get(pk=student.user_id))
        links = list(Guardianship.objects.filter(student=student).select_related("guardian"))
        guardians = [link.guardian for link in links]
        # A parent's own data goes with their last child; with other children they stay.
        lone_guardians = [
            g
            for g in guardians
            if not Guardianship.objects.filter(guardian=g).exclude(student=student).exists()
        ]
        guardian_users = [g.user for g in lone_guardians if g.user_id]
        users += [u for u in guardian_users if u is not None]
        user_ids = [u.pk for u in users]
        events = AuditEvent.objects.filter(
            Q(details__student=student.pk) | Q(subject_user_id__in=user_ids)
        ).select_related("actor")
        extract = acts.log_extract(events, {u.pk: pseudonym for u in users})

        counts["student_identity"] = 1
        counts["student_birth_date"] = 1
        counts["student_snils"] = int(bool(student.snils))
        counts["student_document"] = int(
            bool(student.id_document or student.id_doc_series or student.id_doc_number)
        )
        counts["student_contacts"] = int(bool(student.address)) + int(bool(student.email))
        counts["student_photo"] = int(bool(student.photo))
        counts["student_special_needs"] = int(student.special_needs)
        files += _file_names([student.photo])
        student.last_name = pseudonym
        student.first_name = ""
        student.middle_name = ""
        student.birth_date = dt.date(student.birth_date.year, 1, 1)
        student.snils = ""
        student.id_document = ""
        student.id_doc_series = ""
        student.id_doc_number = ""
        student.id_doc_issued_on = None
        student.id_doc_issued_by = ""
        student.address = ""
        student.email = ""
        student.special_needs = False
        student.photo = ""
        student.user = None
        student.save()

        counts["guardian_links"] = _count_delete(Guardianship.objects.filter(student=student))
        counts["guardians"] = 0
        for guardian in lone_guardians:
            if guardian.user_id is None:
                guardian.delete()
            else:
                guardian.last_name = pseudonym
                guardian.first_name = ""
                guardian.middle_name = ""
                guardian.birth_date = None
                guardian.phone = ""
                guardian.email = ""
                guardian.snils = ""
                guardian.save()
            counts["guardians"] += 1
        counts["invitations"] = _count_delete(Invitation.objects.filter(student=student))

        notes = AbsenceNote.objects.filter(student=student)
        files += _file_names([n.file for n in notes])
        counts["absence_notes"] = _count_delete(notes)
        counts["remarks"] = _count_delete(Remark.objects.filter(student=student))
        achievement_files = AchievementFile.objects.filter(achievement__student=student)
        files += _file_names([f for af in achievement_files for f in (af.file, af.thumbnail)])
        counts["achievement_files"] = achievement_files.count()
        counts["achievements"] = _count_delete(Achievement.objects.filter(student=student))
        counts["clubs"] = _count_delete(Club.objects.filter(student=student))
        counts["card_changes"] = _count_delete(StudentChange.objects.filter(student=student))

        attachments = Attachment.objects.filter(message__sender_id__in=user_ids)
        files += _file_names([a.file for a in attachments])
        counts["message_attachments"] = _count_delete(attachments)
        counts["notifications"] = _count_delete(
            Notification.objects.filter(Q(user_id__in=user_ids) | Q(student=student))
        )
        NotificationSettings.objects.filter(user_id__in=user_ids).delete()
        Outbox.objects.filter(user_id__in=user_ids).delete()
        sessions = UserSession.objects.filter(user_id__in=user_ids)
        # Through the session store: a deleted row would stay signed in from the cache.
        sessions_end(list(sessions.values_list("session_key", flat=True)))
        counts["sessions"] = _count_delete(sessions)
        # An app's key or a calendar's secret link would go on reading the child's data.
        counts["app_tokens"] = sum(
            _count_delete(model.objects.filter(user_id__in=user_ids))
            for model in (RefreshToken, AccessToken, Grant)
        )
        counts["calendar_feeds"] = _count_delete(
            CalendarFeed.objects.filter(Q(student=student) | Q(owner_id__in=user_ids))
        )
        for user in users:
            _anonymise_user(user, pseudonym)
        counts["accounts"] = len(users)
        # The child leaves every parent's switcher, the accounts lose their names.
        people_cache_drop([*user_ids, *(g.user_id for g in guardians)])
        people_cache_drop_all()

        renamed = 0
        for event in AuditEvent.objects.filter(
            Q(details__student=student.pk) | Q(subject_user_id__in=user_ids)
        ):
            details = dict(event.details or {})
            if "student_name" in details:
                details["student_name"] = pseudonym
            # Our own consent and destruction summaries carry the pseudonym only; others
            # («Портфолио: Иванов Иван») may carry the name.
            if "summary" in details and not ("consent" in details or "destruction" in details):
                details["summary"] = pseudonym
            event.details = details
            if event.subject_user_id in user_ids:
                event.username = pseudonym if event.actor_id != event.subject_user_id else ""
            event.save(update_fields=["details", "username"])
            renamed += 1
        counts["audit_names"] = renamed

        now = clock.now()
        actor = User.objects.filter(pk=actor_id).first() if actor_id else None
        destruction.status = DestructionStatus.DONE
        destruction.done_at = now
        destruction.done_by = actor
        destruction.act = {
            "number": destruction.pk,
            "organisation": destruction.organisation.full_name
            or destruction.organisation.short_name,
            "pseudonym": pseudonym,
            "requested_at": destruction.requested_at.isoformat(),
            "done_at": now.isoformat(),
            "done_by": actor.full_name if actor else str(_("автоматически (фоновая задача)")),
            "destroyed": [
                {"category": str(DESTROYED[key]), "count": counts.get(key, 0)} for key in DESTROYED
            ],
            "kept": [str(k) for k in KEPT],
            "log": extract,
        }
        destruction.act_pdf = acts.act_pdf(destruction.act)
        destruction.files_left = files
        destruction.save()
        if files:
            transaction.on_commit(lambda: destruction_files_remove(destruction_id=done_id))
        _data_change(
            actor,
            _("Персональные данные уничтожены (%(p)s), составлен акт № %(n)s")
            % {"p": pseudonym, "n": destruction.pk},
            organisation=destruction.organisation,
            destruction=destruction.pk,
            student=student.pk,
        )
        return destruction
