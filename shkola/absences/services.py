"""Writes of absence notes: a parent sends or withdraws one, the class teacher or the school's
administration accepts or rejects it. Accepting turns the covered lessons «у» through the
journal's ``attendance_excuse``, in the same transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _

from shkola.core import clock, uploads
from shkola.journal import services as journal_services
from shkola.schools.models import Student
from shkola.schools.selectors import current_year
from shkola.timetable.models import Lesson

from . import selectors
from .models import AbsenceNote, NoteReason, NoteStatus

MAX_DAYS = 30
SCAN_TYPES = ("application/pdf", "image/jpeg", "image/png")


def _check_scan(upload: UploadedFile) -> uploads.CheckedFile:
    checked = uploads.check_upload(upload, field="file")
    if checked.content_type not in SCAN_TYPES:
        raise ValidationError(
            {"file": _("Справка «%(name)s»: нужен PDF, JPEG или PNG.") % {"name": checked.name}}
        )
    return checked


def _d(day: dt.date) -> str:
    return formats.date_format(day, "j E Y")


@transaction.atomic
def absence_note_create(
    *,
    student: Student,
    author: Any,
    date_from: dt.date,
    date_to: dt.date | None,
    reason: str,
    comment: str = "",
    lessons: Sequence[Lesson] = (),
    scan: UploadedFile | None = None,
) -> AbsenceNote:
    """A note about days ``date_from``–``date_to`` (past or future days of the current school
    year, at most ``MAX_DAYS``), or about ``lessons`` of one day (then ``date_to`` is that
    day too)."""
    date_to = date_to or date_from
    errors: dict[str, str] = {}
    if reason not in NoteReason.values:
        errors["reason"] = _("Причина: выберите из списка.")
    comment = (comment or "").strip()
    if reason == NoteReason.OTHER and not comment:
        errors["comment"] = _("Пояснение: напишите причину, если выбрано «Другое».")
    if len(comment) > 1000:
        errors["comment"] = _("Пояснение: не больше 1000 знаков.")
    if date_to < date_from:
        errors["date_to"] = _("Дата «по» раньше даты «с».")
    year = current_year(student.organisation_id, clock.today())
    if year is None:
        errors["date_from"] = _("У школы нет текущего учебного года.")
    else:
        for name, day in (("date_from", date_from), ("date_to", date_to)):
            if not (year.start <= day <= year.end) and name not in errors:
                errors[name] = _("Даты должны быть в пределах учебного года: с %(a)s по %(b)s.") % {
                    "a": _d(year.start),
                    "b": _d(year.end),
                }
    if "date_to" not in errors and (date_to - date_from).days + 1 > MAX_DAYS:
        errors["date_to"] = _("Записка — не больше чем на %(n)s дней подряд.") % {"n": MAX_DAYS}
    if lessons:
        if date_to != date_from:
            errors["lessons"] = _("Уроки выбираются в пределах одного дня.")
        own = set(
            selectors.student_lessons_between(student, date_from, date_from).values_list(
                "id", flat=True
            )
        )
        if any(lesson.pk not in own for lesson in lessons):
            errors["lessons"] = _("Уроки: выберите уроки ребёнка в этот день.")
    checked = None
    if scan is not None:
        try:
            checked = _check_scan(scan)
        except ValidationError as exc:
            errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    note = AbsenceNote.objects.create(
        student=student,
        author=author,
        date_from=date_from,
        date_to=date_to,
        reason=reason,
        comment=comment,
    )
    if lessons:
        note.lessons.set(lessons)
    if checked is not None:
        note.file_name = checked.name[:255]
        note.file_size = checked.size
        note.file_content_type = checked.content_type
        note.file.save(checked.name, checked.upload, save=False)
        note.save(update_fields=["file", "file_name", "file_size", "file_content_type"])
    return note


def _lock_pending(note: AbsenceNote) -> AbsenceNote:
    locked = AbsenceNote.objects.select_for_update().select_related("student").get(pk=note.pk)
    if locked.status != NoteStatus.PENDING:
        raise ValidationError(
            {"status": _("Записка уже %(status)s.") % {"status": NoteStatus(locked.status).label}}
        )
    return locked


@transaction.atomic
def absence_note_withdraw(*, note: AbsenceNote, by: Any) -> AbsenceNote:
    locked = _lock_pending(note)
    locked.status = NoteStatus.WITHDRAWN
    locked.decided_by = by
    locked.decided_at = clock.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    return locked


@transaction.atomic
def absence_note_accept(*, note: AbsenceNote, by: Any) -> AbsenceNote:
    """Accept the note and mark every lesson it covers «у» (also lessons still to come).
    Returns the note (the caller may notify the family)."""
    locked = _lock_pending(note)
    journal_services.attendance_excuse(
        student=locked.student, lessons=list(selectors.covered_lessons(locked)), by=by
    )
    locked.status = NoteStatus.ACCEPTED
    locked.decided_by = by
    locked.decided_at = clock.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    _notify_decision(locked)
    return locked


def _notify_decision(note: AbsenceNote) -> None:
    """F6: the child's guardians (whoever of them wrote the note) hear of the decision."""
    from django.urls import reverse

    from shkola.notifications.services import guardian_user_ids, notify

    period = (
        _d(note.date_from)
        if note.date_from == note.date_to
        else f"{_d(note.date_from)} — {_d(note.date_to)}"
    )
    if note.status == NoteStatus.ACCEPTED:
        title = _("Записка принята: %(name)s, %(period)s") % {
            "name": note.student.short_name,
            "period": period,
        }
        text = _("Пропуски отмечены как уважительные («у»).")
    else:
        title = _("Записка отклонена: %(name)s, %(period)s") % {
            "name": note.student.short_name,
            "period": period,
        }
        text = _("Причина: %(reason)s") % {"reason": note.reject_reason}
    recipients = guardian_user_ids([note.student_id])
    if note.author_id:
        recipients.add(note.author_id)
    notify(
        kind="absence_note",
        user_ids=recipients,
        title=title,
        text=text,
        url=reverse("absences:detail", args=[note.pk]),
        student_id=note.student_id,
    )


@transaction.atomic
def absence_note_reject(*, note: AbsenceNote, by: Any, reason: str) -> AbsenceNote:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reject_reason": _("Причина отказа: напишите, почему.")})
    limit = AbsenceNote._meta.get_field("reject_reason").max_length or 500
    if len(reason) > limit:
        raise ValidationError(
            {"reject_reason": _("Причина отказа: не больше %(n)s знаков.") % {"n": limit}}
        )
    locked = _lock_pending(note)
    locked.status = NoteStatus.REJECTED
    locked.reject_reason = reason
    locked.decided_by = by
    locked.decided_at = clock.now()
    locked.save(update_fields=["status", "reject_reason", "decided_by", "decided_at"])
    _notify_decision(locked)
    return locked
