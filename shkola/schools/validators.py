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
