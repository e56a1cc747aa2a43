from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .forms import LoginForm
from .selectors import ACTIVE_STUDENT_SESSION_KEY, viewer_from_request


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


login_view = login_not_required(LoginView.as_view())


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    return auth_views.LogoutView.as_view()(request)


def lockout(request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any) -> HttpResponse:
    """django-axes calls this when a login or an address is locked."""
    from django.conf import settings

    minutes = int(float(settings.AXES_COOLOFF_TIME) * 60)
    return render(
        request,
        "accounts/locked.html",
        {"minutes": minutes, "form": LoginForm(request)},
        status=429,
    )


@require_POST
def switch_child(request: HttpRequest) -> HttpResponse:
    viewer = viewer_from_request(request)
    try:
        wanted = int(request.POST.get("student", ""))
    except ValueError:
        wanted = 0
    if any(child.id == wanted for child in viewer.children):
        request.session[ACTIVE_STUDENT_SESSION_KEY] = wanted
    else:
        messages.error(request, _("Такого ребёнка нет в вашей учётной записи."))
    target = request.POST.get("next") or reverse("core:home")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("core:home")
    return HttpResponseRedirect(target)


def profile(request: HttpRequest) -> HttpResponse:
    viewer = viewer_from_request(request)
    return render(request, "accounts/profile.html", {"viewer": viewer, "profile_user": request.user})


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("core:home")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.password_changed(user=self.request.user)
        messages.success(self.request, _("Пароль изменён."))
        return response


password_change = PasswordChangeView.as_view()
