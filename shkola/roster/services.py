"""The school administration keeps its people (B3): students with their documents, the
orders that enrol, transfer and expel them, their legal representatives, and the staff with
their roles and accounts. Every write lands in the school's audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from shkola.accounts.models import (
    ORGANISATION_ROLES,
    AuditEvent,
    Role,
    RoleAssignment,
    Sex,
    SpecialistKind,
    User,
)
from shkola.accounts.services import (
    audit_record,
    login_errors,
    people_cache_drop,
    role_grant,
    role_revoke,
    temporary_password,
    user_create,
)
from shkola.accounts.validators import phone_normalise
from shkola.core import clock, params
from shkola.schools.models import (
    ClassUnit,
    Enrolment,
    EnrolmentAction,
    Guardian,
    Guardianship,
    IdDocumentKind,
    Organisation,
    RepresentativeKind,
    Student,
    StudyGroup,
)
from shkola.schools.services import enrolment_record
from shkola.schools.validators import validate_snils

STUDENT_TEXT_FIELDS = {
    "last_name": 150,
    "first_name": 150,
    "middle_name": 150,
    "id_doc_series": 20,
    "id_doc_number": 30,
    "id_doc_issued_by": 300,
    "address": 500,
}


def _day(d: dt.date) -> str:
    return date_format(d, "d.m.Y")


def _text(values: dict[str, Any], name: str, limit: int, errors: dict[str, list[str]]) -> str:
    value = str(values.get(name) or "").strip()
    if len(value) > limit:
        errors.setdefault(name, []).append(
            _("Не длиннее %(n)s символов (сейчас %(len)s).") % {"n": limit, "len": len(value)}
        )
    return value


def _date_field(
    raw: Any, *, name: str, label: str, errors: dict[str, list[str]], required: bool
) -> dt.date | None:
    if isinstance(raw, dt.date):
        return raw
    if not str(raw or "").strip():
        if required:
            errors.setdefault(name, []).append(_("%(label)s: укажите дату.") % {"label": label})
        return None
    parsed = params.parse_date(raw)
    if parsed is None and isinstance(raw, str) and raw.strip().count(".") == 2:
        parsed = params.parse_date("-".join(reversed(raw.strip().split("."))))
    if parsed is None:
        errors.setdefault(name, []).append(
            _("%(label)s: дата не распознана, укажите её в виде ДД.ММ.ГГГГ.") % {"label": label}
        )
    return parsed


def _snils_clean(raw: Any, *, name: str, errors: dict[str, list[str]]) -> str:
    digits = "".join(ch for ch in str(raw or "") if ch.isdigit())
    if not str(raw or "").strip():
        return ""
    if len(digits) != 11:
        errors.setdefault(name, []).append(_("СНИЛС: нужно 11 цифр, например 112-233-445 95."))
        return digits
    try:
        validate_snils(digits)
    except ValidationError as error:
        errors.setdefault(name, []).extend(error.messages)
    return digits


# --- students ---------------------------------------------------------------------------


@transaction.atomic
def student_save(
    *,
    organisation: Organisation,
    actor: User,
    values: dict[str, Any],
    student: Student | None = None,
) -> Student:
    """Create a student of ``organisation`` or change one; a new student has no class until
    an enrolment order («Зачисление») puts them in one."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {
        name: _text(values, name, limit, errors) for name, limit in STUDENT_TEXT_FIELDS.items()
    }
    if not clean["last_name"]:
        errors.setdefault("last_name", []).append(_("Фамилия: обязательное поле."))
    if not clean["first_name"]:
        errors.setdefault("first_name", []).append(_("Имя: обязательное поле."))
    birth_date = _date_field(
        values.get("birth_date"),
        name="birth_date",
        label=_("Дата рождения"),
        errors=errors,
        required=True,
    )
    today = clock.today()
    if birth_date and not (today.replace(year=today.year - 30) <= birth_date < today):
        errors.setdefault("birth_date", []).append(
            _("Дата рождения: проверьте год — обучающемуся не может быть столько лет.")
        )
    sex = str(values.get("sex") or "")
    if sex not in Sex.values:
        errors.setdefault("sex", []).append(_("Пол: выберите «Муж.» или «Жен.»."))
    clean["snils"] = _snils_clean(values.get("snils"), name="snils", errors=errors)
    if clean["snils"] and "snils" not in errors:
        twin = Student.objects.filter(snils=clean["snils"])
        if student is not None:
            twin = twin.exclude(pk=student.pk)
        if twin.exists():
            errors.setdefault("snils", []).append(
                _("СНИЛС: обучающийся с таким СНИЛС уже есть в системе.")
            )
    kind = str(values.get("id_doc_kind") or "")
    if kind and kind not in IdDocumentKind.values:
        errors.setdefault("id_doc_kind", []).append(_("Вид документа: выберите из списка."))
    issued_on = _date_field(
        values.get("id_doc_issued_on"),
        name="id_doc_issued_on",
        label=_("Дата выдачи документа"),
        errors=errors,
        required=False,
    )
    if issued_on and birth_date and issued_on < birth_date:
        errors.setdefault("id_doc_issued_on", []).append(
            _("Дата выдачи документа не может быть раньше даты рождения.")
        )
    if issued_on and issued_on > today:
        errors.setdefault("id_doc_issued_on", []).append(
            _("Дата выдачи документа не может быть в будущем.")
        )
    if (clean["id_doc_number"] or clean["id_doc_series"]) and not kind:
        errors.setdefault("id_doc_kind", []).append(
            _("Вид документа: укажите, что это за документ.")
        )
    if errors:
        raise ValidationError(errors)
    fields = {
        **clean,
        "birth_date": birth_date,
        "sex": sex,
        "id_doc_kind": kind,
        "id_doc_issued_on": issued_on,
        "special_needs": bool(values.get("special_needs")),
    }
    created = student is None
    if student is None:
        student = Student.objects.create(organisation=organisation, **fields)
        changed = sorted(k for k, v in fields.items() if v not in ("", None, False))
    else:
        changed = sorted(k for k, v in fields.items() if getattr(student, k) != v)
        for key, value in fields.items():
            setattr(student, key, value)
        student.save(update_fields=list(fields))
    audit_record(
        kind=AuditEvent.Kind.STUDENT_CHANGE,
        actor=actor,
        subject_user=student.user,
        organisation=organisation,
        username=getattr(student.user, "username", "") or "",
        details={
            "student_id": student.pk,
            "student": student.full_name,
            "created": created,
            "fields": changed,
            "summary": (
                _("Новый обучающийся: %(name)s") if created else _("Изменены данные: %(name)s")
            )
            % {"name": student.full_name},
        },
    )
    return student


# --- orders: enrolment, transfer, expulsion ---------------------------------------------


def _order_inputs(
    *,
    organisation: Organisation,
    student: Student,
    date: Any,
    order_number: str,
    class_unit_id: Any,
    need_class: bool,
) -> tuple[dt.date, str, ClassUnit | None, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    order_number = str(order_number or "").strip()
    if not order_number:
        errors["order_number"] = [_("Номер приказа: обязательное поле.")]
    elif len(order_number) > 50:
        errors["order_number"] = [_("Номер приказа: не длиннее 50 символов.")]
    day = _date_field(date, name="date", label=_("Дата приказа"), errors=errors, required=True)
    class_unit = None
    if need_class:
        class_id = (
            class_unit_id if isinstance(class_unit_id, int) else params.parse_id(class_unit_id)
        )
        if class_id is None:
            errors["class_unit"] = [_("Класс: выберите класс.")]
        else:
            class_unit = (
                ClassUnit.objects.select_related("parallel__academic_year")
                .filter(id=class_id, parallel__organisation=organisation)
                .first()
            )
            if class_unit is None:
                errors["class_unit"] = [_("Класс: выберите класс своей школы из списка.")]
    # The year whose dates bound the order: the new class's year, else the current class's.
    year_class = class_unit or student.current_class
    if day and year_class is not None:
        year = year_class.parallel.academic_year
        if not (year.start <= day <= year.end):
            errors.setdefault("date", []).append(
                _("Дата приказа должна быть внутри учебного года %(year)s (%(start)s — %(end)s).")
                % {"year": year.name, "start": _day(year.start), "end": _day(year.end)}
            )
    last = Enrolment.objects.filter(student=student).order_by("-date", "-id").first()
    if day and last is not None and day < last.date:
        errors.setdefault("date", []).append(
            _(
                "Дата приказа не может быть раньше последней записи истории обучения "
                "(%(date)s, «%(action)s»)."
            )
            % {"date": _day(last.date), "action": last.get_action_display()}
        )
    assert day is not None or errors
    return day, order_number, class_unit, errors  # type: ignore[return-value]


def _order_audit(
    *, actor: User, organisation: Organisation, student: Student, enrolment: Enrolment, **extra: Any
) -> None:
    audit_record(
        kind=AuditEvent.Kind.ENROLMENT,
        actor=actor,
        subject_user=student.user,
        organisation=organisation,
        username=getattr(student.user, "username", "") or "",
        details={
            "student_id": student.pk,
            "student": student.full_name,
            "action": enrolment.action,
            "order_number": enrolment.order_number,
            "date": enrolment.date.isoformat(),
            "class": enrolment.class_unit.name if enrolment.class_unit else "",
            "summary": _("%(action)s: %(name)s%(classes)s, приказ № %(number)s от %(date)s")
            % {
                "action": enrolment.get_action_display(),
                "name": student.full_name,
                "classes": ", "
                + " → ".join(
                    c
                    for c in (
                        extra.get("from_class", ""),
                        enrolment.class_unit.name if enrolment.class_unit else "",
                    )
                    if c
                ),
                "number": enrolment.order_number,
                "date": _day(enrolment.date),
            },
            **extra,
        },
    )


@transaction.atomic
def student_enrol(
    *,
    organisation: Organisation,
    actor: User,
    student: Student,
    class_unit_id: Any,
    date: Any,
    order_number: str,
) -> Enrolment:
    """«Зачисление»: a student without a class comes into one of the school's classes."""
    student = Student.objects.select_for_update().get(pk=student.pk)
    day, number, class_unit, errors = _order_inputs(
        organisation=organisation,
        student=student,
        date=date,
        order_number=order_number,
        class_unit_id=class_unit_id,
        need_class=True,
    )
    if student.current_class_id is not None:
        errors.setdefault("class_unit", []).append(
            _("Обучающийся уже зачислен в %(class)s: для смены класса оформите перевод.")
            % {"class": student.current_class}
        )
    if errors:
        raise ValidationError(errors)
    enrolment = enrolment_record(
        student=student,
        action=EnrolmentAction.ADMIT,
        date=day,
        order_number=number,
        class_unit=class_unit,
        organisation=organisation,
    )
    _order_audit(actor=actor, organisation=organisation, student=student, enrolment=enrolment)
    return enrolment


@transaction.atomic
def student_transfer(
    *,
    organisation: Organisation,
    actor: User,
    student: Student,
    class_unit_id: Any,
    date: Any,
    order_number: str,
) -> Enrolment:
    """«Перевод»: the old class's membership ends on the order date and the new one starts;
    the old class's subgroups let the student go."""
    student = Student.objects.select_for_update().get(pk=student.pk)
    old_class = student.current_class
    day, number, class_unit, errors = _order_inputs(
        organisation=organisation,
        student=student,
        date=date,
        order_number=order_number,
        class_unit_id=class_unit_id,
        need_class=True,
    )
    if old_class is None:
        errors.setdefault("class_unit", []).append(
            _("Обучающийся не зачислен ни в один класс: сначала оформите зачисление.")
        )
    elif class_unit is not None and class_unit.pk == old_class.pk:
        errors.setdefault("class_unit", []).append(
            _("Класс: обучающийся уже учится в %(class)s, выберите другой класс.")
            % {"class": old_class}
        )
    if errors:
        raise ValidationError(errors)
    assert old_class is not None
    enrolment = enrolment_record(
        student=student,
        action=EnrolmentAction.TRANSFER,
        date=day,
        order_number=number,
        class_unit=class_unit,
        organisation=organisation,
    )
    for group in StudyGroup.objects.filter(
        kind=StudyGroup.Kind.SUBGROUP, class_unit=old_class, students=student
    ):
        group.students.remove(student)
    _order_audit(
        actor=actor,
        organisation=organisation,
        student=student,
        enrolment=enrolment,
        from_class=old_class.name,
    )
    return enrolment


@transaction.atomic
def student_expel(
    *,
    organisation: Organisation,
    actor: User,
    student: Student,
    date: Any,
    order_number: str,
) -> Enrolment:
    """«Отчисление» (выбытие): the student leaves the class and the school's current roster;
    the history keeps every line."""
    student = Student.objects.select_for_update().get(pk=student.pk)
    old_class = student.current_class
    day, number, _class, errors = _order_inputs(
        organisation=organisation,
        student=student,
        date=date,
        order_number=order_number,
        class_unit_id=None,
        need_class=False,
    )
    if old_class is None:
        errors.setdefault("student", []).append(
            _("Обучающийся не зачислен ни в один класс — отчислять некого.")
        )
    if errors:
        raise ValidationError(errors)
    assert old_class is not None
    enrolment = enrolment_record(
        student=student,
        action=EnrolmentAction.EXPEL,
        date=day,
        order_number=number,
        organisation=organisation,
    )
    for group in StudyGroup.objects.filter(students=student, organisation=organisation):
        group.students.remove(student)
    _order_audit(
        actor=actor,
        organisation=organisation,
        student=student,
        enrolment=enrolment,
        from_class=old_class.name,
    )
    return enrolment


# --- legal representatives --------------------------------------------------------------


@transaction.atomic
def guardian_attach(
    *, organisation: Organisation, actor: User, student: Student, values: dict[str, Any]
) -> Guardianship:
    """Link a legal representative to the student. A representative with the same СНИЛС is
    the same person: their record is reused, never duplicated."""
    errors: dict[str, list[str]] = {}
    kind = str(values.get("kind") or "")
    if kind not in RepresentativeKind.values:
        errors["kind"] = [_("Кем приходится: выберите из списка.")]
    names = {
        name: _text(values, name, 150, errors)
        for name in ("last_name", "first_name", "middle_name")
    }
    if not names["last_name"]:
        errors.setdefault("last_name", []).append(_("Фамилия: обязательное поле."))
    if not names["first_name"]:
        errors.setdefault("first_name", []).append(_("Имя: обязательное поле."))
    phone = ""
    try:
        phone = phone_normalise(str(values.get("phone") or ""))
    except ValidationError as error:
        errors.setdefault("phone", []).extend(
            _("Телефон: %(error)s") % {"error": m} for m in error.messages
        )
    email = str(values.get("email") or "").strip()
    if len(email) > 254:
        errors.setdefault("email", []).append(_("E-mail: не длиннее 254 символов."))
    elif email:
        try:
            EmailValidator()(email)
        except ValidationError:
            errors.setdefault("email", []).append(
                _("E-mail: адрес указан неверно, например ivanova@mail.ru.")
            )
    snils = _snils_clean(values.get("snils"), name="snils", errors=errors)
    if errors:
        raise ValidationError(errors)
    guardian = Guardian.objects.filter(snils=snils).first() if snils else None
    created = guardian is None
    if guardian is None:
        guardian = Guardian.objects.create(**names, phone=phone, email=email, snils=snils)
    if Guardianship.objects.filter(guardian=guardian, student=student).exists():
        raise ValidationError({"snils": [_("Этот представитель уже связан с обучающимся.")]})
    link = Guardianship.objects.create(guardian=guardian, student=student, kind=kind)
    audit_record(
        kind=AuditEvent.Kind.GUARDIAN_CHANGE,
        actor=actor,
        subject_user=guardian.user,
        organisation=organisation,
        username=getattr(guardian.user, "username", "") or "",
        details={
            "student_id": student.pk,
            "student": student.full_name,
            "guardian": guardian.full_name,
            "kind": kind,
            "linked": True,
            "guardian_created": created,
            "summary": _("%(guardian)s (%(kind)s) связан(а) с обучающимся %(name)s")
            % {
                "guardian": guardian.full_name,
                "kind": link.get_kind_display(),
                "name": student.full_name,
            },
        },
    )
    return link


@transaction.atomic
def guardian_detach(*, organisation: Organisation, actor: User, guardianship: Guardianship) -> None:
    """Unlink a representative from one student; the person's record and account stay."""
    guardian, student = guardianship.guardian, guardianship.student
    audit_record(
        kind=AuditEvent.Kind.GUARDIAN_CHANGE,
        actor=actor,
        subject_user=guardian.user,
        organisation=organisation,
        username=getattr(guardian.user, "username", "") or "",
        details={
            "student_id": student.pk,
            "student": student.full_name,
            "guardian": guardian.full_name,
            "kind": guardianship.kind,
            "linked": False,
            "summary": _("%(guardian)s больше не связан(а) с обучающимся %(name)s")
            % {"guardian": guardian.full_name, "name": student.full_name},
        },
    )
    guardianship.delete()
    people_cache_drop([guardian.user_id])  # the parent's child switcher


# --- staff ------------------------------------------------------------------------------


def _role_inputs(roles: list[str], specialist_kind: str, errors: dict[str, list[str]]) -> list[str]:
    chosen = [r for r in dict.fromkeys(roles) if r]
    if not chosen:
        errors.setdefault("roles", []).append(_("Роли: отметьте хотя бы одну роль."))
    elif any(r not in {str(x) for x in ORGANISATION_ROLES} for r in chosen):
        errors.setdefault("roles", []).append(_("Роли: выберите роли из списка."))
    if specialist_kind and specialist_kind not in SpecialistKind.values:
        errors.setdefault("specialist_kind", []).append(_("Специальность: выберите из списка."))
    elif Role.SPECIALIST in chosen and not specialist_kind:
        errors.setdefault("specialist_kind", []).append(
            _("Специальность: укажите для роли «Специалист».")
        )
    return chosen


@transaction.atomic
def staff_create(
    *,
    organisation: Organisation,
    actor: User,
    values: dict[str, Any],
    roles: list[str],
) -> tuple[User, str]:
    """A member of staff with an account and roles in the school. Returns the account and
    its one-time password, to be shown once and changed at the first sign-in."""
    errors: dict[str, list[str]] = {}
    names = {
        name: _text(values, name, 150, errors)
        for name in ("last_name", "first_name", "middle_name")
    }
    if not names["last_name"]:
        errors.setdefault("last_name", []).append(_("Фамилия: обязательное поле."))
    if not names["first_name"]:
        errors.setdefault("first_name", []).append(_("Имя: обязательное поле."))
    username = _text(values, "username", 150, errors)
    for message in login_errors(username):
        errors.setdefault("username", []).append(_("Логин: %(error)s") % {"error": message})
    email = str(values.get("email") or "").strip()
    if len(email) > 254:
        errors.setdefault("email", []).append(_("E-mail: не длиннее 254 символов."))
    elif email:
        try:
            EmailValidator()(email)
        except ValidationError:
            errors.setdefault("email", []).append(
                _("E-mail: адрес указан неверно, например ivanova@mail.ru.")
            )
    phone = ""
    try:
        phone = phone_normalise(str(values.get("phone") or ""))
    except ValidationError as error:
        errors.setdefault("phone", []).extend(
            _("Телефон: %(error)s") % {"error": m} for m in error.messages
        )
    specialist_kind = str(values.get("specialist_kind") or "")
    chosen = _role_inputs(roles, specialist_kind, errors)
    if errors:
        raise ValidationError(errors)
    password = temporary_password()
    try:
        user = user_create(
            username=username,
            password=password,
            email=email,
            phone=phone,
            last_name=names["last_name"],
            first_name=names["first_name"],
            middle_name=names["middle_name"],
        )
    except ValidationError as error:
        raise ValidationError(
            {"username": [_("Логин: %(error)s") % {"error": m} for m in error.messages]}
        ) from error
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    audit_record(
        kind=AuditEvent.Kind.STAFF_CREATE,
        actor=actor,
        subject_user=user,
        organisation=organisation,
        details={
            "roles": chosen,
            "summary": _("%(name)s: %(roles)s")
            % {"name": user.full_name, "roles": ", ".join(str(Role(r).label) for r in chosen)},
        },
    )
    for role in chosen:
        role_grant(
            user=user,
            role=role,
            organisation=organisation,
            specialist_kind=specialist_kind if role == Role.SPECIALIST else "",
            actor=actor,
        )
    return user, password


@transaction.atomic
def staff_role_add(
    *,
    organisation: Organisation,
    actor: User,
    user: User,
    role: str,
    specialist_kind: str = "",
) -> RoleAssignment:
    errors: dict[str, list[str]] = {}
    chosen = _role_inputs([role], specialist_kind, errors)
    if "roles" in errors:
        errors["role"] = errors.pop("roles")
    if (
        not errors
        and RoleAssignment.objects.filter(
            user=user, organisation=organisation, role=chosen[0]
        ).exists()
    ):
        errors["role"] = [_("Роль: эта роль у сотрудника уже есть.")]
    if errors:
        raise ValidationError(errors)
    return role_grant(
        user=user,
        role=chosen[0],
        organisation=organisation,
        specialist_kind=specialist_kind if chosen[0] == Role.SPECIALIST else "",
        actor=actor,
    )


@transaction.atomic
def staff_role_end(*, organisation: Organisation, actor: User, assignment: RoleAssignment) -> None:
    """A role ends; the account stays (the person may hold other roles or come back)."""
    if assignment.organisation_id != organisation.pk:
        raise ValidationError({"role": _("Эта роль не в вашей школе.")})
    if assignment.user_id == actor.pk and assignment.role in {
        Role.CURATOR,
        Role.DIRECTOR,
        Role.DEPUTY,
    }:
        remaining = RoleAssignment.objects.filter(
            user=actor,
            organisation=organisation,
            role__in=[Role.CURATOR, Role.DIRECTOR, Role.DEPUTY],
        ).exclude(pk=assignment.pk)
        if not remaining.exists():
            raise ValidationError(
                {
                    "role": _(
                        "Нельзя снять с себя последнюю административную роль: "
                        "попросите другого администратора школы."
                    )
                }
            )
    role_revoke(assignment=assignment, actor=actor)


__all__ = [
    "guardian_attach",
    "guardian_detach",
    "staff_create",
    "staff_role_add",
    "staff_role_end",
    "student_enrol",
    "student_expel",
    "student_save",
    "student_transfer",
]
