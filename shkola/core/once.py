"""One POST per create form: a double click, a resent request or «Назад» + «Отправить» must
not create two remarks, achievements, events, codes…

Each create form renders a one-time token (``{% load once %}{% form_token %}``, a hidden
field). The view wraps the create in ``submit_once``: the first POST claims the token with
an INSERT on a unique key (the database decides the race, also between two workers); a
second POST with the same token creates nothing and is redirected to where the first one
led. If the first POST fails (the form had errors) the token is released, so the same form
can be sent again once corrected. ``static/js/shkola.js`` also disables the submit buttons
after the first submit; that is a courtesy, this is the guard.

A POST without a token (an old page, a script) is served as before: unguarded."""

from __future__ import annotations

import secrets
from types import TracebackType
from typing import Any

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from .models import FormSubmission

FIELD = "form_token"


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _token_of(request: HttpRequest) -> str:
    token = request.POST.get(FIELD, "")
    if not (0 < len(token) <= 64) or not token.isascii():
        return ""
    return token


class SubmitOnce:
    """``with submit_once(request, fallback=url) as once:`` — see the module docstring.

    ``once.duplicate`` is the redirect to answer a repeated POST with (else None);
    ``once.done(url)`` marks the create as finished and returns the redirect to ``url``."""

    def __init__(self, request: HttpRequest, fallback: str, enabled: bool = True) -> None:
        self.request = request
        self.fallback = fallback
        self.token = _token_of(request) if enabled else ""
        self.duplicate: HttpResponse | None = None
        self._claimed = False
        self._done = False

    def __enter__(self) -> SubmitOnce:
        if not self.token:
            return self
        user_id = getattr(self.request.user, "pk", None)
        try:
            with transaction.atomic():
                FormSubmission.objects.create(token=self.token, user_id=user_id)
            self._claimed = True
        except IntegrityError:
            first = FormSubmission.objects.filter(token=self.token).first()
            target = self.fallback
            if first is not None and first.user_id == user_id and first.result_url:
                target = first.result_url
            messages.info(
                self.request,
                _("Эта форма уже отправлена; повторная отправка ничего не добавила."),
            )
            self.duplicate = HttpResponseRedirect(target)
        return self

    def done(self, url: str) -> HttpResponse:
        self._done = True
        if self._claimed:
            safe = url_has_allowed_host_and_scheme(url, allowed_hosts=None) and url.startswith("/")
            FormSubmission.objects.filter(token=self.token).update(
                result_url=url[:500] if safe else self.fallback[:500]
            )
        return HttpResponseRedirect(url)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Nothing was created (errors in the form, or an exception): the same form may be sent
        # again.
        if self._claimed and not self._done:
            FormSubmission.objects.filter(token=self.token).delete()


def submit_once(request: HttpRequest, *, fallback: str, enabled: bool = True) -> SubmitOnce:
    """``enabled=False`` for a form that edits (sending it twice creates nothing)."""
    return SubmitOnce(request, fallback, enabled)


def token_field() -> Any:
    from django.utils.html import format_html

    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_token())
