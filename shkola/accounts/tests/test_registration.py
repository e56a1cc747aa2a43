"""A4: registration by code; A5: the confirmation letter and link."""

from __future__ import annotations

import re

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError

from shkola.accounts import services
from shkola.accounts.models import AuditEvent, User
from shkola.schools.models import Guardianship

from .conftest import PARENT

pytestmark = pytest.mark.django_db


def test_parent_registers_with_two_codes_and_gets_both_children(
    school, codes, django_capture_on_commit_callbacks
):
    first, second = codes["parent"][0], codes["parent"][1]
    with django_capture_on_commit_callbacks(execute=True):
        user = services.registration_complete(code=first.code, child_codes=[second.code], **PARENT)
    assert user.phone == "+79161234567"
    assert user.email == "mother@example.org" and not user.email_confirmed
    children = set(
        Guardianship.objects.filter(guardian__user=user).values_list("student", flat=True)
    )
    assert children == {first.student_id, second.student_id}
    first.refresh_from_db()
    assert first.used_by == user
    assert AuditEvent.objects.filter(kind="registration", subject_user=user).exists()
    [letter] = mail.outbox
    assert letter.to == ["mother@example.org"]
    html = letter.alternatives[0][0]
    link = re.search(r"http\S+/accounts/confirm/[^/\s\"]+/", letter.body).group(0)
    assert link in html


def test_student_registers_and_is_linked_without_contacts(school, codes):
    code = codes["student"][0]
    user = services.registration_complete(
        code=code.code,
        username="pupil.one",
        password="Green-Meadow-77",
        personal_data_consent=True,
    )
    code.student.refresh_from_db()
    assert code.student.user == user
    assert user.full_name == code.student.full_name
    assert user.birth_date == code.student.birth_date


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"username": "abc"}, "username", "не короче 6"),
        ({"username": "ivan ov"}, "username", "латинские буквы"),
        ({"password": "Sunny"}, "password", "как минимум 8 символов"),
        ({"password": "password123"}, "password", "распространён"),
        ({"password": "ivanova.m"}, "password", "не должен совпадать с логином"),
        ({"password": "xx-ivanova.m-xx"}, "password", "логин"),
        ({"password2": "Sunny-River-2027"}, "password2", "Пароли не совпадают"),
        ({"phone": "12345"}, "phone", "номер"),
        ({"phone": "+7 495 123-45-67"}, "phone", "мобильного"),
        ({"phone": ""}, "phone", "Укажите номер"),
        ({"email": ""}, "email", "Укажите адрес"),
        ({"email": "mother@"}, "email", "неверно"),
        ({"child_codes": ["NOPE-NOPE"]}, "child_codes", "не найден"),
    ],
)
def test_bad_parent_input_is_refused_per_field_and_nothing_is_saved(
    school, codes, changes, field, fragment
):
    data = {**PARENT, **changes}
    with pytest.raises(ValidationError) as error:
        services.registration_complete(code=codes["parent"][0].code, **data)
    assert field in error.value.message_dict
    assert fragment in " ".join(error.value.message_dict[field])
    assert not User.objects.filter(username="ivanova.m").exists()
    codes["parent"][0].refresh_from_db()
    assert codes["parent"][0].used_at is None


def test_taken_login_and_student_birth_date_password(school, codes):
    services.registration_complete(code=codes["parent"][0].code, **PARENT)
    with pytest.raises(ValidationError) as error:
        services.registration_complete(
            code=codes["parent"][1].code, **{**PARENT, "username": "IVANOVA.M"}
        )
    assert "занят" in error.value.message_dict["username"][0]
    student_code = codes["student"][0]
    born = student_code.student.birth_date
    with pytest.raises(ValidationError) as error:
        services.registration_complete(
            code=student_code.code,
            username="pupil.two",
            password=born.strftime("%d%m%Y"),
        )
    assert any("дат" in m for m in error.value.message_dict["password"])


@pytest.mark.parametrize(
    "typed", ["8 (916) 123-45-67", "+7 916 123 45 67", "9161234567", "8-916-1234567"]
)
def test_parent_phone_is_kept_in_e164_however_typed(school, codes, typed):
    user = services.registration_complete(
        code=codes["parent"][0].code, **{**PARENT, "phone": typed}
    )
    assert User.objects.get(pk=user.pk).phone == "+79161234567"


@pytest.mark.parametrize("shape", ["%d%m%Y", "%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y"])
def test_student_password_may_not_be_the_birth_date_in_any_usual_shape(school, codes, shape):
    code = codes["student"][0]
    with pytest.raises(ValidationError) as error:
        services.registration_complete(
            code=code.code,
            username="pupil.two",
            password=code.student.birth_date.strftime(shape),
        )
    assert "Пароль не должен быть датой рождения." in error.value.message_dict["password"]
    assert not User.objects.filter(username="pupil.two").exists()


def test_a_student_code_in_the_children_field_is_refused(school, codes):
    with pytest.raises(ValidationError) as error:
        services.registration_complete(
            code=codes["parent"][0].code,
            child_codes=[codes["student"][1].code],
            **PARENT,
        )
    assert "код обучающегося" in error.value.message_dict["child_codes"][0]


def test_registration_pages_end_on_success_message(client, school, codes):
    page = client.post("/accounts/register/", {"code": "wrong"}, follow=True)
    assert "не найден" in page.content.decode()
    page = client.post("/accounts/register/", {"code": codes["parent"][0].code}, follow=True)
    html = page.content.decode()
    assert codes["parent"][0].student.full_name in html
    bad = client.post(
        "/accounts/register/details/",
        {**PARENT, "password2": "different", "phone": "123"},
    )
    html = bad.content.decode()
    assert "Пароль ещё раз: Пароли не совпадают." in html
    assert "Мобильный телефон:" in html
    assert 'value="ivanova.m"' in html  # what was typed is kept
    done = client.post(
        "/accounts/register/details/",
        {**PARENT, "password2": PARENT["password"]},
        follow=True,
    )
    assert "Регистрация успешно завершена" in done.content.decode()
    assert "ivanova.m" in done.content.decode()


def test_confirmation_link_confirms_and_expires(client, school, codes, settings):
    user = services.registration_complete(code=codes["parent"][0].code, **PARENT)
    token = services.email_confirmation_token(user=user)
    page = client.get(f"/accounts/confirm/{token}/")
    assert "подтверждён" in page.content.decode()
    user.refresh_from_db()
    assert user.email_confirmed
    old = signing.TimestampSigner(salt=services.EMAIL_CONFIRM_SALT)
    expired = old.sign_object({"u": user.pk, "e": user.email}, compress=False)
    settings.SHKOLA = {**settings.SHKOLA, "EMAIL_CONFIRM_DAYS": -1}
    page = client.get(f"/accounts/confirm/{expired}/")
    assert page.status_code == 400
    assert "Срок действия ссылки истёк" in page.content.decode()


def test_confirmation_link_for_a_changed_address_is_refused(school, codes):
    user = services.registration_complete(code=codes["parent"][0].code, **PARENT)
    token = services.email_confirmation_token(user=user)
    services.profile_update(user=user, email="new@example.org", phone=user.phone)
    with pytest.raises(ValidationError, match="изменён"):
        services.email_confirm(token=token)


def test_reading_works_before_confirmation(client, school, codes):
    user = services.registration_complete(code=codes["parent"][0].code, **PARENT)
    login = client.post(
        "/accounts/login/", {"username": user.username, "password": PARENT["password"]}
    )
    assert login.status_code == 302
    assert client.get("/").status_code == 200
    profile = client.get("/accounts/profile/").content.decode()
    assert "не подтверждена" in profile
    assert "Отправить письмо ещё раз" in profile
