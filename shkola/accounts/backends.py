"""Signing in by login whatever its case: a parent who registered «Ivanova» and types
«ivanova» on a phone keyboard is the same person (registration refuses logins that differ
only in case). Lockouts count the attempts against the same, real, login."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from shkola.core.replicas import on_primary

from .models import User

# The backend a session names when a person was signed in without a password form (single
# sign-on, tests, the bench): it must stay in settings.AUTHENTICATION_BACKENDS.
LOGIN_BACKEND = "shkola.accounts.backends.LoginBackend"


def canonical_login(typed: str | None) -> str:
    """The stored login the typed one means: the exact one, else the only one equal to it
    without regard to case; an unknown login as typed (trimmed, lower case)."""
    typed = (typed or "").strip()
    if not typed:
        return ""
    if User.objects.filter(username=typed).exists():
        return typed
    found = list(User.objects.filter(username__iexact=typed).values_list("username", flat=True)[:2])
    return found[0] if len(found) == 1 else typed.lower()


class LoginBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is not None:
            username = canonical_login(username)
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id: Any) -> Any:
        """The signed-in account from the shared cache (who.py), read with the Viewer's data
        in one round trip. Django still compares the session's password hash with this
        account's, so every service that changes a password, a name or the account drops
        it (people_cache_drop); inactive accounts are refused as ModelBackend refuses them."""
        from . import who

        try:
            person = who.person_load(int(user_id))
        except (TypeError, ValueError):
            return None
        user = person.user
        if user is None:
            with on_primary():  # kept in the shared cache: never a replica's older rows
                user = super().get_user(user_id)
            if user is None:
                return None
            who.person_user_remember(person, user)
        elif not self.user_can_authenticate(user):
            return None
        who.person_attach(user, person)
        return user


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """AXES_USERNAME_CALLABLE: «Ivanova», «ivanova» and «IVANOVA» are one login to lock."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        typed = credentials.get(field)
    else:
        typed = getattr(request, "data", request.POST).get(field)
    return canonical_login(typed)
