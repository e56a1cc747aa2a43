from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shkola.core import clock, params
from shkola.core.once import submit_once

from . import services
from .forms import (
    AuditFilterForm,
    ChildAddForm,
    CodeForm,
    ConfirmedEmailPasswordResetForm,
    LoginForm,
    MergeForm,
    ProfileForm,
    RegistrationForm,
)
from .middleware import client_ip
from .models import Invitation, InvitationKind, User
from .selectors import (
    ACTIVE_STUDENT_SESSION_KEY,
    acting_organisation,
    audit_events,
    class_of_admin,
    invitation_classes,
    invitations_of_class,
    invitations_to_print,
    lockout_of_admin,
    lockout_time_left,
    people_search,
    recent_logins,
    school_lockouts,
    sessions_of,
    user_card,
    user_management_refusal,
    user_of_admin,
    user_organisation_ids,
    viewer_from_request,
)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        if not form.cleaned_data.get("remember"):
            # A shared school computer: the session ends when the browser closes, unless
            # the person ticked «Запомнить меня» (then SESSION_COOKIE_AGE applies).
            self.request.session.set_expiry(0)
        return response


login_view = login_not_required(LoginView.as_view())


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    return auth_views.LogoutView.as_view()(request)


def lockout(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: Any = None,
    *args: Any,
    **kwargs: Any,
) -> HttpResponse:
    """django-axes calls this when a login or an address is locked: say how long is left."""
    from axes.helpers import get_client_username

    left = lockout_time_left(get_client_username(request, credentials))
    # Whole minutes, rounded up: «через 1 минуту» must never turn out too early.
    minutes = max(1, math.ceil(left.total_seconds() / 60))
    return render(
        request,
        "accounts/locked.html",
        {"minutes": minutes, "form": LoginForm(request)},
        status=429,
    )


@require_POST
def switch_child(request: HttpRequest) -> HttpResponse:
    viewer = viewer_from_request(request)
    wanted = params.parse_id(request.POST.get("student", "")) or 0
    if any(child.id == wanted for child in viewer.children):
        request.session[ACTIVE_STUDENT_SESSION_KEY] = wanted
    else:
        messages.error(request, _("Такого ребёнка нет в вашей учётной записи."))
    target = request.POST.get("next") or reverse("core:home")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("core:home")
    return HttpResponseRedirect(target)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("core:home")

    def form_valid(self, form: Any) -> HttpResponse:
        old_key = self.request.session.session_key
        response = super().form_valid(form)  # keeps this browser signed in, with a new key
        services.password_changed(
            user=self.request.user,
            old_session_key=old_key,
            session_key=self.request.session.session_key,
        )
        messages.success(self.request, _("Пароль изменён."))
        return response


password_change = PasswordChangeView.as_view()


# --- helpers -----------------------------------------------------------------------------


def _form_errors(form: Any, error: ValidationError) -> None:
    """Put a service's per-field errors on the form; unknown fields become form errors."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _require(request: HttpRequest, perm: str, obj: Any = None) -> None:
    """Pages a role may not use are a 404 too: they do not exist for that person."""
    if not request.user.has_perm(perm, obj):
        raise Http404


# --- registration by code (A4) -----------------------------------------------------------

REGISTRATION_CODE_KEY = "registration_code"
REGISTERED_LOGIN_KEY = "registered_login"


@login_not_required
def register(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_usable(form.cleaned_data["code"])
        except ValidationError as error:
            _form_errors(form, error)
        else:
            request.session[REGISTRATION_CODE_KEY] = invitation.code
            return redirect("accounts:register_details")
    return render(request, "accounts/register_code.html", {"form": form})


@login_not_required
def register_details(request: HttpRequest) -> HttpResponse:
    code = request.session.get(REGISTRATION_CODE_KEY)
    if not code:
        return redirect("accounts:register")
    try:
        invitation = services.invitation_usable(code)
    except ValidationError as error:
        request.session.pop(REGISTRATION_CODE_KEY, None)
        messages.error(request, " ".join(error.messages))
        return redirect("accounts:register")
    is_parent = invitation.kind == InvitationKind.PARENT
    from shkola.privacy import services as privacy_services

    needs_consent = is_parent or privacy_services.student_gives_own_consent(invitation.student)
    consent_text = (
        privacy_services.consent_text_current(
            kind="parent" if is_parent else "student", organisation=invitation.organisation
        )
        if needs_consent
        else None
    )
    form = RegistrationForm(request.POST or None, is_parent=is_parent, needs_consent=needs_consent)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.registration_complete(
                code=code,
                username=data["username"],
                password=data["password"],
                password2=data["password2"],
                email=data.get("email", ""),
                phone=data.get("phone", ""),
                last_name=data.get("last_name", ""),
                first_name=data.get("first_name", ""),
                middle_name=data.get("middle_name", ""),
                representative_kind=data.get("representative_kind", ""),
                child_codes=form.child_code_list() if is_parent else [],
                ip_address=client_ip(request),
                personal_data_consent=bool(data.get("personal_data_consent")),
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            request.session.pop(REGISTRATION_CODE_KEY, None)
            request.session[REGISTERED_LOGIN_KEY] = user.username
            return redirect("accounts:register_done")
    return render(
        request,
        "accounts/register_details.html",
        {
            "form": form,
            "invitation": invitation,
            "is_parent": is_parent,
            "consent_text": consent_text,
        },
    )


@login_not_required
def register_done(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/register_done.html",
        {"registered_login": request.session.get(REGISTERED_LOGIN_KEY, "")},
    )


# --- e-mail confirmation (A5) ------------------------------------------------------------


@login_not_required
def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = services.email_confirm(token=token)
    except ValidationError as error:
        return render(
            request,
            "accounts/email_confirmed.html",
            {"error": " ".join(error.messages)},
            status=400,
        )
    return render(request, "accounts/email_confirmed.html", {"confirmed_user": user})


@require_POST
def email_confirm_resend(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.email:  # type: ignore[union-attr]
        messages.error(request, _("Сначала укажите адрес электронной почты."))
    elif user.email_confirmed:  # type: ignore[union-attr]
        messages.info(request, _("Адрес уже подтверждён."))
    else:
        services.email_confirmation_send(user=user)  # type: ignore[arg-type]
        messages.success(
            request,
            _("Письмо отправлено на %(email)s. Если его нет во «Входящих», проверьте «Спам».")
            % {"email": user.email},  # type: ignore[union-attr]
        )
    return redirect("accounts:profile")


# --- «Забыли пароль?» (A6) ---------------------------------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = ConfirmedEmailPasswordResetForm
    email_template_name = "accounts/email/password_reset.txt"
    html_email_template_name = "accounts/email/password_reset.html"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        # The letter goes out through Django's view; a throttled request sends nothing and
        # lands on the same «Проверьте почту» page.
        sent: list[HttpResponse] = []
        services.password_reset_requested(
            email=form.cleaned_data["email"],
            ip_address=client_ip(self.request),
            send=lambda: sent.append(super(PasswordResetView, self).form_valid(form)),
        )
        return sent[0] if sent else HttpResponseRedirect(str(self.success_url))


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.password_reset_completed(user=form.user, ip_address=client_ip(self.request))
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


password_reset = login_not_required(PasswordResetView.as_view())
password_reset_done = login_not_required(PasswordResetDoneView.as_view())
password_reset_confirm = login_not_required(PasswordResetConfirmView.as_view())
password_reset_complete = login_not_required(PasswordResetCompleteView.as_view())


# --- «Мои данные» (A7) -------------------------------------------------------------------


def _profile_context(request: HttpRequest, tab: str, **extra: Any) -> dict[str, Any]:
    viewer = viewer_from_request(request)
    return {
        "viewer": viewer,
        "profile_user": request.user,
        "tab": tab,
        "show_children_tab": not viewer.is_student,
        **extra,
    }


def profile(request: HttpRequest) -> HttpResponse:
    viewer = viewer_from_request(request)
    user = request.user
    names_editable = not viewer.is_student
    initial = {
        "last_name": user.last_name,  # type: ignore[union-attr]
        "first_name": user.first_name,  # type: ignore[union-attr]
        "middle_name": user.middle_name,  # type: ignore[union-attr]
        "birth_date": user.birth_date,  # type: ignore[union-attr]
        "email": user.email,  # type: ignore[union-attr]
        "phone": user.phone,  # type: ignore[union-attr]
        "signature": user.signature,  # type: ignore[union-attr]
        "show_phone": user.show_phone,  # type: ignore[union-attr]
        "show_email": user.show_email,  # type: ignore[union-attr]
    }
    form = ProfileForm(request.POST or None, initial=initial, names_editable=names_editable)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        old_email = user.email  # type: ignore[union-attr]
        try:
            services.profile_update(
                user=user,  # type: ignore[arg-type]
                email=data["email"],
                phone=data["phone"],
                signature=data["signature"],
                show_phone=data["show_phone"],
                show_email=data["show_email"],
                last_name=data.get("last_name") if names_editable else None,
                first_name=data.get("first_name") if names_editable else None,
                middle_name=data.get("middle_name") if names_editable else None,
                birth_date=data.get("birth_date") if names_editable else None,
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Данные сохранены."))
            if user.email and user.email.lower() != (old_email or "").lower():  # type: ignore[union-attr]
                messages.info(
                    request,
                    _("На %(email)s отправлено письмо: подтвердите новый адрес по ссылке из него.")
                    % {"email": user.email},  # type: ignore[union-attr]
                )
            return redirect("accounts:profile")
    return render(request, "accounts/profile.html", _profile_context(request, "main", form=form))


def profile_access(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/profile_access.html",
        _profile_context(
            request,
            "access",
            sessions=sessions_of(request.user),  # type: ignore[arg-type]
            logins=recent_logins(request.user),  # type: ignore[arg-type]
            current_key=request.session.session_key,
        ),
    )


@require_POST
def sessions_end(request: HttpRequest) -> HttpResponse:
    """Sign out one browser (``session``) or every browser but this one."""
    session_id = request.POST.get("session")
    count = services.user_sessions_end(
        user=request.user,
        keep_session_key=request.session.session_key,
        session_id=params.parse_id(session_id),
    )
    if count:
        messages.success(request, _("Сеансов завершено: %(n)s.") % {"n": count})
    else:
        messages.info(request, _("Других сеансов нет."))
    return redirect("accounts:profile_access")


def profile_children(request: HttpRequest) -> HttpResponse:
    viewer = viewer_from_request(request)
    if viewer.is_student:
        raise Http404
    form = ChildAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done_url = reverse("accounts:profile_children")
        with submit_once(request, fallback=done_url) as once:
            if once.duplicate:
                return once.duplicate
            try:
                link = services.parent_child_add(
                    user=request.user,  # type: ignore[arg-type]
                    code=form.cleaned_data["code"],
                    representative_kind=form.cleaned_data.get("representative_kind", ""),
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(name)s добавлен(а) в вашу учётную запись.")
                    % {"name": link.student.full_name},
                )
                return once.done(done_url)
    from shkola.schools.models import Guardianship

    kinds = dict(
        (g.student_id, g.get_kind_display())
        for g in Guardianship.objects.filter(guardian__user=viewer.user).only("student", "kind")
    )
    children = [(child, kinds.get(child.id, "")) for child in viewer.children]
    return render(
        request,
        "accounts/profile_children.html",
        _profile_context(request, "children", form=form, children=children),
    )


# --- school administration: invitation codes (A3) ----------------------------------------


def invitations(request: HttpRequest) -> HttpResponse:
    _require(request, "accounts.manage_people")
    viewer = viewer_from_request(request)
    return render(request, "accounts/invitations.html", {"classes": invitation_classes(viewer)})


def invitations_class(request: HttpRequest, class_id: int) -> HttpResponse:
    viewer = viewer_from_request(request)
    class_unit = class_of_admin(viewer, class_id)
    _require(request, "accounts.manage_invitations", class_unit)
    if request.method == "POST":
        done_url = reverse("accounts:invitations_class", kwargs={"class_id": class_unit.id})
        kind = request.POST.get("kind", "")
        if kind not in InvitationKind.values:
            messages.error(request, _("Выберите, для кого создать коды."))
            return redirect(done_url)
        with submit_once(request, fallback=done_url) as once:
            if once.duplicate:
                return once.duplicate
            created = services.invitation_generate(
                class_unit=class_unit,
                kind=kind,
                actor=request.user,
            )
            if created:
                messages.success(request, _("Создано кодов: %(n)s.") % {"n": len(created)})
            else:
                messages.info(request, _("Новые коды не нужны: у всех уже есть действующий код."))
            return once.done(done_url)
    return render(
        request,
        "accounts/invitations_class.html",
        {
            "class_unit": class_unit,
            "rows": invitations_of_class(class_unit),
            "now": clock.now(),
            "days": settings.SHKOLA["INVITATION_DAYS"],
        },
    )


def _invitation_of_admin(request: HttpRequest, invitation_id: int) -> Invitation:
    viewer = viewer_from_request(request)
    invitation = (
        Invitation.objects.select_related("student", "class_unit__parallel")
        .filter(pk=invitation_id, organisation_id__in=viewer.admin_org_ids)
        .first()
    )
    if invitation is None:
        raise Http404
    return invitation


def _back_to_class(invitation: Invitation) -> HttpResponse:
    if invitation.class_unit_id:
        return redirect("accounts:invitations_class", class_id=invitation.class_unit_id)
    return redirect("accounts:invitations")


@require_POST
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = _invitation_of_admin(request, invitation_id)
    try:
        services.invitation_revoke(invitation=invitation, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Код %(code)s отозван.") % {"code": invitation.code})
    return _back_to_class(invitation)


@require_POST
def invitation_reissue(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = _invitation_of_admin(request, invitation_id)
    try:
        new = services.invitation_reissue(invitation=invitation, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Выдан новый код %(code)s для %(name)s; прежний код больше не действует.")
            % {"code": new.code, "name": invitation.student.full_name},
        )
    return _back_to_class(invitation)


def invitations_print(request: HttpRequest, class_id: int) -> HttpResponse:
    viewer = viewer_from_request(request)
    class_unit = class_of_admin(viewer, class_id)
    _require(request, "accounts.manage_invitations", class_unit)
    kind = request.GET.get("kind", "")
    if kind not in InvitationKind.values:
        kind = ""
    return render(
        request,
        "accounts/invitations_print.html",
        {
            "class_unit": class_unit,
            "cards": invitations_to_print(class_unit, kind or None),
            "kind": kind,
            "register_url": settings.SHKOLA["PUBLIC_URL"].rstrip("/")
            + reverse("accounts:register"),
        },
    )


# --- school administration: people, passwords, merges, lockouts, the log (A6, A8) --------


def people(request: HttpRequest) -> HttpResponse:
    _require(request, "accounts.manage_people")
    viewer = viewer_from_request(request)
    query = request.GET.get("q", "").strip()[:100]
    return render(
        request,
        "accounts/people.html",
        {
            "query": query,
            "results": people_search(viewer, query) if query else None,
            "lockouts": school_lockouts(viewer),
        },
    )


def person(request: HttpRequest, user_id: int) -> HttpResponse:
    viewer = viewer_from_request(request)
    target = user_of_admin(viewer, user_id)
    _require(request, "accounts.manage_user", target)
    temporary = None
    if request.method == "POST":
        try:
            temporary = services.password_set_by_curator(
                actor=request.user,  # type: ignore[arg-type]
                user=target,
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    card = user_card(target)
    services.person_card_viewed(request=request, card=card)
    return render(
        request,
        "accounts/person.html",
        {"card": card, "temporary_password": temporary},
    )


def merge(request: HttpRequest) -> HttpResponse:
    _require(request, "accounts.manage_people")
    viewer = viewer_from_request(request)
    form = MergeForm(request.POST or None, initial=request.GET or None)
    if request.method == "POST" and form.is_valid():
        found = {}
        for field in ("keep", "remove"):
            login = form.cleaned_data[field].strip()
            user = User.objects.filter(username__iexact=login).first()
            if user is None or not (user_organisation_ids(user) & viewer.admin_org_ids):
                form.add_error(
                    field,
                    _("Логин «%(login)s» не найден среди родителей вашей школы.")
                    % {"login": login},
                )
            elif refusal := user_management_refusal(viewer, user):
                form.add_error(field, refusal)
            else:
                found[field] = user
        if len(found) == 2:
            try:
                kept = services.account_merge(
                    actor=request.user,  # type: ignore[arg-type]
                    keep=found["keep"],
                    remove=found["remove"],
                    ip_address=client_ip(request),
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Учётные записи объединены: дети и настройки теперь у «%(keep)s», «%(remove)s» отключена."
                    )
                    % {"keep": kept.username, "remove": found["remove"].username},
                )
                return redirect("accounts:person", user_id=kept.pk)
    return render(request, "accounts/merge.html", {"form": form})


@require_POST
def lockout_reset(request: HttpRequest, attempt_id: int) -> HttpResponse:
    viewer = viewer_from_request(request)
    locked = lockout_of_admin(viewer, attempt_id)
    services.lockout_reset(
        actor=request.user,  # type: ignore[arg-type]
        username=locked.username,
        ip_addresses=locked.ip_addresses,
        organisation=acting_organisation(
            viewer, User.objects.filter(username__iexact=locked.username).first()
        ),
    )
    messages.success(request, _("Вход для «%(login)s» разблокирован.") % {"login": locked.username})
    return redirect("accounts:people")


def audit(request: HttpRequest) -> HttpResponse:
    _require(request, "accounts.manage_people")
    viewer = viewer_from_request(request)
    form = AuditFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {
            "kind": form.cleaned_data["kind"],
            "query": form.cleaned_data["q"].strip(),
            "date_from": form.cleaned_data["date_from"],
            "date_to": form.cleaned_data["date_to"],
        }
    page = Paginator(audit_events(viewer, **filters), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/audit.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )
