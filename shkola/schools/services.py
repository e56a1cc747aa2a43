"""Writes of the school domain. Keyword-only, validated, transactional."""

from __future__ import annotations

import datetime as dt
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
    return student


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
    period.closed_at = None
    period.closed_by = None
    period.save(update_fields=["closed_at", "closed_by"])
    return period
