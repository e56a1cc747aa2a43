"""People pages of the school administration (B3): «Обучающиеся» with the student form,
the card with the education history and the orders, the legal representatives, and
«Сотрудники» with their roles and accounts. Only the administration of the school sees
them; anyone else, and another school's person, gets a 404."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from shkola.accounts import services as account_services
from shkola.accounts.models import Role, Sex, SpecialistKind
from shkola.accounts.selectors import Viewer, viewer_from_request
from shkola.core import exports as exports_core
from shkola.core import params
from shkola.core.clock import today
from shkola.core.confirm import confirm_delete
from shkola.core.once import submit_once
from shkola.schools.models import IdDocumentKind, Organisation, RepresentativeKind, Student

from . import exports, selectors, services

STUDENT_FIELDS = (
    "last_name",
    "first_name",
    "middle_name",
    "birth_date",
    "sex",
    "snils",
    "id_doc_kind",
    "id_doc_series",
    "id_doc_number",
    "id_doc_issued_on",
    "id_doc_issued_by",
    "address",
)
STAFF_ROLES = [
    Role.TEACHER,
    Role.CLASS_TEACHER,
    Role.DEPUTY,
    Role.DIRECTOR,
    Role.SPECIALIST,
    Role.CURATOR,
]
ORDERS: dict[str, tuple[Any, Any, bool]] = {
    "enrol": (gettext_lazy("Зачисление"), services.student_enrol, True),
    "transfer": (gettext_lazy("Перевод в другой класс"), services.student_transfer, True),
    "expel": (gettext_lazy("Отчисление"), services.student_expel, False),
}


def _admin(request: HttpRequest) -> tuple[Viewer, list[Organisation]]:
    viewer = viewer_from_request(request)
    schools = [s for s in selectors.admin_schools(viewer.admin_org_ids)]
    if not schools or not all(request.user.has_perm("roster.manage_people", s) for s in schools):
        raise Http404
    return viewer, schools


def _chosen(request: HttpRequest, schools: list[Organisation]) -> Organisation:
    # A director of several schools switches with ?school=<id>; one school needs no choice.
    raw = request.GET.get("school", "")
    return next((s for s in schools if str(s.id) == raw), schools[0])


def _with_school(url: str, school: Organisation, schools: list[Organisation]) -> str:
    return f"{url}?school={school.id}" if len(schools) > 1 else url


def _student(request: HttpRequest, student_id: int) -> tuple[Viewer, Student]:
    viewer, _schools = _admin(request)
    student = selectors.admin_student(viewer.admin_org_ids, student_id)
    if student is None or not request.user.has_perm("roster.manage_people", student.organisation):
        raise Http404
    return viewer, student


def _form_context() -> dict[str, Any]:
    return {
        "sex_choices": Sex.choices,
        "doc_choices": IdDocumentKind.choices,
        "kind_choices": RepresentativeKind.choices,
        "role_choices": [(str(r), r.label) for r in STAFF_ROLES],
        "specialist_choices": SpecialistKind.choices,
    }


# --- students ---------------------------------------------------------------------------


def _student_filters(request: HttpRequest) -> tuple[int | None, bool, str]:
    raw_class = request.GET.get("class", "")
    without_class = raw_class == "none"
    class_id = None if without_class else params.parse_id(raw_class)
    return class_id, without_class, request.GET.get("q", "").strip()[:100]


def students(request: HttpRequest) -> HttpResponse:
    _viewer, schools = _admin(request)
    school = _chosen(request, schools)
    class_id, without_class, query = _student_filters(request)
    found = selectors.student_list(
        school, class_id=class_id, without_class=without_class, query=query
    )
    xlsx_query = urlencode(
        {k: v for k, v in request.GET.items() if k in ("school", "class", "q") and v}
    )
    return render(
        request,
        "roster/students.html",
        {
            "school": school,
            "schools": schools,
            "found": found,
            "class_id": class_id,
            "without_class": without_class,
            "query": query,
            "school_query": f"?school={school.id}" if len(schools) > 1 else "",
            "xlsx_url": reverse("roster:students_xlsx") + (f"?{xlsx_query}" if xlsx_query else ""),
        },
    )


@require_GET
def students_xlsx(request: HttpRequest) -> HttpResponse:
    """The list of the page, with its filters, every student found (the page shows the first
    300)."""
    _viewer, schools = _admin(request)
    school = _chosen(request, schools)
    class_id, without_class, query = _student_filters(request)
    found = selectors.student_list(
        school, class_id=class_id, without_class=without_class, query=query, limit=None
    )
    if without_class:
        class_label = _("без класса")
    else:
        class_label = next((c.name for c in found.classes if c.id == class_id), _("все классы"))
    filters = f"{_('Класс')}: {class_label}"
    if query:
        filters += f"; {_('поиск')}: «{query}»"
    content = exports.students_xlsx(school, found, filters)
    name = exports_core.download_name(
        _("Обучающиеся"),
        school.short_name,
        class_label if class_id or without_class else "",
        extension="xlsx",
    )
    return exports_core.xlsx_response(content, name)


def _student_values(student: Student | None) -> dict[str, Any]:
    if student is None:
        return {}
    values: dict[str, Any] = {name: getattr(student, name) or "" for name in STUDENT_FIELDS}
    for name in ("birth_date", "id_doc_issued_on"):
        values[name] = values[name].isoformat() if values[name] else ""
    values["special_needs"] = student.special_needs
    return values


def _student_form(
    request: HttpRequest, *, school: Organisation, student: Student | None, back_url: str
) -> HttpResponse:
    viewer = viewer_from_request(request)
    errors: dict[str, list[str]] = {}
    values = _student_values(student)
    if request.method == "POST":
        post = request.POST
        with submit_once(request, fallback=back_url, enabled=student is None) as once:
            if once.duplicate:
                return once.duplicate
            values = {name: post.get(name, "") for name in STUDENT_FIELDS}
            values["special_needs"] = post.get("special_needs") == "on"
            try:
                saved = services.student_save(
                    organisation=school, actor=viewer.user, values=values, student=student
                )
            except ValidationError as error:
                errors = error.message_dict
            else:
                messages.success(
                    request,
                    _("Данные обучающегося «%(name)s» сохранены.") % {"name": saved.full_name},
                )
                return once.done(reverse("roster:student", args=[saved.id]))
    return render(
        request,
        "roster/student_form.html",
        {
            "school": school,
            "student": student,
            "values": values,
            "errors": errors,
            "back_url": back_url,
            **_form_context(),
        },
        status=422 if errors else 200,
    )


def student_add(request: HttpRequest) -> HttpResponse:
    _viewer, schools = _admin(request)
    school = _chosen(request, schools)
    back = _with_school(reverse("roster:students"), school, schools)
    return _student_form(request, school=school, student=None, back_url=back)


def student_edit(request: HttpRequest, student_id: int) -> HttpResponse:
    _viewer, student = _student(request, student_id)
    if request.method == "GET":
        account_services.personal_data_viewed(
            request=request, student=student, what=_("Личные данные обучающегося")
        )
    back = reverse("roster:student", args=[student.id])
    return _student_form(request, school=student.organisation, student=student, back_url=back)


def student(request: HttpRequest, student_id: int) -> HttpResponse:
    _viewer, found = _student(request, student_id)
    # H2: every staff opening of a student's card is in the access log the family sees.
    account_services.personal_data_viewed(
        request=request, student=found, what=_("Карточка обучающегося")
    )
    return render(
        request,
        "roster/student.html",
        {"card": selectors.student_card(found), "student": found},
    )


def _order(request: HttpRequest, student_id: int, kind: str) -> HttpResponse:
    viewer, found = _student(request, student_id)
    title, service, need_class = ORDERS[kind]
    school = found.organisation
    errors: dict[str, list[str]] = {}
    values = {"date": today().isoformat(), "order_number": "", "class_unit": ""}
    if request.method == "POST":
        post = request.POST
        values = {k: post.get(k, "") for k in ("date", "order_number", "class_unit")}
        arguments: dict[str, Any] = {
            "organisation": school,
            "actor": viewer.user,
            "student": found,
            "date": values["date"],
            "order_number": values["order_number"],
        }
        if need_class:
            arguments["class_unit_id"] = values["class_unit"]
        try:
            service(**arguments)
        except ValidationError as error:
            errors = error.message_dict
        else:
            messages.success(
                request,
                _("%(order)s: приказ № %(number)s записан в историю обучения.")
                % {"order": title, "number": values["order_number"].strip()},
            )
            return redirect("roster:student", found.id)
    classes = selectors.school_classes(school) if need_class else []
    return render(
        request,
        "roster/order_form.html",
        {
            "student": found,
            "kind": kind,
            "title": title,
            "need_class": need_class,
            "class_choices": [(c.id, c.name) for c in classes if c.id != found.current_class_id],
            "values": values,
            "errors": errors,
        },
        status=422 if errors else 200,
    )


def student_enrol(request: HttpRequest, student_id: int) -> HttpResponse:
    return _order(request, student_id, "enrol")


def student_transfer(request: HttpRequest, student_id: int) -> HttpResponse:
    return _order(request, student_id, "transfer")


def student_expel(request: HttpRequest, student_id: int) -> HttpResponse:
    return _order(request, student_id, "expel")


# --- legal representatives --------------------------------------------------------------

GUARDIAN_FIELDS = ("kind", "last_name", "first_name", "middle_name", "phone", "email", "snils")


def guardian_add(request: HttpRequest, student_id: int) -> HttpResponse:
    viewer, found = _student(request, student_id)
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in GUARDIAN_FIELDS}
        try:
            link = services.guardian_attach(
                organisation=found.organisation, actor=viewer.user, student=found, values=values
            )
        except ValidationError as error:
            errors = error.message_dict
        else:
            messages.success(
                request,
                _("%(name)s — законный представитель обучающегося.")
                % {"name": link.guardian.full_name},
            )
            return redirect("roster:student", found.id)
    return render(
        request,
        "roster/guardian_form.html",
        {"student": found, "values": values, "errors": errors, **_form_context()},
        status=422 if errors else 200,
    )


def guardian_unlink(request: HttpRequest, student_id: int, guardianship_id: int) -> HttpResponse:
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    viewer, found = _student(request, student_id)
    link = selectors.admin_guardianship(found, guardianship_id)
    if link is None:
        raise Http404
    if request.method != "POST":
        return confirm_delete(
            request,
            what=_("связь обучающегося с представителем «%(name)s»")
            % {"name": link.guardian.full_name},
            cancel_url=reverse("roster:student", args=[found.id]),
        )
    services.guardian_detach(organisation=found.organisation, actor=viewer.user, guardianship=link)
    messages.success(
        request,
        _("%(name)s больше не связан(а) с обучающимся.") % {"name": link.guardian.full_name},
    )
    return redirect("roster:student", found.id)


# --- staff ------------------------------------------------------------------------------


def staff(request: HttpRequest) -> HttpResponse:
    _viewer, schools = _admin(request)
    school = _chosen(request, schools)
    return render(
        request,
        "roster/staff.html",
        {
            "school": school,
            "schools": schools,
            "members": selectors.staff_list(school),
            "school_query": f"?school={school.id}" if len(schools) > 1 else "",
        },
    )


@require_GET
def staff_xlsx(request: HttpRequest) -> HttpResponse:
    _viewer, schools = _admin(request)
    school = _chosen(request, schools)
    content = exports.staff_xlsx(school, selectors.staff_list(school))
    name = exports_core.download_name(_("Сотрудники"), school.short_name, extension="xlsx")
    return exports_core.xlsx_response(content, name)


STAFF_FIELDS = ("last_name", "first_name", "middle_name", "username", "email", "phone")


def staff_add(request: HttpRequest) -> HttpResponse:
    viewer, schools = _admin(request)
    school = _chosen(request, schools)
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {"roles": []}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in (*STAFF_FIELDS, "specialist_kind")}
        values["roles"] = request.POST.getlist("roles")
        try:
            user, password = services.staff_create(
                organisation=school, actor=viewer.user, values=values, roles=values["roles"]
            )
        except ValidationError as error:
            errors = error.message_dict
        else:
            # The password is shown on this answer only: it is not stored anywhere readable,
            # and the browser must not keep the page either.
            sheet = render(
                request,
                "roster/staff_sheet.html",
                {
                    "school": school,
                    "member": user,
                    "password": password,
                    "login_url": request.build_absolute_uri(reverse("accounts:login")),
                    "roles": [Role(r).label for r in values["roles"]],
                    "back_url": _with_school(reverse("roster:staff"), school, schools),
                },
            )
            add_never_cache_headers(sheet)
            return sheet
    return render(
        request,
        "roster/staff_form.html",
        {
            "school": school,
            "values": values,
            "errors": errors,
            "back_url": _with_school(reverse("roster:staff"), school, schools),
            **_form_context(),
        },
        status=422 if errors else 200,
    )


def staff_member(request: HttpRequest, user_id: int) -> HttpResponse:
    viewer, schools = _admin(request)
    school = _chosen(request, schools)
    member = selectors.staff_member(school, user_id)
    if member is None:
        raise Http404
    errors: dict[str, list[str]] = {}
    values = {"role": "", "specialist_kind": ""}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in values}
        try:
            services.staff_role_add(
                organisation=school,
                actor=viewer.user,
                user=member.user,
                role=values["role"],
                specialist_kind=values["specialist_kind"],
            )
        except ValidationError as error:
            errors = error.message_dict
        else:
            messages.success(request, _("Роль добавлена."))
            return redirect(
                _with_school(reverse("roster:staff_member", args=[user_id]), school, schools)
            )
    return render(
        request,
        "roster/staff_member.html",
        {
            "school": school,
            "member": member,
            "values": values,
            "errors": errors,
            "back_url": _with_school(reverse("roster:staff"), school, schools),
            **_form_context(),
        },
        status=422 if errors else 200,
    )


def role_end(request: HttpRequest, assignment_id: int) -> HttpResponse:
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    viewer, schools = _admin(request)
    assignment = selectors.role_assignment_in(viewer.admin_org_ids, assignment_id)
    if assignment is None:
        raise Http404
    school = assignment.organisation
    member_url = _with_school(
        reverse("roster:staff_member", args=[assignment.user_id]), school, schools
    )
    if request.method != "POST":
        return confirm_delete(
            request,
            what=_("роль «%(role)s» у %(name)s")
            % {"role": assignment.get_role_display(), "name": assignment.user.full_name},
            cancel_url=member_url,
        )
    try:
        services.staff_role_end(organisation=school, actor=viewer.user, assignment=assignment)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("Роль «%(role)s» снята.") % {"role": assignment.get_role_display()}
        )
        if selectors.staff_member(school, assignment.user_id) is None:
            return redirect(_with_school(reverse("roster:staff"), school, schools))
    return redirect(member_url)
