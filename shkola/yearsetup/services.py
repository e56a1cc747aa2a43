"""Writes of «Мастер учебного года» and of «Переход на новый учебный год».

Every error is a ``ValidationError`` keyed by the form field it is about, with a Russian
message that names the field, so the page shows it at the field and keeps what was typed.
Nothing is written before every check has passed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from shkola.accounts.models import AuditEvent
from shkola.accounts.services import audit_record, people_cache_drop_all
from shkola.core import clock
from shkola.schools import services as school_services
from shkola.schools.models import (
    AcademicYear,
    AttestationPeriod,
    ClassType,
    ClassUnit,
    CurriculumItem,
    Enrolment,
    EnrolmentAction,
    Holiday,
    Organisation,
    Parallel,
    PeriodScheme,
    Student,
    StudyGroup,
    Subject,
)
from shkola.timetable.models import BellSlot, Room

PERIODS_IN_SCHEME = {
    PeriodScheme.QUARTERS: 4,
    PeriodScheme.TRIMESTERS: 3,
    PeriodScheme.HALVES: 2,
}
GRADES = range(1, 12)
DEFAULT_GRADUATING = (9, 11)


def _d(value: dt.date) -> str:
    return formats.date_format(value, "d.m.Y")


def _audit(
    *, by: Any, organisation: Organisation, action: str, summary: str, **details: Any
) -> None:
    """One row of «Журнал безопасности» for a step of the year wizard."""
    audit_record(
        kind=AuditEvent.Kind.YEAR_SETUP,
        actor=by,
        organisation=organisation,
        details={"action": action, "summary": summary, **details},
    )


def refuse_closed_year(year: AcademicYear) -> None:
    if year.closed_at is not None:
        raise ValidationError(
            {
                "__all__": _(
                    "Учебный год %(name)s закрыт после перехода на новый год: изменить его нельзя."
                )
                % {"name": year.name}
            }
        )


# --------------------------------------------------------------------------- step 1: dates


def _year_dates_check(name: str, start: dt.date | None, end: dt.date | None) -> None:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Название: укажите учебный год, например 2026/2027.")
    if start is None:
        errors["start"] = _("Начало: укажите дату начала учебного года.")
    if end is None:
        errors["end"] = _("Окончание: укажите дату окончания учебного года.")
    if start and end and end <= start:
        errors["end"] = _("Окончание: учебный год должен заканчиваться позже, чем начинается.")
    if start and end and (end - start).days > 366:
        errors["end"] = _("Окончание: учебный год не может быть длиннее года.")
    if errors:
        raise ValidationError(errors)


def even_periods(start: dt.date, end: dt.date, count: int) -> list[tuple[dt.date, dt.date]]:
    """Split the year into ``count`` consecutive periods of (nearly) equal length; the curator
    then moves the boundaries to the school's order."""
    days = (end - start).days + 1
    result = []
    for i in range(count):
        first = start + dt.timedelta(days=days * i // count)
        last = start + dt.timedelta(days=days * (i + 1) // count - 1)
        result.append((first, last))
    return result


def schemes_in_use(*, organisation: Organisation, year: AcademicYear) -> list[str]:
    used = {organisation.period_scheme}
    used |= {
        s
        for s in Parallel.objects.filter(academic_year=year).values_list("period_scheme", flat=True)
        if s
    }
    return [s for s in PeriodScheme.values if s in used]


def _scheme_periods_generate(*, year: AcademicYear, scheme: str) -> None:
    if AttestationPeriod.objects.filter(academic_year=year, scheme=scheme).exists():
        return
    AttestationPeriod.objects.bulk_create(
        AttestationPeriod(academic_year=year, scheme=scheme, number=n, start=s, end=e)
        for n, (s, e) in enumerate(
            even_periods(year.start, year.end, PERIODS_IN_SCHEME[PeriodScheme(scheme)]), start=1
        )
    )


def year_dates_save(
    *,
    organisation: Organisation,
    year: AcademicYear | None,
    name: str,
    start: dt.date | None,
    end: dt.date | None,
    scheme: str,
    parallel_schemes: dict[int, str],
    by: Any,
) -> AcademicYear:
    """Create the year (the first time) or change its dates and schemes; the periods of every
    scheme in use are generated evenly when missing, to be edited on the same step."""
    _year_dates_check(name, start, end)
    assert start is not None and end is not None
    if scheme not in PeriodScheme.values:
        raise ValidationError({"scheme": _("Аттестационные периоды: выберите вид из списка.")})
    for grade, value in parallel_schemes.items():
        if grade not in GRADES or (value and value not in PeriodScheme.values):
            raise ValidationError(
                {f"grade-{grade}": _("Периоды параллели: выберите вид из списка.")}
            )
    others = AcademicYear.objects.filter(organisation=organisation, name=name.strip())
    if year is not None:
        refuse_closed_year(year)
        others = others.exclude(pk=year.pk)
    if others.exists():
        raise ValidationError({"name": _("Название: такой учебный год в школе уже есть.")})
    if year is not None:
        outside = AttestationPeriod.objects.filter(academic_year=year).filter(
            Q(start__lt=start) | Q(end__gt=end)
        )
        moved = list(outside)
        if moved:
            raise ValidationError(
                {
                    "start": _(
                        "Начало и окончание: период «%(p)s» (%(s)s–%(e)s) выйдет за границы "
                        "года. Сначала измените даты периодов."
                    )
                    % {"p": moved[0].name, "s": _d(moved[0].start), "e": _d(moved[0].end)}
                }
            )
    created = year is None
    with transaction.atomic():
        if organisation.period_scheme != scheme:
            organisation.period_scheme = scheme
            organisation.save(update_fields=["period_scheme"])
        if year is None:
            year = school_services.academic_year_create(
                organisation=organisation,
                name=name.strip(),
                start=start,
                end=end,
                scheme=scheme,
                is_current=not AcademicYear.objects.filter(
                    organisation=organisation, is_current=True
                ).exists(),
            )
        else:
            year.name, year.start, year.end = name.strip(), start, end
            year.save(update_fields=["name", "start", "end"])
        existing = {p.grade: p for p in Parallel.objects.filter(academic_year=year)}
        for grade, value in parallel_schemes.items():
            parallel = existing.get(grade)
            if parallel is None and value:
                Parallel.objects.create(
                    organisation=organisation, academic_year=year, grade=grade, period_scheme=value
                )
            elif parallel is not None and parallel.period_scheme != value:
                parallel.period_scheme = value
                parallel.save(update_fields=["period_scheme"])
        for used in schemes_in_use(organisation=organisation, year=year):
            _scheme_periods_generate(year=year, scheme=used)
        _audit(
            by=by,
            organisation=organisation,
            action="year_create" if created else "year_dates",
            summary=(
                _("Учебный год %(y)s создан: %(s)s–%(e)s")
                if created
                else _("Учебный год %(y)s: даты %(s)s–%(e)s")
            )
            % {"y": year.name, "s": _d(start), "e": _d(end)},
            year_id=year.pk,
            scheme=scheme,
        )
    return year


def periods_save(
    *,
    year: AcademicYear,
    scheme: str,
    dates: list[tuple[dt.date | None, dt.date | None]],
    by: Any,
) -> list[AttestationPeriod]:
    """Change the dates of a scheme's periods in place (lessons keep their period)."""
    refuse_closed_year(year)
    periods = list(
        AttestationPeriod.objects.filter(academic_year=year, scheme=scheme).order_by("number")
    )
    if len(dates) != len(periods):
        raise ValidationError({"__all__": _("Периоды изменились, обновите страницу.")})
    errors: dict[str, str] = {}
    previous: AttestationPeriod | None = None
    previous_end: dt.date | None = None
    for period, (start, end) in zip(periods, dates, strict=True):
        key = f"{scheme}-{period.number}"
        if start is None:
            errors[f"{key}-start"] = _("%(p)s, начало: укажите дату.") % {"p": period.name}
        if end is None:
            errors[f"{key}-end"] = _("%(p)s, окончание: укажите дату.") % {"p": period.name}
        if start is None or end is None:
            previous_end = None
            continue
        if end < start:
            errors[f"{key}-end"] = _(
                "%(p)s, окончание: период заканчивается раньше, чем начинается."
            ) % {"p": period.name}
        if start < year.start:
            errors[f"{key}-start"] = _(
                "%(p)s, начало: период начинается раньше учебного года (%(d)s)."
            ) % {"p": period.name, "d": _d(year.start)}
        if end > year.end:
            errors[f"{key}-end"] = _(
                "%(p)s, окончание: период заканчивается позже учебного года (%(d)s)."
            ) % {"p": period.name, "d": _d(year.end)}
        if previous is not None and previous_end is not None and start <= previous_end:
            errors[f"{key}-start"] = _(
                "%(p)s, начало: период пересекается с периодом «%(q)s» (до %(d)s)."
            ) % {"p": period.name, "q": previous.name, "d": _d(previous_end)}
        if period.is_closed and (start, end) != (period.start, period.end):
            errors.setdefault(
                f"{key}-start",
                _("Период «%(p)s» закрыт: его даты изменить нельзя.") % {"p": period.name},
            )
        previous, previous_end = period, end
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for period, (start, end) in zip(periods, dates, strict=True):
            assert start is not None and end is not None
            period.start, period.end = start, end
        AttestationPeriod.objects.bulk_update(periods, ["start", "end"])
        _audit(
            by=by,
            organisation=year.organisation,
            action="periods",
            summary=_("Учебный год %(y)s, аттестационные периоды: %(list)s")
            % {
                "y": year.name,
                "list": "; ".join(f"{p.name} {_d(p.start)}–{_d(p.end)}" for p in periods),
            },
            year_id=year.pk,
            scheme=scheme,
        )
    return periods


# --------------------------------------------------------------------------- step 2: holidays


def holiday_add(
    *,
    year: AcademicYear,
    name: str,
    start: dt.date | None,
    end: dt.date | None,
    grades: Iterable[int] = (),
    by: Any,
) -> Holiday:
    refuse_closed_year(year)
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Название: укажите, например, «Осенние каникулы».")
    if start is None:
        errors["start"] = _("Начало: укажите дату.")
    if end is None:
        errors["end"] = _("Окончание: укажите дату.")
    if start and end:
        if end < start:
            errors["end"] = _("Окончание: каникулы заканчиваются раньше, чем начинаются.")
        if start < year.start or end > year.end:
            errors["start"] = _(
                "Начало и окончание: каникулы должны быть внутри учебного года (%(s)s–%(e)s)."
            ) % {"s": _d(year.start), "e": _d(year.end)}
    chosen = sorted(set(grades))
    if any(g not in GRADES for g in chosen):
        errors["grades"] = _("Параллели: выберите от 1 до 11.")
    if errors:
        raise ValidationError(errors)
    assert start is not None and end is not None
    with transaction.atomic():
        holiday = Holiday.objects.create(
            academic_year=year, name=name.strip(), start=start, end=end, grades=chosen
        )
        _audit(
            by=by,
            organisation=year.organisation,
            action="holiday_add",
            summary=_holiday_summary(_("Каникулы добавлены"), holiday),
            holiday_id=holiday.pk,
        )
    return holiday


def _holiday_summary(head: str, holiday: Holiday) -> str:
    text = f"{head}: «{holiday.name}» {_d(holiday.start)}–{_d(holiday.end)}"
    if holiday.grades:
        text += _(", параллели %(g)s") % {"g": ", ".join(str(g) for g in holiday.grades)}
    return text


def holiday_delete(*, year: AcademicYear, holiday_id: int, by: Any) -> None:
    refuse_closed_year(year)
    holiday = Holiday.objects.filter(academic_year=year, pk=holiday_id).first()
    if holiday is None:
        return
    with transaction.atomic():
        summary = _holiday_summary(_("Каникулы удалены"), holiday)
        holiday.delete()
        _audit(
            by=by,
            organisation=year.organisation,
            action="holiday_delete",
            summary=summary,
            holiday_id=holiday_id,
        )


# --------------------------------------------------------------------------- step 3: bells, rooms


def bell_add(
    *,
    organisation: Organisation,
    number: int | None,
    start: dt.time | None,
    end: dt.time | None,
    by: Any,
) -> BellSlot:
    errors: dict[str, str] = {}
    if number is None or not 0 <= number <= 12:
        errors["number"] = _("Урок №: укажите число от 0 до 12.")
    elif BellSlot.objects.filter(organisation=organisation, number=number).exists():
        errors["number"] = _("Урок №: звонок на этот урок уже есть, удалите его, чтобы заменить.")
    if start is None:
        errors["start"] = _("Начало: укажите время, например 08:30.")
    if end is None:
        errors["end"] = _("Окончание: укажите время, например 09:15.")
    if start and end and end <= start:
        errors["end"] = _("Окончание: урок должен заканчиваться позже, чем начинается.")
    if start and end and number is not None and "number" not in errors:
        overlapping = BellSlot.objects.filter(
            organisation=organisation, start__lt=end, end__gt=start
        ).first()
        if overlapping is not None:
            errors["start"] = _("Начало: время пересекается с уроком №%(n)s.") % {
                "n": overlapping.number
            }
    if errors:
        raise ValidationError(errors)
    assert number is not None and start is not None and end is not None
    with transaction.atomic():
        bell = BellSlot.objects.create(
            organisation=organisation, number=number, start=start, end=end
        )
        _audit(
            by=by,
            organisation=organisation,
            action="bell_add",
            summary=_bell_summary(_("Звонок добавлен"), bell),
            bell_id=bell.pk,
        )
    return bell


def _bell_summary(head: str, bell: BellSlot) -> str:
    return _("%(head)s: %(n)s урок %(s)s–%(e)s") % {
        "head": head,
        "n": bell.number,
        "s": bell.start.strftime("%H:%M"),
        "e": bell.end.strftime("%H:%M"),
    }


def bell_delete(*, organisation: Organisation, bell_id: int, by: Any) -> None:
    bell = BellSlot.objects.filter(organisation=organisation, pk=bell_id).first()
    if bell is None:
        return
    with transaction.atomic():
        summary = _bell_summary(_("Звонок удалён"), bell)
        bell.delete()
        _audit(
            by=by, organisation=organisation, action="bell_delete", summary=summary, bell_id=bell_id
        )


def room_add(*, organisation: Organisation, name: str, by: Any) -> Room:
    name = name.strip()
    if not name:
        raise ValidationError({"room": _("Кабинет: укажите номер или название.")})
    if Room.objects.filter(organisation=organisation, name=name).exists():
        raise ValidationError({"room": _("Кабинет: такой кабинет уже есть.")})
    with transaction.atomic():
        room = Room.objects.create(organisation=organisation, name=name)
        _audit(
            by=by,
            organisation=organisation,
            action="room_add",
            summary=_("Кабинет добавлен: %(r)s") % {"r": room.name},
            room_id=room.pk,
        )
    return room


def room_delete(*, organisation: Organisation, room_id: int, by: Any) -> None:
    from django.db.models import ProtectedError

    room = Room.objects.filter(organisation=organisation, pk=room_id).first()
    if room is None:
        return
    try:
        with transaction.atomic():
            room.delete()
            _audit(
                by=by,
                organisation=organisation,
                action="room_delete",
                summary=_("Кабинет удалён: %(r)s") % {"r": room.name},
                room_id=room_id,
            )
    except ProtectedError as error:
        raise ValidationError(
            {"room": _("Кабинет: он уже есть в расписании, удалить его нельзя.")}
        ) from error


# --------------------------------------------------------------------------- step 4: classes


def class_add(
    *,
    organisation: Organisation,
    year: AcademicYear,
    grade: int | None,
    letter: str,
    class_type: str = ClassType.GENERAL,
    class_teacher: Any = None,
    by: Any,
) -> ClassUnit:
    refuse_closed_year(year)
    letter = letter.strip().upper()
    errors: dict[str, str] = {}
    if grade is None or grade not in GRADES:
        errors["grade"] = _("Параллель: выберите от 1 до 11.")
    if not letter:
        errors["letter"] = _("Литера: укажите литеру класса, например А.")
    elif len(letter) > 4:
        errors["letter"] = _("Литера: не длиннее 4 знаков.")
    if class_type not in ClassType.values:
        errors["class_type"] = _("Тип класса: выберите из списка.")
    if (
        not errors
        and grade is not None
        and ClassUnit.objects.filter(
            parallel__academic_year=year, parallel__grade=grade, letter=letter
        ).exists()
    ):
        errors["letter"] = _("Литера: класс %(g)s%(l)s уже есть.") % {"g": grade, "l": letter}
    if errors:
        raise ValidationError(errors)
    assert grade is not None
    with transaction.atomic():
        parallel, _created = Parallel.objects.get_or_create(
            academic_year=year, grade=grade, defaults={"organisation": organisation}
        )
        class_unit = ClassUnit.objects.create(
            parallel=parallel, letter=letter, class_type=class_type, class_teacher=class_teacher
        )
        summary = _("Класс %(c)s добавлен (%(y)s)") % {"c": class_unit.name, "y": year.name}
        if class_teacher is not None:
            summary += _(", классный руководитель %(t)s") % {"t": class_teacher.short_name}
        _audit(
            by=by,
            organisation=organisation,
            action="class_add",
            summary=summary,
            class_id=class_unit.pk,
        )
    return class_unit


def class_teacher_set(
    *, year: AcademicYear, class_unit: ClassUnit, class_teacher: Any, by: Any
) -> None:
    refuse_closed_year(year)
    with transaction.atomic():
        class_unit.class_teacher = class_teacher
        class_unit.save(update_fields=["class_teacher"])
        _audit(
            by=by,
            organisation=year.organisation,
            action="class_teacher",
            summary=_("Класс %(c)s: классный руководитель — %(t)s")
            % {
                "c": class_unit.name,
                "t": class_teacher.short_name if class_teacher is not None else _("не назначен"),
            },
            class_id=class_unit.pk,
        )


def class_delete(*, year: AcademicYear, class_unit: ClassUnit, by: Any) -> None:
    refuse_closed_year(year)
    if (
        class_unit.students.exists()
        or Enrolment.objects.filter(class_unit=class_unit).exists()
        or _class_has_lessons(class_unit)
    ):
        raise ValidationError(
            {
                "class_unit": _(
                    "Класс %(c)s: в нём есть обучающиеся или уроки, удалить его нельзя."
                )
                % {"c": class_unit.name}
            }
        )
    with transaction.atomic():
        name, pk = class_unit.name, class_unit.pk
        class_unit.delete()
        people_cache_drop_all()
        _audit(
            by=by,
            organisation=year.organisation,
            action="class_delete",
            summary=_("Класс %(c)s удалён (%(y)s)") % {"c": name, "y": year.name},
            class_id=pk,
        )


def _class_has_lessons(class_unit: ClassUnit) -> bool:
    from shkola.timetable.models import TimetableEntry

    return TimetableEntry.objects.filter(class_unit=class_unit).exists()


# --------------------------------------------------------------------------- step 5: curriculum


def subject_add(
    *,
    organisation: Organisation,
    name: str,
    short_name: str = "",
    is_extra: bool = False,
    by: Any,
) -> Subject:
    name = name.strip()
    if not name:
        raise ValidationError({"subject_name": _("Предмет: укажите название.")})
    # Compared in Python: SQLite's case-insensitive match knows only Latin letters.
    names = Subject.objects.filter(organisation=organisation).values_list("name", flat=True)
    if any(n.casefold() == name.casefold() for n in names):
        raise ValidationError({"subject_name": _("Предмет: такой предмет уже есть.")})
    with transaction.atomic():
        subject = Subject.objects.create(
            organisation=organisation, name=name, short_name=short_name.strip(), is_extra=is_extra
        )
        _audit(
            by=by,
            organisation=organisation,
            action="subject_add",
            summary=(
                _("Предмет добавлен: %(s)s (дополнительное образование)")
                if is_extra
                else _("Предмет добавлен: %(s)s")
            )
            % {"s": subject.name},
            subject_id=subject.pk,
        )
    return subject


def curriculum_set(
    *,
    year: AcademicYear,
    grade: int | None,
    subject: Subject | None,
    hours: Decimal | None,
    split_into_groups: bool = False,
    by: Any,
) -> int:
    """Hours per week of a subject for every class of a parallel; 0 hours removes the line.
    Returns how many classes changed."""
    refuse_closed_year(year)
    errors: dict[str, str] = {}
    classes = list(
        ClassUnit.objects.filter(parallel__academic_year=year, parallel__grade=grade or 0)
    )
    if grade is None or not classes:
        errors["grade"] = _("Параллель: выберите параллель, в которой есть классы.")
    if subject is None:
        errors["subject"] = _("Предмет: выберите предмет из списка.")
    if hours is None:
        errors["hours"] = _("Часов в неделю: укажите число, например 4 или 0,5.")
    elif hours < 0:
        errors["hours"] = _("Часов в неделю: не может быть отрицательным.")
    elif hours > 40 or hours * 2 != (hours * 2).to_integral_value():
        errors["hours"] = _("Часов в неделю: от 0 до 40, с шагом 0,5.")
    if errors:
        raise ValidationError(errors)
    assert hours is not None and subject is not None
    with transaction.atomic():
        if hours == 0:
            CurriculumItem.objects.filter(class_unit__in=classes, subject=subject).delete()
        else:
            for class_unit in classes:
                CurriculumItem.objects.update_or_create(
                    class_unit=class_unit,
                    subject=subject,
                    defaults={"hours_per_week": hours, "split_into_groups": split_into_groups},
                )
        shown = formats.number_format(hours.normalize() if hours else 0)
        _audit(
            by=by,
            organisation=year.organisation,
            action="curriculum",
            summary=(
                _("Учебный план %(g)s классов: %(s)s убран")
                if hours == 0
                else _("Учебный план %(g)s классов: %(s)s — %(h)s ч в неделю")
            )
            % {"g": grade, "s": subject.name, "h": shown}
            + (_(", деление на группы") if split_into_groups and hours else ""),
            grade=grade,
            subject_id=subject.pk,
            hours=str(hours),
        )
    return len(classes)


def group_add(
    *,
    organisation: Organisation,
    year: AcademicYear,
    kind: str,
    name: str,
    class_unit: ClassUnit | None = None,
    subject: Subject | None = None,
    by: Any,
) -> StudyGroup:
    """A subgroup of a class («деление на группы») or an extra-education group («кружок»)."""
    refuse_closed_year(year)
    errors: dict[str, str] = {}
    if kind not in StudyGroup.Kind.values:
        errors["kind"] = _("Вид группы: выберите из списка.")
    if not name.strip():
        errors["group_name"] = _("Название группы: укажите, например «Английский, 1 группа».")
    if kind == StudyGroup.Kind.SUBGROUP and class_unit is None:
        errors["class_unit"] = _("Класс: подгруппа делит класс — выберите его.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        group = StudyGroup.objects.create(
            organisation=organisation,
            academic_year=year,
            kind=kind,
            name=name.strip(),
            class_unit=class_unit if kind == StudyGroup.Kind.SUBGROUP else None,
            subject=subject,
        )
        summary = _("Группа добавлена: %(n)s (%(k)s)") % {
            "n": group.name,
            "k": group.get_kind_display(),
        }
        if group.class_unit is not None:
            summary += _(", класс %(c)s") % {"c": group.class_unit.name}
        _audit(
            by=by, organisation=organisation, action="group_add", summary=summary, group_id=group.pk
        )
    return group


# --------------------------------------------------------------------------- rollover


@dataclass
class RolloverResult:
    year: AcademicYear
    promoted: int = 0
    graduated: int = 0
    new_classes: list[ClassUnit] = field(default_factory=list)


def year_rollover(
    *,
    organisation: Organisation,
    user: Any,
    name: str,
    start: dt.date | None,
    end: dt.date | None,
    order_number: str,
    graduating_grades: Iterable[int] = DEFAULT_GRADUATING,
) -> RolloverResult:
    """«Переход на новый учебный год»: the next year with the same schemes, classes a grade
    up (7А → 8А) with their class teachers and the students moved with a «Перевод в
    следующий класс» line; the graduating grades leave with «Окончание обучения». The old
    year's periods are closed and the year itself is closed: read-only, its marks kept."""
    old = (
        AcademicYear.objects.filter(organisation=organisation, is_current=True)
        .order_by("-start")
        .first()
    )
    errors: dict[str, str] = {}
    if old is None:
        raise ValidationError({"__all__": _("В школе нет текущего учебного года.")})
    try:
        _year_dates_check(name, start, end)
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if start and start <= old.end:
        errors["start"] = _("Начало: новый год начинается после окончания текущего (%(d)s).") % {
            "d": _d(old.end)
        }
    if (
        name.strip()
        and AcademicYear.objects.filter(organisation=organisation, name=name.strip()).exists()
    ):
        errors["name"] = _("Название: такой учебный год в школе уже есть.")
    if not order_number.strip():
        errors["order_number"] = _("Номер приказа: укажите приказ о переводе.")
    graduating = set(graduating_grades)
    if any(g not in GRADES for g in graduating):
        errors["graduating"] = _("Выпускные параллели: выберите от 1 до 11.")
    if errors:
        raise ValidationError(errors)
    assert start is not None and end is not None
    with transaction.atomic():
        old_parallels = list(
            Parallel.objects.filter(academic_year=old).prefetch_related("class_units")
        )
        year = school_services.academic_year_create(
            organisation=organisation,
            name=name.strip(),
            start=start,
            end=end,
            scheme=organisation.period_scheme,
            is_current=True,
        )
        result = RolloverResult(year=year)
        new_parallels: dict[int, Parallel] = {}
        class_map: dict[int, ClassUnit] = {}
        for parallel in sorted(old_parallels, key=lambda p: p.grade):
            grade = parallel.grade + 1
            if parallel.grade in graduating or grade > 11:
                continue
            # The scheme belongs to the grade (10–11 by halves), not to the moving classes.
            same_grade = next((p for p in old_parallels if p.grade == grade), None)
            scheme = same_grade.period_scheme if same_grade else ""
            new_parallels[grade] = Parallel.objects.create(
                organisation=organisation, academic_year=year, grade=grade, period_scheme=scheme
            )
            for class_unit in parallel.class_units.all():
                class_map[class_unit.pk] = ClassUnit.objects.create(
                    parallel=new_parallels[grade],
                    letter=class_unit.letter,
                    class_type=class_unit.class_type,
                    class_teacher_id=class_unit.class_teacher_id,
                )
        for used in schemes_in_use(organisation=organisation, year=year):
            _scheme_periods_generate(year=year, scheme=used)
        # The curriculum of a grade stays with the grade: new 8А learns what old 8А learnt.
        old_by_name = {(p.grade, c.letter): c for p in old_parallels for c in p.class_units.all()}
        copied = []
        for new_class in class_map.values():
            old_same = old_by_name.get((new_class.parallel.grade, new_class.letter))
            if old_same is None:
                continue
            copied += [
                CurriculumItem(
                    class_unit=new_class,
                    subject_id=item.subject_id,
                    hours_per_week=item.hours_per_week,
                    split_into_groups=item.split_into_groups,
                )
                for item in CurriculumItem.objects.filter(class_unit=old_same)
            ]
        CurriculumItem.objects.bulk_create(copied)
        result.new_classes = list(class_map.values())
        # One history line per student, written in bulk: a school moves a thousand at once.
        students = list(
            Student.objects.filter(current_class__parallel__academic_year=old).select_related(
                "current_class__parallel"
            )
        )
        lines = []
        for student in students:
            assert student.current_class is not None
            if student.current_class.parallel.grade in graduating:
                action, moved_to, when = EnrolmentAction.GRADUATE, None, old.end
                result.graduated += 1
            elif student.current_class_id in class_map:
                moved_to = class_map[student.current_class_id]
                action, when = EnrolmentAction.PROMOTE, start
                result.promoted += 1
            else:
                continue
            lines.append(
                Enrolment(
                    student=student,
                    organisation=organisation,
                    action=action,
                    date=when,
                    order_number=order_number.strip(),
                    class_unit=moved_to,
                    class_type=moved_to.class_type if moved_to else "",
                )
            )
            student.current_class = moved_to
        Enrolment.objects.bulk_create(lines)
        Student.objects.bulk_update(students, ["current_class"], batch_size=500)
        people_cache_drop_all()  # children's classes in every parent's switcher
        for period in AttestationPeriod.objects.filter(academic_year=old, closed_at__isnull=True):
            school_services.period_close(period=period, user=user)
        old.closed_at = timezone.now()
        old.is_current = False
        old.save(update_fields=["closed_at", "is_current"])
        audit_record(
            kind="data_change",
            actor=user,
            organisation=organisation,
            details={
                "action": "year_rollover",
                "summary": _(
                    "Переход на новый учебный год: %(old)s закрыт, открыт %(new)s "
                    "(приказ № %(order)s)"
                )
                % {"old": old.name, "new": year.name, "order": order_number.strip()},
                "closed_year": old.name,
                "new_year": year.name,
                "order_number": order_number.strip(),
                "promoted": result.promoted,
                "graduated": result.graduated,
            },
        )
    return result


def student_place(
    *,
    year: AcademicYear,
    student: Any,
    class_unit: ClassUnit | None,
    order_number: str,
    user: Any = None,
) -> None:
    """The decision on a student left without a class: a class of the new year."""
    refuse_closed_year(year)
    errors: dict[str, str] = {}
    if class_unit is None or class_unit.parallel.academic_year_id != year.pk:
        errors["class_unit"] = _("Класс: выберите класс текущего учебного года.")
    if not order_number.strip():
        errors["order_number"] = _("Номер приказа: укажите приказ о зачислении.")
    if errors:
        raise ValidationError(errors)
    assert class_unit is not None
    with transaction.atomic():
        audit_record(
            kind="data_change",
            actor=user,
            subject_user=student.user,
            organisation=year.organisation,
            details={
                "action": "student_place",
                "summary": _("Зачисление в %(c)s: %(name)s, приказ № %(order)s")
                % {"c": class_unit.name, "name": student.full_name, "order": order_number.strip()},
                "student_id": student.pk,
                "class": class_unit.name,
                "order_number": order_number.strip(),
            },
        )
        school_services.enrolment_record(
            student=student,
            action=EnrolmentAction.ADMIT,
            date=max(year.start, min(clock.today(), year.end)),
            order_number=order_number,
            class_unit=class_unit,
        )
