"""Account writes: users, roles, passwords."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import AuditEvent, Role, RoleAssignment, TERRITORY_ROLES, User


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
            raise ValidationError({"territory": _("Роль специалиста органа управления даётся на территорию.")})
    elif organisation is None or territory is not None:
        raise ValidationError({"organisation": _("Роль сотрудника даётся в образовательной организации.")})
    if role == Role.SPECIALIST and not specialist_kind:
        raise ValidationError({"specialist_kind": _("Укажите специальность.")})
    with transaction.atomic():
        assignment, _created = RoleAssignment.objects.get_or_create(
            user=user,
            role=role,
            organisation=organisation,
            territory=territory,
            defaults={"specialist_kind": specialist_kind},
        )
        AuditEvent.objects.create(
            kind=AuditEvent.Kind.ROLE_CHANGE,
            actor=actor,
            subject_user=user,
            organisation=organisation,
            username=user.username,
            details={"granted": str(role)},
        )
    return assignment


def password_changed(*, user: Any) -> None:
    if getattr(user, "must_change_password", False):
        User.objects.filter(pk=user.pk).update(must_change_password=False)
        user.must_change_password = False
    AuditEvent.objects.create(
        kind=AuditEvent.Kind.PASSWORD_CHANGE, actor=user, subject_user=user, username=user.username
    )
