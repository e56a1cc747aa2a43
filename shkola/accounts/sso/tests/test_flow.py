"""«Войти через Госуслуги» end to end against a real OpenID Connect provider on localhost:
who gets in, whose children are linked, and every check that must stop a sign-in."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from shkola.accounts.models import AuditEvent, User
from shkola.core.testing.factories import UserFactory, enrol
from shkola.schools.models import Guardian, Guardianship, Student

from ..models import SsoIdentity, UnmatchedChild, UnmatchedChildStatus
from .conftest import (
    PEOPLE,
    provider_login,
    sso_round_trip,
    sso_start,
    start_provider,
    stop_provider,
)

pytestmark = pytest.mark.django_db

PARENT = PEOPLE["parent"]
PETR, ANNA, ILYA = PARENT["children"]


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def _roster_child(school: Any, claimed: dict[str, str], class_unit: Any = None) -> Student:
    return enrol(
        school,
        class_unit or school.class_unit,
        last_name=claimed["family_name"],
        first_name=claimed["given_name"],
        middle_name=claimed["middle_name"],
        birth_date=_date(claimed["birthdate"]),
        snils=_digits(claimed["snils"]),
    )


def _signed_in_user(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


@pytest.fixture
def family(school: Any, sso_enabled: Any) -> dict[str, Student]:
    """Пётр (7А) and Анна (1Б) are on the roster with the SNILS and birth dates the provider
    gives; Илья is not."""
    first_grade, _students = school.add_class(1, "Б", n_students=1)
    return {
        "petr": _roster_child(school, PETR),
        "anna": _roster_child(school, ANNA, first_grade),
    }


def test_parent_first_sign_in_gets_both_roster_children_and_the_unknown_one_waits(
    school: Any, family: dict[str, Student]
) -> None:
    # given a parent the school never registered, whose provider record lists three children
    client = Client()
    users_before = User.objects.count()

    # when she signs in through Госуслуги
    response = sso_round_trip(client, "parent")

    # then she is signed in on a new account, with the two roster children in it
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    user = _signed_in_user(client)
    assert user is not None and User.objects.count() == users_before + 1
    assert (user.last_name, user.first_name, user.snils) == (
        "Иванова",
        "Мария",
        _digits(PARENT["snils"]),
    )
    assert not user.has_usable_password()
    linked = set(
        Guardianship.objects.filter(guardian__user=user).values_list("student_id", flat=True)
    )
    assert linked == {family["petr"].pk, family["anna"].pk}
    # and the child the roster lacks is listed for the curator, not guessed
    waiting = UnmatchedChild.objects.get(parent=user)
    assert (waiting.last_name, waiting.first_name, waiting.birth_date, waiting.snils) == (
        "Иванов",
        "Илья",
        _date(ILYA["birthdate"]),
        _digits(ILYA["snils"]),
    )
    assert waiting.status == UnmatchedChildStatus.OPEN
    assert SsoIdentity.objects.get(user=user).subject == PARENT["sub"]
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.SSO_LOGIN)
    assert event.subject_user == user and event.details["matched_by"] == "children"

    # and the home page tells her what happened
    page = client.get(response["Location"]).content.decode()
    assert "Иванов Пётр Сергеевич" in page and "Иванова Анна Сергеевна" in page
    assert "Иванов Илья Сергеевич" in page  # «не найдены … куратор проверит»

    # when the curator opens the list and links Илья, who was enrolled without a SNILS
    ilya = enrol(
        school,
        school.class_unit,
        last_name="Иванов",
        first_name="Илья",
        birth_date=_date(ILYA["birthdate"]),
        snils="",
    )
    curator = Client()
    curator.force_login(school.curator)
    listing = curator.get(reverse("sso:unmatched")).content.decode()
    assert "Иванов Илья Сергеевич" in listing and f'value="{ilya.pk}"' in listing
    done = curator.post(
        reverse("sso:unmatched_link", kwargs={"unmatched_id": waiting.pk}),
        {"student": ilya.pk},
    )

    # then Илья is the parent's child too, and the list is empty
    assert done.status_code == 302
    assert Guardianship.objects.filter(guardian__user=user, student=ilya).exists()
    waiting.refresh_from_db()
    assert waiting.status == UnmatchedChildStatus.LINKED and waiting.resolved_by == school.curator
    assert "Непривязанных детей нет" in curator.get(reverse("sso:unmatched")).content.decode()

    # and her next sign-in neither duplicates links nor raises Илья again
    again = Client()
    assert sso_round_trip(again, "parent").status_code == 302
    assert _signed_in_user(again) == user
    assert Guardianship.objects.filter(guardian__user=user).count() == 3
    assert UnmatchedChild.objects.filter(parent=user).count() == 1


def test_second_sign_in_is_matched_by_the_stored_subject(
    school: Any, family: dict[str, Student]
) -> None:
    # given a parent who signed in once, after which the SNILS was cleared from her records
    first = Client()
    sso_round_trip(first, "parent")
    user = _signed_in_user(first)
    assert user is not None
    User.objects.filter(pk=user.pk).update(snils="")
    Guardian.objects.filter(user=user).update(snils="")
    users_before = User.objects.count()

    # when she signs in again
    second = Client()
    response = sso_round_trip(second, "parent")

    # then the provider's subject finds the same account
    assert response.status_code == 302
    assert _signed_in_user(second) == user
    assert User.objects.count() == users_before
    latest = AuditEvent.objects.filter(kind=AuditEvent.Kind.SSO_LOGIN).first()
    assert latest is not None and latest.details["matched_by"] == "subject"
    # the SNILS came back from the provider onto the account, so SNILS is first again
    user.refresh_from_db()
    assert user.snils == _digits(PARENT["snils"])


def test_subject_alone_finds_the_account_when_snils_matches_nothing(
    school: Any, sso_enabled: Any
) -> None:
    # given an account linked to the provider's subject earlier, with no SNILS anywhere
    user = UserFactory(snils="")
    SsoIdentity.objects.create(provider="gosuslugi", subject=PEOPLE["stranger"]["sub"], user=user)
    client = Client()

    # when that person signs in
    response = sso_round_trip(client, "stranger")

    # then the stored subject finds the account
    assert response.status_code == 302
    assert _signed_in_user(client) == user
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.SSO_LOGIN)
    assert event.details["matched_by"] == "subject"


def test_student_with_an_account_is_matched_by_snils(school: Any, sso_enabled: Any) -> None:
    # given a roster student with an account (registered by code earlier)
    person = PEOPLE["student"]
    account = UserFactory()
    student = _roster_child(school, person)
    Student.objects.filter(pk=student.pk).update(user=account)
    client = Client()

    # when the student signs in through Госуслуги
    response = sso_round_trip(client, "student")

    # then it is the student's own account, and the diary is theirs
    assert response.status_code == 302
    assert _signed_in_user(client) == account
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.SSO_LOGIN)
    assert event.details["matched_by"] == "snils"


def test_roster_student_without_an_account_gets_one_on_first_sign_in(
    school: Any, sso_enabled: Any
) -> None:
    # given a roster student (SNILS and birth date as at the provider) who never registered
    person = PEOPLE["student"]
    student = _roster_child(school, person)
    client = Client()

    # when the student signs in
    response = sso_round_trip(client, "student")

    # then an account is made from the school's record and linked to the student
    assert response.status_code == 302
    student.refresh_from_db()
    assert student.user is not None and _signed_in_user(client) == student.user
    assert student.user.snils == _digits(person["snils"])
    assert student.user.full_name == student.full_name


def test_roster_representative_without_an_account_gets_one(school: Any, sso_enabled: Any) -> None:
    # given a representative the school entered with SNILS and birth date, but no account
    student = school.students[0]
    guardian = Guardian.objects.create(
        last_name="Иванова",
        first_name="Мария",
        birth_date=_date(PARENT["birthdate"]),
        snils=_digits(PARENT["snils"]),
    )
    Guardianship.objects.create(guardian=guardian, student=student, kind="mother")
    client = Client()

    # when she signs in (none of her provider's children is on the roster)
    response = sso_round_trip(client, "parent")

    # then her roster record gets the new account, with the child the school linked
    assert response.status_code == 302
    guardian.refresh_from_db()
    assert guardian.user is not None and _signed_in_user(client) == guardian.user
    assert list(Student.objects.filter(guardianships__guardian=guardian)) == [student]
    assert UnmatchedChild.objects.filter(parent=guardian.user).count() == 3


def test_unknown_person_gets_an_explanation_and_no_account(school: Any, sso_enabled: Any) -> None:
    # given a person neither the roster nor any account knows
    client = Client()
    users_before = User.objects.count()

    # when they sign in through Госуслуги
    response = sso_round_trip(client, "stranger")

    # then they read why and what to do, and nothing was created
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-refusal="unknown"' in page
    assert "Вы пока не зарегистрированы в школьном портале" in page
    assert "пригласительный код" in page
    assert "Сидоров Семён Ильич" in page
    assert User.objects.count() == users_before
    assert not SsoIdentity.objects.exists()
    assert _signed_in_user(client) is None
    failed = AuditEvent.objects.get(kind=AuditEvent.Kind.LOGIN_FAILED)
    assert failed.details["sso"] == "unknown"


def test_person_without_snils_is_told_to_add_it(school: Any, sso_enabled: Any) -> None:
    client = Client()
    response = sso_round_trip(client, "nosnils")
    page = response.content.decode()
    assert 'data-refusal="no_snils"' in page and "«Мои данные»" in page
    assert _signed_in_user(client) is None


def _error_code(response: Any) -> str:
    assert response.status_code == 400, response.content[:300]
    page = response.content.decode()
    marker = 'data-code="'
    return page[page.index(marker) + len(marker) :].split('"', 1)[0]


def _assert_refused(client: Client, response: Any, code: str) -> None:
    assert _error_code(response) == code
    assert "Вход не выполнен" in response.content.decode()
    assert _signed_in_user(client) is None
    failed = AuditEvent.objects.filter(kind=AuditEvent.Kind.LOGIN_FAILED).first()
    assert failed is not None and failed.details["sso"] == code


def test_tampered_state_is_refused(school: Any, family: dict[str, Student]) -> None:
    # given a provider answer whose state parameter was changed on the way back
    client = Client()
    callback = provider_login(sso_start(client), "parent")
    path, query = callback.split("?", 1)
    params = dict(parse_qsl(query))
    params["state"] = params["state"][:-4] + "AAAA"

    # when the browser arrives with it
    response = client.get(f"{path}?{urlencode(params)}")

    # then nobody is signed in and the page names the failed check
    _assert_refused(client, response, "state")
    assert "state" in response.content.decode()


def test_replayed_code_is_refused_by_the_provider(school: Any, family: dict[str, Student]) -> None:
    # given a completed sign-in whose callback (code and state) someone kept
    client = Client()
    callback = provider_login(sso_start(client), "parent")
    pending = dict(client.session["sso_flows"])
    assert client.get(callback).status_code == 302

    # when it is replayed in a browser that still has the pending sign-in
    replay = Client()
    session = replay.session
    session["sso_flows"] = pending
    session.save()
    response = replay.get(callback)

    # then the provider rejects the used code and nobody is signed in
    _assert_refused(replay, response, "code")


def test_expired_code_is_refused(school: Any, settings: Any) -> None:
    # given a provider whose codes live one second
    provider = start_provider(CODE_TTL="1")
    try:
        settings.SHKOLA_SSO_PROVIDERS = {"gosuslugi": provider.settings_entry()}
        client = Client()
        callback = provider_login(sso_start(client), "parent")

        # when the browser comes back after the code expired
        time.sleep(2.2)
        response = client.get(callback)
    finally:
        stop_provider(provider)

    # then the code is refused
    _assert_refused(client, response, "code")
    assert "истёк" in response.content.decode()


def test_wrong_nonce_is_refused(school: Any, family: dict[str, Student]) -> None:
    # given a sign-in whose remembered nonce differs from the one in the ID token
    client = Client()
    authorization_url = sso_start(client)
    state = dict(parse_qsl(urlsplit(authorization_url).query))["state"]
    session = client.session
    flows = session["sso_flows"]
    flows[state]["nonce"] = "not-the-nonce-that-was-sent"
    session["sso_flows"] = flows
    session.save()

    # when the provider's answer arrives
    response = client.get(provider_login(authorization_url, "parent"))

    # then the ID token is refused
    _assert_refused(client, response, "nonce")
    assert "nonce" in response.content.decode()


def test_refusal_at_the_provider_is_explained(school: Any, sso_enabled: Any) -> None:
    client = Client()
    response = sso_round_trip(client, "deny")
    _assert_refused(client, response, "provider_error")
    assert "не дали согласие" in response.content.decode()


def test_the_authorization_request_carries_pkce_state_and_nonce(sso_enabled: Any) -> None:
    params = dict(parse_qsl(urlsplit(sso_start(Client())).query))
    assert params["code_challenge_method"] == "S256"
    assert len(params["code_challenge"]) == 43
    assert len(params["state"]) >= 32 and len(params["nonce"]) >= 32
    assert params["scope"] == "openid profile email snils children"
    assert params["redirect_uri"] == "http://testserver/sso/gosuslugi/callback/"


def test_login_page_shows_configured_providers_only(settings: Any, sso_enabled: Any) -> None:
    settings.SHKOLA_SSO_PROVIDERS = {
        "gosuslugi": sso_enabled.settings_entry(),
        "school": {"title": "Войти через школьный портал", "issuer": ""},
    }
    page = Client().get(reverse("accounts:login")).content.decode()
    assert 'id="sso-gosuslugi"' in page and "Войти через Госуслуги" in page
    assert "Войти через школьный портал" not in page
    assert Client().get("/sso/school/login/").status_code == 404


def test_sign_in_left_unfinished_for_too_long_is_refused(
    school: Any, family: dict[str, Student]
) -> None:
    # given a sign-in started more than ten minutes ago
    client = Client()
    authorization_url = sso_start(client)
    state = dict(parse_qsl(urlsplit(authorization_url).query))["state"]
    session = client.session
    flows = session["sso_flows"]
    flows[state]["started"] -= 11 * 60
    session["sso_flows"] = flows
    session.save()

    # when the provider's answer finally arrives
    response = client.get(provider_login(authorization_url, "parent"))

    # then it is refused without asking the provider for tokens
    _assert_refused(client, response, "flow_expired")


def test_answer_naming_another_issuer_is_refused(school: Any, family: dict[str, Student]) -> None:
    # given a provider answer whose iss parameter (RFC 9207) names some other provider
    client = Client()
    callback = provider_login(sso_start(client), "parent")
    path, query = callback.split("?", 1)
    params = dict(parse_qsl(query))
    assert params["iss"]  # the test provider sends it
    params["iss"] = "https://evil.example"

    response = client.get(f"{path}?{urlencode(params)}")

    _assert_refused(client, response, "iss")
