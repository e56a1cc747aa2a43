"""Writes of the school's services and of the families' applications.

Places: an accepted application holds one place. Every change that can take a place
(``application_accept``) locks the service's row first (SELECT … FOR UPDATE) and counts the
accepted applications inside the same transaction, so concurrent acceptances queue on that
lock and the last ones find the service full: never more accepted than ``capacity``. The
other writes of an application lock the service too, so a decision and a withdrawal of the
same application cannot interleave.

A freed place (a withdrawal of an accepted application, a child removed by the school) is
NOT given to the waiting list automatically: the school sees the list in order and accepts
the next child itself (the family may have changed its mind, a paid service needs a
contract). See docs/payments.md for what payment means here (nothing, yet)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shkola.accounts.models import User
from shkola.core import clock
from shkola.schools.models import ClassUnit, Organisation, Student

from .models import (
    OPEN_STATUSES,
    Application,
    ApplicationStatus,
    PriceUnit,
    Service,
    ServiceStatus,
)

MAX_CAPACITY = 1000
MAX_PRICE = 1_000_000


def _limit(model: Any, name: str) -> int:
    return int(model._meta.get_field(name).max_length or 0)


def teachers_of(organisation_id: int) -> Any:
    """Who may lead a service: the school's staff."""
    return (
        User.objects.filter(roles__organisation_id=organisation_id)
        .distinct()
        .order_by("last_name", "first_name", "id")
    )


def _check_service(
    *,
    organisation: Organisation,
    title: str,
    description: str,
    teacher: User | None,
    schedule: str,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    grade_from: int | None,
    grade_to: int | None,
    class_units: Sequence[ClassUnit],
    capacity: int | None,
    price: int | None,
    price_unit: str,
    status: str,
    accepted: int = 0,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Название: заполните.")
    elif len(title) > _limit(Service, "title"):
        errors["title"] = _("Название: не больше %(n)s знаков.") % {"n": _limit(Service, "title")}
    if len(description) > 4000:
        errors["description"] = _("Описание: не больше 4000 знаков.")
    if not schedule:
        errors["schedule"] = _("Расписание: напишите, когда проходят занятия.")
    elif len(schedule) > _limit(Service, "schedule"):
        errors["schedule"] = _("Расписание: не больше %(n)s знаков.") % {
            "n": _limit(Service, "schedule")
        }
    if teacher is not None and not teachers_of(organisation.pk).filter(pk=teacher.pk).exists():
        errors["teacher"] = _("Педагог: выберите сотрудника школы.")
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = _("Занятия по: дата раньше, чем «с».")
    for name, grade in (("grade_from", grade_from), ("grade_to", grade_to)):
        if grade is not None and not 1 <= grade <= 11:
            errors[name] = _("Классы: от 1 до 11.")
    if grade_from and grade_to and grade_to < grade_from and "grade_to" not in errors:
        errors["grade_to"] = _("Классы: «по» меньше, чем «с».")
    if any(c.parallel.organisation_id != organisation.pk for c in class_units):
        errors["class_units"] = _("Классы: выберите классы этой школы.")
    if capacity is None or capacity < 1:
        errors["capacity"] = _("Мест: не меньше одного.")
    elif capacity > MAX_CAPACITY:
        errors["capacity"] = _("Мест: не больше %(n)s.") % {"n": MAX_CAPACITY}
    elif capacity < accepted:
        errors["capacity"] = _(
            "Мест: уже принято детей — %(n)s, мест не может быть меньше. "
            "Сначала снимите лишних с занятий."
        ) % {"n": accepted}
    if price is None or price < 0:
        errors["price"] = _("Цена: целое число рублей, 0 — бесплатно.")
    elif price > MAX_PRICE:
        errors["price"] = _("Цена: не больше %(n)s ₽.") % {"n": MAX_PRICE}
    if price_unit not in PriceUnit.values:
        errors["price_unit"] = _("Цена за: выберите из списка.")
    if status not in ServiceStatus.values:
        errors["status"] = _("Состояние: выберите из списка.")
    return errors


FIELDS = (
    "title",
    "description",
    "teacher",
    "schedule",
    "starts_on",
    "ends_on",
    "grade_from",
    "grade_to",
    "capacity",
    "price",
    "price_unit",
    "status",
)


@transaction.atomic
def service_create(
    *,
    organisation: Organisation,
    title: str,
    schedule: str,
    capacity: int | None,
    description: str = "",
    teacher: User | None = None,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    grade_from: int | None = None,
    grade_to: int | None = None,
    class_units: Sequence[ClassUnit] = (),
    price: int | None = 0,
    price_unit: str = PriceUnit.MONTH,
    status: str = ServiceStatus.DRAFT,
) -> Service:
    title, description, schedule = title.strip(), description.strip(), schedule.strip()
    errors = _check_service(
        organisation=organisation,
        title=title,
        description=description,
        teacher=teacher,
        schedule=schedule,
        starts_on=starts_on,
        ends_on=ends_on,
        grade_from=grade_from,
        grade_to=grade_to,
        class_units=class_units,
        capacity=capacity,
        price=price,
        price_unit=price_unit,
        status=status,
    )
    if errors or capacity is None or price is None:
        raise ValidationError(errors)
    service = Service.objects.create(
        organisation=organisation,
        title=title,
        description=description,
        teacher=teacher,
        schedule=schedule,
        starts_on=starts_on,
        ends_on=ends_on,
        grade_from=grade_from,
        grade_to=grade_to,
        capacity=capacity,
        price=price,
        price_unit=price_unit,
        status=status,
    )
    service.class_units.set(class_units)
    return service


@transaction.atomic
def service_update(
    *,
    service: Service,
    title: str,
    schedule: str,
    capacity: int | None,
    description: str = "",
    teacher: User | None = None,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    grade_from: int | None = None,
    grade_to: int | None = None,
    class_units: Sequence[ClassUnit] = (),
    price: int | None = 0,
    price_unit: str = PriceUnit.MONTH,
    status: str = ServiceStatus.DRAFT,
) -> Service:
    """Change a service. The places cannot go below the children already accepted (the lock
    keeps an acceptance from slipping in between the count and the save)."""
    locked = Service.objects.select_for_update().select_related("organisation").get(pk=service.pk)
    title, description, schedule = title.strip(), description.strip(), schedule.strip()
    errors = _check_service(
        organisation=locked.organisation,
        title=title,
        description=description,
        teacher=teacher,
        schedule=schedule,
        starts_on=starts_on,
        ends_on=ends_on,
        grade_from=grade_from,
        grade_to=grade_to,
        class_units=class_units,
        capacity=capacity,
        price=price,
        price_unit=price_unit,
        status=status,
        accepted=_accepted(locked),
    )
    if errors:
        raise ValidationError(errors)
    values = {
        "title": title,
        "description": description,
        "teacher": teacher,
        "schedule": schedule,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "grade_from": grade_from,
        "grade_to": grade_to,
        "capacity": capacity,
        "price": price,
        "price_unit": price_unit,
        "status": status,
    }
    for name, value in values.items():
        setattr(locked, name, value)
    locked.save(update_fields=list(FIELDS))
    locked.class_units.set(class_units)
    return locked


def _accepted(service: Service) -> int:
    return Application.objects.filter(service=service, status=ApplicationStatus.ACCEPTED).count()


def is_for_student(service: Service, student: Student, class_ids: set[int] | None = None) -> bool:
    """Whether the service is meant for the child: its classes, else its grades, else all.
    ``class_ids`` are the service's classes when the caller has them already loaded."""
    if service.organisation_id != student.organisation_id:
        return False
    if class_ids is None:
        class_ids = {c.id for c in service.class_units.all()}
    if class_ids:
        return student.current_class_id in class_ids
    grade = student.current_class.parallel.grade if student.current_class else None
    if service.grade_from is None and service.grade_to is None:
        return True
    if grade is None:
        return False
    return (service.grade_from or 1) <= grade <= (service.grade_to or 11)


@transaction.atomic
def application_create(
    *, service: Service, student: Student, applicant: User | None, comment: str = ""
) -> Application:
    """A parent's application for their child (the view checked that it is their child)."""
    locked = Service.objects.select_for_update().get(pk=service.pk)
    comment = (comment or "").strip()
    if locked.status != ServiceStatus.PUBLISHED:
        raise ValidationError({"service": _("Запись на эту услугу закрыта.")})
    if not is_for_student(locked, student):
        raise ValidationError({"student": _("Ребёнок: эта услуга не для его класса.")})
    if len(comment) > _limit(Application, "comment"):
        raise ValidationError(
            {
                "comment": _("Комментарий: не больше %(n)s знаков.")
                % {"n": _limit(Application, "comment")}
            }
        )
    if Application.objects.filter(
        service=locked, student=student, status__in=OPEN_STATUSES
    ).exists():
        raise ValidationError({"student": _("Ребёнок: заявка на эту услугу уже подана.")})
    try:
        with transaction.atomic():
            return Application.objects.create(
                service=locked, student=student, applicant=applicant, comment=comment
            )
    except IntegrityError as exc:  # the partial unique index: a double submit
        raise ValidationError({"student": _("Ребёнок: заявка на эту услугу уже подана.")}) from exc


def _lock(application: Application, allowed: Sequence[str]) -> tuple[Service, Application]:
    """Lock the service, then the application (always in this order: no deadlocks)."""
    service = Service.objects.select_for_update().get(pk=application.service_id)
    locked = (
        Application.objects.select_for_update().select_related("student").get(pk=application.pk)
    )
    if locked.status not in allowed:
        raise ValidationError(
            {
                "status": _("Заявка уже в состоянии «%(status)s».")
                % {"status": ApplicationStatus(locked.status).label}
            }
        )
    return service, locked


def _decide(locked: Application, status: str, by: User, reason: str = "") -> Application:
    locked.status = status
    locked.reason = reason
    locked.decided_by = by
    locked.decided_at = clock.now()
    if status == ApplicationStatus.WAITLISTED:
        locked.waitlisted_at = locked.decided_at
    locked.save(update_fields=["status", "reason", "decided_by", "decided_at", "waitlisted_at"])
    return locked


class NoPlaces(ValidationError):
    """Every place of the service is taken."""


@transaction.atomic
def application_accept(*, application: Application, by: User) -> Application:
    """Give the child a place. Refused with ``NoPlaces`` when every place is taken."""
    service, locked = _lock(application, (ApplicationStatus.PENDING, ApplicationStatus.WAITLISTED))
    taken = _accepted(service)
    if taken >= service.capacity:
        raise NoPlaces(
            {
                "status": _(
                    "Мест нет: заняты все места (%(n)s). Заявку можно поставить в лист ожидания."
                )
                % {"n": service.capacity}
            }
        )
    return _decide(locked, ApplicationStatus.ACCEPTED, by)


@transaction.atomic
def application_waitlist(*, application: Application, by: User) -> Application:
    _service, locked = _lock(application, (ApplicationStatus.PENDING,))
    return _decide(locked, ApplicationStatus.WAITLISTED, by)


def _reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("%(what)s: напишите причину — её увидит родитель.") % {"what": what}}
        )
    limit = _limit(Application, "reason")
    if len(reason) > limit:
        raise ValidationError(
            {"reason": _("%(what)s: не больше %(n)s знаков.") % {"what": what, "n": limit}}
        )
    return reason


@transaction.atomic
def application_decline(*, application: Application, by: User, reason: str) -> Application:
    reason = _reason(reason, _("Причина отказа"))
    _service, locked = _lock(application, (ApplicationStatus.PENDING, ApplicationStatus.WAITLISTED))
    return _decide(locked, ApplicationStatus.DECLINED, by, reason)


@transaction.atomic
def application_remove(*, application: Application, by: User, reason: str) -> Application:
    """The school takes an accepted child off the service; the place is free again."""
    reason = _reason(reason, _("Причина"))
    _service, locked = _lock(application, (ApplicationStatus.ACCEPTED,))
    return _decide(locked, ApplicationStatus.REMOVED, by, reason)


@transaction.atomic
def application_withdraw(*, application: Application, by: User) -> Application:
    """The family withdraws the application, or leaves the service (an accepted one)."""
    _service, locked = _lock(application, OPEN_STATUSES)
    return _decide(locked, ApplicationStatus.WITHDRAWN, by)
