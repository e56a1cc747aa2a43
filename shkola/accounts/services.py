"""Account writes: users, roles, passwords, invitations, registration, sessions, merges."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Sequence
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shkola.core import clock

from .models import (
    TERRITORY_ROLES,
    AuditEvent,
    Invitation,
    InvitationKind,
    Role,
    RoleAssignment,
    User,
    UserSession,
)
from .validators import MIN_LOGIN_LENGTH, phone_normalise
from .who import people_cache_drop, people_cache_drop_all  # noqa: F401 (other apps call them here)


def user_create(
    *,
    username: str,
    password: str | None,
    last_name: str = "",
    first_name: str = "",
    middle_name: str = "",
    email: str = "",
    phone: str = "",
    is_demo: bool = False,
) -> User:
    username = username.strip()
    if len(username) < 3:
        raise ValidationError({"username": _("Логин слишком короткий.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("Этот логин уже занят.")})
    user = User(
        username=username,
        last_name=last_name,
        first_name=first_name,
        middle_name=middle_name,
        email=email,
        phone=phone,
        is_demo=is_demo,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


def role_grant(
    *,
    user: User,
    role: str,
    organisation: Any = None,
    territory: Any = None,
    specialist_kind: str = "",
    actor: User | None = None,
) -> RoleAssignment:
    role = Role(role)
    if role in TERRITORY_ROLES:
        if territory is None or organisation is not None:
            raise ValidationError(
                {"territory": _("Роль специалиста органа управления даётся на территорию.")}
            )
    elif organisation is None or territory is not None:
        raise ValidationError(
            {"organisation": _("Роль сотрудника даётся в образовательной организации.")}
        )
    if role == Role.SPECIALIST and not specialist_kind:
        raise ValidationError({"specialist_kind": _("Укажите специальность.")})
    with transaction.atomic():
        assignment, created = RoleAssignment.objects.get_or_create(
            user=user,
            role=role,
            organisation=organisation,
            territory=territory,
            defaults={"specialist_kind": specialist_kind},
        )
        if created:
            AuditEvent.objects.create(
                kind=AuditEvent.Kind.ROLE_CHANGE,
                actor=actor,
                subject_user=user,
                organisation=organisation,
                username=user.username,
                details={"granted": str(role)},
            )
            people_cache_drop([user.pk])
    return assignment


@transaction.atomic
def role_revoke(*, assignment: RoleAssignment, actor: User | None = None) -> None:
    """Take a role away; the school's log shows who did it."""
    AuditEvent.objects.create(
        kind=AuditEvent.Kind.ROLE_CHANGE,
        actor=actor,
        subject_user=assignment.user,
        organisation=assignment.organisation,
        username=assignment.user.username,
        details={"revoked": str(assignment.role)},
    )
    assignment.delete()
    people_cache_drop([assignment.user_id])


def password_changed(
    *, user: Any, old_session_key: str | None = None, session_key: str | None = None
) -> None:
    """After a password change the browser that changed it stays signed in under its new
    session key; every other browser is signed out (Django refuses them already, «Доступ»
    must not list them)."""
    if getattr(user, "must_change_password", False):
        User.objects.filter(pk=user.pk).update(must_change_password=False)
        user.must_change_password = False
    if old_session_key and session_key and old_session_key != session_key:
        UserSession.objects.filter(user=user, session_key=old_session_key).update(
            session_key=session_key
        )
    # The account other workers hold must show the new password hash (their sessions end).
    people_cache_drop([user.pk])
    user_sessions_end(user=user, keep_session_key=session_key)
    audit_record(kind=AuditEvent.Kind.PASSWORD_CHANGE, actor=user, subject_user=user)


# --- audit -------------------------------------------------------------------------------


def organisation_of_user(user: Any) -> Any:
    """The school an account belongs to, so its events show in that school's log."""
    if user is None or not getattr(user, "pk", None):
        return None
    from .selectors import viewer_for

    return viewer_for(user).organisation


def audit_record(
    *,
    kind: str,
    actor: Any = None,
    subject_user: Any = None,
    organisation: Any = None,
    username: str = "",
    ip_address: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    if organisation is None:
        organisation = organisation_of_user(subject_user or actor)
    return AuditEvent.objects.create(
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        subject_user=subject_user if getattr(subject_user, "pk", None) else None,
        organisation=organisation,
        username=username or getattr(subject_user or actor, "username", "") or "",
        ip_address=ip_address or None,
        details=details or {},
    )


def personal_data_access_record(
    *, actor: Any, student: Any, what: str, path: str = "", ip_address: str | None = None
) -> AuditEvent:
    """A staff member opened one student's personal data (card, portfolio, diary, remarks):
    who, whose, which page, in which school (the student's, where the access happened).
    One INSERT and no reads, so a page pays exactly one query for it."""
    name = " ".join(p for p in (student.last_name, student.first_name) if p)
    return AuditEvent.objects.create(
        kind=AuditEvent.Kind.DATA_ACCESS,
        actor_id=actor.pk,
        subject_user_id=student.user_id,
        organisation_id=student.organisation_id,
        username=actor.username,
        ip_address=ip_address or None,
        details={
            "student": student.id,
            "student_name": name,
            "page": str(what),
            "path": path,
            "summary": f"{what}: {name}",
        },
    )


def personal_data_viewed(*, request: Any, student: Any, what: str) -> AuditEvent | None:
    """Record that the signed-in person opened ``student``'s personal data on page ``what``,
    unless it is the student or their own parent (``schools.log_data_access``). Free of reads
    when the request's Viewer is shared with the rules (the pages do that already)."""
    from .middleware import client_ip

    user = request.user
    if not user.has_perm("schools.log_data_access", student):
        return None
    return personal_data_access_record(
        actor=user,
        student=student,
        what=what,
        path=request.get_full_path()[:500],
        ip_address=client_ip(request),
    )


def person_card_viewed(*, request: Any, card: Any) -> AuditEvent:
    """The administration opened an account's card (name, e-mail, phone, children): a
    student's card is logged as that student's data; anyone else's under the school the
    card already shows (a child's or a role's), so logging reads nothing."""
    from .middleware import client_ip

    if card.student is not None:
        return personal_data_access_record(
            actor=request.user,
            student=card.student,
            what=_("Учётная запись"),
            path=request.get_full_path()[:500],
            ip_address=client_ip(request),
        )
    schools = [c.organisation for c in card.children] + [
        r.organisation for r in card.roles if r.organisation_id
    ]
    name = card.user.full_name
    return AuditEvent.objects.create(
        kind=AuditEvent.Kind.DATA_ACCESS,
        actor_id=request.user.pk,
        subject_user_id=card.user.pk,
        organisation=schools[0] if schools else None,
        username=request.user.username,
        ip_address=client_ip(request),
        details={
            "page": str(_("Учётная запись")),
            "path": request.get_full_path()[:500],
            "summary": f"{_('Учётная запись')}: {name}",
        },
    )


# --- invitation codes (A3) ---------------------------------------------------------------

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are typed from paper
CODE_LENGTH = 10


def invitation_code_normalise(raw: str) -> str:
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
        if not Invitation.objects.filter(code=code).exists():
            return code


def _invitation_new(*, student: Any, kind: str, class_unit: Any, actor: Any) -> Invitation:
    return Invitation.objects.create(
        code=_new_code(),
        kind=kind,
        organisation_id=student.organisation_id,
        class_unit=class_unit,
        student=student,
        created_by=actor,
        expires_at=clock.now() + dt.timedelta(days=settings.SHKOLA["INVITATION_DAYS"]),
    )


@transaction.atomic
def invitation_generate(*, class_unit: Any, kind: str, actor: Any) -> list[Invitation]:
    """Codes for every student of the class who has no usable code of this kind yet.

    Student codes skip students who already have an account."""
    from shkola.schools.selectors import students_of_class

    kind = InvitationKind(kind)
    now = clock.now()
    students = list(students_of_class(class_unit))
    has_active = set(
        Invitation.objects.filter(
            student__in=students,
            kind=kind,
            used_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now,
        ).values_list("student_id", flat=True)
    )
    created = []
    for student in students:
        if student.id in has_active:
            continue
        if kind == InvitationKind.STUDENT and student.user_id:
            continue
        created.append(
            _invitation_new(student=student, kind=kind, class_unit=class_unit, actor=actor)
        )
    if created:
        # A code is a key to a child's data: who handed out which ones must be traceable.
        audit_record(
            kind=AuditEvent.Kind.INVITATION_GENERATE,
            actor=actor,
            organisation=class_unit.parallel.organisation,
            details={
                "summary": _("%(class)s, %(kind)s: кодов %(n)s")
                % {"class": class_unit.name, "kind": kind.label.lower(), "n": len(created)},
                "class_unit": class_unit.id,
                "kind": str(kind),
                "codes": [invitation.code for invitation in created],
            },
        )
    return created


def _invitation_audit(*, kind: str, invitation: Invitation, actor: Any, **extra: Any) -> None:
    """The code goes into the login column, so searching the log by a code finds its story."""
    audit_record(
        kind=kind,
        actor=actor,
        organisation=invitation.organisation,
        username=invitation.code,
        details={
            "summary": _("%(code)s — %(name)s, %(kind)s")
            % {
                "code": invitation.code,
                "name": invitation.student.full_name,
                "kind": invitation.get_kind_display().lower(),
            },
            "code": invitation.code,
            "student": invitation.student_id,
            **extra,
        },
    )


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: Any) -> Invitation:
    if invitation.used_at:
        raise ValidationError(
            {
                "code": _("Код %(code)s уже использован — отозвать его нельзя.")
                % {"code": invitation.code}
            }
        )
    if not invitation.revoked_at:
        invitation.revoked_at = clock.now()
        invitation.save(update_fields=["revoked_at"])
        _invitation_audit(
            kind=AuditEvent.Kind.INVITATION_REVOKE, invitation=invitation, actor=actor
        )
    return invitation


@transaction.atomic
def invitation_reissue(*, invitation: Invitation, actor: Any) -> Invitation:
    """Revoke a lost or expired code and give the same person a new one."""
    student = invitation.student
    if invitation.kind == InvitationKind.STUDENT and student.user_id:
        raise ValidationError(
            {
                "code": _("%(name)s уже зарегистрирован(а) — новый код не нужен.")
                % {"name": student.full_name}
            }
        )
    if not invitation.used_at and not invitation.revoked_at:
        invitation.revoked_at = clock.now()
        invitation.save(update_fields=["revoked_at"])
    new = _invitation_new(
        student=student,
        kind=invitation.kind,
        class_unit=invitation.class_unit or student.current_class,
        actor=actor,
    )
    _invitation_audit(
        kind=AuditEvent.Kind.INVITATION_REISSUE,
        invitation=invitation,
        actor=actor,
        new_code=new.code,
    )
    return new


def invitation_usable(raw_code: str, *, field: str = "code", lock: bool = False) -> Invitation:
    """The invitation behind a typed code, or a ValidationError saying clearly what is wrong."""
    code = invitation_code_normalise(raw_code)
    if not code:
        raise ValidationError({field: _("Введите пригласительный код.")})
    qs = Invitation.objects.select_related("student__current_class__parallel", "organisation")
    if lock:
        qs = qs.select_for_update(of=("self",))
    invitation = qs.filter(code=code).first()
    if invitation is None:
        raise ValidationError(
            {
                field: _("Код %(code)s не найден. Проверьте, что он введён без ошибок.")
                % {"code": raw_code.strip()}
            }
        )
    state = invitation.state_at(clock.now())
    if state == "used":
        raise ValidationError(
            {
                field: _(
                    "Код %(code)s уже использован. Если это были вы — войдите по логину и паролю; если нет — попросите у куратора школы новый код."
                )
                % {"code": code}
            }
        )
    if state == "revoked":
        raise ValidationError(
            {
                field: _("Код %(code)s отозван куратором школы. Попросите новый код.")
                % {"code": code}
            }
        )
    if state == "expired":
        raise ValidationError(
            {
                field: _(
                    "Срок действия кода %(code)s истёк %(date)s. Попросите у куратора школы новый код."
                )
                % {
                    "code": code,
                    "date": date_format(clock_local(invitation.expires_at).date(), "j E Y"),
                }
            }
        )
    return invitation


def clock_local(moment: dt.datetime) -> dt.datetime:
    from django.utils import timezone

    return timezone.localtime(moment)


def _invitation_mark_used(invitation: Invitation, user: User) -> None:
    invitation.used_at = clock.now()
    invitation.used_by = user
    invitation.save(update_fields=["used_at", "used_by"])


# --- registration (A4) -------------------------------------------------------------------

LOGIN_PATTERN = re.compile(r"^[A-Za-z0-9._-]+$")


def _login_errors(username: str) -> list[str]:
    if not username:
        return [_("Придумайте логин.")]
    if len(username) < MIN_LOGIN_LENGTH:
        return [_("Логин должен быть не короче %(n)s символов.") % {"n": MIN_LOGIN_LENGTH}]
    if not LOGIN_PATTERN.match(username):
        return [
            _("В логине можно использовать латинские буквы, цифры, точку, дефис и подчёркивание.")
        ]
    if User.objects.filter(username__iexact=username).exists():
        return [_("Логин «%(login)s» уже занят. Придумайте другой.") % {"login": username}]
    return []


def _password_errors(password: str, user: User) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return list(error.messages)
    return []


def _email_errors(email: str, *, required: bool) -> list[str]:
    if not email:
        return [_("Укажите адрес электронной почты.")] if required else []
    try:
        EmailValidator()(email)
    except ValidationError:
        return [_("Адрес электронной почты «%(email)s» указан неверно.") % {"email": email}]
    return []


def _phone_clean(phone: str, *, required: bool, errors: dict[str, list[str]]) -> str:
    if not phone.strip():
        if required:
            errors["phone"] = [_("Укажите номер мобильного телефона.")]
        return ""
    try:
        return phone_normalise(phone)
    except ValidationError as error:
        errors["phone"] = list(error.messages)
        return ""


@transaction.atomic
def registration_complete(
    *,
    code: str,
    username: str,
    password: str,
    password2: str | None = None,
    email: str = "",
    phone: str = "",
    last_name: str = "",
    first_name: str = "",
    middle_name: str = "",
    representative_kind: str = "",
    child_codes: list[str] | None = None,
    ip_address: str | None = None,
    personal_data_consent: bool = False,
) -> User:
    """A4: turn an invitation into an account. All problems are reported at once, per field.

    A parent consents to the processing of their own and their children's personal data, a
    student of 14 or over to their own (H2): a separate document, without which no account."""
    from shkola.privacy import services as privacy_services
    from shkola.schools.models import RepresentativeKind

    invitation = invitation_usable(code, lock=True)
    is_parent = invitation.kind == InvitationKind.PARENT
    username = username.strip()
    email = email.strip().lower()
    errors: dict[str, list[str]] = {}

    if login_errors := _login_errors(username):
        errors["username"] = login_errors
    if email_errors := _email_errors(email, required=is_parent):
        errors["email"] = email_errors
    phone = _phone_clean(phone, required=is_parent, errors=errors)

    student = invitation.student
    extra: list[Invitation] = []
    if is_parent:
        last_name, first_name, middle_name = (
            last_name.strip(),
            first_name.strip(),
            middle_name.strip(),
        )
        if not last_name:
            errors["last_name"] = [_("Укажите фамилию.")]
        if not first_name:
            errors["first_name"] = [_("Укажите имя.")]
        if representative_kind not in RepresentativeKind.values:
            errors["representative_kind"] = [_("Укажите, кем вы приходитесь ребёнку.")]
        seen = {invitation.code}
        for raw in child_codes or []:
            if not raw.strip():
                continue
            try:
                other = invitation_usable(raw, field="child_codes", lock=True)
            except ValidationError as error:
                errors.setdefault("child_codes", []).extend(error.message_dict["child_codes"])
                continue
            if other.code in seen:
                errors.setdefault("child_codes", []).append(
                    _("Код %(code)s введён дважды.") % {"code": other.code}
                )
            elif other.kind != InvitationKind.PARENT:
                errors.setdefault("child_codes", []).append(
                    _("Код %(code)s — код обучающегося, а в поле «Дети» нужны коды для родителя.")
                    % {"code": other.code}
                )
            else:
                seen.add(other.code)
                extra.append(other)
    else:
        last_name, first_name, middle_name = (
            student.last_name,
            student.first_name,
            student.middle_name,
        )
        if student.user_id:
            errors["code"] = [
                _("Этот обучающийся уже зарегистрирован. Войдите по логину и паролю.")
            ]
        if any(c.strip() for c in child_codes or []):
            errors["child_codes"] = [_("Поле «Дети» заполняют только родители.")]

    needs_consent = is_parent or privacy_services.student_gives_own_consent(student)
    if needs_consent and not personal_data_consent:
        errors["personal_data_consent"] = [
            _("Согласие на обработку персональных данных: без него зарегистрироваться нельзя.")
        ]

    candidate = User(
        username=username,
        email=email,
        last_name=last_name,
        first_name=first_name,
        middle_name=middle_name,
        birth_date=None if is_parent else student.birth_date,
    )
    if not password:
        errors["password"] = [_("Придумайте пароль.")]
    elif password_errors := _password_errors(password, candidate):
        errors["password"] = password_errors
    elif password2 is not None and password2 != password:
        errors["password2"] = [_("Пароли не совпадают.")]
    if errors:
        raise ValidationError(errors)

    user = User(
        username=username,
        email=email,
        phone=phone,
        last_name=last_name,
        first_name=first_name,
        middle_name=middle_name,
        birth_date=candidate.birth_date,
        sex="" if is_parent else student.sex,
    )
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:
        raise ValidationError(
            {
                "username": [
                    _("Логин «%(login)s» уже занят. Придумайте другой.") % {"login": username}
                ]
            }
        ) from error

    if is_parent:
        for inv in [invitation, *extra]:
            _guardian_link(user=user, student=inv.student, kind=representative_kind)
            _invitation_mark_used(inv, user)
    else:
        from shkola.schools.models import Student

        Student.objects.filter(pk=student.pk).update(user=user)
        student.user = user
        _invitation_mark_used(invitation, user)
    people_cache_drop([user.pk])
    if needs_consent:
        privacy_services.registration_consents(
            user=user,
            students=[inv.student for inv in [invitation, *extra]] if is_parent else [student],
            kind="parent" if is_parent else "student",
            ip_address=ip_address,
        )

    audit_record(
        kind=AuditEvent.Kind.REGISTRATION,
        actor=user,
        subject_user=user,
        organisation=invitation.organisation,
        ip_address=ip_address,
        details={
            "codes": [invitation.code, *[i.code for i in extra]],
            "kind": invitation.kind,
        },
    )
    if email:
        email_confirmation_send(user=user)
    return user


def _guardian_link(*, user: User, student: Any, kind: str) -> Any:
    from shkola.schools.models import Guardianship, RepresentativeKind
    from shkola.schools.services import guardian_link, guardian_of_user

    guardian = guardian_of_user(user=user)
    if kind not in RepresentativeKind.values:
        existing = Guardianship.objects.filter(guardian=guardian).first()
        kind = existing.kind if existing else RepresentativeKind.OTHER
    return guardian_link(guardian=guardian, student=student, kind=kind)


@transaction.atomic
def parent_child_add(*, user: User, code: str, representative_kind: str = "") -> Any:
    """A7 «Дети» → «Добавить»: one more child on the same account by a parent code."""
    from shkola.schools.models import Guardianship, Student

    invitation = invitation_usable(code, lock=True)
    if Student.objects.filter(user=user).exists():
        raise ValidationError({"code": _("Добавлять детей по коду могут только родители.")})
    if invitation.kind != InvitationKind.PARENT:
        raise ValidationError(
            {
                "code": _(
                    "Это код для регистрации обучающегося. Для родителя нужен код «для родителя»."
                )
            }
        )
    if Guardianship.objects.filter(guardian__user=user, student=invitation.student).exists():
        raise ValidationError(
            {
                "code": _("%(name)s уже есть в вашей учётной записи.")
                % {"name": invitation.student.full_name}
            }
        )
    link = _guardian_link(user=user, student=invitation.student, kind=representative_kind)
    _invitation_mark_used(invitation, user)
    people_cache_drop([user.pk])
    audit_record(
        kind=AuditEvent.Kind.DATA_CHANGE,
        actor=user,
        subject_user=user,
        organisation=invitation.organisation,
        details={"child_added": invitation.student_id, "code": invitation.code},
    )
    return link


# --- e-mail confirmation (A5) ------------------------------------------------------------

EMAIL_CONFIRM_SALT = "shkola.accounts.email-confirm"


def email_confirmation_token(*, user: User) -> str:
    return signing.dumps({"u": user.pk, "e": user.email}, salt=EMAIL_CONFIRM_SALT)


def email_confirmation_send(*, user: User) -> None:
    """Send the letter after the transaction commits (the task reads the saved address)."""
    if not user.email or user.email_confirmed:
        return
    from .tasks import send_email_confirmation

    user_id = user.pk
    transaction.on_commit(lambda: send_email_confirmation.enqueue(user_id))


def email_confirm(*, token: str) -> User:
    max_age = dt.timedelta(days=settings.SHKOLA["EMAIL_CONFIRM_DAYS"])
    try:
        data = signing.loads(token, salt=EMAIL_CONFIRM_SALT, max_age=max_age)
    except signing.SignatureExpired as error:
        raise ValidationError(
            {
                "token": _(
                    "Срок действия ссылки истёк. Войдите и отправьте письмо ещё раз из раздела «Мои данные»."
                )
            }
        ) from error
    except signing.BadSignature as error:
        raise ValidationError(
            {"token": _("Ссылка для подтверждения повреждена. Скопируйте её из письма целиком.")}
        ) from error
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or (user.email or "").lower() != (data.get("e") or "").lower():
        raise ValidationError(
            {
                "token": _(
                    "Ссылка относится к адресу, который уже изменён. Подтвердите новый адрес по последнему письму."
                )
            }
        )
    if not user.email_confirmed:
        user.email_confirmed = True
        user.save(update_fields=["email_confirmed"])
    return user


# --- profile (A7) ------------------------------------------------------------------------


@transaction.atomic
def profile_update(
    *,
    user: User,
    email: str,
    phone: str,
    signature: str = "",
    show_phone: bool | None = None,
    show_email: bool | None = None,
    last_name: str | None = None,
    first_name: str | None = None,
    middle_name: str | None = None,
    birth_date: dt.date | None = None,
) -> User:
    """Own data. ``show_phone``/``show_email`` (None: unchanged) say whether the people
    lists («Учителя», «Коллеги») may show the phone and the address. A student's name and birth date are kept by the school and never change here."""
    from shkola.schools.models import Guardian, Student

    is_student = Student.objects.filter(user=user).exists()
    is_parent = Guardian.objects.filter(user=user, guardianships__isnull=False).exists()
    errors: dict[str, list[str]] = {}
    email = email.strip().lower()
    if email_errors := _email_errors(email, required=is_parent):
        errors["email"] = email_errors
    phone = _phone_clean(phone, required=is_parent, errors=errors)
    names = {
        "last_name": last_name,
        "first_name": first_name,
        "middle_name": middle_name,
    }
    if is_student:
        if any(v is not None and v.strip() != getattr(user, k) for k, v in names.items()) or (
            birth_date is not None and birth_date != user.birth_date
        ):
            errors["last_name"] = [
                _("Фамилию, имя, отчество и дату рождения обучающегося меняет школа.")
            ]
    else:
        if last_name is not None and not last_name.strip():
            errors["last_name"] = [_("Укажите фамилию.")]
        if first_name is not None and not first_name.strip():
            errors["first_name"] = [_("Укажите имя.")]
        if birth_date is not None and birth_date >= clock.today():
            errors["birth_date"] = [_("Дата рождения должна быть в прошлом.")]
    if errors:
        raise ValidationError(errors)

    before = {
        k: getattr(user, k)
        for k in ("last_name", "first_name", "middle_name", "email", "phone", "birth_date")
    }
    fields = ["email", "phone", "signature"]
    email_changed = email != (user.email or "").lower()
    user.email, user.phone, user.signature = email, phone, signature.strip()
    for key, allowed in (("show_phone", show_phone), ("show_email", show_email)):
        if allowed is not None:
            setattr(user, key, bool(allowed))
            fields.append(key)
    if email_changed:
        user.email_confirmed = False
        fields.append("email_confirmed")
    if not is_student:
        for key, value in names.items():
            if value is not None:
                setattr(user, key, value.strip())
                fields.append(key)
        if birth_date is not None:
            user.birth_date = birth_date
            fields.append("birth_date")
    user.save(update_fields=fields)
    people_cache_drop([user.pk])
    Guardian.objects.filter(user=user).update(
        last_name=user.last_name,
        first_name=user.first_name,
        middle_name=user.middle_name,
        phone=user.phone,
        email=user.email,
    )
    changed = [k for k, v in before.items() if getattr(user, k) != v]
    if changed:
        # Which fields, not their values: the log must not become a second copy of them.
        audit_record(
            kind=AuditEvent.Kind.DATA_CHANGE,
            actor=user,
            subject_user=user,
            details={
                "fields": changed,
                "summary": ", ".join(str(_PROFILE_FIELD_LABELS[k]) for k in changed),
            },
        )
    if email_changed and email:
        email_confirmation_send(user=user)
    return user


_PROFILE_FIELD_LABELS = {
    "last_name": gettext_lazy("фамилия"),
    "first_name": gettext_lazy("имя"),
    "middle_name": gettext_lazy("отчество"),
    "email": gettext_lazy("e-mail"),
    "phone": gettext_lazy("телефон"),
    "birth_date": gettext_lazy("дата рождения"),
}


# --- curator: logins and temporary passwords (A6) ---------------------------------------

TEMP_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def temporary_password() -> str:
    return "".join(secrets.choice(TEMP_PASSWORD_ALPHABET) for _i in range(10))


@transaction.atomic
def password_set_by_curator(
    *,
    actor: User,
    user: User,
    password: str | None = None,
    ip_address: str | None = None,
) -> str:
    """A temporary password the person must replace at the next login.

    Only for accounts the actor's school manages: a password the curator knows over a
    director's or an official's account would hand the curator their powers."""
    from .selectors import acting_organisation, user_management_refusal, viewer_for

    viewer = viewer_for(actor)
    if refusal := user_management_refusal(viewer, user):
        raise ValidationError({"user": refusal})
    password = password or temporary_password()
    if errors := _password_errors(password, user):
        raise ValidationError({"password": errors})
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    people_cache_drop([user.pk])
    user_sessions_end(user=user)
    audit_record(
        kind=AuditEvent.Kind.PASSWORD_SET,
        actor=actor,
        subject_user=user,
        organisation=acting_organisation(viewer, user),
        ip_address=ip_address,
    )
    return password


# --- account merge (A8) ------------------------------------------------------------------


@transaction.atomic
def account_merge(*, actor: User, keep: User, remove: User, ip_address: str | None = None) -> User:
    """Two accounts of one parent become one: children and contacts move to ``keep``;
    ``remove`` is deactivated and signed out everywhere.

    Both must be accounts the actor's school manages, and ``remove`` must hold no staff
    role: roles are granted, never carried over by a merge (that would let a curator move
    a director's powers onto an account they control)."""
    from shkola.schools.models import Guardian, Guardianship, Student

    from .selectors import acting_organisation, user_management_refusal, viewer_for

    if keep.pk == remove.pk:
        raise ValidationError({"remove": _("Выберите две разные учётные записи.")})
    viewer = viewer_for(actor)
    errors = {
        field: refusal
        for field, account in (("keep", keep), ("remove", remove))
        if (refusal := user_management_refusal(viewer, account))
    }
    if errors:
        raise ValidationError(errors)
    if RoleAssignment.objects.filter(user=remove).exists():
        raise ValidationError(
            {
                "remove": _(
                    "«%(login)s» — учётная запись сотрудника школы: при объединении её роли не "
                    "переносятся. Оставьте её, а отключите другую учётную запись."
                )
                % {"login": remove.username}
            }
        )
    if not remove.is_active:
        raise ValidationError({"remove": _("Эта учётная запись уже отключена.")})
    if Student.objects.filter(user__in=[keep, remove]).exists():
        raise ValidationError(
            {"remove": _("Объединять можно только учётные записи родителей, не обучающихся.")}
        )
    removed_guardian = Guardian.objects.filter(user=remove).first()
    if removed_guardian is None:
        raise ValidationError({"remove": _("У этой учётной записи нет детей — объединять нечего.")})
    kept_guardian = Guardian.objects.filter(user=keep).first()
    keep_snils = keep.snils or (kept_guardian.snils if kept_guardian else "")
    remove_snils = remove.snils or removed_guardian.snils
    if keep_snils and remove_snils and keep_snils != remove_snils:
        raise ValidationError(
            {
                "remove": _(
                    "У этих учётных записей разные СНИЛС — это разные люди, объединять их нельзя."
                )
            }
        )
    if kept_guardian is not None and removed_guardian.snils and not kept_guardian.snils:
        kept_guardian.snils = removed_guardian.snils
        kept_guardian.save(update_fields=["snils"])
    moved: list[int] = []
    if kept_guardian is None:
        removed_guardian.user = keep
        removed_guardian.save(update_fields=["user"])
        moved = list(removed_guardian.guardianships.values_list("student_id", flat=True))
    else:
        have = set(kept_guardian.guardianships.values_list("student_id", flat=True))
        for link in list(removed_guardian.guardianships.all()):
            if link.student_id in have:
                link.delete()
            else:
                link.guardian = kept_guardian
                link.save(update_fields=["guardian"])
                moved.append(link.student_id)
        Guardianship.objects.filter(guardian=removed_guardian).delete()
        removed_guardian.delete()
    # Sign-in through a provider follows the person: its links and the children it named
    # that wait for the curator belong to the kept account from now on. The SNILS leaves the
    # removed account, or the next sign-in would find two accounts for one person.
    from .sso.models import SsoIdentity, UnmatchedChild

    identities = SsoIdentity.objects.filter(user=remove).update(user=keep)
    UnmatchedChild.objects.filter(parent=remove).update(parent=keep)
    fields = []
    for name in ("email", "phone", "signature", "snils"):
        if not getattr(keep, name) and getattr(remove, name):
            setattr(keep, name, getattr(remove, name))
            fields.append(name)
    if "email" in fields:
        keep.email_confirmed = remove.email_confirmed
        fields.append("email_confirmed")
    if fields:
        keep.save(update_fields=fields)
    organisation = acting_organisation(viewer, keep)
    remove.is_active = False
    remove.snils = ""
    remove.save(update_fields=["is_active", "snils"])
    people_cache_drop([keep.pk, remove.pk])
    user_sessions_end(user=remove)
    audit_record(
        kind=AuditEvent.Kind.MERGE,
        actor=actor,
        subject_user=keep,
        organisation=organisation,
        ip_address=ip_address,
        details={
            "kept": keep.username,
            "removed": remove.username,
            "removed_id": remove.pk,
            "students_moved": moved,
            "sso_identities_moved": identities,
        },
    )
    return keep


# --- sessions ----------------------------------------------------------------------------


def user_session_touch(
    *, user: Any, session_key: str, user_agent: str = "", ip_address: str | None = None
) -> UserSession:
    session, _created = UserSession.objects.update_or_create(
        session_key=session_key,
        defaults={
            "user": user,
            "user_agent": user_agent[:300],
            "ip_address": ip_address or None,
            "last_seen": clock.now(),
        },
    )
    return session


def user_login_recorded(
    *, user: Any, session_key: str | None, user_agent: str, ip_address: str | None
) -> None:
    if session_key:
        user_session_touch(
            user=user,
            session_key=session_key,
            user_agent=user_agent,
            ip_address=ip_address,
        )
    audit_record(
        kind=AuditEvent.Kind.LOGIN,
        actor=user,
        subject_user=user,
        ip_address=ip_address,
        details={"user_agent": user_agent[:200]},
    )


def user_logout_recorded(*, user: Any, session_key: str | None, ip_address: str | None) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()
    if user is not None and getattr(user, "pk", None):
        audit_record(
            kind=AuditEvent.Kind.LOGOUT,
            actor=user,
            subject_user=user,
            ip_address=ip_address,
        )


def user_login_failed_recorded(*, username: str, ip_address: str | None) -> None:
    subject = User.objects.filter(username__iexact=username).first() if username else None
    audit_record(
        kind=AuditEvent.Kind.LOGIN_FAILED,
        subject_user=subject,
        username=username[:150],
        ip_address=ip_address,
    )


@transaction.atomic
def user_sessions_end(
    *, user: Any, keep_session_key: str | None = None, session_id: int | None = None
) -> int:
    """Sign out browsers: every one but ``keep_session_key``, or just ``session_id``. In one
    transaction: when the shared cache cannot drop a copy (Redis away), nothing is ended
    halfway and the request fails, to be retried."""
    rows = UserSession.objects.filter(user=user)
    if session_id is not None:
        rows = rows.filter(pk=session_id)
    if keep_session_key:
        rows = rows.exclude(session_key=keep_session_key)
    keys = list(rows.values_list("session_key", flat=True))
    sessions_end(keys)
    rows.delete()
    return len(keys)


def sessions_end(keys: Sequence[str]) -> None:
    """End these browser sessions in every worker. Through the SessionStore, never by
    deleting rows: with cached_db sessions a deleted row stays alive in the shared cache. And
    again after commit: a request in another worker that read the row before the commit would
    otherwise have put it back into the cache."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = [key for key in keys if key]
    for key in keys:
        store(session_key=key).delete()

    def forget() -> None:
        from django.core.cache import caches

        cache = caches[settings.SESSION_CACHE_ALIAS]
        for key in keys:
            session = store(session_key=key)
            cache_key = getattr(session, "cache_key", None)
            if cache_key is not None:
                cache.delete(cache_key)

    if keys and transaction.get_connection().in_atomic_block:
        transaction.on_commit(forget)


# --- brute-force lockouts ----------------------------------------------------------------


def lockout_recorded(*, username: str, ip_address: str | None) -> None:
    subject = User.objects.filter(username__iexact=username).first() if username else None
    audit_record(
        kind=AuditEvent.Kind.LOCKOUT,
        subject_user=subject,
        username=(username or "")[:150],
        ip_address=ip_address,
    )


@transaction.atomic
def lockout_reset(
    *, actor: User, username: str, ip_addresses: Sequence[str] = (), organisation: Any
) -> int:
    """Unlock a login: every failed attempt of that login goes, from whatever address. An
    address is locked by the sum of its attempts, so a child who mistyped at home has the home
    address unlocked too, while other logins' failures from those addresses (someone else's
    account, or an attack spread over them) stay counted. ``ip_addresses`` go to the log."""
    from axes.utils import reset

    count = reset(username=username) if username else 0
    audit_record(
        kind=AuditEvent.Kind.UNLOCK,
        actor=actor,
        subject_user=User.objects.filter(username__iexact=username).first() if username else None,
        organisation=organisation,
        username=username,
        details={"ip": ", ".join(ip_addresses), "attempts_removed": count},
    )
    return count


def password_reset_requested(*, email: str, ip_address: str | None, send: Any) -> bool:
    """«Забыли пароль?»: call ``send`` (which mails the letter, if the address is a confirmed
    one) unless this address or this client asked too often in the last hour. Whatever
    happens the person sees the same page, so the answer reveals nothing about accounts.
    Every request is logged: the log is the counter."""
    from .selectors import password_reset_throttled

    email = (email or "").strip().lower()[:150]
    throttled = password_reset_throttled(email=email, ip_address=ip_address)
    if not throttled:
        send()
    audit_record(
        kind=AuditEvent.Kind.PASSWORD_RESET_REQUEST,
        subject_user=User.objects.filter(email__iexact=email, is_active=True).first()
        if email
        else None,
        username=email,
        ip_address=ip_address,
        details={"throttled": throttled},
    )
    return not throttled


def password_reset_completed(*, user: Any, ip_address: str | None = None) -> None:
    """A reset by e-mail proves the address; a curator's temporary password is replaced too."""
    fields = []
    if user.must_change_password:
        user.must_change_password = False
        fields.append("must_change_password")
    if fields:
        user.save(update_fields=fields)
    people_cache_drop([user.pk])
    user_sessions_end(user=user)
    audit_record(
        kind=AuditEvent.Kind.PASSWORD_RESET,
        actor=user,
        subject_user=user,
        ip_address=ip_address,
    )


def login_errors(username: str) -> list[str]:
    """Why a login cannot be taken (empty, short, wrong letters, taken), for forms outside
    registration that create accounts (a school's staff)."""
    return _login_errors(username)
