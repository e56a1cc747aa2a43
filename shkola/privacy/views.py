from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shkola.accounts.middleware import client_ip
from shkola.accounts.models import AuditEvent
from shkola.accounts.selectors import active_student, audit_events, viewer_from_request
from shkola.core import clock, params
from shkola.core.exports import attachment_header

from . import selectors, services
from .forms import ConsentTextForm
from .models import ConsentKind, DestructionStatus


def _require(request: HttpRequest, perm: str, obj: Any = None) -> None:
    """Pages a role may not use do not exist for that person: a 404."""
    if not request.user.has_perm(perm, obj):
        raise Http404


def _profile_frame(request: HttpRequest, viewer: Any, **extra: Any) -> dict[str, Any]:
    """The context the profile's tabs need: these pages are a tab of «Мои данные»."""
    return {"viewer": viewer, "tab": "privacy", "show_children_tab": not viewer.is_student, **extra}


# --- the family's side -------------------------------------------------------------------------


@require_GET
def consents(request: HttpRequest) -> HttpResponse:
    viewer = viewer_from_request(request)
    subjects = selectors.consent_subjects(viewer)
    return render(
        request,
        "privacy/consents.html",
        _profile_frame(
            request,
            viewer,
            subjects=subjects,
            former=selectors.former_consents(viewer, subjects),
            days=services.destruction_days(),
            is_family=bool(viewer.children or viewer.own_student),
        ),
    )


@require_POST
def consent_give(request: HttpRequest) -> HttpResponse:
    viewer = viewer_from_request(request)
    student_id = params.parse_id(request.POST.get("student"))
    subject = next(
        (s for s in selectors.consent_subjects(viewer) if s.student.pk == student_id), None
    )
    if subject is None:
        raise Http404
    if request.POST.get("agree") != "on":
        messages.error(request, _("Согласие: поставьте отметку «Я прочитал(а) и даю согласие»."))
        return redirect("privacy:consents")
    try:
        services.consent_give(
            user=request.user,  # type: ignore[arg-type]
            student=subject.student,
            kind=subject.kind,
            ip_address=client_ip(request),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Согласие дано."))
    return redirect("privacy:consents")


def consent_withdraw(request: HttpRequest, consent_id: int) -> HttpResponse:
    # Looked up first: another person's consent is a 404 whatever the method.
    consent = selectors.consent_of_user(request.user, consent_id)  # type: ignore[arg-type]
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if consent.withdrawn_at is not None:
        messages.info(request, _("Это согласие уже отозвано."))
        return redirect("privacy:consents")
    if request.POST.get("confirm") != "on":
        messages.error(
            request,
            _("Отзыв согласия: поставьте отметку, что понимаете последствия отзыва."),
        )
        return redirect("privacy:consents")
    destruction = services.consent_withdraw(
        consent=consent,
        actor=request.user,  # type: ignore[arg-type]
        ip_address=client_ip(request),
    )
    messages.success(
        request,
        _("Согласие отозвано. Персональные данные будут уничтожены не позднее %(day)s.")
        % {"day": f"{timezone.localtime(destruction.due_at):%d.%m.%Y}"},
    )
    return redirect("privacy:consents")


@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
    viewer = viewer_from_request(request)
    _require(request, "privacy.view_consents")
    students = selectors.family_students(viewer)
    wanted = params.parse_id(request.GET.get("student"))
    if wanted is None:
        # The child chosen at the top of the page, as on every family page.
        chosen = active_student(request)
        wanted = chosen.pk if chosen is not None else None
    student = selectors.family_student(viewer, wanted)
    page = Paginator(selectors.access_log_of_student(student), 50).get_page(request.GET.get("page"))
    roles = selectors.role_names({e.actor_id for e in page if e.actor_id})
    return render(
        request,
        "privacy/access_log.html",
        _profile_frame(
            request,
            viewer,
            students=students,
            student=student,
            page=page,
            rows=[(e, roles.get(e.actor_id or 0, "")) for e in page],
        ),
    )


@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    viewer = viewer_from_request(request)
    return render(
        request,
        "privacy/my_data.html",
        _profile_frame(request, viewer, students=selectors.family_students(viewer)),
    )


@require_GET
def my_data_download(request: HttpRequest) -> HttpResponse:
    viewer = viewer_from_request(request)
    content = selectors.subject_access_archive(request.user, viewer)  # type: ignore[arg-type]
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = attachment_header(f"Мои данные {clock.today():%d.%m.%Y}.zip")
    return response


# --- the school's side -------------------------------------------------------------------------


@require_GET
def destructions(request: HttpRequest) -> HttpResponse:
    _require(request, "privacy.view_destructions")
    viewer = viewer_from_request(request)
    rows = list(selectors.destructions_of_admin(viewer)[:500])
    return render(
        request,
        "privacy/destructions.html",
        {
            "pending": [d for d in rows if d.status == DestructionStatus.PENDING],
            "done": [d for d in rows if d.status == DestructionStatus.DONE],
        },
    )


@require_GET
def destruction(request: HttpRequest, destruction_id: int) -> HttpResponse:
    viewer = viewer_from_request(request)
    found = selectors.destruction_of_admin(viewer, destruction_id)
    return render(
        request,
        "privacy/destruction.html",
        {"d": found, "queued": request.GET.get("queued") == "1"},
    )


def destruction_run(request: HttpRequest, destruction_id: int) -> HttpResponse:
    viewer = viewer_from_request(request)
    found = selectors.destruction_of_admin(viewer, destruction_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    _require(request, "privacy.run_destruction", found)
    if found.status == DestructionStatus.PENDING:
        services.destruction_now(destruction=found, actor=request.user)  # type: ignore[arg-type]
        found.refresh_from_db()
        if found.status == DestructionStatus.DONE:
            messages.success(request, _("Персональные данные уничтожены, акт составлен."))
        else:
            messages.info(
                request,
                _("Уничтожение поставлено в очередь: акт появится здесь через несколько секунд."),
            )
            return redirect(f"{reverse('privacy:destruction', args=[found.pk])}?queued=1")
    return redirect("privacy:destruction", found.pk)


@require_GET
def destruction_act(request: HttpRequest, destruction_id: int) -> HttpResponse:
    viewer = viewer_from_request(request)
    found = selectors.destruction_of_admin(viewer, destruction_id)
    if found.status != DestructionStatus.DONE or not found.act_pdf:
        raise Http404
    response = HttpResponse(bytes(found.act_pdf), content_type="application/pdf")
    response["Content-Disposition"] = attachment_header(f"Акт об уничтожении ПДн № {found.pk}.pdf")
    return response


@require_GET
def audit_export(request: HttpRequest) -> HttpResponse:
    """The school's event log as filtered on «Журнал безопасности», as an Excel file."""
    _require(request, "accounts.manage_people")
    from .exports import audit_workbook

    viewer = viewer_from_request(request)
    kind = request.GET.get("kind", "")
    raw_from, raw_to = request.GET.get("date_from", ""), request.GET.get("date_to", "")
    date_from, date_to = params.parse_date(raw_from), params.parse_date(raw_to)
    if (
        (kind and kind not in AuditEvent.Kind.values)
        or (raw_from and date_from is None)
        or (raw_to and date_to is None)
    ):
        # The log page says which filter is wrong, with the typed values kept.
        messages.error(request, _("Выгрузка: исправьте фильтр — событие или даты."))
        return redirect(f"{reverse('accounts:audit')}?{request.GET.urlencode()}")
    events = audit_events(
        viewer,
        kind=kind,
        query=request.GET.get("q", "").strip()[:100],
        date_from=date_from,
        date_to=date_to,
    )
    return audit_workbook(events)


# --- consent texts (the region) ------------------------------------------------------------------


@require_GET
def texts(request: HttpRequest) -> HttpResponse:
    _require(request, "privacy.publish_consent_text")
    viewer = viewer_from_request(request)
    return render(request, "privacy/texts.html", {"texts": selectors.consent_texts(viewer)})


@require_http_methods(["GET", "POST"])
def text_new(request: HttpRequest) -> HttpResponse:
    _require(request, "privacy.publish_consent_text")
    viewer = viewer_from_request(request)
    from shkola.schools.models import Territory

    regions = list(Territory.objects.filter(pk__in=selectors.regions_of_official(viewer)))
    if request.user.is_superuser:
        regions = list(Territory.objects.filter(parent__isnull=True).order_by("name"))
    kind = request.GET.get("kind", ConsentKind.PARENT)
    if kind not in ConsentKind.values:
        kind = ConsentKind.PARENT
    current = services.consent_text_current(kind=kind, organisation=None)
    form = ConsentTextForm(
        request.POST or None,
        regions=regions,
        allow_default=request.user.is_superuser,
        initial={"kind": kind, "title": current.title, "text": current.text},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        territory = next((r for r in regions if r.pk == data.get("territory")), None)
        if territory is None and not request.user.is_superuser:
            form.add_error("territory", _("Регион: выберите из списка."))
        else:
            try:
                published = services.consent_text_publish(
                    actor=request.user,  # type: ignore[arg-type]
                    kind=data["kind"],
                    title=data["title"],
                    text=data["text"],
                    territory=territory,
                )
            except ValidationError as error:
                for key, errs in error.message_dict.items():
                    form.add_error(key if key in form.fields else None, errs)
            else:
                messages.success(
                    request, _("Опубликована версия %(v)s.") % {"v": published.version}
                )
                return redirect("privacy:texts")
    for name in form.errors:
        if name in form.fields:
            form.fields[name].widget.attrs["class"] += " is-invalid"
    return render(request, "privacy/text_new.html", {"form": form})
