"""Consent at registration by code (H2): a separate ticked document, without which no account."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client

from shkola.accounts import services as account_services
from shkola.accounts.models import InvitationKind, User
from shkola.privacy import services
from shkola.privacy.models import Consent, Destruction, DestructionStatus

pytestmark = pytest.mark.django_db

PARENT = {
    "username": "consent.parent",
    "password": "Sunny-River-2026",
    "password2": "Sunny-River-2026",
    "email": "consent.parent@example.org",
    "phone": "8 (916) 123-45-67",
    "last_name": "Согласова",
    "first_name": "Мария",
    "representative_kind": "mother",
}


def _codes(school, kind):
    return account_services.invitation_generate(
        class_unit=school.class_unit, kind=kind, actor=school.curator
    )


def test_the_registration_page_shows_the_text_and_refuses_without_the_tick(school):
    code = _codes(school, InvitationKind.PARENT)[0]
    client = Client()
    client.post("/accounts/register/", {"code": code.code})
    page = client.get("/accounts/register/details/").content.decode()
    assert "Согласие законного представителя на обработку персональных данных" in page
    assert 'name="personal_data_consent"' in page

    refused = client.post("/accounts/register/details/", PARENT).content.decode()
    assert "без него зарегистрироваться нельзя" in refused
    assert 'value="consent.parent"' in refused  # what was typed is kept
    assert not User.objects.filter(username="consent.parent").exists()

    done = client.post(
        "/accounts/register/details/", {**PARENT, "personal_data_consent": "on"}, follow=True
    )
    assert "Регистрация успешно завершена" in done.content.decode()
    consent = Consent.objects.get(user__username="consent.parent")
    assert consent.student_id == code.student_id and consent.kind == "parent"
    assert consent.text.version >= 1


def test_a_student_of_fourteen_gives_their_own_consent_and_a_younger_one_none(school, monkeypatch):
    monkeypatch.setenv("SHKOLA_TODAY", "2026-10-05")
    older, younger = school.students[0], school.students[1]
    older.birth_date = dt.date(2012, 1, 1)
    older.save()
    younger.birth_date = dt.date(2014, 1, 1)
    younger.save()
    codes = {c.student_id: c for c in _codes(school, InvitationKind.STUDENT)}
    with pytest.raises(ValidationError) as error:
        account_services.registration_complete(
            code=codes[older.pk].code, username="teen.one", password="Green-Meadow-77"
        )
    assert "personal_data_consent" in error.value.message_dict
    user = account_services.registration_complete(
        code=codes[older.pk].code,
        username="teen.one",
        password="Green-Meadow-77",
        personal_data_consent=True,
    )
    assert Consent.objects.get(user=user).kind == "student"
    young = account_services.registration_complete(
        code=codes[younger.pk].code, username="young.one", password="Green-Meadow-77"
    )
    assert not Consent.objects.filter(user=young).exists()


def test_run_destructions_sends_only_what_is_due(school, monkeypatch):
    from shkola.core.testing.factories import guardian_of

    child = school.students[0]
    parent = guardian_of(child)
    consent = services.consent_give(user=parent, student=child, kind="parent")
    destruction = services.consent_withdraw(consent=consent, actor=parent)
    call_command("run_destructions")
    assert Destruction.objects.get(pk=destruction.pk).status == DestructionStatus.PENDING
    Destruction.objects.filter(pk=destruction.pk).update(due_at=destruction.requested_at)
    call_command("run_destructions")
    assert Destruction.objects.get(pk=destruction.pk).status == DestructionStatus.DONE
