"""«Расписание» for the school's administration (B2): the week grid of a class, a teacher or a
room, edited cell by cell from a date, and «Замены» — one day's substitutions. A teacher sees
their own grid read-only; everybody else gets a 404."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shkola.accounts.selectors import Viewer, viewer_from_request
from shkola.core import params
from shkola.core.clock import today
from shkola.schools.models import AcademicYear, Organisation

from . import selectors, services
from .models import Lesson, TimetableEntry, Weekday

VIEW_LABELS = {"class": _l("Класс"), "teacher": _l("Учитель"), "room": _l("Кабинет")}


def _school_and_year(request: HttpRequest, org_ids: set[int]) -> tuple[Organisation, AcademicYear]:
    schools = list(Organisation.objects.filter(id__in=org_ids).order_by("short_name"))
    if not schools:
        raise Http404
    raw = request.GET.get("school", "")
    school = next((s for s in schools if str(s.id) == raw), schools[0])
    year = AcademicYear.objects.filter(organisation=school, is_current=True).first()
    if year is None:
        raise Http404
    return school, year


def _pick(items: list[Any], raw: Any) -> Any:
    wanted = params.parse_id(raw)
    return next((item for item in items if item.pk == wanted), None)


def _grid_url(school: Organisation, view: str, target_id: int, **extra: Any) -> str:
    query = {"school": school.id, "view": view, "id": target_id, **extra}
    return f"{reverse('timetable:grid')}?{urlencode(query)}"


def _cell_values(
    request: HttpRequest, entry: TimetableEntry | None, view: str, target: Any
) -> dict[str, Any]:
    if request.method == "POST":
        post = request.POST
        return {
            k: post.get(k, "")
            for k in ("subject", "teacher", "room", "class_unit", "group", "effective_from")
        }
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    if entry is not None:
        return {
            "subject": str(entry.subject_id),
            "teacher": str(entry.teacher_id),
            "room": str(entry.room_id or ""),
            "class_unit": str(entry.class_unit_id or ""),
            "group": str(entry.group_id or ""),
            "effective_from": tomorrow,
        }
    preset = {"class": "class_unit", "teacher": "teacher", "room": "room"}[view]
    return {preset: str(target.pk), "effective_from": tomorrow}


def _save_cell(
    request: HttpRequest,
    *,
    year: AcademicYear,
    choices: selectors.EditorChoices,
    entry: TimetableEntry | None,
    weekday: int,
    number: int,
) -> dict[str, list[str]]:
    """Parse the cell form and call the service; the errors by field, empty when saved."""
    post = request.POST
    errors: dict[str, list[str]] = {}
    effective_from = params.parse_date(post.get("effective_from", ""))
    if effective_from is None:
        errors["effective_from"] = [_("«Действует с»: укажите дату в формате ДД.ММ.ГГГГ.")]
    if post.get("action") == "delete":
        if entry is None:
            raise Http404
        if errors:
            return errors
        assert effective_from is not None
        try:
            services.timetable_entry_remove(
                entry=entry, effective_from=effective_from, by=request.user
            )
        except ValidationError as error:
            return _by_field(error)
        return {}
    subject = _pick(choices.subjects, post.get("subject"))
    teacher = _pick(choices.teachers, post.get("teacher"))
    room = _pick(choices.rooms, post.get("room")) if post.get("room") else None
    class_unit = _pick(choices.classes, post.get("class_unit")) if post.get("class_unit") else None
    group = _pick(choices.groups, post.get("group")) if post.get("group") else None
    if subject is None:
        errors["subject"] = [_("«Предмет»: выберите предмет из списка.")]
    if teacher is None:
        errors["teacher"] = [_("«Учитель»: выберите учителя этой школы из списка.")]
    if post.get("room") and room is None:
        errors["room"] = [_("«Кабинет»: выберите кабинет из списка.")]
    if post.get("class_unit") and class_unit is None:
        errors["class_unit"] = [_("«Класс»: выберите класс из списка.")]
    if post.get("group") and group is None:
        errors["group"] = [_("«Группа»: выберите группу из списка.")]
    if class_unit is None and group is None and "class_unit" not in errors:
        errors["class_unit"] = [_("«Класс»: укажите класс или группу.")]
    if errors:
        return errors
    assert effective_from is not None
    try:
        services.timetable_entry_save(
            academic_year=year,
            entry=entry,
            weekday=weekday,
            lesson_number=number,
            subject=subject,
            teacher=teacher,
            room=room,
            class_unit=class_unit,
            group=group,
            effective_from=effective_from,
            by=request.user,
        )
    except ValidationError as error:
        return _by_field(error)
    return {}


def _by_field(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}


def _parse_cell(raw: str) -> tuple[int, int] | None:
    day, _sep, number = raw.partition("-")
    if not (day.isdigit() and number.isdigit() and len(day) == 1 and len(number) <= 2):
        return None
    return int(day), int(number)


def grid(request: HttpRequest) -> HttpResponse:
    """The week grid. ``?view=class|teacher|room&id=…`` switches what it shows; ``cell=d-n``
    (and ``entry=…`` for a lesson already there) opens the cell's form inside the grid."""
    viewer = viewer_from_request(request)
    editable = bool(viewer.admin_org_ids)
    if editable:
        school, year = _school_and_year(request, viewer.admin_org_ids)
    elif viewer.teacher_org_ids:
        school, year = _school_and_year(request, viewer.teacher_org_ids)
    else:
        raise Http404
    choices = selectors.editor_choices(school.id, year.id)
    view = request.GET.get("view", "")
    target: Any
    if not editable:
        # A teacher sees their own week, nothing else.
        view, target = "teacher", viewer.user
    else:
        if view not in selectors.GRID_VIEWS:
            view = "class"
        items = {"class": choices.classes, "teacher": choices.teachers, "room": choices.rooms}[view]
        target = _pick(items, request.GET.get("id")) or (items[0] if items else None)
    cell = _parse_cell(request.GET.get("cell", "")) if editable and target is not None else None
    entry = None
    if cell is not None:
        entry_id = params.parse_id(request.GET.get("entry", ""))
        if request.GET.get("entry"):
            if entry_id is None:
                raise Http404
            entry = (
                TimetableEntry.objects.filter(id=entry_id, academic_year=year)
                .select_related("academic_year")
                .first()
            )
            if entry is None:
                raise Http404
            cell = (entry.weekday, entry.lesson_number)
        if not 1 <= cell[0] <= 6:
            cell = None
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if cell is None:
            raise Http404
        errors = _save_cell(
            request, year=year, choices=choices, entry=entry, weekday=cell[0], number=cell[1]
        )
        if not errors:
            messages.success(request, _("Расписание сохранено."))
            return redirect(_grid_url(school, view, target.pk))
    rows = (
        selectors.week_grid(
            academic_year_id=year.id, bells=choices.bells, view=view, target_id=target.pk
        )
        if target is not None
        else []
    )
    if cell is not None and all(row.number != cell[1] for row in rows):
        # A number beyond the bells still gets its row, so the error shows at the cell.
        rows.append(
            selectors.GridRow(
                cell[1], None, [selectors.GridCell(d, cell[1], []) for d in range(1, 7)]
            )
        )
    status = 200
    if errors and not request.headers.get("HX-Request"):
        status = 422
    return render(
        request,
        "timetable/grid.html",
        {
            "school": school,
            "year": year,
            "editable": editable,
            "view": view,
            "target": target,
            "choices": choices,
            "rows": rows,
            "days": Weekday.choices,
            "cell": cell,
            "cell_day": Weekday(cell[0]).label if cell else "",
            "entry": entry,
            "errors": errors,
            "values": _cell_values(request, entry, view, target) if cell else {},
            "base_url": _grid_url(school, view, target.pk) if target is not None else "",
            "view_labels": VIEW_LABELS,
        },
        status=status,
    )


# --------------------------------------------------------------------------- «Замены»


def _admin_only(viewer: Viewer) -> None:
    if not viewer.admin_org_ids:
        raise Http404


def substitutions(request: HttpRequest) -> HttpResponse:
    """A day's lessons of an absent teacher (or of a class), each with its substitution."""
    viewer = viewer_from_request(request)
    _admin_only(viewer)
    school, year = _school_and_year(request, viewer.admin_org_ids)
    choices = selectors.editor_choices(school.id, year.id)
    errors: dict[str, str] = {}
    raw_day = request.GET.get("date", "")
    day = params.parse_date(raw_day) if raw_day else today()
    if day is None:
        errors["date"] = _("«Дата»: укажите дату в формате ДД.ММ.ГГГГ.")
        day = today()
    elif not year.start <= day <= year.end:
        errors["date"] = _("«Дата»: день вне учебного года (%(start)s — %(end)s).") % {
            "start": f"{year.start:%d.%m.%Y}",
            "end": f"{year.end:%d.%m.%Y}",
        }
    teacher = _pick(choices.teachers, request.GET.get("teacher"))
    if request.GET.get("teacher") and teacher is None:
        errors["teacher"] = _("«Учитель»: выберите учителя этой школы из списка.")
    class_unit = _pick(choices.classes, request.GET.get("class"))
    if request.GET.get("class") and class_unit is None:
        errors["class"] = _("«Класс»: выберите класс из списка.")
    lessons = (
        []
        if errors
        else selectors.day_lessons_for_substitution(
            academic_year_id=year.id,
            day=day,
            teacher_id=teacher.pk if teacher else None,
            class_id=class_unit.pk if class_unit else None,
        )
    )
    return render(
        request,
        "timetable/substitutions.html",
        {
            "school": school,
            "day": day,
            "raw_day": raw_day or day.isoformat(),
            "teacher": teacher,
            "class_unit": class_unit,
            "choices": choices,
            "lessons": lessons,
            "errors": errors,
            "back_query": request.GET.urlencode(),
        },
        status=422 if errors else 200,
    )


def substitute(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """Set or undo the substitution of one lesson."""
    viewer = viewer_from_request(request)
    _admin_only(viewer)
    lesson = (
        Lesson.objects.filter(id=lesson_id, academic_year__organisation_id__in=viewer.admin_org_ids)
        .select_related(
            "academic_year",
            "subject",
            "teacher",
            "room",
            "group",
            "class_unit__parallel",
            "replaced_teacher",
            "replaced_subject",
            "replaced_room",
        )
        .first()
    )
    if lesson is None:
        raise Http404
    choices = selectors.editor_choices(
        lesson.academic_year.organisation_id, lesson.academic_year_id
    )
    back = (
        reverse("timetable:substitutions")
        + "?"
        + urlencode(
            {
                "date": lesson.date.isoformat(),
                "teacher": lesson.replaced_teacher_id or lesson.teacher_id,
            }
        )
    )
    errors: dict[str, list[str]] = {}
    values = {
        "teacher": str(lesson.teacher_id),
        "subject": str(lesson.subject_id),
        "room": str(lesson.room_id or ""),
    }
    if request.method == "POST":
        post = request.POST
        values = {k: post.get(k, "") for k in ("teacher", "subject", "room")}
        try:
            if post.get("action") == "cancel":
                services.lesson_substitution_cancel(lesson=lesson, by=request.user)
                messages.success(request, _("Замена отменена."))
                return redirect(back)
            teacher = _pick(choices.teachers, post.get("teacher"))
            subject = _pick(choices.subjects, post.get("subject"))
            room = _pick(choices.rooms, post.get("room")) if post.get("room") else None
            if teacher is None:
                errors["teacher"] = [_("«Учитель»: выберите учителя этой школы из списка.")]
            if subject is None:
                errors["subject"] = [_("«Предмет»: выберите предмет из списка.")]
            if post.get("room") and room is None:
                errors["room"] = [_("«Кабинет»: выберите кабинет из списка.")]
            if not errors:
                services.lesson_substitute(
                    lesson=lesson, teacher=teacher, subject=subject, room=room, by=request.user
                )
                messages.success(request, _("Замена назначена."))
                return redirect(back)
        except ValidationError as error:
            errors = _by_field(error)
    busy_teachers, busy_rooms = selectors.busy_at(lesson)
    return render(
        request,
        "timetable/substitute.html",
        {
            "busy_teachers": busy_teachers,
            "busy_rooms": busy_rooms,
            "lesson": lesson,
            "choices": choices,
            "values": values,
            "errors": errors,
            "back_url": back,
        },
        status=422 if errors else 200,
    )
