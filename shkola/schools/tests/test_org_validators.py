"""ИНН and ОГРН checksums: real numbers of registered legal entities pass, a changed digit,
a wrong length or letters fail with a Russian message naming the number."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from shkola.schools.validators import inn_is_valid, ogrn_is_valid, validate_inn, validate_ogrn

# ПАО Сбербанк and ООО «Яндекс», from the public register (ЕГРЮЛ).
REAL_INN = ["7707083893", "7736207543"]
REAL_OGRN = ["1027700132195", "1027739850962"]


@pytest.mark.parametrize("number", REAL_INN)
def test_real_inns_pass(number: str) -> None:
    assert inn_is_valid(number)
    validate_inn(number)


@pytest.mark.parametrize("number", REAL_OGRN)
def test_real_ogrns_pass(number: str) -> None:
    assert ogrn_is_valid(number)
    validate_ogrn(number)


@pytest.mark.parametrize("number", ["7707083894", "7736207540", "1707083893"])
def test_an_inn_with_a_wrong_digit_fails_its_checksum(number: str) -> None:
    assert not inn_is_valid(number)
    with pytest.raises(ValidationError) as error:
        validate_inn(number)
    assert error.value.messages == ["ИНН указан неверно: не сходится контрольное число."]


@pytest.mark.parametrize("number", ["1027700132196", "1027739850961", "2027700132195"])
def test_an_ogrn_with_a_wrong_digit_fails_its_checksum(number: str) -> None:
    assert not ogrn_is_valid(number)
    with pytest.raises(ValidationError) as error:
        validate_ogrn(number)
    assert error.value.messages == ["ОГРН указан неверно: не сходится контрольное число."]


@pytest.mark.parametrize(
    "number", ["770708389", "770708389312", "77070838 3", "77070838ЗЗ", "７７０７０８３８９３"]
)
def test_an_inn_that_is_not_ten_digits_is_refused_as_such(number: str) -> None:
    assert not inn_is_valid(number)
    with pytest.raises(ValidationError, match="ИНН организации — 10 цифр"):
        validate_inn(number)


@pytest.mark.parametrize("number", ["102770013219", "10277001321950", "1027700-32195"])
def test_an_ogrn_that_is_not_thirteen_digits_is_refused_as_such(number: str) -> None:
    assert not ogrn_is_valid(number)
    with pytest.raises(ValidationError, match="ОГРН — 13 цифр"):
        validate_ogrn(number)


def test_empty_numbers_are_left_to_the_required_check() -> None:
    validate_inn("")
    validate_ogrn("")
