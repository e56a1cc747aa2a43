"""Writes of the portfolio. Every function is keyword-only, atomic and validates its input,
raising ValidationError with Russian messages naming the field."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from shkola.core import clock
from shkola.core import uploads as file_checks
from shkola.schools.models import Organisation, Student, Subject

from .models import (
    CATEGORY_FIELDS,
    PRESENCE_CATEGORIES,
    ROUND_CATEGORIES,
    Achievement,
    AchievementFile,
    AchievementRound,
    Category,
    Club,
    ClubDirection,
    ClubKind,
    Diagnostic,
    DiagnosticKind,
    FileRole,
    Level,
    Place,
    PointsItem,
    PointsRule,
    Stage,
    Status,
    StudentChange,
    TestingResult,
)

# ---------------------------------------------------------------- student card (E1)

IDENTITY_FIELDS = ("last_name", "first_name", "middle_name", "birth_date")
CARD_FIELDS = (*IDENTITY_FIELDS, "email", "sex", "special_needs")
FIELD_LABELS = {
    "last_name": "Фамилия",
    "first_name": "Имя",
    "middle_name": "Отчество",
    "birth_date": "Дата рождения",
    "email": "E-mail",
    "sex": "Пол",
    "special_needs": "ОВЗ",
    "photo": "Фото",
}


def _display(field_name: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, bool):
        return _("да") if value else _("нет")
    if field_name == "sex":
        return {"m": _("Муж."), "f": _("Жен.")}.get(value, value)
    return str(value)


@transaction.atomic
def student_card_update(
    *,
    student: Student,
    by: Any,
    data: dict[str, Any],
    may_edit_identity: bool,
    may_edit_special_needs: bool = False,
    photo: UploadedFile | None = None,
) -> list[StudentChange]:
    """Change the card; every changed field is written to the card's history. Name and birth
    date are refused when the editor may not change them (a student about themself), «ОВЗ»
    unless the school changes it."""
    errors: dict[str, str] = {}
    new: dict[str, Any] = {}
    for name in CARD_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name in IDENTITY_FIELDS and not may_edit_identity:
            if value != getattr(student, name):
                errors[name] = _("Поле «%(f)s» может изменить только школа.") % {
                    "f": FIELD_LABELS[name]
                }
            continue
        if name == "special_needs" and not may_edit_special_needs:
            if bool(value) != student.special_needs:
                errors[name] = _("Поле «%(f)s» может изменить только школа.") % {
                    "f": FIELD_LABELS[name]
                }
            continue
        new[name] = value
    for name in ("last_name", "first_name"):
        if name in new and not str(new[name]).strip():
            errors[name] = _("Заполните поле «%(f)s».") % {"f": FIELD_LABELS[name]}
    if "birth_date" in new:
        born = new["birth_date"]
        if not isinstance(born, dt.date):
            errors["birth_date"] = _("Укажите дату рождения.")
        elif born >= clock.today() or born.year < 1990:
            errors["birth_date"] = _("Дата рождения указана неверно.")
    if new.get("email"):
        try:
            validate_email(new["email"])
        except ValidationError:
            errors["email"] = _("Неверный адрес e-mail.")
    if "sex" in new and new["sex"] not in ("m", "f"):
        errors["sex"] = _("Выберите пол: «Муж.» или «Жен.».")
    checked = None
    if photo is not None:
        try:
            checked = file_checks.check_upload(photo, field="photo", image_only=True)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    now = clock.now()
    changes: list[StudentChange] = []
    for name, value in new.items():
        if isinstance(value, str):
            value = value.strip()
        old = getattr(student, name)
        if old == value:
            continue
        changes.append(
            StudentChange(
                student=student,
                changed_by=by,
                changed_at=now,
                field=name,
                field_label=FIELD_LABELS[name],
                old_value=_display(name, old)[:300],
                new_value=_display(name, value)[:300],
            )
        )
        setattr(student, name, value)
    if checked is not None:
        student.photo.save(checked.name, checked.upload, save=False)
        changes.append(
            StudentChange(
                student=student,
                changed_by=by,
                changed_at=now,
                field="photo",
                field_label=FIELD_LABELS["photo"],
                old_value="",
                new_value=checked.name[:300],
            )
        )
    if changes:
        student.save()
        StudentChange.objects.bulk_create(changes)
    return changes


# ---------------------------------------------------------------- clubs (E2)


def _clean_year(value: str, field_name: str = "year") -> str:
    """«2025/2026» or a single year «2025»."""
    value = (value or "").strip().replace("-", "/")
    parts = value.split("/")
    ok = (
        all(p.isascii() and p.isdigit() and len(p) == 4 for p in parts)
        and 1 <= len(parts) <= 2
        and (len(parts) == 1 or int(parts[1]) == int(parts[0]) + 1)
    )
    if not ok or not 2000 <= int(parts[0]) <= clock.today().year + 1:
        raise ValidationError(
            {field_name: _("Год: укажите как «2025» или учебный год «2025/2026».")}
        )
    return value


def _clean_club(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    cleaned = {k: str(data.get(k, "") or "").strip() for k in (
        "kind", "direction", "year", "name", "organisation_name", "teacher_name"
    )}  # fmt: skip
    if cleaned["kind"] not in ClubKind.values:
        errors["kind"] = _("Выберите тип.")
    if cleaned["direction"] not in ClubDirection.values:
        errors["direction"] = _("Выберите направленность.")
    if not cleaned["name"]:
        errors["name"] = _("Заполните «Наименование».")
    if not cleaned["organisation_name"]:
        errors["organisation_name"] = _("Заполните «Организация».")
    try:
        cleaned["year"] = _clean_year(cleaned["year"])
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def club_create(*, student: Student, by: Any, data: dict[str, Any]) -> Club:
    return Club.objects.create(student=student, created_by=by, **_clean_club(data))


@transaction.atomic
def club_update(*, club: Club, data: dict[str, Any]) -> Club:
    for key, value in _clean_club(data).items():
        setattr(club, key, value)
    club.save()
    return club


@transaction.atomic
def club_delete(*, club: Club) -> None:
    club.delete()


# ---------------------------------------------------------------- achievements (E3, E4, E9–E11)

TEXT_FIELDS = (
    "work_type", "work_kind", "sport_kind", "name", "year", "level", "subject", "result",
    "teacher_name", "comment",
)  # fmt: skip
REQUIRED = {"name": "Наименование", "year": "Год"}


def _clean_achievement(category: str, data: dict[str, Any]) -> dict[str, Any]:
    if category not in Category.values:
        raise ValidationError({"category": _("Выберите раздел портфолио.")})
    allowed = CATEGORY_FIELDS[category]
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        cleaned[name] = str(data.get(name, "") or "").strip() if name in allowed else ""
    for name, label in REQUIRED.items():
        if not cleaned[name]:
            label_ = "Мероприятие" if category == Category.OLYMPIAD and name == "name" else label
            errors[name] = _("Заполните «%(f)s».") % {"f": label_}
    if cleaned["year"]:
        try:
            cleaned["year"] = _clean_year(cleaned["year"])
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if cleaned["level"] and cleaned["level"] not in Level.values:
        errors["level"] = _("Выберите уровень из списка.")
    if category == Category.SPORT and not cleaned["sport_kind"]:
        errors["sport_kind"] = _("Заполните «Вид спорта».")
    if category in PRESENCE_CATEGORIES:
        cleaned["present"] = bool(data.get("present", True))
        cleaned["defended"] = bool(data.get("defended", False))
    else:
        cleaned["present"], cleaned["defended"] = True, False
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_rounds(category: str, rounds: dict[str, str] | None) -> dict[str, str]:
    rounds = {k: v for k, v in (rounds or {}).items() if v}
    if rounds and category not in ROUND_CATEGORIES:
        raise ValidationError({"rounds": _("У этого вида достижений нет туров.")})
    for stage, place in rounds.items():
        if stage not in Stage.values:
            raise ValidationError({"rounds": _("Неизвестный тур «%(s)s».") % {"s": stage}})
        if place not in Place.values:
            raise ValidationError({f"round_{stage}": _("Место: 1, 2, 3 или «у» (участие).")})
    return rounds


def _check_files(
    achievement: Achievement | None, uploads: list[tuple[str, UploadedFile]]
) -> list[tuple[str, file_checks.CheckedFile]]:
    checked: list[tuple[str, file_checks.CheckedFile]] = []
    errors: dict[str, list[str]] = {}
    for role, upload in uploads:
        if role not in FileRole.values:
            raise ValidationError({"files": _("Неизвестное назначение файла.")})
        field_name = {"cover": "cover", "photo": "photos", "file": "files"}[role]
        try:
            checked.append(
                (
                    role,
                    file_checks.check_upload(
                        upload, field=field_name, image_only=role != FileRole.FILE
                    ),
                )
            )
        except ValidationError as exc:
            for k, v in exc.message_dict.items():
                errors.setdefault(k, []).extend(v)
    if errors:
        raise ValidationError(errors)
    existing = 0
    if achievement is not None and achievement.pk:
        existing = sum(f.size for f in achievement.files.all())
    total = existing + sum(c.size for _r, c in checked)
    if total > file_checks.max_total_bytes():
        raise ValidationError(
            {
                "files": _("Все файлы достижения вместе — больше %(mb)s МБ.")
                % {"mb": file_checks.max_total_bytes() // (1024 * 1024)}
            }
        )
    return checked


def _store_files(
    achievement: Achievement,
    checked: list[tuple[str, file_checks.CheckedFile]],
    by: Any,
) -> None:
    if any(role == FileRole.COVER for role, _c in checked):
        for old in achievement.files.filter(role=FileRole.COVER):
            _delete_stored(old)
    for role, item in checked:
        record = AchievementFile(
            achievement=achievement,
            role=role,
            name=item.name,
            size=item.size,
            content_type=item.content_type,
            is_image=item.is_image,
            uploaded_by=by,
        )
        record.file.save(item.name, item.upload, save=False)
        if item.thumbnail is not None:
            record.thumbnail.save(item.thumbnail.name or "thumb.jpg", item.thumbnail, save=False)
        record.save()


def _delete_stored(record: AchievementFile) -> None:
    storage_files = [f for f in (record.file, record.thumbnail) if f]
    record.delete()
    for stored in storage_files:
        transaction.on_commit(_deleter(stored.storage, stored.name or ""))


def _deleter(storage: Any, name: str) -> Any:
    """Remove the stored file only once the row is gone for good."""

    def delete() -> None:
        storage.delete(name)

    return delete


@transaction.atomic
def achievement_create(
    *,
    student: Student,
    by: Any,
    category: str,
    data: dict[str, Any],
    confirmed: bool,
    rounds: dict[str, str] | None = None,
    uploads: list[tuple[str, UploadedFile]] | None = None,
) -> Achievement:
    """Add an achievement. ``confirmed`` when a teacher adds it; a family's entry is «н/п»."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    clean_rounds: dict[str, str] = {}
    checked: list[tuple[str, file_checks.CheckedFile]] = []
    for step in ("fields", "rounds", "files"):
        try:
            if step == "fields":
                cleaned = _clean_achievement(category, data)
            elif step == "rounds":
                clean_rounds = _clean_rounds(category, rounds)
            else:
                checked = _check_files(None, uploads or [])
        except ValidationError as exc:
            for k, v in exc.message_dict.items():
                errors.setdefault(k, []).extend(v)
    if errors:
        raise ValidationError(errors)
    achievement = Achievement.objects.create(
        student=student,
        category=category,
        created_by=by,
        status=Status.CONFIRMED if confirmed else Status.PENDING,
        reviewed_by=by if confirmed else None,
        reviewed_at=clock.now() if confirmed else None,
        **cleaned,
    )
    AchievementRound.objects.bulk_create(
        AchievementRound(achievement=achievement, stage=s, place=p) for s, p in clean_rounds.items()
    )
    _store_files(achievement, checked, by)
    return achievement


@transaction.atomic
def achievement_update(
    *,
    achievement: Achievement,
    by: Any,
    data: dict[str, Any],
    by_reviewer: bool,
    rounds: dict[str, str] | None = None,
    uploads: list[tuple[str, UploadedFile]] | None = None,
) -> Achievement:
    """Edit an achievement. A change by the family sends a confirmed one back to «н/п»:
    what counts in the rating is what a teacher saw."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    clean_rounds: dict[str, str] = {}
    checked: list[tuple[str, file_checks.CheckedFile]] = []
    for step in ("fields", "rounds", "files"):
        try:
            if step == "fields":
                cleaned = _clean_achievement(achievement.category, data)
            elif step == "rounds":
                clean_rounds = _clean_rounds(achievement.category, rounds)
            else:
                checked = _check_files(achievement, uploads or [])
        except ValidationError as exc:
            for k, v in exc.message_dict.items():
                errors.setdefault(k, []).extend(v)
    if errors:
        raise ValidationError(errors)
    for key, value in cleaned.items():
        setattr(achievement, key, value)
    if not by_reviewer:
        achievement.status = Status.PENDING
        achievement.reviewed_by = None
        achievement.reviewed_at = None
        achievement.reject_reason = ""
    achievement.save()
    if rounds is not None:
        achievement.rounds.all().delete()
        AchievementRound.objects.bulk_create(
            AchievementRound(achievement=achievement, stage=s, place=p)
            for s, p in clean_rounds.items()
        )
    _store_files(achievement, checked, by)
    return achievement


@transaction.atomic
def achievement_delete(*, achievement: Achievement) -> None:
    for record in list(achievement.files.all()):
        _delete_stored(record)
    achievement.delete()


@transaction.atomic
def achievement_round_set(
    *, achievement: Achievement, stage: str, place: str, by_reviewer: bool
) -> Achievement:
    """Set (or with an empty place remove) the result of one round."""
    if not achievement.has_rounds:
        raise ValidationError({"stage": _("У этого вида достижений нет туров.")})
    if stage not in Stage.values:
        raise ValidationError({"stage": _("Неизвестный тур.")})
    if place and place not in Place.values:
        raise ValidationError({"place": _("Место: 1, 2, 3 или «у» (участие).")})
    if place:
        AchievementRound.objects.update_or_create(
            achievement=achievement, stage=stage, defaults={"place": place}
        )
    else:
        AchievementRound.objects.filter(achievement=achievement, stage=stage).delete()
    if not by_reviewer:
        _back_to_pending(achievement)
    return achievement


def _back_to_pending(achievement: Achievement) -> None:
    """What counts in the rating is what a teacher saw: a change by the family sends the
    achievement back to «н/п»."""
    if achievement.status == Status.PENDING:
        return
    achievement.status = Status.PENDING
    achievement.reviewed_by = None
    achievement.reviewed_at = None
    achievement.reject_reason = ""
    achievement.save(update_fields=["status", "reviewed_by", "reviewed_at", "reject_reason"])


@transaction.atomic
def achievement_file_delete(*, record: AchievementFile, by_reviewer: bool) -> None:
    """Remove one file. Taking a diploma away from a confirmed achievement is a change like
    any edit: without a reviewer's hand it goes back to «н/п»."""
    achievement = record.achievement
    _delete_stored(record)
    if not by_reviewer:
        _back_to_pending(achievement)


@transaction.atomic
def achievement_confirm(*, achievement: Achievement, by: Any) -> Achievement:
    achievement.status = Status.CONFIRMED
    achievement.reject_reason = ""
    achievement.reviewed_by = by
    achievement.reviewed_at = clock.now()
    achievement.save(update_fields=["status", "reject_reason", "reviewed_by", "reviewed_at"])
    _notify_review(achievement)
    return achievement


def _notify_review(achievement: Achievement) -> None:
    """F6: the student and their guardians hear that an achievement was confirmed or
    returned (with the reason)."""
    from django.urls import reverse

    from shkola.notifications.services import family_user_ids, notify

    student = achievement.student
    if achievement.status == Status.CONFIRMED:
        title = _("Достижение подтверждено: %(name)s") % {"name": achievement.name}
        text = student.short_name
    else:
        title = _("Достижение возвращено: %(name)s") % {"name": achievement.name}
        text = _("%(student)s. Причина: %(reason)s") % {
            "student": student.short_name,
            "reason": achievement.reject_reason,
        }
    notify(
        kind="achievement",
        user_ids=family_user_ids([student.pk]).get(student.pk, set()),
        title=title[:300],
        text=text,
        url=reverse("portfolio:card", args=[student.pk]),
        student_id=student.pk,
    )


@transaction.atomic
def achievement_reject(*, achievement: Achievement, by: Any, reason: str) -> Achievement:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Укажите причину отклонения.")})
    achievement.status = Status.REJECTED
    achievement.reject_reason = reason[:500]
    achievement.reviewed_by = by
    achievement.reviewed_at = clock.now()
    achievement.save(update_fields=["status", "reject_reason", "reviewed_by", "reviewed_at"])
    _notify_review(achievement)
    return achievement


# ---------------------------------------------------------------- points table (E9)

# What a school gets before its administration changes anything.
DEFAULT_STAGE_POINTS = {
    Stage.SCHOOL: {"1": 10, "2": 8, "3": 6, "у": 2},
    Stage.MUNICIPAL: {"1": 20, "2": 16, "3": 12, "у": 4},
    Stage.REGIONAL: {"1": 40, "2": 32, "3": 24, "у": 8},
    Stage.FINAL: {"1": 80, "2": 64, "3": 48, "у": 16},
}
DEFAULT_ITEM_POINTS = {PointsItem.PRESENCE: 5, PointsItem.DEFENCE: 10}


def points_key(category: str, stage: str = "", place: str = "", item: str = "") -> str:
    return f"{category}:{stage}:{place}:{item}"


def default_points() -> dict[str, int]:
    table: dict[str, int] = {}
    for category in Category.values:
        if category in ROUND_CATEGORIES:
            for stage, places in DEFAULT_STAGE_POINTS.items():
                for place, points in places.items():
                    table[points_key(category, stage, place)] = points
        else:
            for item, points in DEFAULT_ITEM_POINTS.items():
                table[points_key(category, item=item)] = points
    return table


@transaction.atomic
def points_table_save(*, organisation: Organisation, values: dict[str, Any]) -> int:
    """Store the whole table. Keys as ``points_key``; values 0..1000. The rating is computed
    from the table on every read, so it follows at once."""
    known = default_points()
    errors: dict[str, str] = {}
    clean: dict[str, int] = {}
    for key, raw in values.items():
        if key not in known:
            continue
        try:
            number = int(str(raw).strip())
        except ValueError:
            errors[key] = _("Баллы — целое число от 0 до 1000.")
            continue
        if not 0 <= number <= 1000:
            errors[key] = _("Баллы — целое число от 0 до 1000.")
            continue
        clean[key] = number
    if errors:
        raise ValidationError(errors)
    existing = {
        points_key(r.category, r.stage, r.place, r.item): r
        for r in PointsRule.objects.select_for_update().filter(organisation=organisation)
    }
    to_create, to_update = [], []
    for key, number in clean.items():
        if key in existing:
            if existing[key].points != number:
                existing[key].points = number
                to_update.append(existing[key])
        else:
            category, stage, place, item = key.split(":")
            to_create.append(
                PointsRule(
                    organisation=organisation,
                    category=category,
                    stage=stage,
                    place=place,
                    item=item,
                    points=number,
                )
            )
    PointsRule.objects.bulk_create(to_create)
    PointsRule.objects.bulk_update(to_update, ["points"])
    return len(to_create) + len(to_update)


# ---------------------------------------------------------------- diagnostics (E5)


def _decimal(value: Any, field_name: str, label: str) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError({field_name: _("«%(f)s» — число.") % {"f": label}}) from None
    if not number.is_finite() or number < 0 or number > 10000:
        raise ValidationError({field_name: _("«%(f)s» — число от 0.") % {"f": label}})
    return number


def _clean_tasks(tasks: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    clean = []
    for number, task in enumerate(tasks or [], start=1):
        score = _decimal(task.get("score", 0), "tasks", _("балл за задание"))
        top = _decimal(task.get("max", 1), "tasks", _("максимум за задание"))
        if top <= 0 or score > top:
            raise ValidationError(
                {"tasks": _("Задание %(n)s: балл больше максимума.") % {"n": number}}
            )
        clean.append(
            {
                "number": number,
                "kes": str(task.get("kes", "")).strip()[:20],
                "kt": str(task.get("kt", "")).strip()[:20],
                "score": float(score),
                "max": float(top),
            }
        )
    return clean


def parse_tasks(text: str) -> list[dict[str, Any]]:
    """«1.1:2.3:1:1 | 1.2:2.4:0:2» → tasks (КЭС:КТ:балл:максимум, one per «|»)."""
    tasks = []
    for number, chunk in enumerate((c for c in (text or "").split("|") if c.strip()), start=1):
        parts = [p.strip() for p in chunk.split(":")]
        if len(parts) != 4:
            raise ValidationError(
                {
                    "tasks": _("Задание %(n)s: ожидается «КЭС:КТ:балл:максимум», получено «%(t)s».")
                    % {"n": number, "t": chunk.strip()}
                }
            )
        tasks.append({"kes": parts[0], "kt": parts[1], "score": parts[2], "max": parts[3]})
    return tasks


def _validated_diagnostic(
    *,
    student: Student,
    kind: str,
    subject: Subject,
    date: dt.date,
    score: Any,
    max_score: Any,
    mark: str = "",
    tasks: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The cleaned fields of a diagnostic result, or ValidationError keyed by field."""
    errors: dict[str, str] = {}
    if kind not in DiagnosticKind.values:
        errors["kind"] = _("Выберите вид работы: контрольная, региональная, НИКО или ВПР.")
    if subject.organisation_id != student.organisation_id:
        errors["subject"] = _("Предмет не из школы обучающегося.")
    if not isinstance(date, dt.date):
        errors["date"] = _("Укажите дату.")
    elif date > clock.today():
        errors["date"] = _("Дата работы ещё не наступила.")
    mark = (mark or "").strip()
    if mark and mark not in ("5", "4", "3", "2"):
        errors["mark"] = _("Отметка: 5, 4, 3 или 2.")
    clean_score = clean_max = Decimal(0)
    clean_tasks: list[dict[str, Any]] = []
    try:
        clean_score = _decimal(score, "score", _("Балл"))
        clean_max = _decimal(max_score, "max_score", _("Максимальный балл"))
        if clean_max <= 0:
            errors["max_score"] = _("«Максимальный балл» больше нуля.")
        elif clean_score > clean_max:
            errors["score"] = _("«Балл» не может быть больше максимального.")
        clean_tasks = _clean_tasks(tasks)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return {
        "student": student,
        "kind": kind,
        "subject": subject,
        "date": date,
        "score": clean_score,
        "max_score": clean_max,
        "mark": mark,
        "tasks": clean_tasks,
    }


@transaction.atomic
def diagnostic_create(
    *,
    student: Student,
    by: Any,
    kind: str,
    subject: Subject,
    date: dt.date,
    score: Any,
    max_score: Any,
    mark: str = "",
    tasks: list[dict[str, Any]] | None = None,
) -> Diagnostic:
    values = _validated_diagnostic(
        student=student,
        kind=kind,
        subject=subject,
        date=date,
        score=score,
        max_score=max_score,
        mark=mark,
        tasks=tasks,
    )
    return Diagnostic.objects.create(**values, created_by=by)


IMPORT_COLUMNS = (
    "снилс", "фамилия", "имя", "класс", "вид", "предмет", "дата", "балл", "максимум",
    "отметка", "задания",
)  # fmt: skip
OPTIONAL_IMPORT_COLUMNS = ("снилс", "отметка", "задания")
KIND_WORDS = {
    "контрольная": DiagnosticKind.CONTROL,
    "диагностика": DiagnosticKind.CONTROL,
    "региональная": DiagnosticKind.REGIONAL,
    "нико": DiagnosticKind.NIKO,
    "впр": DiagnosticKind.VPR,
}
# Which column of the file an error of a field comes from, so the message can name it.
IMPORT_FIELD_COLUMNS = {
    "student": "снилс / фамилия, имя, класс",
    "kind": "вид",
    "subject": "предмет",
    "date": "дата",
    "score": "балл",
    "max_score": "максимум",
    "mark": "отметка",
    "tasks": "задания",
}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def refuse(self, line_no: int, exc: ValidationError) -> None:
        """One entry per bad field, naming its column: «столбец «балл»: …»."""
        for field_name, messages in exc.message_dict.items():
            column = IMPORT_FIELD_COLUMNS.get(field_name)
            for message in messages:
                if column:
                    message = _("столбец «%(c)s»: %(m)s") % {"c": column, "m": message}
                self.errors.append((line_no, message))


def diagnostics_import(
    *,
    organisation: Organisation,
    by: Any,
    text: str,
    may_import_for: Callable[[Student], bool] | None = None,
) -> ImportReport:
    """Import diagnostic results from CSV (``;`` or ``,``; header row with IMPORT_COLUMNS).

    All or nothing: with any bad row nothing is saved and every bad row is reported.
    Idempotent: a row for a student, kind, subject and date that already has a result
    replaces its score, maximum, mark and tasks, so a corrected file (or the same file
    twice) can be loaded again without duplicates. ``may_import_for`` says whose results
    this person may load (None: the whole school); a row for anyone else refuses the file."""
    report = ImportReport()
    text = text.lstrip("\ufeff")
    if not text.strip():
        report.errors.append((0, _("Файл пустой.")))
        return report
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader)]
    missing = [c for c in IMPORT_COLUMNS if c not in header and c not in OPTIONAL_IMPORT_COLUMNS]
    if missing:
        unknown = [h for h in header if h and h not in IMPORT_COLUMNS]
        message = _("в заголовке нет столбцов: %(c)s.") % {
            "c": ", ".join(f"«{m}»" for m in missing)
        }
        if unknown:
            message += " " + _("Неизвестные столбцы: %(c)s.") % {
                "c": ", ".join(f"«{u}»" for u in unknown)
            }
        report.errors.append((1, message))
        return report
    subjects = {s.name.lower(): s for s in Subject.objects.filter(organisation=organisation)}
    students = list(
        Student.objects.filter(organisation=organisation).select_related("current_class__parallel")
    )
    if may_import_for is not None:
        # A teacher looks up only the students they may load results for: a СНИЛС or name of
        # anyone else in the school gets the same «не найден» as one that does not exist, so
        # the file does not tell a teacher that a СНИЛС belongs to someone in the school.
        students = [s for s in students if may_import_for(s)]
    by_snils = {s.snils: s for s in students if s.snils}
    by_name: dict[tuple[str, str, str], list[Student]] = {}
    for s in students:
        class_name = s.current_class.name.lower() if s.current_class else ""
        by_name.setdefault((s.last_name.lower(), s.first_name.lower(), class_name), []).append(s)
    rows: list[tuple[int, dict[str, Any]]] = []
    seen: dict[tuple[int, str, int, dt.date], int] = {}
    for line_no, raw in enumerate(reader, start=2):
        if not any(cell.strip() for cell in raw):
            continue
        row = {header[i]: cell.strip() for i, cell in enumerate(raw) if i < len(header)}
        try:
            values = _import_row(
                row, subjects, by_snils, by_name, scoped=may_import_for is not None
            )
            student = values["student"]
            values = _validated_diagnostic(**values)
        except ValidationError as exc:
            report.refuse(line_no, exc)
            continue
        key = (student.id, values["kind"], values["subject"].id, values["date"])
        if key in seen:
            report.errors.append(
                (
                    line_no,
                    _(
                        "повторяет строку %(n)s: тот же обучающийся, вид, предмет и дата — "
                        "оставьте одну из них."
                    )
                    % {"n": seen[key]},
                )
            )
            continue
        seen[key] = line_no
        rows.append((line_no, values))
    if not rows and not report.errors:
        report.errors.append((0, _("В файле нет строк с данными.")))
    if report.errors:
        report.errors.sort(key=lambda error: error[0])
        return report
    with transaction.atomic():
        existing: dict[tuple[int, str, int, dt.date], Diagnostic] = {}
        for d in (
            Diagnostic.objects.select_for_update()
            .filter(
                student_id__in={key[0] for key in seen},
                date__in={key[3] for key in seen},
            )
            .order_by("-id")
        ):
            # Results duplicated before imports were idempotent: the oldest one is updated.
            existing[(d.student_id, d.kind, d.subject_id, d.date)] = d
        for _line_no, values in rows:
            key = (values["student"].id, values["kind"], values["subject"].id, values["date"])
            diagnostic = existing.get(key)
            if diagnostic is None:
                Diagnostic.objects.create(**values, created_by=by)
                report.created += 1
                continue
            for name in ("score", "max_score", "mark", "tasks"):
                setattr(diagnostic, name, values[name])
            diagnostic.save(update_fields=["score", "max_score", "mark", "tasks"])
            report.updated += 1
    return report


def _import_row(
    row: dict[str, str],
    subjects: dict[str, Subject],
    by_snils: dict[str, Student],
    by_name: dict[tuple[str, str, str], list[Student]],
    *,
    scoped: bool = False,
) -> dict[str, Any]:
    """A row's values by name; every field that cannot be read is reported at once."""
    errors: dict[str, str] = {}
    snils = "".join(ch for ch in row.get("снилс", "") if ch in "0123456789")
    student = by_snils.get(snils) if snils else None
    if student is None:
        key = (
            row.get("фамилия", "").lower(),
            row.get("имя", "").lower(),
            row.get("класс", "").lower(),
        )
        found = by_name.get(key, [])
        if len(found) == 1:
            student = found[0]
        else:
            name = f"{row.get('фамилия', '')} {row.get('имя', '')}".strip()
            if not name and snils:
                who = _("обучающийся со СНИЛС %(s)s") % {"s": row.get("снилс", "")}
            else:
                who = _("обучающийся «%(n)s», класс «%(c)s»") % {
                    "n": name,
                    "c": row.get("класс", ""),
                }
            if found:
                message = _("%(who)s: несколько совпадений — укажите СНИЛС.")
            elif scoped:
                message = _(
                    "%(who)s не найден среди ваших обучающихся. Результаты других "
                    "обучающихся загружает администрация школы, их классный руководитель или "
                    "учитель, который у них ведёт уроки."
                )
            else:
                message = _("%(who)s не найден.")
            errors["student"] = message % {"who": who}
    kind = KIND_WORDS.get(row.get("вид", "").lower())
    if kind is None:
        errors["kind"] = _("«%(v)s» — ожидается ВПР, НИКО, региональная или контрольная.") % {
            "v": row.get("вид", "")
        }
    subject = subjects.get(row.get("предмет", "").lower())
    if subject is None:
        errors["subject"] = _("предмет «%(v)s» не найден в школе.") % {"v": row.get("предмет", "")}
    date = None
    try:
        date = dt.datetime.strptime(row.get("дата", ""), "%d.%m.%Y").date()
    except ValueError:
        errors["date"] = _("«%(v)s» — ожидается дата ДД.ММ.ГГГГ.") % {"v": row.get("дата", "")}
    tasks: list[dict[str, Any]] = []
    try:
        tasks = parse_tasks(row.get("задания", ""))
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return {
        "student": student,
        "kind": kind,
        "subject": subject,
        "date": date,
        "score": row.get("балл", ""),
        "max_score": row.get("максимум", ""),
        "mark": row.get("отметка", ""),
        "tasks": tasks,
    }


# ---------------------------------------------------------------- testing (E7)


@transaction.atomic
def testing_result_create(
    *,
    student: Student,
    by: Any,
    topic: str,
    date: dt.date,
    subject: Subject,
    score: Any,
    max_score: Any,
    duration_minutes: Any,
    kes_codes: str = "",
    kt_codes: str = "",
    teacher: Any = None,
) -> TestingResult:
    errors: dict[str, str] = {}
    topic = (topic or "").strip()
    if not topic:
        errors["topic"] = _("Заполните «Тема».")
    if not isinstance(date, dt.date):
        errors["date"] = _("Укажите «Дата прохождения».")
    elif date > clock.today():
        errors["date"] = _("«Дата прохождения» ещё не наступила.")
    if subject.organisation_id != student.organisation_id:
        errors["subject"] = _("Предмет не из школы обучающегося.")
    clean_score = clean_max = Decimal(0)
    try:
        clean_score = _decimal(score, "score", _("Полученный балл"))
        clean_max = _decimal(max_score, "max_score", _("Максимальный балл"))
        if clean_max <= 0:
            errors["max_score"] = _("«Максимальный балл» больше нуля.")
        elif clean_score > clean_max:
            errors["score"] = _("«Полученный балл» не может быть больше максимального.")
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    try:
        minutes = int(duration_minutes)
        if not 1 <= minutes <= 600:
            raise ValueError
    except (TypeError, ValueError):
        errors["duration_minutes"] = _("«Время прохождения» — минуты, от 1 до 600.")
        minutes = 0
    grade = student.current_class.parallel.grade if student.current_class else 0
    if not grade:
        errors["student"] = _("Обучающийся не зачислен в класс.")
    if errors:
        raise ValidationError(errors)
    return TestingResult.objects.create(
        student=student,
        topic=topic[:300],
        date=date,
        teacher=teacher or by,
        grade=grade,
        subject=subject,
        score=clean_score,
        max_score=clean_max,
        duration_minutes=minutes,
        kes_codes=(kes_codes or "").strip()[:300],
        kt_codes=(kt_codes or "").strip()[:300],
        created_by=by,
    )
