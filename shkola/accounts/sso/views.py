"""Sign-in through an OpenID Connect provider, and the curator's list of children the
provider named that the roster does not have."""

from __future__ import annotations

import secrets
import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from shkola.accounts.backends import LOGIN_BACKEND
from shkola.accounts.middleware import client_ip
from shkola.accounts.selectors import viewer_from_request

from . import services
from .providers import ProviderConfig, SsoError, adapter_for, provider_config
from .selectors import student_of_admin, unmatched_children, unmatched_of_admin

FLOWS_SESSION_KEY = "sso_flows"
FLOW_SECONDS = 10 * 60  # a sign-in not finished in ten minutes is started again
MAX_PENDING_FLOWS = 5


def _redirect_uri(request: HttpRequest, config: ProviderConfig) -> str:
    return request.build_absolute_uri(reverse("sso:callback", kwargs={"provider": config.slug}))


def _safe_next(request: HttpRequest, value: str) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return reverse(settings.LOGIN_REDIRECT_URL)


def _error(
    request: HttpRequest,
    config: ProviderConfig | None,
    error: SsoError,
    *,
    provider: str,
    subject: str = "",
) -> HttpResponse:
    services.sso_failure_recorded(
        provider=provider,
        reason=error.code,
        detail=error.detail,
        ip_address=client_ip(request),
        subject=subject,
    )
    return render(
        request,
        "sso/error.html",
        {"error": error, "provider": config},
        status=400,
    )


@login_not_required
@require_GET
def login_start(request: HttpRequest, provider: str) -> HttpResponse:
    """«Войти через …»: remember state, nonce and PKCE verifier, send the browser away."""
    config = provider_config(provider)
    adapter = adapter_for(config)
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)  # 86 characters: within RFC 7636's 43–128
    try:
        url = adapter.authorization_url(
            redirect_uri=_redirect_uri(request, config),
            state=state,
            nonce=nonce,
            code_verifier=verifier,
        )
    except SsoError as error:
        return _error(request, config, error, provider=provider)
    flows: dict[str, Any] = dict(request.session.get(FLOWS_SESSION_KEY, {}))
    # Several tabs may start a sign-in; keep only the newest few.
    for old in sorted(flows, key=lambda k: flows[k]["started"])[: -MAX_PENDING_FLOWS + 1]:
        del flows[old]
    flows[state] = {
        "provider": config.slug,
        "nonce": nonce,
        "verifier": verifier,
        "next": _safe_next(request, request.GET.get("next", "")),
        "started": time.time(),
    }
    request.session[FLOWS_SESSION_KEY] = flows
    return HttpResponseRedirect(url)


def _flow_take(request: HttpRequest, provider: str) -> dict[str, Any]:
    """The pending sign-in this callback answers; each one can be answered once."""
    state = request.GET.get("state", "")
    flows: dict[str, Any] = dict(request.session.get(FLOWS_SESSION_KEY, {}))
    flow = flows.pop(state, None) if state else None
    request.session[FLOWS_SESSION_KEY] = flows
    if flow is None or flow["provider"] != provider:
        raise SsoError(
            "state",
            _(
                "Ответ провайдера не прошёл проверку: параметр state не совпадает ни с одним "
                "входом, начатым в этом браузере, или этот вход уже завершён. Начните вход "
                "заново."
            ),
            detail=f"state={state[:60]!r}",
        )
    if time.time() - float(flow["started"]) > FLOW_SECONDS:
        raise SsoError(
            "flow_expired",
            _("Вход не был завершён за десять минут. Начните вход заново."),
        )
    return flow


PROVIDER_ERRORS = {
    "access_denied": _(
        "Вы не дали согласие на передачу данных или отменили вход на стороне провайдера."
    ),
    "login_required": _("Провайдер не смог подтвердить вход."),
}


@login_not_required
@require_GET
def callback(request: HttpRequest, provider: str) -> HttpResponse:
    config = provider_config(provider)
    adapter = adapter_for(config)
    try:
        flow = _flow_take(request, provider)
        if request.GET.get("iss") and request.GET["iss"].rstrip("/") != config.issuer:
            # RFC 9207: the answer came from a different provider than the one asked.
            raise SsoError(
                "iss",
                _("Ответ пришёл не от того провайдера, к которому был отправлен вход."),
                detail=f"iss={request.GET['iss'][:100]!r}",
            )
        if request.GET.get("error"):
            code = request.GET["error"][:60]
            raise SsoError(
                "provider_error",
                str(
                    PROVIDER_ERRORS.get(
                        code, _("Провайдер сообщил об ошибке: %(code)s.") % {"code": code}
                    )
                ),
                detail=request.GET.get("error_description", "")[:300],
            )
        if not request.GET.get("code"):
            raise SsoError("code", _("Провайдер не прислал код авторизации."))
        token = adapter.exchange_code(
            code=request.GET["code"],
            redirect_uri=_redirect_uri(request, config),
            code_verifier=flow["verifier"],
        )
        claims = adapter.validated_claims(token=token, nonce=flow["nonce"])
        person = adapter.person_from_claims(claims)
    except SsoError as error:
        return _error(request, config, error, provider=provider)
    try:
        outcome = services.sso_sign_in(provider=config.slug, person=person)
    except ValidationError as error:
        return _error(
            request,
            config,
            SsoError("claims", " ".join(error.messages)),
            provider=provider,
            subject=person.subject,
        )
    if outcome.user is None:
        services.sso_failure_recorded(
            provider=provider,
            reason=outcome.refusal,
            ip_address=client_ip(request),
            subject=person.subject,
        )
        return render(
            request,
            "sso/refused.html",
            {"provider": config, "refusal": outcome.refusal, "person": person},
        )
    login(request, outcome.user, backend=LOGIN_BACKEND)
    services.sso_sign_in_recorded(
        outcome=outcome, provider=config.slug, ip_address=client_ip(request)
    )
    if outcome.linked:
        messages.success(
            request,
            ngettext(
                "В вашу учётную запись добавлен ребёнок: %(names)s.",
                "В вашу учётную запись добавлены дети: %(names)s.",
                len(outcome.linked),
            )
            % {"names": ", ".join(s.full_name for s in outcome.linked)},
        )
    if outcome.unmatched:
        messages.warning(
            request,
            _(
                "В школьных списках не найдены: %(names)s. Куратор школы проверит данные "
                "и привяжет ребёнка; до этого его дневник не виден."
            )
            % {"names": ", ".join(c.full_name or c.snils for c in outcome.unmatched)},
        )
    return redirect(flow["next"])


# --- the curator's list ------------------------------------------------------------------


def _require_admin(request: HttpRequest) -> Any:
    if not request.user.has_perm("sso.manage_unmatched"):
        raise Http404
    return viewer_from_request(request)


@require_GET
def unmatched(request: HttpRequest) -> HttpResponse:
    viewer = _require_admin(request)
    return render(request, "sso/unmatched.html", {"rows": unmatched_children(viewer)})


@require_POST
def unmatched_link(request: HttpRequest, unmatched_id: int) -> HttpResponse:
    viewer = _require_admin(request)
    record = unmatched_of_admin(viewer, unmatched_id)
    student = student_of_admin(viewer, request.POST.get("student", ""))
    try:
        services.unmatched_child_link(
            unmatched=record,
            student=student,
            actor=request.user,  # type: ignore[arg-type]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(child)s привязан(а) к родителю %(parent)s.")
            % {"child": student.full_name, "parent": record.parent.full_name},
        )
    return redirect("sso:unmatched")


@require_POST
def unmatched_dismiss(request: HttpRequest, unmatched_id: int) -> HttpResponse:
    viewer = _require_admin(request)
    record = unmatched_of_admin(viewer, unmatched_id)
    try:
        services.unmatched_child_dismiss(
            unmatched=record,
            actor=request.user,  # type: ignore[arg-type]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.info(
            request,
            _("Запись «%(child)s» убрана из списка.") % {"child": record.full_name},
        )
    return redirect("sso:unmatched")
