from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

WRONG_CREDENTIALS = _("Неверный логин или пароль")


class LoginForm(AuthenticationForm):
    """A1: one message for a wrong login and for a wrong password."""

    username = forms.CharField(label=_("Логин"), max_length=150, widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}))
    password = forms.CharField(label=_("Пароль"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    error_messages = {
        "invalid_login": WRONG_CREDENTIALS,
        "inactive": WRONG_CREDENTIALS,
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            self.user_cache = authenticate(self.request, username=username, password=password)
            if self.user_cache is None or not self.user_cache.is_active:
                raise forms.ValidationError(WRONG_CREDENTIALS, code="invalid_login")
            if (
                getattr(self.user_cache, "is_demo", False)
                and not settings.DEMO_LOGINS_ENABLED
            ):
                # Demo accounts share a published password: never usable outside DEBUG.
                raise forms.ValidationError(WRONG_CREDENTIALS, code="invalid_login")
        return self.cleaned_data
