from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def snils_digits(value: str) -> str:
    return "".join(ch for ch in value if ch in "0123456789")


def snils_is_valid(value: str) -> bool:
    """SNILS checksum: Σ digit × (9 − position) over the 9 digits, reduced mod 101
    (100 and 101 give 00); numbers up to 001-001-998 are issued without a check."""
    digits = snils_digits(value)
    if len(digits) != 11:
        return False
    number, control = digits[:9], int(digits[9:])
    if int(number) <= 1001998:
        return True
    total = sum(int(d) * (9 - i) for i, d in enumerate(number))
    if total > 101:
        total %= 101
    expected = 0 if total in (100, 101) else total
    return expected == control


def validate_snils(value: str) -> None:
    if value and not snils_is_valid(value):
        raise ValidationError(
            _("СНИЛС указан неверно: не сходится контрольное число."), code="snils"
        )


INN_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)


def inn_is_valid(value: str) -> bool:
    """ИНН of a legal entity: ten digits, the last is Σ digit × weight over the first nine,
    reduced mod 11 and then mod 10."""
    if len(value) != 10 or not value.isascii() or not value.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(value[:9], INN_WEIGHTS, strict=True))
    return total % 11 % 10 == int(value[9])


def ogrn_is_valid(value: str) -> bool:
    """ОГРН: thirteen digits, the last is the first twelve as a number mod 11, then mod 10."""
    if len(value) != 13 or not value.isascii() or not value.isdigit():
        return False
    return int(value[:12]) % 11 % 10 == int(value[12])


def validate_inn(value: str) -> None:
    if not value:
        return
    if len(value) != 10 or not value.isascii() or not value.isdigit():
        raise ValidationError(
            _("ИНН организации — 10 цифр без пробелов и других знаков."), code="inn_format"
        )
    if not inn_is_valid(value):
        raise ValidationError(_("ИНН указан неверно: не сходится контрольное число."), code="inn")


def validate_ogrn(value: str) -> None:
    if not value:
        return
    if len(value) != 13 or not value.isascii() or not value.isdigit():
        raise ValidationError(_("ОГРН — 13 цифр без пробелов и других знаков."), code="ogrn_format")
    if not ogrn_is_valid(value):
        raise ValidationError(_("ОГРН указан неверно: не сходится контрольное число."), code="ogrn")
