"""Register pages: parse → authorise (rules) → one service/selector → render."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from shkola.accounts.middleware import client_ip
from shkola.accounts.selectors import viewer_from_request

from . import selectors, services
from .forms import CuratorForm, OrganisationForm


def _user(request: HttpRequest) -> Any:
    """The signed-in user sharing the request's Viewer with the rules."""
    user = request.user
    if getattr(user, "is_authenticated", False) and not hasattr(user, "_shkola_viewer"):
        user._shkola_viewer = viewer_from_request(request)  # type: ignore[union-attr]
    return user


def _require(request: HttpRequest, perm: str, obj: Any = None) -> None:
    if not _user(request).has_perm(perm, obj):
        raise Http404


def _apply_errors(form: Form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        target = field if field in form.fields else None
        for error in errors:
            form.add_error(target, error)


def organisations(request: HttpRequest) -> HttpResponse:
    _require(request, "registry.view")
    viewer = viewer_from_request(request)
    groups = selectors.organisations_by_municipality(viewer)
    return render(
        request,
        "registry/organisations.html",
        {"groups": groups, "is_regional": len(groups) > 1},
    )


def _organisation_form_page(
    request: HttpRequest, form: OrganisationForm, organisation: Any = None
) -> HttpResponse:
    form.flag_errors()
    return render(
        request,
        "registry/organisation_form.html",
        {
            "form": form,
            "organisation": organisation,
            "curators": selectors.organisation_curators(organisation) if organisation else [],
        },
    )


def _save(request: HttpRequest, form: OrganisationForm, organisation: Any = None) -> Any:
    if not form.is_valid():
        return None
    data = {
        name: form.cleaned_data[name]
        for name in ("kind", "full_name", "short_name", "inn", "ogrn", "address", "director_name")
    }
    try:
        if organisation is None:
            return services.organisation_register_by_official(
                actor=request.user,  # type: ignore[arg-type]
                territory=form.territory_object(),
                ip_address=client_ip(request),
                **data,
            )
        return services.organisation_update_by_official(
            actor=request.user,  # type: ignore[arg-type]
            organisation=organisation,
            territory=form.territory_object(),
            ip_address=client_ip(request),
            **data,
        )
    except ValidationError as error:
        _apply_errors(form, error)
        return None


@require_http_methods(["GET", "POST"])
def organisation_new(request: HttpRequest) -> HttpResponse:
    _require(request, "registry.register")
    viewer = viewer_from_request(request)
    municipalities = selectors.official_municipalities(viewer)
    if request.method == "POST":
        form = OrganisationForm(request.POST, municipalities=municipalities)
        if (org := _save(request, form)) is not None:
            messages.success(
                request,
                _("Организация «%(name)s» зарегистрирована. Выдайте доступ её куратору.")
                % {"name": org.short_name},
            )
            return redirect("registry:curator_issue", organisation_id=org.id)
    else:
        initial: dict[str, Any] = {}
        territory = request.GET.get("territory", "")
        if any(str(t.id) == territory for t in municipalities):
            initial["territory"] = int(territory)
        form = OrganisationForm(initial=initial, municipalities=municipalities)
    return _organisation_form_page(request, form)


@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, organisation_id: int) -> HttpResponse:
    viewer = viewer_from_request(request)
    organisation = selectors.organisation_of_official(viewer, organisation_id)
    _require(request, "registry.change", organisation)
    municipalities = selectors.official_municipalities(viewer)
    if request.method == "POST":
        form = OrganisationForm(request.POST, municipalities=municipalities)
        if _save(request, form, organisation) is not None:
            messages.success(request, _("Сведения об организации сохранены."))
            return redirect("registry:organisations")
    else:
        form = OrganisationForm(
            initial={
                "territory": organisation.territory_id,
                **{name: getattr(organisation, name) for name in services.ORGANISATION_FIELDS},
            },
            municipalities=municipalities,
        )
    return _organisation_form_page(request, form, organisation)


@never_cache
@require_http_methods(["GET", "POST"])
def curator_issue(request: HttpRequest, organisation_id: int) -> HttpResponse:
    viewer = viewer_from_request(request)
    organisation = selectors.organisation_of_official(viewer, organisation_id)
    _require(request, "registry.change", organisation)
    form = CuratorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            access = services.curator_issue(
                actor=request.user,  # type: ignore[arg-type]
                organisation=organisation,
                ip_address=client_ip(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            # The password is shown on this response only: it is stored hashed.
            return render(
                request,
                "registry/curator_sheet.html",
                {
                    "organisation": organisation,
                    "access": access,
                    "portal_url": settings.SHKOLA["PUBLIC_URL"].rstrip("/") + "/",
                    "login_url": settings.SHKOLA["PUBLIC_URL"].rstrip("/")
                    + reverse("accounts:login"),
                },
            )
    form.flag_errors()
    return render(
        request,
        "registry/curator_form.html",
        {
            "organisation": organisation,
            "form": form,
            "curators": selectors.organisation_curators(organisation),
        },
    )
