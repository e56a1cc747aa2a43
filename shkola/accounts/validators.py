"""Our own password rules on top of Django's, and phone numbers in one shape (E.164)."""

from __future__ import annotations

from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MIN_LOGIN_LENGTH = 6


def _birth_date_forms(birth_date: Any) -> set[str]:
    d, m, y = (
        f"{birth_date.day:02d}",
        f"{birth_date.month:02d}",
        f"{birth_date.year:04d}",
    )
    return {
        f"{d}{m}{y}",
        f"{d}.{m}.{y}",
        f"{d}-{m}-{y}",
        f"{d}/{m}/{y}",
        f"{y}{m}{d}",
        f"{y}-{m}-{d}",
        f"{d}{m}{y[2:]}",
        f"{d}.{m}.{y[2:]}",
    }


class LoginAndBirthDateValidator:
    """Seed 001: a password must not equal or contain the login, nor be the birth date."""

    def validate(self, password: str, user: Any = None) -> None:
        if user is None:
            return
        login = (getattr(user, "username", "") or "").strip().lower()
        if login and login in password.lower():
            raise ValidationError(
                _("Пароль не должен совпадать с логином или содержать его."),
                code="password_contains_login",
            )
        birth_date = getattr(user, "birth_date", None)
        if birth_date is not None:
            compact = password.strip()
            if compact in _birth_date_forms(birth_date):
                raise ValidationError(
                    _("Пароль не должен быть датой рождения."),
                    code="password_is_birth_date",
                )

    def get_help_text(self) -> str:
        return _("Пароль не должен совпадать с логином, содержать его или быть датой рождения.")


def phone_normalise(raw: str) -> str:
    """A Russian mobile number in E.164 (``+79161234567``); raises ValidationError otherwise."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, "RU")
    except phonenumbers.NumberParseException as error:
        raise ValidationError(
            _("Введите номер мобильного телефона, например +7 916 123-45-67."),
            code="phone_invalid",
        ) from error
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("Такого номера телефона не существует. Проверьте цифры."),
            code="phone_invalid",
        )
    kind = phonenumbers.number_type(number)
    if kind not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise ValidationError(_("Нужен номер мобильного телефона."), code="phone_not_mobile")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
