"""Identity providers from settings, the adapter interface every provider goes through, and
the person a provider vouches for.

``settings.SHKOLA_SSO_PROVIDERS`` maps a slug (it is in the URL: ``/sso/<slug>/login/``) to
a dict: ``title``, ``issuer``, ``client_id``, ``client_secret``, ``scopes``, ``claims`` (our
field → the provider's claim name), ``name`` (the provider in sentences) and optionally ``adapter`` (dotted path of the class,
default the generic OpenID Connect one). A provider without an issuer or client id is off:
it has no button and its URLs are 404."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.http import Http404
from django.utils.module_loading import import_string

DEFAULT_ADAPTER = "shkola.accounts.sso.oidc.OidcAdapter"
DEFAULT_CLAIMS = {
    "snils": "snils",
    "birth_date": "birthdate",
    "last_name": "family_name",
    "first_name": "given_name",
    "middle_name": "middle_name",
    "email": "email",
    "children": "children",
}


class SsoError(Exception):
    """A sign-in that must stop: ``code`` names the check that failed (for the security log
    and tests), ``message`` tells the person in Russian what happened."""

    def __init__(self, code: str, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.detail = detail


@dataclass(frozen=True)
class ProviderConfig:
    slug: str
    title: str  # the button: «Войти через Госуслуги»
    name: str  # the provider in sentences: «Госуслуги»
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    claims: dict[str, str]
    adapter: str = DEFAULT_ADAPTER
    icon: str = "box-arrow-in-right"
    timeout: float = 10.0

    @property
    def enabled(self) -> bool:
        return bool(self.issuer and self.client_id)


@dataclass(frozen=True)
class ClaimedChild:
    last_name: str
    first_name: str
    middle_name: str
    birth_date: dt.date | None
    snils: str  # digits only, may be empty

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)


@dataclass(frozen=True)
class SsoPerson:
    """What the provider says about the person who signed in, in our terms."""

    subject: str
    snils: str  # digits only, may be empty
    last_name: str = ""
    first_name: str = ""
    middle_name: str = ""
    birth_date: dt.date | None = None
    email: str = ""
    children: tuple[ClaimedChild, ...] = field(default_factory=tuple)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)


class ProviderAdapter(Protocol):
    """The one interface between the sign-in views and an identity provider.

    The generic OpenID Connect adapter implements it for any standards-compliant provider;
    a provider that departs from the standard (ESIA signs the client secret with a ГОСТ
    certificate) gets its own class selected by the ``adapter`` setting."""

    config: ProviderConfig

    def authorization_url(
        self, *, redirect_uri: str, state: str, nonce: str, code_verifier: str
    ) -> str: ...

    def exchange_code(
        self, *, code: str, redirect_uri: str, code_verifier: str
    ) -> dict[str, Any]: ...

    def validated_claims(self, *, token: dict[str, Any], nonce: str) -> dict[str, Any]: ...

    def person_from_claims(self, claims: dict[str, Any]) -> SsoPerson: ...


def _config(slug: str, raw: dict[str, Any]) -> ProviderConfig:
    return ProviderConfig(
        slug=slug,
        title=str(raw.get("title") or slug),
        name=str(raw.get("name") or raw.get("title") or slug),
        issuer=str(raw.get("issuer") or "").rstrip("/"),
        client_id=str(raw.get("client_id") or ""),
        client_secret=str(raw.get("client_secret") or ""),
        scopes=str(raw.get("scopes") or "openid"),
        claims={**DEFAULT_CLAIMS, **(raw.get("claims") or {})},
        adapter=str(raw.get("adapter") or DEFAULT_ADAPTER),
        icon=str(raw.get("icon") or "box-arrow-in-right"),
        timeout=float(raw.get("timeout") or 10.0),
    )


def enabled_providers() -> list[ProviderConfig]:
    raw = getattr(settings, "SHKOLA_SSO_PROVIDERS", {}) or {}
    configs = [_config(slug, value) for slug, value in raw.items()]
    return [c for c in configs if c.enabled]


def provider_config(slug: str) -> ProviderConfig:
    for config in enabled_providers():
        if config.slug == slug:
            return config
    raise Http404


def adapter_for(config: ProviderConfig) -> ProviderAdapter:
    cls = import_string(config.adapter)
    return cls(config)  # type: ignore[no-any-return]
