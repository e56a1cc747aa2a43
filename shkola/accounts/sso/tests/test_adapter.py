"""The generic OpenID Connect adapter on its own: ID tokens it must refuse, claim names from
settings, birth dates in both formats."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from ..oidc import OidcAdapter, parse_birth_date
from ..providers import SsoError, _config
from .conftest import CLIENT_ID


def _adapter(provider: Any, **overrides: Any) -> OidcAdapter:
    return OidcAdapter(_config("gosuslugi", provider.settings_entry(**overrides)))


def _token(key: Any, **claims: Any) -> str:
    now = int(time.time())
    payload = {"sub": "esia-1", "iat": now, "exp": now + 300, "nonce": "n-1", **claims}
    return jwt.encode({"alg": "RS256", "kid": "foreign"}, payload, key)


def test_id_token_signed_by_another_key_is_refused(oidc_provider: Any) -> None:
    # given an ID token with the right issuer, audience and nonce, signed by a stranger's key
    adapter = _adapter(oidc_provider)
    forged = _token(RSAKey.generate_key(2048), iss=oidc_provider.issuer, aud=CLIENT_ID)

    # when it is validated against the provider's published keys
    with pytest.raises(SsoError) as caught:
        adapter.validated_claims(token={"id_token": forged}, nonce="n-1")

    # then the signature check fails
    assert caught.value.code == "signature"
    assert "подпись" in caught.value.message


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("aud", "someone-else", "id_token"),
        ("iss", "http://127.0.0.1:1", "id_token"),
        ("nonce", "n-2", "nonce"),
        ("exp", 1_000_000_000, "id_token_expired"),
    ],
)
def test_id_token_claims_are_checked(
    oidc_provider: Any, monkeypatch: Any, field: str, value: Any, code: str
) -> None:
    # given a correctly signed token (our own key stands in for the provider's) with one
    # claim wrong
    key = RSAKey.generate_key(2048)
    adapter = _adapter(oidc_provider)
    monkeypatch.setattr(adapter, "_keys", lambda fresh=False: key)
    claims = {"iss": oidc_provider.issuer, "aud": CLIENT_ID, field: value}

    # then validation names the failed check
    with pytest.raises(SsoError) as caught:
        adapter.validated_claims(token={"id_token": _token(key, **claims)}, nonce="n-1")
    assert caught.value.code == code


def test_claim_names_come_from_settings(oidc_provider: Any) -> None:
    adapter = _adapter(
        oidc_provider,
        claims={"snils": "urn:esia:snils", "birth_date": "birthDate", "children": "kids"},
    )
    person = adapter.person_from_claims(
        {
            "sub": "42",
            "urn:esia:snils": "123-456-789 64",
            "birthDate": "14.03.1985",
            "family_name": "Иванова",
            "kids": [{"urn:esia:snils": "234 567 890 99", "birthDate": "2017-09-01"}, "junk"],
        }
    )
    assert person.snils == "12345678964"
    assert person.birth_date == dt.date(1985, 3, 14)
    assert person.last_name == "Иванова"
    assert len(person.children) == 1
    assert person.children[0].snils == "23456789099"
    assert person.children[0].birth_date == dt.date(2017, 9, 1)


def test_birth_dates_in_iso_and_russian_format() -> None:
    assert parse_birth_date("2013-05-20") == dt.date(2013, 5, 20)
    assert parse_birth_date("20.05.2013") == dt.date(2013, 5, 20)
    assert parse_birth_date("20/05/2013") is None
    assert parse_birth_date(None) is None
