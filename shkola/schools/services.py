"""Writes of the school domain. Keyword-only, validated, transactional."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import (
    LEAVING_ACTIONS,
    AcademicYear,
    AttestationPeriod,
    ClassUnit,
    ControlForm,
    Enrolment,
    EnrolmentAction,
    Guardian,
    Guardianship,
    Organisation,
    PeriodScheme,
    SchoolEvent,
    Student,
    Territory,
)
from .validators import snils_digits, validate_snils

# Every new school starts with these forms of control (name, weight, counts as a test); the
# school changes the weights and adds its own («Формы контроля» in the journal).
DEFAULT_CONTROL_FORMS: tuple[tuple[str, int, bool], ...] = (
    ("Контрольная работа", 5, True),
    ("Самостоятельная работа", 3, False),
    ("Ответ на уроке", 1, False),
    ("Домашняя работа", 1, False),
)


def organisation_register(
    *,
    territory: Territory,
    short_name: str,
    full_name: str,
    address: str = "",
    phones: str = "",
    admin_last_name: str = "",
    admin_first_name: str = "",
    admin_middle_name: str = "",
    admin_birth_date: dt.date | None = None,
    admin_phone: str = "",
    admin_email: str = "",
) -> Organisation:
    if territory.kind != Territory.Kind.MUNICIPALITY:
        raise ValidationError(
            {"territory": _("Школа регистрируется в муниципалитете, а не в регионе.")}
        )
    if not short_name.strip():
        raise ValidationError({"short_name": _("Укажите краткое наименование.")})
    org = Organisation(
        territory=territory,
        short_name=short_name.strip(),
        full_name=full_name.strip() or short_name.strip(),
        address=address,
        phones=phones,
        admin_last_name=admin_last_name,
        admin_first_name=admin_first_name,
        admin_middle_name=admin_middle_name,
        admin_birth_date=admin_birth_date,
        admin_phone=admin_phone,
        admin_email=admin_email,
    )
    org.full_clean()
    with transaction.atomic():
        org.save()
        ControlForm.objects.bulk_create(
            ControlForm(organisation=org, name=name, weight=weight, is_test=is_test)
            for name, weight, is_test in DEFAULT_CONTROL_FORMS
        )
    return org


def academic_year_create(
    *,
    organisation: Organisation,
    name: str,
    start: dt.date,
    end: dt.date,
    periods: list[tuple[dt.date, dt.date]] | None = None,
    scheme: str | None = None,
    is_current: bool = True,
) -> AcademicYear:
    """Create a year and its attestation periods (given as (start, end) pairs, in order)."""
    if end <= start:
        raise ValidationError({"end": _("Окончание учебного года должно быть позже начала.")})
    scheme = scheme or organisation.period_scheme
    expected = {
        PeriodScheme.QUARTERS: 4,
        PeriodScheme.TRIMESTERS: 3,
        PeriodScheme.HALVES: 2,
    }[PeriodScheme(scheme)]
    with transaction.atomic():
        if is_current:
            AcademicYear.objects.filter(organisation=organisation, is_current=True).update(
                is_current=False
            )
        year = AcademicYear.objects.create(
            organisation=organisation,
            name=name,
            start=start,
            end=end,
            is_current=is_current,
        )
        if periods is not None:
            attestation_periods_set(
                academic_year=year, scheme=scheme, periods=periods, expected=expected
            )
    return year


def attestation_periods_set(
    *,
    academic_year: AcademicYear,
    scheme: str,
    periods: list[tuple[dt.date, dt.date]],
    expected: int | None = None,
) -> list[AttestationPeriod]:
    if expected is not None and len(periods) != expected:
        raise ValidationError(
            {"periods": _("Для этого вида нужно %(n)s периода(ов).") % {"n": expected}}
        )
    previous_end: dt.date | None = None
    for start, end in periods:
        if end < start:
            raise ValidationError({"periods": _("Период заканчивается раньше, чем начинается.")})
        if start < academic_year.start or end > academic_year.end:
            raise ValidationError({"periods": _("Период выходит за границы учебного года.")})
        if previous_end and start <= previous_end:
            raise ValidationError({"periods": _("Периоды не должны пересекаться.")})
        previous_end = end
    with transaction.atomic():
        AttestationPeriod.objects.filter(academic_year=academic_year, scheme=scheme).delete()
        return AttestationPeriod.objects.bulk_create(
            AttestationPeriod(academic_year=academic_year, scheme=scheme, number=i, start=s, end=e)
            for i, (s, e) in enumerate(periods, start=1)
        )


def student_create(
    *,
    organisation: Organisation,
    last_name: str,
    first_name: str,
    middle_name: str = "",
    birth_date: dt.date,
    sex: str,
    snils: str = "",
    id_document: str = "",
    email: str = "",
    special_needs: bool = False,
) -> Student:
    snils = snils_digits(snils)
    try:
        validate_snils(snils)
    except ValidationError as error:
        raise ValidationError({"snils": error.messages}) from error
    student = Student(
        organisation=organisation,
        last_name=last_name.strip(),
        first_name=first_name.strip(),
        middle_name=middle_name.strip(),
        birth_date=birth_date,
        sex=sex,
        snils=snils,
        id_document=id_document,
        email=email,
        special_needs=special_needs,
    )
    student.full_clean(exclude=["current_class", "user", "photo"])
    student.save()
    return student


def enrolment_record(
    *,
    student: Student,
    action: str,
    date: dt.date,
    order_number: str,
    class_unit: ClassUnit | None = None,
    organisation: Organisation | None = None,
) -> Enrolment:
    """Add a line to the education history and re-derive the student's current class."""
    action = EnrolmentAction(action)
    if not order_number.strip():
        raise ValidationError({"order_number": _("Укажите номер приказа.")})
    if action not in LEAVING_ACTIONS and class_unit is None:
        raise ValidationError({"class_unit": _("Укажите класс.")})
    organisation = organisation or (
        class_unit.parallel.organisation if class_unit else student.organisation
    )
    with transaction.atomic():
        enrolment = Enrolment.objects.create(
            student=student,
            organisation=organisation,
            action=action,
            date=date,
            order_number=order_number.strip(),
            class_unit=class_unit if action not in LEAVING_ACTIONS else None,
            class_type=class_unit.class_type if class_unit else "",
        )
        student_current_class_refresh(student=student)
    return enrolment


def current_class_from_history(enrolments: list[Enrolment]) -> ClassUnit | None:
    """The class of the latest history line, or none when the latest line is a departure."""
    if not enrolments:
        return None
    last = sorted(enrolments, key=lambda e: (e.date, e.id or 0))[-1]
    if last.action in LEAVING_ACTIONS:
        return None
    return last.class_unit


def student_current_class_refresh(*, student: Student) -> Student:
    enrolments = list(
        Enrolment.objects.filter(student=student).select_related(
            "class_unit__parallel__organisation"
        )
    )
    current = current_class_from_history(enrolments)
    fields: dict[str, Any] = {"current_class": current}
    if current is not None:
        fields["organisation"] = current.parallel.organisation
    Student.objects.filter(pk=student.pk).update(**fields)
    for key, value in fields.items():
        setattr(student, key, value)
    from shkola.accounts.services import people_cache_drop_all

    people_cache_drop_all()  # the class in the parents' switcher, the student's own school
    return student


def guardian_of_user(*, user: Any) -> Guardian:
    """The representative record of an account, made from the account's own details the first
    time the account becomes somebody's parent (registration by code, SSO, the demo)."""
    guardian = Guardian.objects.filter(user=user).first()
    if guardian is not None:
        return guardian
    return Guardian.objects.create(
        user=user,
        last_name=user.last_name,
        first_name=user.first_name,
        middle_name=user.middle_name,
        birth_date=user.birth_date,
        sex=user.sex,
        phone=user.phone,
        email=user.email,
        snils=user.snils,
    )


def guardian_link(*, guardian: Guardian, student: Student, kind: str) -> Guardianship:
    link, _created = Guardianship.objects.update_or_create(
        guardian=guardian, student=student, defaults={"kind": kind}
    )
    return link


def period_close(*, period: AttestationPeriod, user: Any) -> AttestationPeriod:
    from django.utils import timezone

    with transaction.atomic():
        period.closed_at = timezone.now()
        period.closed_by = user
        period.save(update_fields=["closed_at", "closed_by"])
    return period


def period_reopen(*, period: AttestationPeriod) -> AttestationPeriod:
    if AcademicYear.objects.filter(pk=period.academic_year_id, closed_at__isnull=False).exists():
        # the year rollover closed the year: its periods stay closed for good
        raise ValidationError({"period": _("Учебный год закрыт: период открыть нельзя.")})
    period.closed_at = None
    period.closed_by = None
    period.save(update_fields=["closed_at", "closed_by"])
    return period


# --------------------------------------------------------------------------- school events (D9)

EVENT_DESCRIPTION_MAX = 5000


def _event_date(value: dt.date | str | None) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    text = (value or "").strip()
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _event_time(value: dt.time | str | None) -> dt.time | None:
    if isinstance(value, dt.time):
        return value
    text = (value or "").strip()
    for pattern in ("%H:%M", "%H:%M:%S"):
        try:
            return dt.datetime.strptime(text, pattern).time()
        except ValueError:
            continue
    return None


def _ids(values: Iterable[int | str]) -> set[int] | None:
    """The ids chosen in a form; ``None`` when one of them is not a number at all."""
    found: set[int] = set()
    for value in values:
        text = str(value).strip()
        if not (text.isascii() and text.isdigit()):
            return None
        found.add(int(text))
    return found


def event_save(
    *,
    organisation: Organisation,
    title: str,
    date: dt.date | str | None,
    time: dt.time | str | None = None,
    place: str = "",
    description: str = "",
    class_unit_ids: Iterable[int | str] = (),
    student_ids: Iterable[int | str] = (),
    event: SchoolEvent | None = None,
) -> SchoolEvent:
    """Create (``event=None``) or change a school event. Participants are classes and single
    students of the same school; an event with neither is for the whole school. Every field's
    error is collected, so the form can show them all at once."""
    if event is not None and event.organisation_id != organisation.id:
        raise ValidationError(_("Событие относится к другой школе."))
    errors: dict[str, list[str]] = {}
    title = " ".join(title.split())
    if not title:
        errors["title"] = [_("«Название»: укажите, что за событие.")]
    elif len(title) > 300:
        errors["title"] = [_("«Название»: не длиннее 300 знаков.")]
    day = _event_date(date)
    if day is None:
        errors["date"] = [_("«Дата»: укажите дату события, например 25.09.2026.")]
    at: dt.time | None = None
    if time not in (None, ""):
        at = _event_time(time)
        if at is None:
            errors["time"] = [_("«Время»: укажите время в виде ЧЧ:ММ, например 15:00.")]
    place = " ".join(place.split())
    if len(place) > 300:
        errors["place"] = [_("«Место»: не длиннее 300 знаков.")]
    description = description.strip()
    if len(description) > EVENT_DESCRIPTION_MAX:
        errors["description"] = [
            _("«Описание»: не длиннее %(max)s знаков.") % {"max": EVENT_DESCRIPTION_MAX}
        ]
    class_ids = _ids(class_unit_ids)
    if class_ids is None:
        errors["class_units"] = [_("«Классы»: выберите классы из списка.")]
    elif class_ids:
        own = set(
            ClassUnit.objects.filter(
                id__in=class_ids, parallel__organisation_id=organisation.id
            ).values_list("id", flat=True)
        )
        if own != class_ids:
            errors["class_units"] = [_("«Классы»: выбран класс, которого нет в этой школе.")]
    pupil_ids = _ids(student_ids)
    if pupil_ids is None:
        errors["students"] = [_("«Участники»: выберите обучающихся из списка.")]
    elif pupil_ids:
        own = set(
            Student.objects.filter(id__in=pupil_ids, organisation_id=organisation.id).values_list(
                "id", flat=True
            )
        )
        if own != pupil_ids:
            errors["students"] = [
                _("«Участники»: выбран обучающийся, который не учится в этой школе.")
            ]
    if errors:
        raise ValidationError(errors)
    assert day is not None and class_ids is not None and pupil_ids is not None
    with transaction.atomic():
        if event is None:
            event = SchoolEvent(organisation=organisation)
        event.title = title
        event.date = day
        event.time = at
        event.place = place
        event.description = description
        event.save()
        event.class_units.set(class_ids)
        event.students.set(pupil_ids)
    return event


def event_delete(*, organisation: Organisation, event: SchoolEvent) -> None:
    if event.organisation_id != organisation.id:
        raise ValidationError(_("Событие относится к другой школе."))
    with transaction.atomic():
        event.delete()
