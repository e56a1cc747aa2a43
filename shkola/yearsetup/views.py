"""«Мастер учебного года» (B2) and «Переход на новый учебный год». Only the administration of
the school (curator, deputy, director) has these pages; anyone else gets a 404.

Each step is saved on its own and can be reopened later from the step bar. A bad value is
shown at its field with a Russian message, and what was typed stays in the form."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shkola.accounts.selectors import viewer_from_request
from shkola.core import clock, params
from shkola.schools.models import (
    AcademicYear,
    ClassType,
    ClassUnit,
    CurriculumItem,
    Holiday,
    Organisation,
    PeriodScheme,
    StudyGroup,
    Subject,
)
from shkola.timetable.models import BellSlot

from . import selectors, services

STEPS = (
    ("dates", gettext_lazy("Даты и периоды")),
    ("holidays", gettext_lazy("Каникулы")),
    ("bells", gettext_lazy("Звонки и кабинеты")),
    ("classes", gettext_lazy("Классы")),
    ("curriculum", gettext_lazy("Предметы и учебный план")),
)


@dataclass
class Setup:
    schools: list[Organisation]
    school: Organisation
    years: list[AcademicYear]
    year: AcademicYear | None

    @property
    def query(self) -> str:
        args: dict[str, Any] = {}
        if len(self.schools) > 1:
            args["school"] = self.school.id
        if self.year is not None and not self.year.is_current:
            args["year"] = self.year.id
        return f"?{urlencode(args)}" if args else ""

    @property
    def read_only(self) -> bool:
        return self.year is not None and self.year.closed_at is not None


def _setup(request: HttpRequest) -> Setup:
    viewer = viewer_from_request(request)
    schools = list(Organisation.objects.filter(id__in=viewer.admin_org_ids).order_by("short_name"))
    if not schools:
        raise Http404
    raw = request.GET.get("school", "")
    school = next((s for s in schools if str(s.id) == raw), schools[0])
    years = selectors.years_of(school)
    year_id = params.parse_id(request.GET.get("year", ""))
    year = next((y for y in years if y.id == year_id), None)
    if year is None:
        year = next((y for y in years if y.is_current), years[0] if years else None)
    return Setup(schools, school, years, year)


def _int(value: Any) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if -1000 <= number <= 1000 else None


def _time(value: Any) -> dt.time | None:
    try:
        return dt.time.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        return None
    return number if number.is_finite() and abs(number) < 1000 else None


def _errors(error: ValidationError) -> dict[str, str]:
    # «__all__» cannot be read in a template: the page-wide message is ``errors.form``.
    return {
        ("form" if key == "__all__" else key): " ".join(texts)
        for key, texts in error.message_dict.items()
    }


def _step_done(setup: Setup) -> dict[str, bool]:
    year = setup.year
    if year is None:
        return {slug: False for slug, _label in STEPS}
    bells, rooms = (
        BellSlot.objects.filter(organisation=setup.school).exists(),
        setup.school.rooms.exists(),
    )
    return {
        "dates": year.periods.exists(),
        "holidays": Holiday.objects.filter(academic_year=year).exists(),
        "bells": bells and rooms,
        "classes": ClassUnit.objects.filter(parallel__academic_year=year).exists(),
        "curriculum": CurriculumItem.objects.filter(
            class_unit__parallel__academic_year=year
        ).exists(),
    }


def _render(
    request: HttpRequest, setup: Setup, step: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    done = _step_done(setup)
    steps: list[dict[str, Any]] = [
        {
            "slug": slug,
            "label": label,
            "number": i,
            "done": done[slug],
            "url": reverse(f"yearsetup:{slug}") + setup.query,
        }
        for i, (slug, label) in enumerate(STEPS, start=1)
    ]
    number: int = next(s["number"] for s in steps if s["slug"] == step)
    context.update(
        setup=setup,
        steps=steps,
        step=step,
        step_number=number,
        step_count=len(STEPS),
        done_count=sum(done.values()),
        next_step=steps[number] if number < len(steps) else None,
    )
    context.setdefault("errors", {})
    context.setdefault("data", {})
    return render(request, f"yearsetup/{step}.html", context, status=status)


def _back(setup: Setup, step: str) -> HttpResponse:
    return redirect(reverse(f"yearsetup:{step}") + setup.query)


def _need_year(setup: Setup) -> AcademicYear:
    if setup.year is None:
        raise Http404
    return setup.year


def _posted_as_get(request: HttpRequest, step: str, setup: Setup) -> HttpResponse | None:
    """Without a year only step 1 makes sense; the others send the curator there."""
    if setup.year is None and step != "dates":
        messages.info(request, _("Сначала укажите даты учебного года."))
        return _back(setup, "dates")
    return None


# --------------------------------------------------------------------------- step 1


def dates(request: HttpRequest) -> HttpResponse:
    setup = _setup(request)
    errors: dict[str, str] = {}
    data: dict[str, Any] = {}
    if request.method == "POST":
        data = request.POST
        action = request.POST.get("action", "")
        try:
            if setup.read_only:
                services.refuse_closed_year(_need_year(setup))
            if action == "year":
                year = services.year_dates_save(
                    organisation=setup.school,
                    year=setup.year,
                    name=request.POST.get("name", "")[:20],
                    start=params.parse_date(request.POST.get("start")),
                    end=params.parse_date(request.POST.get("end")),
                    scheme=request.POST.get("scheme", ""),
                    parallel_schemes={
                        g: request.POST.get(f"grade-{g}", "")
                        for g in services.GRADES
                        if f"grade-{g}" in request.POST
                    },
                    by=request.user,
                )
                setup.year = year
                messages.success(request, _("Даты и периоды сохранены."))
                return _back(setup, "dates")
            if action == "periods":
                year = _need_year(setup)
                scheme = request.POST.get("scheme", "")
                if scheme not in PeriodScheme.values:
                    raise ValidationError({"__all__": _("Неизвестный вид периодов.")})
                count = year.periods.filter(scheme=scheme).count()
                services.periods_save(
                    year=year,
                    scheme=scheme,
                    dates=[
                        (
                            params.parse_date(request.POST.get(f"{scheme}-{n}-start")),
                            params.parse_date(request.POST.get(f"{scheme}-{n}-end")),
                        )
                        for n in range(1, count + 1)
                    ],
                    by=request.user,
                )
                messages.success(request, _("Даты периодов сохранены."))
                return _back(setup, "dates")
            errors["form"] = _("Неизвестное действие.")
        except ValidationError as error:
            errors = _errors(error)
    step = selectors.dates_step(organisation=setup.school, year=setup.year)
    year_posted = bool(data) and data.get("action") == "year"
    scheme_names = dict(PeriodScheme.choices)
    period_tables = []
    for scheme, periods in step.periods_by_scheme:
        rows = []
        for p in periods:
            key = f"{scheme}-{p.number}"
            posted = data.get("scheme") == scheme
            rows.append(
                {
                    "period": p,
                    "start_name": f"{key}-start",
                    "end_name": f"{key}-end",
                    "start": data.get(f"{key}-start") if posted else p.start.isoformat(),
                    "end": data.get(f"{key}-end") if posted else p.end.isoformat(),
                    "error": " ".join(
                        e for e in (errors.get(f"{key}-start"), errors.get(f"{key}-end")) if e
                    ),
                }
            )
        grades = [g for g, par in step.parallels.items() if (par.period_scheme or "") == scheme]
        if scheme == setup.school.period_scheme:
            grades = [
                g
                for g in services.GRADES
                if not getattr(step.parallels.get(g), "period_scheme", "")
            ]
        period_tables.append(
            {"scheme": scheme, "label": scheme_names[scheme], "rows": rows, "grades": grades}
        )
    grade_rows = [
        {
            "grade": g,
            "name": f"grade-{g}",
            "value": data.get(f"grade-{g}", "")
            if year_posted
            else getattr(step.parallels.get(g), "period_scheme", ""),
            "error": errors.get(f"grade-{g}", ""),
        }
        for g in services.GRADES
    ]
    return _render(
        request,
        setup,
        "dates",
        {
            "errors": errors,
            "data": data,
            "year_posted": year_posted,
            "schemes": PeriodScheme.choices,
            "grade_rows": grade_rows,
            "period_tables": period_tables,
        },
    )


# --------------------------------------------------------------------------- step 2


def holidays(request: HttpRequest) -> HttpResponse:
    setup = _setup(request)
    if (away := _posted_as_get(request, "holidays", setup)) is not None:
        return away
    year = _need_year(setup)
    errors: dict[str, str] = {}
    data: Any = {}
    if request.method == "POST":
        data = request.POST
        try:
            if request.POST.get("action") == "delete":
                services.holiday_delete(
                    year=year,
                    holiday_id=params.parse_id(request.POST.get("id")) or 0,
                    by=request.user,
                )
                messages.success(request, _("Каникулы удалены."))
            else:
                services.holiday_add(
                    year=year,
                    name=request.POST.get("name", "")[:200],
                    start=params.parse_date(request.POST.get("start")),
                    end=params.parse_date(request.POST.get("end")),
                    grades=[g for g in (_int(v) for v in request.POST.getlist("grades")) if g],
                    by=request.user,
                )
                messages.success(request, _("Каникулы добавлены."))
            return _back(setup, "holidays")
        except ValidationError as error:
            errors = _errors(error)
    chosen = {str(v) for v in data.getlist("grades")} if data else set()
    return _render(
        request,
        setup,
        "holidays",
        {
            "errors": errors,
            "data": data,
            "holidays": selectors.holidays_of(year),
            "grade_boxes": [(g, str(g) in chosen) for g in services.GRADES],
        },
    )


# --------------------------------------------------------------------------- step 3


def bells(request: HttpRequest) -> HttpResponse:
    setup = _setup(request)
    if (away := _posted_as_get(request, "bells", setup)) is not None:
        return away
    errors: dict[str, str] = {}
    data: Any = {}
    if request.method == "POST":
        data = request.POST
        action = request.POST.get("action", "")
        target = params.parse_id(request.POST.get("id")) or 0
        try:
            if action == "bell_add":
                services.bell_add(
                    organisation=setup.school,
                    number=_int(request.POST.get("number")),
                    start=_time(request.POST.get("start")),
                    end=_time(request.POST.get("end")),
                    by=request.user,
                )
            elif action == "bell_delete":
                services.bell_delete(organisation=setup.school, bell_id=target, by=request.user)
            elif action == "room_add":
                services.room_add(
                    organisation=setup.school,
                    name=request.POST.get("room", "")[:50],
                    by=request.user,
                )
            elif action == "room_delete":
                services.room_delete(organisation=setup.school, room_id=target, by=request.user)
            else:
                raise ValidationError({"__all__": _("Неизвестное действие.")})
            messages.success(request, _("Сохранено."))
            return _back(setup, "bells")
        except ValidationError as error:
            errors = _errors(error)
    bell_list, rooms = selectors.bells_and_rooms(setup.school)
    return _render(
        request,
        setup,
        "bells",
        {"errors": errors, "data": data, "bells": bell_list, "rooms": rooms},
    )


# --------------------------------------------------------------------------- step 4


def classes(request: HttpRequest) -> HttpResponse:
    setup = _setup(request)
    if (away := _posted_as_get(request, "classes", setup)) is not None:
        return away
    year = _need_year(setup)
    staff = selectors.staff_of(setup.school)
    staff_by_id = {u.id: u for u in staff}
    errors: dict[str, str] = {}
    data: Any = {}
    if request.method == "POST":
        data = request.POST
        action = request.POST.get("action", "")
        raw_teacher = request.POST.get("class_teacher", "")
        teacher = staff_by_id.get(params.parse_id(raw_teacher) or 0)
        try:
            if raw_teacher and teacher is None:
                raise ValidationError(
                    {"class_teacher": _("Классный руководитель: выберите сотрудника из списка.")}
                )
            if action == "add":
                services.class_add(
                    organisation=setup.school,
                    year=year,
                    grade=_int(request.POST.get("grade")),
                    letter=request.POST.get("letter", "")[:10],
                    class_type=request.POST.get("class_type", ClassType.GENERAL),
                    class_teacher=teacher,
                    by=request.user,
                )
                messages.success(request, _("Класс добавлен."))
            else:
                class_unit = ClassUnit.objects.filter(
                    parallel__academic_year=year, pk=params.parse_id(request.POST.get("id")) or 0
                ).first()
                if class_unit is None:
                    raise Http404
                if action == "teacher":
                    services.class_teacher_set(
                        year=year, class_unit=class_unit, class_teacher=teacher, by=request.user
                    )
                    messages.success(request, _("Классный руководитель сохранён."))
                elif action == "delete":
                    services.class_delete(year=year, class_unit=class_unit, by=request.user)
                    messages.success(request, _("Класс удалён."))
                else:
                    raise ValidationError({"__all__": _("Неизвестное действие.")})
            return _back(setup, "classes")
        except ValidationError as error:
            errors = _errors(error)
    return _render(
        request,
        setup,
        "classes",
        {
            "errors": errors,
            "data": data,
            "parallels": selectors.parallels_with_classes(year),
            "staff": staff,
            "grades": list(services.GRADES),
            "class_types": ClassType.choices,
        },
    )


# --------------------------------------------------------------------------- step 5


def curriculum(request: HttpRequest) -> HttpResponse:
    setup = _setup(request)
    if (away := _posted_as_get(request, "curriculum", setup)) is not None:
        return away
    year = _need_year(setup)
    errors: dict[str, str] = {}
    data: Any = {}
    if request.method == "POST":
        data = request.POST
        action = request.POST.get("action", "")
        subject = Subject.objects.filter(
            organisation=setup.school, pk=params.parse_id(request.POST.get("subject")) or 0
        ).first()
        try:
            if action == "subject":
                services.subject_add(
                    organisation=setup.school,
                    name=request.POST.get("subject_name", "")[:200],
                    short_name=request.POST.get("short_name", "")[:40],
                    is_extra=bool(request.POST.get("is_extra")),
                    by=request.user,
                )
                messages.success(request, _("Предмет добавлен."))
            elif action == "hours":
                changed = services.curriculum_set(
                    year=year,
                    grade=_int(request.POST.get("grade")),
                    subject=subject,
                    hours=_decimal(request.POST.get("hours")),
                    split_into_groups=bool(request.POST.get("split")),
                    by=request.user,
                )
                messages.success(
                    request, _("Учебный план сохранён для классов: %(n)s.") % {"n": changed}
                )
            elif action == "group":
                class_unit = ClassUnit.objects.filter(
                    parallel__academic_year=year,
                    pk=params.parse_id(request.POST.get("class_unit")) or 0,
                ).first()
                services.group_add(
                    organisation=setup.school,
                    year=year,
                    kind=request.POST.get("kind", ""),
                    name=request.POST.get("group_name", "")[:200],
                    class_unit=class_unit,
                    subject=subject,
                    by=request.user,
                )
                messages.success(request, _("Группа добавлена."))
            else:
                raise ValidationError({"__all__": _("Неизвестное действие.")})
            return _back(setup, "curriculum")
        except ValidationError as error:
            errors = _errors(error)
    step = selectors.curriculum_step(organisation=setup.school, year=year)
    return _render(
        request,
        setup,
        "curriculum",
        {
            "errors": errors,
            "data": data,
            "cur": step,
            "group_kinds": StudyGroup.Kind.choices,
            "action": data.get("action", "") if data else "",
        },
    )


# --------------------------------------------------------------------------- rollover


def rollover(request: HttpRequest) -> HttpResponse:
    setup = _setup(request)
    current = next((y for y in setup.years if y.is_current), None)
    errors: dict[str, str] = {}
    data: Any = {}
    if request.method == "POST":
        data = request.POST
        action = request.POST.get("action", "")
        try:
            if action == "rollover":
                result = services.year_rollover(
                    organisation=setup.school,
                    user=request.user,
                    name=request.POST.get("name", "")[:20],
                    start=params.parse_date(request.POST.get("start")),
                    end=params.parse_date(request.POST.get("end")),
                    order_number=request.POST.get("order_number", "")[:50],
                    graduating_grades=[
                        g for g in (_int(v) for v in request.POST.getlist("graduating")) if g
                    ],
                )
                messages.success(
                    request,
                    _(
                        "Создан учебный год %(y)s: переведено %(p)s, выпущено %(g)s. "
                        "Прошлый год закрыт для изменений."
                    )
                    % {"y": result.year.name, "p": result.promoted, "g": result.graduated},
                )
            elif action == "place":
                if current is None:
                    raise ValidationError({"__all__": _("В школе нет текущего учебного года.")})
                student_id = params.parse_id(request.POST.get("student"))
                found = selectors.unplaced_students(setup.school, student_id=student_id or 0)
                student = found[0] if found else None
                if student is None:
                    raise Http404
                class_unit = (
                    ClassUnit.objects.filter(
                        pk=params.parse_id(request.POST.get("class_unit")) or 0
                    )
                    .select_related("parallel")
                    .first()
                )
                services.student_place(
                    year=current,
                    student=student,
                    class_unit=class_unit,
                    order_number=request.POST.get("order_number", "")[:50],
                    user=request.user,
                )
                messages.success(request, _("%(s)s зачислен(а).") % {"s": student.full_name})
            else:
                raise ValidationError({"__all__": _("Неизвестное действие.")})
            return redirect(reverse("yearsetup:rollover") + setup.query)
        except ValidationError as error:
            errors = _errors(error)
    suggestion: dict[str, str] = {}
    if current is not None:
        suggestion = {
            "name": f"{current.start.year + 1}/{current.end.year + 1}",
            "start": current.start.replace(year=current.start.year + 1).isoformat(),
            "end": current.end.replace(year=current.end.year + 1).isoformat(),
        }
    graduating = (
        {str(v) for v in data.getlist("graduating")}
        if data and data.get("action") == "rollover"
        else {str(g) for g in services.DEFAULT_GRADUATING}
    )
    parallels = selectors.parallels_with_classes(current) if current else []
    return render(
        request,
        "yearsetup/rollover.html",
        {
            "setup": setup,
            "current": current,
            "today": clock.today(),
            "counts": selectors.year_counts(current) if current else {},
            "parallels": parallels,
            "closed_years": [y for y in setup.years if y.closed_at],
            "unplaced": selectors.unplaced_students(setup.school),
            "current_classes": [c for p in parallels for c in p.class_units.all()],
            "graduating_boxes": [(g, str(g) in graduating) for g in services.GRADES],
            "errors": errors if data.get("action") == "rollover" else {},
            "place_errors": errors if data.get("action") == "place" else {},
            "place_student": params.parse_id(data.get("student")) if data else None,
            "data": data if data and data.get("action") == "rollover" else suggestion,
        },
    )
