"""Writes of the register (B1): an official registers and edits the organisations of their
territory and issues the first curator's account with a one-time password."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shkola.accounts import services as account_services
from shkola.accounts.models import AuditEvent, Role, RoleAssignment, User
from shkola.accounts.selectors import viewer_for
from shkola.accounts.validators import MIN_LOGIN_LENGTH
from shkola.schools import services as school_services
from shkola.schools.models import Organisation, OrganisationKind, Territory
from shkola.schools.validators import validate_inn, validate_ogrn

ORGANISATION_FIELDS = ("kind", "full_name", "short_name", "inn", "ogrn", "address", "director_name")

_REQUIRED = {
    "full_name": gettext_lazy("Укажите полное наименование."),
    "short_name": gettext_lazy("Укажите краткое наименование."),
    "inn": gettext_lazy("Укажите ИНН организации."),
    "ogrn": gettext_lazy("Укажите ОГРН организации."),
    "address": gettext_lazy("Укажите адрес."),
    "director_name": gettext_lazy("Укажите ФИО директора."),
}


def _organisation_errors(
    *, actor: User, territory: Territory | None, values: dict[str, str], exclude_id: int | None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    viewer = viewer_for(actor)
    if (
        territory is None
        or territory.kind != Territory.Kind.MUNICIPALITY
        or territory.id not in viewer.territory_ids
    ):
        errors["territory"] = [_("Выберите муниципалитет вашей территории.")]
    if values["kind"] not in OrganisationKind.values:
        errors["kind"] = [_("Выберите тип организации из списка.")]
    for name, message in _REQUIRED.items():
        if not values[name]:
            errors[name] = [str(message)]
    for name, validator in (("inn", validate_inn), ("ogrn", validate_ogrn)):
        if values[name] and name not in errors:
            try:
                validator(values[name])
            except ValidationError as error:
                errors[name] = list(error.messages)
    if values["inn"] and "inn" not in errors:
        twins = Organisation.objects.filter(inn=values["inn"])
        if exclude_id:
            twins = twins.exclude(pk=exclude_id)
        if twins.exists():
            errors["inn"] = [_("Организация с этим ИНН уже зарегистрирована в системе.")]
    return errors


def _clean_values(**raw: str) -> dict[str, str]:
    return {name: " ".join((raw.get(name) or "").split()) for name in ORGANISATION_FIELDS}


@transaction.atomic
def organisation_register_by_official(
    *,
    actor: User,
    territory: Territory | None,
    kind: str,
    full_name: str,
    short_name: str,
    inn: str,
    ogrn: str,
    address: str,
    director_name: str,
    ip_address: str | None = None,
) -> Organisation:
    """A new school or extra-education organisation in one of the official's municipalities."""
    values = _clean_values(
        kind=kind,
        full_name=full_name,
        short_name=short_name,
        inn=inn,
        ogrn=ogrn,
        address=address,
        director_name=director_name,
    )
    if errors := _organisation_errors(
        actor=actor, territory=territory, values=values, exclude_id=None
    ):
        raise ValidationError(errors)
    assert territory is not None
    org = school_services.organisation_register(
        territory=territory,
        short_name=values["short_name"],
        full_name=values["full_name"],
        address=values["address"],
    )
    org.kind = values["kind"]
    org.inn = values["inn"]
    org.ogrn = values["ogrn"]
    org.director_name = values["director_name"]
    org.full_clean()
    org.save(update_fields=["kind", "inn", "ogrn", "director_name"])
    account_services.audit_record(
        kind=AuditEvent.Kind.ORGANISATION_REGISTER,
        actor=actor,
        organisation=org,
        ip_address=ip_address,
        details={
            "summary": f"{org.short_name}, ИНН {org.inn}",
            "territory": territory.name,
            **values,
        },
    )
    return org


@transaction.atomic
def organisation_update_by_official(
    *,
    actor: User,
    organisation: Organisation,
    territory: Territory | None,
    kind: str,
    full_name: str,
    short_name: str,
    inn: str,
    ogrn: str,
    address: str,
    director_name: str,
    ip_address: str | None = None,
) -> Organisation:
    """Corrects the registered details; the log keeps what each field was before."""
    viewer = viewer_for(actor)
    if organisation.territory_id not in viewer.territory_ids:
        raise ValidationError({"organisation": _("Эта организация не на вашей территории.")})
    values = _clean_values(
        kind=kind,
        full_name=full_name,
        short_name=short_name,
        inn=inn,
        ogrn=ogrn,
        address=address,
        director_name=director_name,
    )
    if errors := _organisation_errors(
        actor=actor, territory=territory, values=values, exclude_id=organisation.pk
    ):
        raise ValidationError(errors)
    assert territory is not None
    changes: dict[str, list[str]] = {}
    for name, value in values.items():
        if getattr(organisation, name) != value:
            changes[name] = [getattr(organisation, name), value]
            setattr(organisation, name, value)
    if organisation.territory_id != territory.id:
        changes["territory"] = [organisation.territory.name, territory.name]
        organisation.territory = territory
    if not changes:
        return organisation
    organisation.full_clean()
    organisation.save()
    account_services.audit_record(
        kind=AuditEvent.Kind.ORGANISATION_CHANGE,
        actor=actor,
        organisation=organisation,
        ip_address=ip_address,
        details={"summary": organisation.short_name, "changes": changes},
    )
    return organisation


# --- the first curator -----------------------------------------------------------------

_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            "a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o",
            "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e",
            "yu", "ya",
        ],
        strict=True,
    )
)  # fmt: skip


def _latin(text: str) -> str:
    out = "".join(_TRANSLIT.get(ch, ch) for ch in text.lower())
    return "".join(ch for ch in out if ch.isascii() and ch.isalnum())


def curator_login_suggest(*, last_name: str, first_name: str, middle_name: str = "") -> str:
    """«Иванова Анна Петровна» → ivanova.ap (ivanova.ap2… when taken)."""
    base = _latin(last_name) or "curator"
    initials = _latin(first_name)[:1] + _latin(middle_name)[:1]
    login = f"{base}.{initials}" if initials else base
    if len(login) < MIN_LOGIN_LENGTH:
        login = f"{login}.kur"
    candidate, n = login, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{login}{n}"
    return candidate


@dataclass
class CuratorAccess:
    user: User
    password: str  # shown once on the sheet, never stored in the clear
    reissued: bool


@transaction.atomic
def curator_issue(
    *,
    actor: User,
    organisation: Organisation,
    last_name: str,
    first_name: str,
    middle_name: str = "",
    email: str = "",
    ip_address: str | None = None,
) -> CuratorAccess:
    """The organisation's curator account with a one-time password to be changed at the
    first sign-in. For a person already a curator there (same ФИО) only the password is
    replaced, so the sheet printed before stops working."""
    viewer = viewer_for(actor)
    if organisation.territory_id not in viewer.territory_ids:
        raise ValidationError({"organisation": _("Эта организация не на вашей территории.")})
    last_name, first_name, middle_name = (
        " ".join(v.split()) for v in (last_name, first_name, middle_name)
    )
    email = email.strip()
    errors: dict[str, list[str]] = {}
    if not last_name:
        errors["last_name"] = [_("Укажите фамилию куратора.")]
    if not first_name:
        errors["first_name"] = [_("Укажите имя куратора.")]
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            errors["email"] = [
                _("Адрес электронной почты «%(email)s» указан неверно.") % {"email": email}
            ]
    if errors:
        raise ValidationError(errors)
    # Compared in Python: SQLite's LIKE folds only ASCII case, and a curator's name is Cyrillic.
    wanted = tuple(v.casefold() for v in (last_name, first_name, middle_name))
    existing = next(
        (
            user
            for user in User.objects.filter(
                roles__organisation=organisation, roles__role=Role.CURATOR
            ).order_by("id")
            if (user.last_name.casefold(), user.first_name.casefold(), user.middle_name.casefold())
            == wanted
        ),
        None,
    )
    if existing is not None and (
        existing.is_superuser
        or RoleAssignment.objects.filter(user=existing, territory__isnull=False).exists()
    ):
        # A password the official knows over a superuser's or an official's account would hand
        # the official those powers.
        raise ValidationError(
            {
                "last_name": _(
                    "Пароль этой учётной записи выдаётся не здесь: у неё другие полномочия."
                )
            }
        )
    password = account_services.temporary_password()
    if existing is None:
        user = account_services.user_create(
            username=curator_login_suggest(
                last_name=last_name, first_name=first_name, middle_name=middle_name
            ),
            password=None,
            last_name=last_name,
            first_name=first_name,
            middle_name=middle_name,
            email=email,
        )
        account_services.role_grant(
            user=user, role=Role.CURATOR, organisation=organisation, actor=actor
        )
    else:
        user = existing
        if email and not user.email:
            user.email = email
    user.set_password(password)
    user.must_change_password = True
    user.save()
    account_services.user_sessions_end(user=user)
    account_services.audit_record(
        kind=AuditEvent.Kind.CURATOR_ISSUE,
        actor=actor,
        subject_user=user,
        organisation=organisation,
        ip_address=ip_address,
        details={
            "summary": f"{user.full_name} ({user.username}), {organisation.short_name}",
            "reissued": existing is not None,
        },
    )
    return CuratorAccess(user=user, password=password, reissued=existing is not None)
