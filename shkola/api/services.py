"""Writes of the api app: a person allows an app (the consent screen) and takes it back."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_grant_model,
    get_refresh_token_model,
)

from shkola.accounts import services as account_services
from shkola.accounts.models import AuditEvent


def app_consent_recorded(
    *, user: Any, application: Any, scopes: list[str], ip_address: str | None = None
) -> AuditEvent:
    """The person pressed «Разрешить» on the consent screen: who, which app, which scopes."""
    return account_services.audit_record(
        kind=AuditEvent.Kind.APP_CONSENT,
        actor=user,
        subject_user=user,
        ip_address=ip_address,
        details={
            "application": application.name,
            "client_id": application.client_id,
            "scopes": sorted(scopes),
            "summary": f"{application.name}: {', '.join(sorted(scopes))}",
        },
    )


@transaction.atomic
def app_access_revoke(*, user: Any, application_id: int, ip_address: str | None = None) -> int:
    """Take back everything ``user`` gave the app: its access and refresh tokens and unused
    codes are deleted, so the next API call with them is a 401. Returns how many tokens went;
    0 when the app holds nothing of this person (nothing is written then)."""
    application = get_application_model().objects.filter(pk=application_id).first()
    if application is None:
        return 0
    refresh = get_refresh_token_model().objects.filter(user=user, application=application)
    access = get_access_token_model().objects.filter(user=user, application=application)
    count = access.count() + refresh.filter(revoked__isnull=True).count()
    if not count:
        return 0
    # Refresh tokens point at access tokens and back: drop the links before the rows.
    refresh.delete()
    access.delete()
    get_grant_model().objects.filter(user=user, application=application).delete()
    account_services.audit_record(
        kind=AuditEvent.Kind.APP_REVOKE,
        actor=user,
        subject_user=user,
        ip_address=ip_address,
        details={
            "application": application.name,
            "client_id": application.client_id,
            "tokens": count,
            "summary": application.name,
        },
    )
    return count
