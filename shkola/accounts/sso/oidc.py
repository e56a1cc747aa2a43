"""The generic OpenID Connect adapter: authorization code flow with PKCE (S256), state and
nonce, the ID token verified against the provider's published keys, claims from the ID token
and the UserInfo endpoint.

Everything the adapter needs it reads from the provider's discovery document
(``<issuer>/.well-known/openid-configuration``), so a provider is configured by its issuer,
client id and secret alone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import requests
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from authlib.oidc.core import CodeIDToken
from django.core.cache import cache
from django.utils.translation import gettext as _
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    JoseError,
)
from joserfc.jwk import KeySet

from shkola.schools.validators import snils_digits

from .providers import ClaimedChild, ProviderConfig, SsoError, SsoPerson

DISCOVERY_SECONDS = 60 * 60
ID_TOKEN_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "ES256", "ES384")
CLOCK_LEEWAY_SECONDS = 60


def parse_birth_date(value: Any) -> dt.date | None:
    """OIDC says ``YYYY-MM-DD``; ESIA and some portals send ``DD.MM.YYYY``."""
    if not value or not isinstance(value, str):
        return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    return None


def _unreachable(config: ProviderConfig, error: Exception) -> SsoError:
    return SsoError(
        "provider_unreachable",
        _(
            "Не удалось связаться с провайдером «%(title)s». Попробуйте войти чуть позже "
            "или войдите по логину и паролю."
        )
        % {"title": config.name},
        detail=str(error)[:300],
    )


class OidcAdapter:
    def __init__(self, config: ProviderConfig) -> None:
        self.config = config

    # --- provider metadata ---------------------------------------------------------------

    def _get_json(self, url: str) -> dict[str, Any]:
        try:
            response = requests.get(url, timeout=self.config.timeout)
            response.raise_for_status()
            data = response.json()
        except (requests.RequestException, ValueError) as error:
            raise _unreachable(self.config, error) from error
        if not isinstance(data, dict):
            raise _unreachable(self.config, ValueError(f"{url}: not a JSON object"))
        return data

    def metadata(self) -> dict[str, Any]:
        key = f"sso:discovery:{self.config.issuer}"
        data = cache.get(key)
        if data is None:
            data = self._get_json(f"{self.config.issuer}/.well-known/openid-configuration")
            if str(data.get("issuer", "")).rstrip("/") != self.config.issuer:
                raise SsoError(
                    "discovery",
                    _("Провайдер «%(title)s» настроен неверно: адрес издателя не совпадает.")
                    % {"title": self.config.name},
                    detail=f"issuer {data.get('issuer')!r} != {self.config.issuer!r}",
                )
            cache.set(key, data, DISCOVERY_SECONDS)
        return data  # type: ignore[no-any-return]

    def _keys(self, *, fresh: bool = False) -> KeySet:
        key = f"sso:jwks:{self.config.issuer}"
        data = None if fresh else cache.get(key)
        if data is None:
            data = self._get_json(self.metadata()["jwks_uri"])
            cache.set(key, data, DISCOVERY_SECONDS)
        return KeySet.import_key_set(data)  # type: ignore[arg-type]

    def _session(self, redirect_uri: str) -> OAuth2Session:
        return OAuth2Session(
            client_id=self.config.client_id,
            client_secret=self.config.client_secret,
            scope=self.config.scopes,
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
        )

    # --- the flow ------------------------------------------------------------------------

    def authorization_url(
        self, *, redirect_uri: str, state: str, nonce: str, code_verifier: str
    ) -> str:
        with self._session(redirect_uri) as session:
            url, _state = session.create_authorization_url(
                self.metadata()["authorization_endpoint"],
                state=state,
                nonce=nonce,
                code_verifier=code_verifier,
            )
        return str(url)

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str) -> dict[str, Any]:
        endpoint = self.metadata()["token_endpoint"]
        with self._session(redirect_uri) as session:
            try:
                token = session.fetch_token(
                    endpoint,
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=code_verifier,
                    timeout=self.config.timeout,
                )
            except OAuthError as error:
                raise SsoError(
                    "code",
                    _(
                        "Провайдер не принял код авторизации: код истёк или уже был "
                        "использован. Начните вход заново."
                    ),
                    detail=f"{error.error}: {error.description}"[:300],
                ) from error
            except (requests.RequestException, ValueError) as error:
                raise _unreachable(self.config, error) from error
        if not token.get("id_token"):
            raise SsoError(
                "id_token",
                _("Провайдер не прислал ID-токен. Проверьте, что запрошена область openid."),
            )
        return dict(token)

    def _decode(self, id_token: str) -> Any:
        try:
            return jwt.decode(id_token, self._keys(), algorithms=ID_TOKEN_ALGORITHMS)
        except (BadSignatureError, ValueError, JoseError):
            # The provider may have rotated its keys since they were cached: ask once more.
            pass
        try:
            return jwt.decode(id_token, self._keys(fresh=True), algorithms=ID_TOKEN_ALGORITHMS)
        except (JoseError, ValueError) as error:
            raise SsoError(
                "signature",
                _("ID-токен не прошёл проверку: подпись провайдера неверна."),
                detail=str(error)[:300],
            ) from error

    def validated_claims(self, *, token: dict[str, Any], nonce: str) -> dict[str, Any]:
        decoded = self._decode(token["id_token"])
        claims = CodeIDToken(
            decoded.claims,
            decoded.header,
            options={
                "iss": {"essential": True, "value": self.config.issuer},
                "aud": {"essential": True, "value": self.config.client_id},
                "sub": {"essential": True},
                "exp": {"essential": True},
                "iat": {"essential": True},
                "nonce": {"essential": True, "value": nonce},
            },
            params={
                "nonce": nonce,
                "client_id": self.config.client_id,
                "access_token": token.get("access_token"),
            },
        )
        try:
            claims.validate(leeway=CLOCK_LEEWAY_SECONDS)
        except ExpiredTokenError as error:
            raise SsoError(
                "id_token_expired",
                _("ID-токен не прошёл проверку: срок его действия истёк."),
                detail=str(error),
            ) from error
        except ClaimError as error:
            if error.claim == "nonce":
                raise SsoError(
                    "nonce",
                    _(
                        "ID-токен не прошёл проверку: одноразовое значение (nonce) не "
                        "совпадает с отправленным при начале входа. Начните вход заново."
                    ),
                    detail=str(error),
                ) from error
            raise SsoError(
                "id_token",
                _("ID-токен не прошёл проверку: неверное поле «%(claim)s».")
                % {"claim": error.claim},
                detail=str(error),
            ) from error
        result = dict(self._userinfo(token, subject=str(claims["sub"])))
        result.update(claims)
        return result

    def _userinfo(self, token: dict[str, Any], *, subject: str) -> dict[str, Any]:
        endpoint = self.metadata().get("userinfo_endpoint")
        if not endpoint or not token.get("access_token"):
            return {}
        try:
            response = requests.get(
                endpoint,
                headers={"Authorization": f"Bearer {token['access_token']}"},
                timeout=self.config.timeout,
            )
            response.raise_for_status()
            data = response.json()
        except (requests.RequestException, ValueError) as error:
            raise _unreachable(self.config, error) from error
        if not isinstance(data, dict) or str(data.get("sub")) != subject:
            raise SsoError(
                "userinfo",
                _("Данные о пользователе от провайдера относятся к другому человеку."),
                detail="userinfo sub differs from the ID token sub",
            )
        return data

    # --- our terms -----------------------------------------------------------------------

    def person_from_claims(self, claims: dict[str, Any]) -> SsoPerson:
        names = self.config.claims

        def text(source: dict[str, Any], field: str) -> str:
            value = source.get(names.get(field, field), "")
            return str(value).strip() if value is not None else ""

        children = []
        raw_children = claims.get(names.get("children", "children")) or []
        if isinstance(raw_children, list):
            for raw in raw_children:
                if not isinstance(raw, dict):
                    continue
                children.append(
                    ClaimedChild(
                        last_name=text(raw, "last_name"),
                        first_name=text(raw, "first_name"),
                        middle_name=text(raw, "middle_name"),
                        birth_date=parse_birth_date(raw.get(names.get("birth_date", "birthdate"))),
                        snils=snils_digits(text(raw, "snils")),
                    )
                )
        return SsoPerson(
            subject=str(claims["sub"]),
            snils=snils_digits(text(claims, "snils")),
            last_name=text(claims, "last_name"),
            first_name=text(claims, "first_name"),
            middle_name=text(claims, "middle_name"),
            birth_date=parse_birth_date(claims.get(names.get("birth_date", "birthdate"))),
            email=text(claims, "email"),
            children=tuple(children),
        )
