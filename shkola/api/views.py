"""Pages of the api app: the OAuth consent screen and «Приложения» in the profile."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from oauth2_provider.models import get_application_model
from oauth2_provider.views import AuthorizationView

from shkola.accounts.middleware import client_ip
from shkola.accounts.selectors import viewer_from_request
from shkola.core import params

from . import selectors, services


class ConsentView(AuthorizationView):
    """DOT's authorization endpoint with our consent screen
    (templates/oauth2_provider/authorize.html). The form posts to us and we redirect to the
    app, so the page's ``form-action`` also allows the app's registered redirect origins —
    the browser checks the redirect after a form against it."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        application = getattr(response, "context_data", {}).get("application")
        if application is not None:
            origins = sorted(
                {
                    f"{u.scheme}://{u.netloc}"
                    for u in map(urlsplit, application.redirect_uris.split())
                    if u.scheme and u.netloc
                }
            )
            config = dict(settings.SECURE_CSP)
            config["form-action"] = [CSP.SELF, *origins]
            response._csp_config = config  # type: ignore[attr-defined]
        return response

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # DOT redirects to the app with ``code=`` only when the person allowed it.
        if form.cleaned_data.get("allow") and "code=" in getattr(response, "url", ""):
            application = get_application_model().objects.get(
                client_id=form.cleaned_data["client_id"]
            )
            services.app_consent_recorded(
                user=self.request.user,
                application=application,
                scopes=(form.cleaned_data.get("scope") or "").split(),
                ip_address=client_ip(self.request),
            )
        return response


def apps(request: HttpRequest) -> HttpResponse:
    viewer = viewer_from_request(request)
    return render(
        request,
        "api/apps.html",
        {
            "viewer": viewer,
            "tab": "apps",
            "show_children_tab": not viewer.is_student,
            "apps": selectors.allowed_apps(request.user),
        },
    )


@require_POST
def revoke(request: HttpRequest, application_id: int) -> HttpResponse:
    count = services.app_access_revoke(
        user=request.user,
        application_id=params.parse_id(application_id) or 0,
        ip_address=client_ip(request),
    )
    if count:
        messages.success(request, _("Доступ приложения отозван."))
    else:
        messages.info(request, _("У этого приложения уже нет доступа."))
    return redirect("apps:list")
