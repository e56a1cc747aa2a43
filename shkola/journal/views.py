"""The teacher's journal pages. Thin: parse → authorise (rules) → one service/selector → render."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shkola.accounts import services as account_services
from shkola.accounts.selectors import Viewer, viewer_from_request
from shkola.core import clock, exports, params
from shkola.core.confirm import confirm_delete
from shkola.core.once import submit_once
from shkola.core.templatetags.shkola import format_average
from shkola.schools import services as school_services
from shkola.schools.models import AttestationPeriod, ControlForm, Organisation, Student
from shkola.timetable.models import Lesson

from . import cells, reports, selectors, services
from .models import FinalMarkKind, Homework, HomeworkFile, JournalKind, Mark, Remark


def _int(value: Any) -> int | None:
    # Every id this module reads from a request: one the database cannot hold is no id.
    return params.parse_id(value)


def _pk(value: Any) -> int:
    # 0 is never a primary key: a malformed id finds nothing, like a missing one.
    return _int(value) or 0


def _may(request: HttpRequest, perm: str, obj: Any) -> bool:
    # The rules backend decides on models and on JournalRef (a subject's journal of a class or
    # group), which Django's stubs do not know as a permission object.
    return bool(request.user.has_perm(perm, obj))


def _journal_kind(request: HttpRequest) -> str:
    kind = request.GET.get("journal") or request.POST.get("journal") or JournalKind.MAIN
    return kind if kind in JournalKind.values else JournalKind.MAIN


def _viewer(request: HttpRequest) -> Viewer:
    """One Viewer per request, shared with the rules (they cache theirs on the user)."""
    viewer = viewer_from_request(request)
    request.user._shkola_viewer = viewer  # type: ignore[union-attr]
    return viewer


def _ref_or_404(request: HttpRequest, perm: str, **ids: Any) -> selectors.JournalRef:
    viewer = _viewer(request)
    ref = selectors.journal_ref(viewer, **ids)
    if not _may(request, perm, ref):
        raise Http404
    return ref


def _lesson_or_404(
    request: HttpRequest, lesson_id: Any, perm: str, *, for_save: bool = False
) -> Lesson:
    lesson_id = _int(lesson_id)
    if lesson_id is None:
        raise Http404
    lesson = selectors.lesson_for_viewer(_viewer(request), lesson_id, for_save=for_save)
    if perm == "journal.view_journal":
        if not _may(request, perm, selectors.journal_ref_of_lesson(lesson)):
            raise Http404
    elif not request.user.has_perm(perm, lesson):
        raise Http404
    return lesson


# --------------------------------------------------------------------------- index


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    viewer = viewer_from_request(request)
    if not (viewer.is_teacher or viewer.is_school_admin or viewer.is_class_teacher):
        raise Http404
    return render(request, "journal/index.html", reports.journal_index(viewer))


# --------------------------------------------------------------------------- the grid


def _grid_page(request: HttpRequest, **ids: Any) -> HttpResponse:
    ref = _ref_or_404(request, "journal.view_journal", **ids)
    journal = _journal_kind(request)
    periods = selectors.periods_for(ref)
    period = selectors.choose_period(periods, _int(request.GET.get("period")), clock.today())
    grid = selectors.journal_grid(ref, period, periods, journal)
    may_edit = _may(request, "journal.edit_journal", ref)
    is_admin = request.user.has_perm("journal.close_period", period)
    editable = may_edit and (not period.is_closed or is_admin)
    today = clock.today()
    future = frozenset(x.id for x in grid.lessons if services.lesson_is_future(x, today))
    header_cells = cells.grid_header_html(grid.lessons, today)
    body_rows = cells.grid_rows_html(
        grid.rows,
        [lesson.id for lesson in grid.lessons],
        editable=editable,
        read_only_lessons=future,
        journal=journal,
        subject_id=ref.subject.id,
        full_path=request.get_full_path(),
        final_save_url=reverse("journal:final_save"),
        with_finals=grid.with_finals,
    )
    ctx = {
        "grid": grid,
        "ref": ref,
        "header_cells": header_cells,
        "body_rows": body_rows,
        "editable": editable,
        "may_edit": may_edit,
        "is_admin": is_admin,
        "journal": journal,
        "today": today,
        "main_url": ref.url(period=period.id),
        "homework_url": ref.url(period=period.id, journal=JournalKind.HOMEWORK),
        "period_urls": [
            (p, ref.url(period=p.id, journal=journal if journal != "main" else "")) for p in periods
        ],
        "finals_url": reverse(
            "journal:group_finals" if ref.group else "journal:finals",
            args=[ref.group.id if ref.group else ref.class_unit.id, ref.subject.id],  # type: ignore[union-attr]
        ),
        "xlsx_url": reverse(
            "journal:group_grid_xlsx" if ref.group else "journal:grid_xlsx",
            args=[ref.group.id if ref.group else ref.class_unit.id, ref.subject.id],  # type: ignore[union-attr]
        )
        + f"?period={period.id}&journal={journal}",
    }
    return render(request, "journal/grid.html", ctx)


@login_required
@require_GET
def grid(request: HttpRequest, class_id: int, subject_id: int) -> HttpResponse:
    return _grid_page(request, class_id=class_id, subject_id=subject_id)


@login_required
@require_GET
def group_grid(request: HttpRequest, group_id: int, subject_id: int) -> HttpResponse:
    return _grid_page(request, group_id=group_id, subject_id=subject_id)


def _grid_xlsx(request: HttpRequest, **ids: Any) -> HttpResponse:
    ref = _ref_or_404(request, "journal.view_journal", **ids)
    journal = _journal_kind(request)
    periods = selectors.periods_for(ref)
    period = selectors.choose_period(periods, _int(request.GET.get("period")), clock.today())
    grid = selectors.journal_grid(ref, period, periods, journal)
    content = reports.grid_xlsx(grid)
    who = ref.group.name if ref.group is not None else ref.class_unit.name  # type: ignore[union-attr]
    if ref.group is not None and ref.group.class_unit is not None:
        who = f"{ref.group.class_unit.name} {who}"
    filename = exports.download_name(
        _("Журнал"), who, ref.subject.name, period.name, extension="xlsx"
    )
    return exports.xlsx_response(content, filename)


@login_required
@require_GET
def grid_xlsx(request: HttpRequest, class_id: int, subject_id: int) -> HttpResponse:
    return _grid_xlsx(request, class_id=class_id, subject_id=subject_id)


@login_required
@require_GET
def group_grid_xlsx(request: HttpRequest, group_id: int, subject_id: int) -> HttpResponse:
    return _grid_xlsx(request, group_id=group_id, subject_id=subject_id)


# --------------------------------------------------------------------------- saving a cell


def _cell_response(
    html: str, status: int = 200, trigger: dict[str, Any] | None = None
) -> HttpResponse:
    response = HttpResponse(html, status=status)
    if trigger:
        response["HX-Trigger"] = json.dumps(trigger, ensure_ascii=False)
    return response


@login_required
@require_POST
def cell_save(request: HttpRequest) -> HttpResponse:
    """POST lesson, student, text, fp[, journal] → the re-rendered cell. 422 keeps the typed
    value with the error; 409 shows the current value when someone saved in between."""
    lesson = _lesson_or_404(
        request, request.POST.get("lesson"), "journal.edit_lesson", for_save=True
    )
    student = selectors.student_of_lesson(lesson, _int(request.POST.get("student")) or 0)
    journal = _journal_kind(request)
    text = request.POST.get("text", "")[:100]
    may_edit_closed = request.user.has_perm("journal.edit_closed", lesson)
    try:
        cell = services.mark_set(
            lesson=lesson,
            student=student,
            text=text,
            fingerprint=request.POST.get("fp", ""),
            user=request.user,
            may_edit_closed=may_edit_closed,
            journal=journal,
        )
    except ValidationError as exc:
        current = services.cell_load(lesson=lesson, student=student, journal=journal)
        html = cells.mark_cell_html(current, editable=True, error=cells.error_text(exc), typed=text)
        return _cell_response(html, 422)
    except services.CellConflict as conflict:
        current = conflict.current
        html = cells.mark_cell_html(
            current,
            editable=True,
            error=cells.conflict_message(current.text, text),
            typed=text,
            conflict=True,
        )
        return _cell_response(html, 409)
    average, suggested = selectors.cell_average(lesson, student, journal)
    return _cell_response(
        cells.mark_cell_html(cell, editable=True),
        trigger={
            "journalSaved": {
                "student": student.id,
                "average": format_average(average),
                "suggested": suggested or "",
            }
        },
    )


@login_required
@require_GET
def cell_panel(request: HttpRequest) -> HttpResponse:
    """The selected cell's marks with their comments and work names, and its history."""
    lesson = _lesson_or_404(request, request.GET.get("lesson"), "journal.view_journal")
    student = selectors.student_of_lesson(lesson, _int(request.GET.get("student")) or 0)
    return _render_panel(request, lesson, student, _journal_kind(request))


def _render_panel(
    request: HttpRequest, lesson: Lesson, student: Student, journal: str, errors: Any = None
) -> HttpResponse:
    cell = services.cell_load(lesson=lesson, student=student, journal=journal)
    may_edit = (
        request.user.has_perm("journal.edit_lesson", lesson)
        and not services.lesson_is_future(lesson)
        and (
            not (lesson.period and lesson.period.is_closed)
            or request.user.has_perm("journal.edit_closed", lesson)
        )
    )
    return render(
        request,
        "journal/_panel.html",
        {
            "lesson": lesson,
            "student": student,
            "cell": cell,
            "journal": journal,
            "may_edit": may_edit,
            "history": selectors.cell_history(lesson, student, journal),
            "errors": errors,
        },
    )


@login_required
@require_POST
def mark_note(request: HttpRequest, mark_id: int) -> HttpResponse:
    mark = Mark.objects.filter(pk=mark_id).only("id", "lesson_id", "student_id", "journal").first()
    if mark is None:
        raise Http404
    lesson = _lesson_or_404(request, mark.lesson_id, "journal.edit_lesson")
    mark.lesson = lesson
    student = selectors.student_of_lesson(lesson, mark.student_id)
    errors = None
    try:
        services.mark_note_set(
            mark=mark,
            comment=request.POST.get("comment", ""),
            work_name=request.POST.get("work_name", ""),
            user=request.user,
            may_edit_closed=request.user.has_perm("journal.edit_closed", lesson),
        )
    except ValidationError as exc:
        errors = cells.error_text(exc)
    response = _render_panel(request, lesson, student, mark.journal, errors)
    if errors:
        response.status_code = 422
    return response


# --------------------------------------------------------------------------- final marks


def _final_target(request: HttpRequest, data: Any) -> tuple[Any, ...]:
    viewer = _viewer(request)
    student = (
        Student.objects.select_related("current_class__parallel")
        .filter(pk=_pk(data.get("student")), organisation_id__in=viewer.staff_org_ids)
        .first()
    )
    if student is None:
        raise Http404
    kind = data.get("kind", "")
    if kind not in FinalMarkKind.values:
        raise Http404
    period = None
    if kind == FinalMarkKind.PERIOD:
        period = (
            AttestationPeriod.objects.select_related("academic_year")
            .filter(
                pk=_pk(data.get("period")), academic_year__organisation_id=student.organisation_id
            )
            .first()
        )
        if period is None:
            raise Http404
    refs = reports.journals_of_student(viewer, student, _int(data.get("subject")) or 0)
    ref = next((r for r in refs if _may(request, "journal.edit_journal", r)), None)
    if ref is None:
        ref = next((r for r in refs if _may(request, "journal.view_journal", r)), None)
    if ref is None:
        raise Http404
    return student, ref, kind, period


@login_required
@require_POST
def final_save(request: HttpRequest) -> HttpResponse:
    student, ref, kind, period = _final_target(request, request.POST)
    if not _may(request, "journal.edit_journal", ref):
        raise Http404
    text = request.POST.get("text", "")[:20]
    save_url = reverse("journal:final_save")
    try:
        cell = services.final_mark_set(
            student=student,
            subject=ref.subject,
            academic_year=ref.year,
            kind=kind,
            period=period,
            text=text,
            fingerprint=request.POST.get("fp", ""),
            user=request.user,
            may_edit_closed=request.user.has_perm("journal.close_period", period)
            if period
            else bool(ref.organisation.id in viewer_from_request(request).admin_org_ids),
        )
    except ValidationError as exc:
        current = services.FinalCell(
            student.id,
            ref.subject.id,
            kind,
            period.id if period else None,
            reports.final_mark_now(student, ref, kind, period),
        )
        html = cells.final_cell_html(
            current, editable=True, save_url=save_url, error=cells.error_text(exc), typed=text
        )
        return _cell_response(html, 422)
    except services.CellConflict as conflict:
        current = conflict.current
        html = cells.final_cell_html(
            current,
            editable=True,
            save_url=save_url,
            error=cells.conflict_message(current.text, text),
            typed=text,
            conflict=True,
        )
        return _cell_response(html, 409)
    return _cell_response(cells.final_cell_html(cell, editable=True, save_url=save_url))


@login_required
@require_GET
def final_panel(request: HttpRequest) -> HttpResponse:
    student, ref, kind, period = _final_target(request, request.GET)
    return render(
        request,
        "journal/_final_panel.html",
        {
            "student": student,
            "ref": ref,
            "kind_label": FinalMarkKind(kind).label,
            "period": period,
            "history": selectors.final_history(student, ref.subject, kind, period),
        },
    )


def _finals_page(request: HttpRequest, **ids: Any) -> HttpResponse:
    ref = _ref_or_404(request, "journal.view_journal", **ids)
    may_edit = _may(request, "journal.edit_journal", ref)
    viewer: Viewer = viewer_from_request(request)
    table = reports.finals_table(
        ref, is_admin=ref.organisation.id in viewer.admin_org_ids, may_edit=may_edit
    )
    return render(
        request,
        "journal/finals.html",
        {"ref": ref, "table": table, "grid_url": ref.url(), "xlsx_url": _finals_xlsx_url(ref)},
    )


def _finals_xlsx_url(ref: selectors.JournalRef) -> str:
    if ref.group is not None:
        return reverse("journal:group_finals_xlsx", args=[ref.group.id, ref.subject.id])
    return reverse("journal:finals_xlsx", args=[ref.class_unit.id, ref.subject.id])  # type: ignore[union-attr]


def _finals_xlsx(request: HttpRequest, **ids: Any) -> HttpResponse:
    """The page's table (same rules, same selector) as a workbook."""
    ref = _ref_or_404(request, "journal.view_journal", **ids)
    table = reports.finals_table(ref, is_admin=False, may_edit=False)
    who = ref.group.name if ref.group is not None else ref.class_unit.name  # type: ignore[union-attr]
    if ref.group is not None and ref.group.class_unit is not None:
        who = f"{ref.group.class_unit.name} {who}"
    filename = exports.download_name(
        _("Итоговые отметки"), who, ref.subject.name, ref.year.name, extension="xlsx"
    )
    return exports.xlsx_response(reports.finals_xlsx(ref, table), filename)


@login_required
@require_GET
def finals_xlsx(request: HttpRequest, class_id: int, subject_id: int) -> HttpResponse:
    return _finals_xlsx(request, class_id=class_id, subject_id=subject_id)


@login_required
@require_GET
def group_finals_xlsx(request: HttpRequest, group_id: int, subject_id: int) -> HttpResponse:
    return _finals_xlsx(request, group_id=group_id, subject_id=subject_id)


@login_required
@require_GET
def finals(request: HttpRequest, class_id: int, subject_id: int) -> HttpResponse:
    return _finals_page(request, class_id=class_id, subject_id=subject_id)


@login_required
@require_GET
def group_finals(request: HttpRequest, group_id: int, subject_id: int) -> HttpResponse:
    return _finals_page(request, group_id=group_id, subject_id=subject_id)


# --------------------------------------------------------------------------- lessons & homework


@login_required
@require_http_methods(["GET", "POST"])
def lesson(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = _lesson_or_404(request, lesson_id, "journal.view_journal")
    ref = selectors.journal_ref_of_lesson(lesson)
    may_edit = request.user.has_perm("journal.edit_lesson", lesson)
    errors: dict[str, Any] = {}
    if request.method == "POST":
        if not may_edit:
            raise Http404
        action = request.POST.get("action")
        may_edit_closed = request.user.has_perm("journal.edit_closed", lesson)
        lesson_url = reverse("journal:lesson", args=[lesson.id])
        # A new homework is created once per form: a double submit adds nothing.
        with submit_once(request, fallback=lesson_url, enabled=action == "homework") as once:
            if once.duplicate:
                return once.duplicate
            try:
                if action == "homework":
                    student = None
                    if request.POST.get("student"):
                        student = selectors.student_of_lesson(
                            lesson, _int(request.POST["student"]) or 0
                        )
                    services.homework_assign(
                        lesson=lesson,
                        text=request.POST.get("text", ""),
                        student=student,
                        files=request.FILES.getlist("files"),
                        user=request.user,
                        may_edit_closed=may_edit_closed,
                    )
                    messages.success(request, _("Домашнее задание добавлено."))
                else:
                    form_id = _int(request.POST.get("control_form"))
                    form = None
                    if form_id:
                        form = ControlForm.objects.filter(
                            pk=form_id, organisation_id=lesson.subject.organisation_id
                        ).first()
                        if form is None:
                            raise ValidationError(
                                {"control_form": _("Выберите форму контроля из списка.")}
                            )
                    services.lesson_update(
                        lesson=lesson,
                        topic=request.POST.get("topic", ""),
                        control_form=form,
                        user=request.user,
                        may_edit_closed=may_edit_closed,
                    )
                    messages.success(request, _("Урок сохранён."))
                return once.done(lesson_url)
            except ValidationError as exc:
                errors = (
                    exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
                )
    ctx = reports.lesson_page(lesson)
    # A closed period's lesson is read-only like its marks (the services refuse a forged post).
    closed = bool(lesson.period and lesson.period.is_closed) and not request.user.has_perm(
        "journal.edit_closed", lesson
    )
    ctx.update(
        {
            "lesson": lesson,
            "ref": ref,
            "may_edit": may_edit and not closed,
            "closed_period": lesson.period if closed else None,
            "errors": errors,
            "posted": request.POST if errors else {},
            "grid_url": selectors.journal_url_for_lesson(lesson),
        }
    )
    return render(request, "journal/lesson.html", ctx, status=422 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def homework_delete(request: HttpRequest, lesson_id: int, homework_id: int) -> HttpResponse:
    """GET asks «Удалить домашнее задание …?»; only the POST from that page deletes."""
    lesson = _lesson_or_404(request, lesson_id, "journal.view_journal")
    if not request.user.has_perm("journal.edit_lesson", lesson):
        raise Http404
    homework = Homework.objects.filter(pk=homework_id, lesson=lesson).first()
    if homework is None:
        raise Http404
    if request.method != "POST":
        return confirm_delete(
            request,
            what=_("домашнее задание «%(text)s»") % {"text": Truncator(homework.text).chars(60)},
            cancel_url=reverse("journal:lesson", args=[lesson.id]),
        )
    try:
        services.homework_delete(
            homework=homework,
            may_edit_closed=request.user.has_perm("journal.edit_closed", lesson),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Домашнее задание удалено."))
    return redirect("journal:lesson", lesson_id=lesson.id)


@login_required
@require_GET
def homework_file(request: HttpRequest, file_id: int) -> FileResponse:
    item = HomeworkFile.objects.select_related("homework").filter(pk=file_id).first()
    if item is None:
        raise Http404
    _lesson_or_404(request, item.homework.lesson_id, "journal.view_journal")
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name)


# --------------------------------------------------------------------------- remarks


@login_required
@require_http_methods(["GET", "POST"])
def remarks(request: HttpRequest, student_id: int) -> HttpResponse:
    viewer = _viewer(request)
    student = (
        Student.objects.select_related("current_class__parallel")
        .filter(pk=student_id, organisation_id__in=viewer.staff_org_ids)
        .first()
    )
    if student is None or not request.user.has_perm("journal.write_remark", student):
        raise Http404
    subjects = reports.subjects_of_school(student.organisation_id)
    errors: dict[str, Any] = {}
    if request.method == "POST":
        subject = next((s for s in subjects if s.id == _int(request.POST.get("subject"))), None)
        back = request.POST.get("next", "")
        target = reverse("journal:remarks", args=[student.id])
        if back.startswith("/journal/"):
            target += "?next=" + back
        with submit_once(request, fallback=target) as once:
            if once.duplicate:
                return once.duplicate
            try:
                services.remark_create(
                    student=student,
                    author=request.user,
                    kind=request.POST.get("kind", ""),
                    text=request.POST.get("text", ""),
                    subject=subject,
                )
                messages.success(request, _("Записано. Родители увидят это в дневнике."))
                return once.done(target)
            except ValidationError as exc:
                errors = exc.message_dict
    items = list(
        Remark.objects.filter(student=student)
        .select_related("author", "subject")
        .order_by("-created_at")[:100]
    )
    back = request.GET.get("next") or request.POST.get("next") or ""
    account_services.personal_data_viewed(
        request=request, student=student, what=_("Замечания и комментарии")
    )
    return render(
        request,
        "journal/remarks.html",
        {
            "student": student,
            "items": items,
            "subjects": subjects,
            "errors": errors,
            "posted": request.POST if errors else {},
            "kinds": Remark.Kind.choices,
            "back": back if back.startswith("/journal/") else "",
            "chosen_subject": _int(request.GET.get("subject")),
        },
        status=422 if errors else 200,
    )


# --------------------------------------------------------------------------- class teacher & reports


def _week_start(request: HttpRequest) -> dt.date:
    # A date out of 1900..2100 (week=0001-01-01) is no date: the week before it overflows.
    day = params.parse_date(request.GET.get("week", "")) or clock.today()
    return day - dt.timedelta(days=day.weekday())


def _report_week_start(request: HttpRequest) -> dt.date:
    """The asked week, else the latest week with a finished school day: on a Monday a weekly
    report opens on the week just gone, not on a week with nothing in it yet."""
    if "week" in request.GET:
        return _week_start(request)
    yesterday = clock.today() - dt.timedelta(days=1)
    return yesterday - dt.timedelta(days=yesterday.weekday())


@login_required
@require_GET
def class_week(request: HttpRequest, class_id: int) -> HttpResponse:
    class_unit = _week_class_or_404(request, class_id)
    monday = _report_week_start(request)
    ctx = reports.class_week(class_unit, monday)
    ctx["prev"] = (monday - dt.timedelta(days=7)).isoformat()
    ctx["next"] = (monday + dt.timedelta(days=7)).isoformat()
    ctx["xlsx_url"] = reverse("journal:class_week_xlsx", args=[class_unit.id]) + (
        f"?week={monday.isoformat()}"
    )
    return render(request, "journal/class_week.html", ctx)


def _week_class_or_404(request: HttpRequest, class_id: int) -> Any:
    class_unit = reports.class_of_viewer(_viewer(request), class_id)
    if not request.user.has_perm("schools.manage_class", class_unit):
        raise Http404
    return class_unit


@login_required
@require_GET
def class_week_xlsx(request: HttpRequest, class_id: int) -> HttpResponse:
    class_unit = _week_class_or_404(request, class_id)
    monday = _report_week_start(request)
    content = reports.class_week_xlsx(reports.class_week(class_unit, monday))
    filename = exports.download_name(
        _("Неделя класса"), class_unit.name, f"{monday:%d.%m.%Y}", extension="xlsx"
    )
    return exports.xlsx_response(content, filename)


@login_required
@require_GET
def timeliness(request: HttpRequest) -> HttpResponse:
    viewer = viewer_from_request(request)
    if not viewer.admin_org_ids:
        raise Http404
    monday = _report_week_start(request)
    ctx = reports.timeliness(viewer, monday, clock.today())
    ctx["prev"] = (monday - dt.timedelta(days=7)).isoformat()
    ctx["next"] = (monday + dt.timedelta(days=7)).isoformat()
    ctx["xlsx_url"] = reverse("journal:timeliness_xlsx") + f"?week={monday.isoformat()}"
    return render(request, "journal/timeliness.html", ctx)


@login_required
@require_GET
def timeliness_xlsx(request: HttpRequest) -> HttpResponse:
    viewer = viewer_from_request(request)
    if not viewer.admin_org_ids:
        raise Http404
    monday = _report_week_start(request)
    content = reports.timeliness_xlsx(reports.timeliness(viewer, monday, clock.today()))
    filename = exports.download_name(
        _("Своевременность заполнения журнала"), f"{monday:%d.%m.%Y}", extension="xlsx"
    )
    return exports.xlsx_response(content, filename)


@login_required
@require_POST
def period_toggle(request: HttpRequest, period_id: int) -> HttpResponse:
    viewer = _viewer(request)
    period = (
        AttestationPeriod.objects.select_related("academic_year")
        .filter(pk=period_id, academic_year__organisation_id__in=viewer.staff_org_ids)
        .first()
    )
    if period is None or not request.user.has_perm("journal.close_period", period):
        raise Http404
    if request.POST.get("action") == "reopen":
        try:
            school_services.period_reopen(period=period)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Период «%(p)s» открыт.") % {"p": period.name})
    else:
        school_services.period_close(period=period, user=request.user)
        messages.success(
            request,
            _("Период «%(p)s» закрыт: учителя больше не могут менять его отметки.")
            % {"p": period.name},
        )
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/journal/") else reverse("journal:index"))


# --------------------------------------------------------------------------- control forms


@login_required
@require_http_methods(["GET", "POST"])
def control_forms(request: HttpRequest) -> HttpResponse:
    """«Формы контроля» of the administrator's school: weights and which count as tests."""
    viewer = viewer_from_request(request)
    organisation = (
        Organisation.objects.filter(id__in=viewer.admin_org_ids).order_by("short_name").first()
    )
    if organisation is None:
        raise Http404
    errors: dict[str, Any] = {}
    failed: str = ""
    if request.method == "POST":
        form = None
        if request.POST.get("form"):
            form = ControlForm.objects.filter(
                pk=_pk(request.POST["form"]), organisation=organisation
            ).first()
            if form is None:
                raise Http404
        done_url = reverse("journal:control_forms")
        with submit_once(request, fallback=done_url, enabled=form is None) as once:
            if once.duplicate:
                return once.duplicate
            try:
                saved = services.control_form_save(
                    organisation=organisation,
                    name=request.POST.get("name", ""),
                    weight=request.POST.get("weight", ""),
                    is_test=request.POST.get("is_test") == "on",
                    form=form,
                )
                messages.success(
                    request, _("Форма контроля «%(name)s» сохранена.") % {"name": saved.name}
                )
                return once.done(done_url)
            except ValidationError as exc:
                errors = exc.message_dict
                failed = str(form.pk) if form else "new"
    ctx = {
        "organisation": organisation,
        "forms": list(ControlForm.objects.filter(organisation=organisation)),
        "errors": errors,
        "failed": failed,
        "posted": request.POST if errors else {},
    }
    return render(request, "journal/control_forms.html", ctx, status=422 if errors else 200)


# --------------------------------------------------------------------------- the school's figures


@login_required
@require_GET
def school_report(request: HttpRequest) -> HttpResponse:
    """«Показатели школы»: success and quality, average mark, attendance and journal
    timeliness of the administrator's school, per class — the numbers the education authority
    sees for this school (both read ``selectors.school_figures``)."""
    viewer = viewer_from_request(request)
    organisation = (
        Organisation.objects.filter(id__in=viewer.admin_org_ids).order_by("short_name").first()
    )
    if organisation is None:
        raise Http404
    today = clock.today()
    choices, choice = selectors.period_choices([organisation.id], today)
    raw = request.GET.get("period")
    wanted = selectors.parse_period_choice(raw) if raw else None
    note = ""
    if raw and wanted not in choices:
        note = _("Период «%(value)s» не найден: показан период «%(default)s».") % {
            "value": raw[:40],
            "default": choice.label,
        }
    elif wanted is not None:
        choice = wanted
    ctx = reports.school_report(organisation, choice, today)
    ctx.update({"choices": choices, "choice": choice, "period_note": note})
    return render(request, "journal/school_report.html", ctx)
