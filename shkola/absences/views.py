from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from shkola.accounts.selectors import active_student, viewer_from_request
from shkola.core import clock, exports, params
from shkola.core.once import submit_once
from shkola.core.xlsx_table import table_xlsx
from shkola.schools.models import ClassUnit

from . import selectors, services
from .forms import DecideForm, NoteForm
from .models import AbsenceNote

# The service names the model's fields; the form calls the scan ``scan``.
FORM_FIELD = {"file": "scan"}


def _apply_errors(form: Any, exc: ValidationError) -> None:
    for key, errors in exc.message_dict.items():
        name = FORM_FIELD.get(key, key)
        target = name if name in form.fields else None
        for error in errors:
            form.add_error(target, error)


def _child(request: HttpRequest) -> Any:
    viewer = viewer_from_request(request)
    student = active_student(request)
    if student is None or not any(c.id == student.id for c in viewer.children):
        raise Http404
    return student


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    # Every child's notes (a decision about one child should not hide behind the switch);
    # a new note is about the active child.
    child = _child(request)
    children = viewer_from_request(request).children
    return render(
        request,
        "absences/mine.html",
        {
            "notes": selectors.notes_of_family(children),
            "child": child,
            "many_children": len(children) > 1,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    student = _child(request)
    if not request.user.has_perm("absences.send_note", student):
        raise Http404
    source = request.POST if request.method == "POST" else request.GET
    day = params.parse_date(source.get("day", "")) if "day" in source else None
    day_lessons = None
    if day is not None:
        day_lessons = list(
            selectors.student_lessons_between(student, day, day).select_related("subject")
        )
    initial = {"date_from": day or clock.today()}
    form = NoteForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        day_lessons=day_lessons,
    )
    done_url = reverse("absences:mine")
    if request.method == "POST" and form.is_valid():
        with submit_once(request, fallback=done_url) as once:
            if once.duplicate:
                return once.duplicate
            data = form.cleaned_data
            try:
                services.absence_note_create(
                    student=student,
                    author=request.user,
                    date_from=data["date_from"],
                    date_to=data.get("date_to"),
                    reason=data["reason"],
                    comment=data.get("comment", ""),
                    lessons=data["lesson_objects"],
                    scan=data.get("scan"),
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Записка отправлена классному руководителю."))
                return once.done(done_url)
    return render(
        request,
        "absences/form.html",
        {"form": form, "child": student, "day": day, "day_lessons": day_lessons},
    )


def _note(request: HttpRequest, note_id: int) -> AbsenceNote:
    note = selectors.note_for(viewer_from_request(request), note_id)
    if note is None or not request.user.has_perm("absences.view_note", note):
        raise Http404
    return note


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, note_id: int) -> HttpResponse:
    note = _note(request, note_id)
    form = DecideForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action", "")
        user = request.user
        try:
            if action == "withdraw" and user.has_perm("absences.withdraw_note", note):
                services.absence_note_withdraw(note=note, by=user)
                messages.success(request, _("Записка отозвана."))
                return redirect("absences:mine")
            if action in ("accept", "reject") and user.has_perm("absences.decide_note", note):
                if action == "accept":
                    services.absence_note_accept(note=note, by=user)
                    messages.success(
                        request, _("Записка принята: пропуски отмечены «у» в журнале.")
                    )
                    return redirect("absences:queue")
                if form.is_valid():
                    services.absence_note_reject(
                        note=note, by=user, reason=form.cleaned_data.get("reject_reason", "")
                    )
                    messages.success(request, _("Записка отклонена."))
                    return redirect("absences:queue")
            elif action not in ("withdraw", "accept", "reject"):
                form.add_error(None, _("Неизвестное действие."))
            else:
                form.add_error(None, _("Решение по этой записке уже принято или вам недоступно."))
        except ValidationError as exc:
            _apply_errors(form, exc)
        note = _note(request, note_id)
    return render(
        request,
        "absences/detail.html",
        {
            "note": note,
            "form": form,
            "lessons": list(selectors.covered_lessons(note).select_related("subject")),
            "may_decide": request.user.has_perm("absences.decide_note", note),
            "may_withdraw": request.user.has_perm("absences.withdraw_note", note),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def scan(request: HttpRequest, note_id: int) -> HttpResponseBase:
    note = _note(request, note_id)
    if not note.file:
        raise Http404
    try:
        stored = note.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(
        stored,
        content_type=note.file_content_type or "application/octet-stream",
        as_attachment=request.GET.get("download") == "1",
        filename=note.file_name or "spravka",
    )
    # A family's upload must never run as a page of the site.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    viewer = viewer_from_request(request)
    if not request.user.has_perm("absences.view_queue"):
        raise Http404
    return render(
        request,
        "absences/queue.html",
        {"queue": selectors.queue(viewer), "classes": sorted(viewer.led_class_ids)},
    )


@login_required
@require_GET
def class_week(request: HttpRequest, class_id: int) -> HttpResponse:
    class_unit, monday = _class_week_of(request, class_id)
    ctx = selectors.class_attendance_week(class_unit, monday)
    ctx["prev"] = (monday - dt.timedelta(days=7)).isoformat()
    ctx["next"] = (monday + dt.timedelta(days=7)).isoformat()
    ctx["xlsx_url"] = reverse("absences:class_week_xlsx", args=[class_unit.id]) + (
        f"?week={monday.isoformat()}"
    )
    return render(request, "absences/class_week.html", ctx)


def _class_week_of(request: HttpRequest, class_id: int) -> tuple[ClassUnit, dt.date]:
    viewer = viewer_from_request(request)
    class_unit = (
        ClassUnit.objects.select_related("parallel")
        .filter(pk=class_id, parallel__organisation_id__in=viewer.staff_org_ids)
        .first()
    )
    if class_unit is None or not request.user.has_perm("schools.manage_class", class_unit):
        raise Http404
    day = params.parse_date(request.GET.get("week", "")) or clock.today()
    return class_unit, day - dt.timedelta(days=day.weekday())


@login_required
@require_GET
def class_week_xlsx(request: HttpRequest, class_id: int) -> HttpResponse:
    """The page's week (same selector, same rules) as a workbook."""
    class_unit, monday = _class_week_of(request, class_id)
    week = selectors.class_attendance_week(class_unit, monday)
    rows = []
    for row in week["rows"]:
        line: list[Any] = [f"{row.student.last_name} {row.student.first_name}"]
        for cell in row.days:
            text = " ".join(f"{kind}×{n}" if n > 1 else kind for kind, n in cell.items)
            if cell.by_note:
                text += f" ({_('по записке')}: {cell.by_note})"
            line.append(text.strip())
        line.append(row.missed or None)
        rows.append(line)
    sunday = week["days"][-1]
    content = table_xlsx(
        sheet=class_unit.name,
        title=[
            _("Посещаемость класса %(name)s за неделю") % {"name": class_unit.name},
            f"{monday:%d.%m.%Y} — {sunday:%d.%m.%Y}. "
            + _("н — отсутствовал, б — болел, у — уважительная причина, оп — опоздал."),
        ],
        header=[_("Обучающийся")]
        + [formats.date_format(d, "D j") for d in week["days"]]
        + [_("Пропусков")],
        rows=rows,
        widths=[30] + [12] * len(week["days"]) + [11],
    )
    filename = exports.download_name(
        _("Посещаемость"), class_unit.name, f"{monday:%d.%m.%Y}", extension="xlsx"
    )
    return exports.xlsx_response(content, filename)
