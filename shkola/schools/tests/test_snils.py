import pytest
from django.core.exceptions import ValidationError

from shkola.core.testing.factories import valid_snils
from shkola.schools.validators import snils_is_valid, validate_snils


def test_a_known_good_snils_passes():
    # 112-233-445 95 is the textbook example of a correct SNILS.
    assert snils_is_valid("112-233-445 95")


def test_one_wrong_digit_fails_the_checksum():
    assert not snils_is_valid("112-233-445 96")
    with pytest.raises(ValidationError, match="СНИЛС"):
        validate_snils("11223344596")


@pytest.mark.parametrize("value", ["", "123", "1122334459512"])
def test_wrong_length_is_invalid(value):
    if value:
        assert not snils_is_valid(value)
    else:
        validate_snils(value)  # empty is allowed: the field is optional


def test_sums_of_100_and_101_give_control_00():
    # Find numbers whose weighted sum is exactly 100 or 101 and check they need "00".
    found = 0
    for n in range(1_002_000, 1_200_000):
        digits = f"{n:09d}"
        total = sum(int(d) * (9 - i) for i, d in enumerate(digits))
        if total in (100, 101):
            assert snils_is_valid(digits + "00")
            assert not snils_is_valid(digits + "01")
            found += 1
            if found > 3:
                break
    assert found


def test_factory_numbers_are_valid():
    for n in range(112233000, 112233050):
        assert snils_is_valid(valid_snils(n))


def test_early_numbers_have_no_checksum():
    assert snils_is_valid("00100199800")
