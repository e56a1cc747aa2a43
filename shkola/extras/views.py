from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from shkola.accounts.selectors import active_student, viewer_from_request
from shkola.core import exports, params
from shkola.core.once import submit_once
from shkola.core.xlsx_table import table_xlsx
from shkola.schools.models import Organisation

from . import selectors, services
from .forms import ApplyForm, DecisionForm, ServiceForm
from .models import Application, ApplicationStatus, Service
from .payments import payment_note

# The service's error keys the forms call differently.
FORM_FIELD = {"class_units": "class_units", "service": None, "status": None}


def _apply_errors(form: Any, exc: ValidationError) -> None:
    for key, errors in exc.message_dict.items():
        name = FORM_FIELD.get(key, key)
        target = name if name in form.fields else None
        for error in errors:
            form.add_error(target, error)


def _price(service: Service) -> str:
    return service.price_text


# ------------------------------------------------------------------ families


@login_required
@require_GET
def family(request: HttpRequest) -> HttpResponse:
    """«Услуги» of the child chosen in the switcher: only that child's school's services."""
    viewer = viewer_from_request(request)
    child = active_student(request)
    if not viewer.children or child is None or viewer.own_student is not None:
        raise Http404
    return render(
        request,
        "extras/family.html",
        {"data": selectors.child_services(child), "child": child, "note": payment_note(free=False)},
    )


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The student's own services, read-only (seed 001: students do not sign up on the site)."""
    student = viewer_from_request(request).own_student
    if student is None:
        raise Http404
    return render(request, "extras/mine.html", {"attending": selectors.student_services(student)})


def _family_children(request: HttpRequest) -> list[Any]:
    viewer = viewer_from_request(request)
    if viewer.own_student is not None:
        return []
    return list(viewer.children)


@login_required
@require_http_methods(["GET", "POST"])
def service(request: HttpRequest, service_id: int) -> HttpResponse:
    children = _family_children(request)
    item = selectors.family_service(children, service_id)
    if item is None:
        raise Http404
    # Only the children of this service's school, and of them those it is meant for.
    here = [c for c in children if c.organisation_id == item.organisation_id]
    applications = selectors.family_applications(here, item)
    applied = {
        a.student_id for a in applications if a.status in ("pending", "waitlisted", "accepted")
    }
    class_ids = {c.id for c in item.class_units.all()}
    eligible = [
        c
        for c in here
        if services.is_for_student(item, c, class_ids) and request.user.has_perm("extras.apply", c)
    ]
    can_apply = [c for c in eligible if c.id not in applied]
    posted = request.POST.get("action") == "apply"
    # A child who has applied meanwhile (another tab, a double click) stays a valid choice:
    # the service refuses the second application with a clear message.
    form = ApplyForm(
        request.POST if posted else None,
        children=eligible if posted else can_apply,
        initial={"student": _preferred(request, can_apply)},
    )
    status = 200
    errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action", "")
        done = reverse("extras:service", args=[item.pk])
        if action == "withdraw":
            target = selectors.family_application(
                here, params.parse_id(request.POST.get("application")) or 0
            )
            if target is None or not request.user.has_perm("extras.withdraw_application", target):
                errors.append(_("Заявка: такой заявки нет."))
            else:
                try:
                    services.application_withdraw(application=target, by=request.user)  # type: ignore[arg-type]
                except ValidationError as exc:
                    errors.extend(e for es in exc.message_dict.values() for e in es)
                else:
                    messages.success(request, _("Заявка отозвана."))
                    return redirect(done)
        elif action == "apply":
            if form.is_valid():
                with submit_once(request, fallback=done) as once:
                    if once.duplicate:
                        return once.duplicate
                    child = next(c for c in eligible if c.id == form.cleaned_data["student"])
                    try:
                        services.application_create(
                            service=item,
                            student=child,
                            applicant=request.user,  # type: ignore[arg-type]
                            comment=form.cleaned_data.get("comment", ""),
                        )
                    except ValidationError as exc:
                        _apply_errors(form, exc)
                    else:
                        messages.success(
                            request, _("Заявка отправлена. Школа рассмотрит её и ответит здесь.")
                        )
                        return once.done(done)
        else:
            errors.append(_("Неизвестное действие."))
        status = 400
    return render(
        request,
        "extras/service.html",
        {
            "service": item,
            "price": _price(item),
            "free_places": selectors.free_places(item),
            "applications": applications,
            "can_apply": can_apply,
            "form": form,
            "errors": errors,
            "note": payment_note(free=item.is_free),
            "many_here": len(here) > 1,
        },
        status=status,
    )


def _preferred(request: HttpRequest, children: list[Any]) -> int | None:
    active = active_student(request)
    if active is not None and any(c.id == active.id for c in children):
        return active.id
    return children[0].id if children else None


# ------------------------------------------------------------------ the school


def _admin_ids(request: HttpRequest) -> set[int]:
    if not request.user.has_perm("extras.manage_services"):
        raise Http404
    return viewer_from_request(request).admin_org_ids


@login_required
@require_GET
def school(request: HttpRequest) -> HttpResponse:
    items = selectors.school_services(_admin_ids(request))
    for item in items:
        item.free_places = selectors.free_places(item)  # type: ignore[attr-defined]
    return render(request, "extras/school.html", {"services": items})


def _acting_school(request: HttpRequest) -> Organisation:
    school = selectors.acting_school(_admin_ids(request))
    if school is None:
        raise Http404
    return school


def _service_form(request: HttpRequest, organisation_id: int, **kwargs: Any) -> ServiceForm:
    return ServiceForm(
        request.POST or None,
        teachers=services.teachers_of(organisation_id),
        classes=selectors.current_classes(organisation_id),
        **kwargs,
    )


def _values(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": data.get("title", ""),
        "description": data.get("description", ""),
        "teacher": data.get("teacher"),
        "schedule": data.get("schedule", ""),
        "starts_on": data.get("starts_on"),
        "ends_on": data.get("ends_on"),
        "grade_from": data.get("grade_from"),
        "grade_to": data.get("grade_to"),
        "class_units": data.get("class_objects", []),
        "capacity": data.get("capacity"),
        "price": data.get("price"),
        "price_unit": data.get("price_unit", ""),
        "status": data.get("status", ""),
    }


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    organisation = _acting_school(request)
    form = _service_form(
        request, organisation.pk, initial={"capacity": 15, "price": 0, "status": "draft"}
    )
    if request.method == "POST" and form.is_valid():
        with submit_once(request, fallback=reverse("extras:school")) as once:
            if once.duplicate:
                return once.duplicate
            try:
                item = services.service_create(
                    organisation=organisation, **_values(form.cleaned_data)
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Услуга сохранена."))
                return once.done(reverse("extras:manage", args=[item.pk]))
    return render(
        request,
        "extras/service_form.html",
        {"form": form, "service": None},
        status=400 if form.errors else 200,
    )


def _school_service(request: HttpRequest, service_id: int) -> Service:
    item = selectors.school_service(_admin_ids(request), service_id)
    if item is None or not request.user.has_perm("extras.manage_service", item):
        raise Http404
    return item


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, service_id: int) -> HttpResponse:
    item = _school_service(request, service_id)
    initial = {name: getattr(item, name) for name in services.FIELDS}
    initial["teacher"] = item.teacher_id
    initial["class_units"] = [c.id for c in item.class_units.all()]
    form = _service_form(request, item.organisation_id, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_update(service=item, **_values(form.cleaned_data))
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Услуга сохранена."))
            return redirect("extras:manage", item.pk)
    return render(
        request,
        "extras/service_form.html",
        {"form": form, "service": item},
        status=400 if form.errors else 200,
    )


DECISIONS: dict[str, tuple[Any, Any]] = {
    "accept": (services.application_accept, gettext_lazy("%(name)s: заявка принята.")),
    "waitlist": (services.application_waitlist, gettext_lazy("%(name)s: заявка в листе ожидания.")),
    "decline": (services.application_decline, gettext_lazy("%(name)s: заявка отклонена.")),
    "remove": (
        services.application_remove,
        gettext_lazy("%(name)s: снят(а) с занятий, место свободно."),
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, service_id: int) -> HttpResponse:
    """The service's applications: the school accepts, waitlists, declines, removes."""
    item = _school_service(request, service_id)
    errors: list[str] = []
    failed_id = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        application_id = params.parse_id(request.POST.get("application")) or 0
        target = selectors.school_application(_admin_ids(request), application_id)
        form = DecisionForm(request.POST)
        if target is None or target.service_id != item.pk:
            errors.append(_("Заявка: такой заявки у этой услуги нет."))
        elif action not in DECISIONS:
            errors.append(_("Неизвестное действие."))
        elif not form.is_valid():
            errors.extend(str(e) for es in form.errors.values() for e in es)
            failed_id = target.pk
        else:
            write, done = DECISIONS[action]
            kwargs: dict[str, Any] = {"application": target, "by": request.user}
            if action in ("decline", "remove"):
                kwargs["reason"] = form.cleaned_data.get("reason", "")
            try:
                write(**kwargs)
            except ValidationError as exc:
                errors.extend(e for es in exc.message_dict.values() for e in es)
                failed_id = target.pk
            else:
                messages.success(request, str(done) % {"name": target.student.short_name})
                return redirect("extras:manage", item.pk)
        item = _school_service(request, service_id)
    apps = selectors.applications_of(item)
    return render(
        request,
        "extras/manage.html",
        {
            "service": item,
            "price": _price(item),
            "free_places": selectors.free_places(item),
            "apps": apps,
            "errors": errors,
            "failed_id": failed_id,
            "reason_limit": Application._meta.get_field("reason").max_length,
        },
        status=400 if errors else 200,
    )


def _when(value: Any) -> str:
    return formats.date_format(value, "d.m.Y") if value else ""


@login_required
@require_GET
def manage_xlsx(request: HttpRequest, service_id: int) -> HttpResponse:
    """The service's list as the page shows it: accepted, waiting, pending, then the rest."""
    item = _school_service(request, service_id)
    apps = selectors.applications_of(item).all
    rows = []
    for n, a in enumerate(apps, start=1):
        rows.append(
            [
                n,
                a.student.full_name,
                a.student.current_class.name if a.student.current_class else "",
                selectors.family_names(a),
                str(ApplicationStatus(a.status).label),
                a.reason,
                _when(a.created_at),
                _when(a.decided_at),
                a.comment,
            ]
        )
    content = table_xlsx(
        sheet=item.title,
        title=[
            item.title,
            _("Мест: %(cap)s, принято: %(n)s. Расписание: %(s)s")
            % {"cap": item.capacity, "n": item.accepted_count, "s": item.schedule},  # type: ignore[attr-defined]
        ],
        header=[
            "№",
            _("Ребёнок"),
            _("Класс"),
            _("Родитель"),
            _("Состояние"),
            _("Причина"),
            _("Подана"),
            _("Решение"),
            _("Комментарий родителя"),
        ],
        rows=rows,
        widths=[5, 32, 8, 30, 18, 30, 12, 12, 30],
    )
    name = exports.download_name(_("Заявки"), item.title, extension="xlsx")
    return exports.xlsx_response(content, name)


@login_required
@require_GET
def school_xlsx(request: HttpRequest) -> HttpResponse:
    items = selectors.school_services(_admin_ids(request))
    rows = [
        [
            s.title,
            s.teacher.full_name if s.teacher else "",
            s.schedule,
            s.capacity,
            s.accepted_count,  # type: ignore[attr-defined]
            s.waitlist_count,  # type: ignore[attr-defined]
            s.pending_count,  # type: ignore[attr-defined]
            _price(s),
            s.get_status_display(),
        ]
        for s in items
    ]
    content = table_xlsx(
        sheet=_("Услуги"),
        title=[_("Услуги школы")],
        header=[
            _("Услуга"),
            _("Педагог"),
            _("Расписание"),
            _("Мест"),
            _("Принято"),
            _("В листе ожидания"),
            _("На рассмотрении"),
            _("Цена"),
            _("Состояние"),
        ],
        rows=rows,
        widths=[32, 28, 32, 7, 9, 10, 10, 18, 16],
    )
    return exports.xlsx_response(content, exports.download_name(_("Услуги"), extension="xlsx"))
