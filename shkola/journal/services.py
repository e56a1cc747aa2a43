"""Writes of the journal: a cell's marks and attendance, notes on a mark, period and final
marks, lessons' topics and homework, remarks. Every change of a mark or attendance leaves a
``MarkHistory`` row (who, when, old → new) in the same transaction.

Concurrency: a cell carries a fingerprint of what the teacher saw (ids and versions of its
marks and attendance). A save locks the lesson row (``select_for_update``; SQLite serialises
writers anyway), recomputes the fingerprint and refuses with ``CellConflict`` when someone
else changed the cell in between, so the later save never silently overwrites."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats
from django.utils.translation import gettext as _

from shkola.core import clock, uploads
from shkola.core.compiled import CompiledQuery, instance_from_row, model_columns
from shkola.schools.models import (
    AcademicYear,
    AttestationPeriod,
    ControlForm,
    Student,
    Subject,
)
from shkola.timetable.models import Lesson

from . import grading
from .models import (
    Attendance,
    AttendanceKind,
    FinalMark,
    FinalMarkKind,
    FinalMarkValue,
    Homework,
    HomeworkFile,
    JournalKind,
    Mark,
    MarkHistory,
    Remark,
)

MAX_MARKS_PER_CELL = 5
MAX_HOMEWORK_FILES = 5

# What a teacher may type. Latin look-alikes are accepted because a teacher who forgot to
# switch the keyboard layout should not lose the entry: n → н, b → б, u → у, op → оп.
ATTENDANCE_ALIASES = {
    "н": "н",
    "n": "н",
    "б": "б",
    "b": "б",
    "у": "у",
    "u": "у",
    "оп": "оп",
    "op": "оп",
}
MARK_ALIASES = {
    "5": "5",
    "4": "4",
    "3": "3",
    "2": "2",
    "1": "1",
    "зач": "зач",
    "з": "зач",
    "z": "зач",
    "zach": "зач",
    "незач": "незач",
    "нз": "незач",
    "nz": "незач",
}
FINAL_ALIASES = {
    "5": "5",
    "4": "4",
    "3": "3",
    "2": "2",
    "зач": "зач",
    "з": "зач",
    "z": "зач",
    "незач": "незач",
    "нз": "незач",
    "nz": "незач",
    "осв": "осв",
    "н/а": "н/а",
    "на": "н/а",
    "na": "н/а",
}
_SEPARATORS = re.compile(r"[\s/,;]+")


# --------------------------------------------------------------------------- cells


@dataclass
class Cell:
    """One journal cell: a student's marks (and, in the main journal, attendance) at a lesson."""

    lesson_id: int
    student_id: int
    journal: str
    # Mark and Attendance, or the grid's plain records with the same attribute names
    # (selectors.MarkRecord, AttendanceRecord).
    marks: list[Any] = field(default_factory=list)
    attendance: Any = None

    @property
    def text(self) -> str:
        parts = [self.attendance.kind] if self.attendance else []
        return " ".join(parts + [m.value for m in self.marks])

    @property
    def fingerprint(self) -> str:
        return cell_fingerprint(self.marks, self.attendance)

    @property
    def has_note(self) -> bool:
        return any(m.comment or m.work_name for m in self.marks)


def cell_fingerprint(marks: Sequence[Any], attendance: Any) -> str:
    raw = ",".join(f"{m.id}.{m.version}" for m in marks)
    raw += "|" + (f"{attendance.id}.{attendance.version}" if attendance else "")
    return hashlib.blake2s(raw.encode(), digest_size=6).hexdigest()


@dataclass
class ParsedCell:
    attendance: str | None
    marks: list[str]


def cell_parse(text: str, *, journal: str = JournalKind.MAIN) -> ParsedCell:
    """«5 4», «5/4», «н», «оп 5», «зач» → attendance and marks. Raises ValidationError naming
    the field ``text`` with what was wrong, so the typed value can stay on screen."""
    attendance: str | None = None
    marks: list[str] = []
    for token in _SEPARATORS.split(text.strip().lower().replace("ё", "е")):
        if not token:
            continue
        if token.isdigit():
            # «54» typed without a space is two marks, each digit one mark.
            for digit in token:
                if digit not in MARK_ALIASES:
                    raise ValidationError(
                        {"text": _("«%(v)s» — не отметка: отметки от 1 до 5.") % {"v": digit}}
                    )
                marks.append(MARK_ALIASES[digit])
            continue
        if token in MARK_ALIASES:
            marks.append(MARK_ALIASES[token])
            continue
        if token in ATTENDANCE_ALIASES:
            if journal != JournalKind.MAIN:
                raise ValidationError(
                    {"text": _("Посещаемость отмечается в основном журнале, не в журнале ДЗ.")}
                )
            if attendance is not None:
                raise ValidationError(
                    {"text": _("В клетке может быть только одна отметка посещаемости.")}
                )
            attendance = ATTENDANCE_ALIASES[token]
            continue
        raise ValidationError(
            {
                "text": _(
                    "Не понимаю «%(v)s». Можно: 5, 4, 3, 2, 1, зач, незач; "
                    "н — отсутствовал, б — болел, у — уважительная причина, оп — опоздал."
                )
                % {"v": token}
            }
        )
    if len(marks) > MAX_MARKS_PER_CELL:
        raise ValidationError(
            {"text": _("Не больше %(n)s отметок за один урок.") % {"n": MAX_MARKS_PER_CELL}}
        )
    return ParsedCell(attendance=attendance, marks=marks)


class CellConflict(Exception):
    """Someone changed the cell after the teacher loaded it; ``current`` is what is there now."""

    def __init__(self, current: Any) -> None:
        super().__init__("cell changed")
        self.current = current


def _period_closed(lesson: Lesson) -> AttestationPeriod | None:
    if lesson.period_id is not None:
        period = lesson.period
        return period if period is not None and period.is_closed else None
    return AttestationPeriod.objects.filter(
        academic_year_id=lesson.academic_year_id,
        start__lte=lesson.date,
        end__gte=lesson.date,
        closed_at__isnull=False,
    ).first()


def _refuse_closed(
    period: AttestationPeriod | None, may_edit_closed: bool, *, what: str = ""
) -> None:
    """A closed period is read-only for teachers: its marks, and with them what the marks
    were given for (topic, form of control, homework, comments on marks)."""
    if period is None or not period.is_closed:
        return
    # A year closed by the rollover is read-only for the administration too.
    year_closed = AcademicYear.objects.filter(
        pk=period.academic_year_id, closed_at__isnull=False
    ).exists()
    if year_closed:
        raise ValidationError(
            {
                "period": _("Учебный год закрыт: изменить %(what)s нельзя.")
                % {"what": what or _("отметки")}
            }
        )
    if not may_edit_closed:
        raise ValidationError(
            {
                "period": _(
                    "Период «%(p)s» закрыт: изменить %(what)s может только администратор школы."
                )
                % {"p": period.name, "what": what or _("отметки")}
            }
        )


class Dated(Protocol):
    """A lesson or the grid's record of one (selectors.LessonRecord)."""

    @property
    def date(self) -> dt.date: ...


def lesson_is_future(lesson: Dated, today: dt.date | None = None) -> bool:
    """A lesson after today (Europe/Moscow) has not been given: nothing can be marked yet.
    ``today``: the caller's clock.today(), read once for many lessons."""
    return lesson.date > (today or clock.today())


def refuse_future_lesson(lesson: Lesson) -> None:
    """The one check every path that puts marks or attendance on a lesson goes through (grid,
    API, import: all call ``mark_set``). Marks and attendance of a lesson not yet given are
    refused, attendance too: absence known in advance comes from an accepted absence note,
    through ``attendance_excuse`` (which marks only «у», and only for that note's lessons)."""
    if lesson_is_future(lesson):
        raise ValidationError(
            {
                "lesson": _(
                    "Урок %(date)s ещё не прошёл: отметки и посещаемость ставятся в день урока "
                    "и позже."
                )
                % {"date": formats.date_format(lesson.date, "j E")}
            }
        )


_LOCK_COLUMNS = [
    *model_columns(Lesson),
    *model_columns(AttestationPeriod, "period__"),
    *model_columns(ControlForm, "control_form__"),
]
# The reads of a save, compiled once per process (issue 14): a mark save is the hottest write.
_LOCKED_LESSON = CompiledQuery(
    lambda p: (
        Lesson.objects.select_for_update(of=("self",))
        .filter(pk=p.id)
        .order_by()
        .values_list(*_LOCK_COLUMNS)
    ),
    id=int,
)
_CELL_MARKS = CompiledQuery(
    lambda p: (
        Mark.objects.filter(lesson_id=p.lesson_id, student_id=p.student_id, journal=p.journal)
        .order_by("id")
        .values_list(*model_columns(Mark))
    ),
    lesson_id=int,
    student_id=int,
    journal=str,
)
_CELL_ATTENDANCE = CompiledQuery(
    lambda p: (
        Attendance.objects.filter(lesson_id=p.lesson_id, student_id=p.student_id)
        .order_by("id")
        .values_list(*model_columns(Attendance))[:1]
    ),
    lesson_id=int,
    student_id=int,
)


def _lock_lesson(lesson: Lesson) -> Lesson:
    """The lesson locked for the rest of the transaction, with its period and form of control
    read fresh; the subject is taken from ``lesson`` when it carries one (it cannot change)."""
    row = _LOCKED_LESSON.first(id=lesson.pk)
    if row is None:
        raise Lesson.DoesNotExist("Lesson matching query does not exist.")
    locked, at = instance_from_row(Lesson, row, 0)
    period, at = instance_from_row(AttestationPeriod, row, at)
    form, at = instance_from_row(ControlForm, row, at)
    locked.period = period if locked.period_id is not None else None
    locked.control_form = form if locked.control_form_id is not None else None
    if Lesson.subject.is_cached(lesson) and lesson.subject_id == locked.subject_id:
        locked.subject = lesson.subject
    return locked


def cell_load(*, lesson: Lesson, student: Student, journal: str = JournalKind.MAIN) -> Cell:
    marks = [
        instance_from_row(Mark, row, 0)[0]
        for row in _CELL_MARKS(lesson_id=lesson.pk, student_id=student.pk, journal=journal)
    ]
    attendance = None
    if journal == JournalKind.MAIN:
        row = _CELL_ATTENDANCE.first(lesson_id=lesson.pk, student_id=student.pk)
        if row is not None:
            attendance = instance_from_row(Attendance, row, 0)[0]
    return Cell(lesson.pk, student.pk, journal, marks, attendance)


@transaction.atomic
def mark_set(
    *,
    lesson: Lesson,
    student: Student,
    text: str,
    fingerprint: str,
    user: Any,
    may_edit_closed: bool = False,
    journal: str = JournalKind.MAIN,
) -> Cell:
    """Make the cell hold what was typed: «5 4» → two marks, «н» → absent, «» → empty.

    Marks are matched by position, so an unchanged mark keeps its comment; each created,
    changed or deleted mark and attendance gets a history row."""
    if journal not in JournalKind.values:
        raise ValidationError({"journal": _("Неизвестный журнал.")})
    parsed = cell_parse(text, journal=journal)
    locked = _lock_lesson(lesson)
    _refuse_closed(_period_closed(locked), may_edit_closed)
    if parsed.marks or parsed.attendance is not None:
        # emptying stays possible, so a mark left on a lesson later moved ahead can go
        refuse_future_lesson(locked)
    current = cell_load(lesson=locked, student=student, journal=journal)
    if fingerprint != current.fingerprint:
        raise CellConflict(current)

    history: list[MarkHistory] = []

    def log(what: str, action: str, old: str, new: str, mark_id: int | None = None) -> None:
        history.append(
            MarkHistory(
                student_id=student.pk,
                lesson_id=locked.pk,
                mark_id_ref=mark_id,
                what=what,
                action=action,
                old_value=old,
                new_value=new,
                changed_by=user,
                journal=journal,
                subject_id=locked.subject_id,
            )
        )

    form: ControlForm | None = locked.control_form if journal == JournalKind.MAIN else None
    weight = form.weight if form is not None else 1
    kept: list[Mark] = []
    for i, value in enumerate(parsed.marks):
        if i < len(current.marks):
            existing = current.marks[i]
            if existing.value != value:
                log("mark", MarkHistory.Action.CHANGE, existing.value, value, existing.id)
                existing.value = value
                existing.points = grading.points_of(value)
                existing.version += 1
                existing.save(update_fields=["value", "points", "version", "updated_at"])
            kept.append(existing)
        else:
            created = Mark.objects.create(
                student_id=student.pk,
                lesson_id=locked.pk,
                journal=journal,
                value=value,
                points=grading.points_of(value),
                control_form=form,
                weight=weight,
                created_by=user,
            )
            log("mark", MarkHistory.Action.CREATE, "", value, created.id)
            kept.append(created)
    surplus = current.marks[len(parsed.marks) :]
    if surplus:
        for gone in surplus:
            log("mark", MarkHistory.Action.DELETE, gone.value, "", gone.id)
        Mark.objects.filter(id__in=[m.id for m in surplus]).delete()

    attendance = current.attendance
    if journal == JournalKind.MAIN:
        old_kind = attendance.kind if attendance else None
        if parsed.attendance != old_kind:
            if attendance is None:
                attendance = Attendance.objects.create(
                    student_id=student.pk,
                    lesson_id=locked.pk,
                    kind=parsed.attendance,  # type: ignore[misc]  # differs from None here
                    created_by=user,
                )
                log("attendance", MarkHistory.Action.CREATE, "", attendance.kind)
            elif parsed.attendance is None:
                log("attendance", MarkHistory.Action.DELETE, attendance.kind, "")
                attendance.delete()
                attendance = None
            else:
                log("attendance", MarkHistory.Action.CHANGE, attendance.kind, parsed.attendance)
                attendance.kind = parsed.attendance
                attendance.version += 1
                attendance.save(update_fields=["kind", "version", "updated_at"])
    if history:
        MarkHistory.objects.bulk_create(history)
        _notify_marks(locked, student, history)
    return Cell(locked.pk, student.pk, journal, kept, attendance)


# Attendance an accepted absence note replaces by «у»: none yet (a lesson still to come, or
# a teacher who left the cell empty), «н» and «б». «оп» stays: the child came to that lesson.
EXCUSABLE_KINDS = (None, AttendanceKind.ABSENT, AttendanceKind.ILL)


@transaction.atomic
def attendance_excuse(*, student: Student, lessons: Sequence[Lesson], by: Any) -> list[int]:
    """An accepted absence note (the only caller, ``absences.services.absence_note_accept``)
    marks the child's lessons «у», including lessons still to come: the note is the reason
    ``refuse_future_lesson`` keeps teachers from typing absence ahead. Each change leaves the
    same history row a teacher's ``mark_set`` writes. Lessons of a closed period are left as
    they are (a closed period is read-only). Returns the ids of the lessons changed."""
    ids = sorted({lesson.pk for lesson in lessons})
    if not ids:
        return []
    locked = list(
        Lesson.objects.select_for_update(of=("self",))
        .select_related("period")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    current = {
        a.lesson_id: a for a in Attendance.objects.filter(student_id=student.pk, lesson_id__in=ids)
    }
    closed_years: dict[int, list[AttestationPeriod]] = {}
    history: list[MarkHistory] = []
    changed: list[int] = []
    for lesson in locked:
        if lesson.period_id is not None:
            closed = lesson.period is not None and lesson.period.is_closed
        else:
            if lesson.academic_year_id not in closed_years:
                closed_years[lesson.academic_year_id] = list(
                    AttestationPeriod.objects.filter(
                        academic_year_id=lesson.academic_year_id, closed_at__isnull=False
                    )
                )
            closed = any(
                p.start <= lesson.date <= p.end for p in closed_years[lesson.academic_year_id]
            )
        if closed:
            continue
        attendance = current.get(lesson.pk)
        old = attendance.kind if attendance else None
        if old not in EXCUSABLE_KINDS:
            continue
        if attendance is None:
            Attendance.objects.create(
                student_id=student.pk,
                lesson_id=lesson.pk,
                kind=AttendanceKind.EXCUSED,
                created_by=by,
            )
            action = MarkHistory.Action.CREATE
        else:
            attendance.kind = AttendanceKind.EXCUSED
            attendance.version += 1
            attendance.save(update_fields=["kind", "version", "updated_at"])
            action = MarkHistory.Action.CHANGE
        history.append(
            MarkHistory(
                student_id=student.pk,
                lesson_id=lesson.pk,
                what="attendance",
                action=action,
                old_value=old or "",
                new_value=AttendanceKind.EXCUSED,
                changed_by=by,
                journal=JournalKind.MAIN,
                subject_id=lesson.subject_id,
            )
        )
        changed.append(lesson.pk)
    MarkHistory.objects.bulk_create(history)
    return changed


def _diary_week_url(student_id: int, day: Any) -> str:
    from django.urls import reverse

    monday = day - dt.timedelta(days=day.weekday())
    return reverse("diary:week_of", args=[student_id]) + f"?week={monday.isoformat()}"


def _notify_marks(lesson: Lesson, student: Student, history: list[MarkHistory]) -> None:
    """F6: the student and their guardians hear of marks set or changed in this save (one
    notification per person for the whole cell); a removed mark is not news."""
    from shkola.notifications.services import family_user_ids, notify

    values = [
        (h.old_value, h.new_value)
        for h in history
        if h.what == "mark" and h.action != MarkHistory.Action.DELETE
    ]
    if not values:
        return
    shown = ", ".join(f"{old} → {new}" if old else new for old, new in values)
    title = _("%(subject)s: %(marks)s за %(date)s") % {
        "subject": lesson.subject.name,
        "marks": shown,
        "date": formats.date_format(lesson.date, "j E"),
    }
    notify(
        kind="mark",
        user_ids=family_user_ids([student.pk]).get(student.pk, set()),
        title=title,
        text=student.short_name,
        url=_diary_week_url(student.pk, lesson.date),
        student_id=student.pk,
    )


def _column_length(model: Any, name: str) -> int:
    return int(model._meta.get_field(name).max_length)


@transaction.atomic
def mark_note_set(
    *,
    mark: Mark,
    comment: str,
    work_name: str,
    user: Any,
    may_edit_closed: bool = False,
) -> Mark:
    """The comment and the work name of one mark («Красный уголок» in the diary)."""
    comment = comment.strip()
    work_name = work_name.strip()
    errors = {}
    # Limits are the columns' (issue 9): a longer text is a message, never a database error.
    if len(comment) > (limit := _column_length(Mark, "comment")):
        errors["comment"] = _("Комментарий длиннее %(n)s символов.") % {"n": limit}
    if len(work_name) > (limit := _column_length(Mark, "work_name")):
        errors["work_name"] = _("Название работы длиннее %(n)s символов.") % {"n": limit}
    if errors:
        raise ValidationError(errors)
    locked = _lock_lesson(mark.lesson)
    _refuse_closed(_period_closed(locked), may_edit_closed, what=_("комментарии и названия работ"))
    current = Mark.objects.select_for_update().filter(pk=mark.pk).first()
    if current is None:
        raise ValidationError({"mark": _("Отметку уже удалили.")})
    history = [
        MarkHistory(
            student_id=current.student_id,
            lesson_id=locked.pk,
            mark_id_ref=current.pk,
            what=what,
            action=MarkHistory.Action.CHANGE,
            old_value=old,
            new_value=new,
            changed_by=user,
            journal=current.journal,
            subject_id=locked.subject_id,
        )
        for what, old, new in (
            ("comment", current.comment, comment),
            ("work_name", current.work_name, work_name),
        )
        if old != new
    ]
    if history:
        Mark.objects.filter(pk=mark.pk).update(comment=comment, work_name=work_name)
        MarkHistory.objects.bulk_create(history)
    mark.comment, mark.work_name = comment, work_name
    return mark


# --------------------------------------------------------------------------- final marks


@dataclass
class FinalCell:
    student_id: int
    subject_id: int
    kind: str
    period_id: int | None
    mark: Any  # FinalMark, selectors.FinalRecord or None

    @property
    def text(self) -> str:
        return self.mark.value if self.mark else ""

    @property
    def fingerprint(self) -> str:
        return f"{self.mark.id}.{self.mark.version}" if self.mark else "0"


def _year_closed(year: AcademicYear) -> AttestationPeriod | None:
    """Year, exam and final marks freeze once every period of the year is closed."""
    periods = list(AttestationPeriod.objects.filter(academic_year=year).order_by("end"))
    if periods and all(p.is_closed for p in periods):
        return periods[-1]
    return None


@transaction.atomic
def final_mark_set(
    *,
    student: Student,
    subject: Subject,
    academic_year: AcademicYear,
    kind: str,
    period: AttestationPeriod | None,
    text: str,
    fingerprint: str,
    user: Any,
    may_edit_closed: bool = False,
) -> FinalCell:
    """Set, change or clear («») a period, year, exam or final mark, with history."""
    if kind not in FinalMarkKind.values:
        raise ValidationError({"kind": _("Неизвестный вид итоговой отметки.")})
    if kind == FinalMarkKind.PERIOD:
        if period is None or period.academic_year_id != academic_year.pk:
            raise ValidationError({"period": _("Укажите период этого учебного года.")})
    else:
        period = None
    raw = text.strip().lower().replace("ё", "е")
    value = FINAL_ALIASES.get(raw) if raw else ""
    if value is None or (value and value not in FinalMarkValue.values):
        raise ValidationError(
            {
                "text": _(
                    "Не понимаю «%(v)s». Итоговая отметка: 5, 4, 3, 2, зач, незач, "
                    "осв (освобождён) или н/а (не аттестован)."
                )
                % {"v": text.strip()}
            }
        )
    if kind == FinalMarkKind.PERIOD:
        locked_period = AttestationPeriod.objects.select_for_update().get(pk=period.pk)  # type: ignore[union-attr]
        _refuse_closed(locked_period, may_edit_closed)
    else:
        _refuse_closed(_year_closed(academic_year), may_edit_closed)
    existing = (
        FinalMark.objects.select_for_update()
        .filter(
            student_id=student.pk,
            subject_id=subject.pk,
            academic_year_id=academic_year.pk,
            kind=kind,
            period_id=period.pk if period else None,
        )
        .first()
    )
    current = FinalCell(student.pk, subject.pk, kind, period.pk if period else None, existing)
    if fingerprint != current.fingerprint:
        raise CellConflict(current)

    def log(action: str, old: str, new: str, mark: FinalMark | None) -> None:
        MarkHistory.objects.create(
            student_id=student.pk,
            final_mark=mark,
            what="final",
            action=action,
            old_value=old,
            new_value=new,
            changed_by=user,
            subject_id=subject.pk,
            period_id=period.pk if period else None,
            final_kind=kind,
        )

    if existing is None:
        if not value:
            return current
        try:
            with transaction.atomic():
                created = FinalMark.objects.create(
                    student_id=student.pk,
                    subject_id=subject.pk,
                    academic_year_id=academic_year.pk,
                    kind=kind,
                    period=period,
                    value=value,
                    set_by=user,
                )
        except IntegrityError:
            # Someone created the same mark a moment ago: show them theirs, keep ours typed.
            raise CellConflict(
                FinalCell(
                    student.pk,
                    subject.pk,
                    kind,
                    current.period_id,
                    FinalMark.objects.filter(
                        student_id=student.pk,
                        subject_id=subject.pk,
                        academic_year_id=academic_year.pk,
                        kind=kind,
                        period_id=current.period_id,
                    ).first(),
                )
            ) from None
        log(MarkHistory.Action.CREATE, "", value, created)
        current.mark = created
        return current
    if not value:
        log(MarkHistory.Action.DELETE, existing.value, "", None)
        existing.delete()
        current.mark = None
        return current
    if existing.value != value:
        log(MarkHistory.Action.CHANGE, existing.value, value, existing)
        existing.value = value
        existing.version += 1
        existing.set_by = user
        existing.save(update_fields=["value", "version", "set_by", "updated_at"])
    return current


# --------------------------------------------------------------------------- lessons


@transaction.atomic
def lesson_update(
    *,
    lesson: Lesson,
    topic: str,
    control_form: ControlForm | None,
    user: Any,
    may_edit_closed: bool = False,
) -> Lesson:
    """Topic and form of control. A new form re-weighs the lesson's main-journal marks that
    carried the old one, so the averages follow the form the teacher chose."""
    topic = topic.strip()
    if len(topic) > (limit := _column_length(Lesson, "topic")):
        raise ValidationError({"topic": _("Тема урока длиннее %(n)s символов.") % {"n": limit}})
    if control_form is not None and control_form.organisation_id != lesson.subject.organisation_id:
        raise ValidationError({"control_form": _("Форма контроля другой школы.")})
    locked = _lock_lesson(lesson)
    _refuse_closed(_period_closed(locked), may_edit_closed, what=_("тему и форму контроля"))
    fields = []
    if locked.topic != topic:
        locked.topic = topic
        locked.topic_set_at = clock.now() if topic else None
        fields += ["topic", "topic_set_at"]
    if locked.control_form_id != (control_form.pk if control_form else None):
        Mark.objects.filter(
            lesson_id=locked.pk,
            journal=JournalKind.MAIN,
            control_form_id=locked.control_form_id,
        ).update(
            control_form=control_form,
            weight=control_form.weight if control_form else 1,
        )
        locked.control_form = control_form
        fields.append("control_form")
    if fields:
        locked.save(update_fields=fields)
    return locked


@transaction.atomic
def homework_assign(
    *,
    lesson: Lesson,
    text: str,
    user: Any,
    student: Student | None = None,
    files: Sequence[Any] = (),
    may_edit_closed: bool = False,
) -> Homework:
    """Homework for the whole class (``student`` None) or one student, with attached files.
    Read-only once the lesson's period is closed, like its marks."""
    text = text.strip()
    errors: dict[str, str] = {}
    if not text:
        errors["text"] = _("Напишите задание.")
    checked: list[uploads.CheckedFile] = []
    if len(files) > MAX_HOMEWORK_FILES:
        errors["files"] = _("Не больше %(n)s файлов.") % {"n": MAX_HOMEWORK_FILES}
    else:
        try:
            checked = [uploads.check_upload(f, field="files") for f in files]
        except ValidationError as exc:
            errors["files"] = " ".join(exc.message_dict["files"])
        if sum(c.size for c in checked) > uploads.max_total_bytes():
            errors["files"] = _("Файлы вместе больше %(mb)s МБ.") % {
                "mb": uploads.max_total_bytes() // (1024 * 1024)
            }
    if errors:
        raise ValidationError(errors)
    locked = _lock_lesson(lesson)
    _refuse_closed(_period_closed(locked), may_edit_closed, what=_("домашние задания"))
    homework = Homework.objects.create(lesson=locked, student=student, text=text, created_by=user)
    for c in checked:
        HomeworkFile.objects.create(
            homework=homework,
            file=c.upload,
            name=c.name[:255],
            size=c.size,
            content_type=c.content_type,  # what the bytes are, not what the browser said
        )
    if locked.date == clock.today() + dt.timedelta(days=1):
        _notify_homework(locked, homework)
    return homework


def _notify_homework(lesson: Lesson, homework: Homework) -> None:
    """F6: homework for tomorrow's lesson, to its students (or the one student it is for)
    and their guardians — one notification row per person, in one bulk insert."""
    from shkola.notifications.services import family_user_ids, notify
    from shkola.schools.models import StudyGroup

    if homework.student_id is not None:
        student_ids = [homework.student_id]
    elif lesson.group_id is not None:
        student_ids = list(
            StudyGroup.students.through.objects.filter(studygroup_id=lesson.group_id).values_list(
                "student_id", flat=True
            )
        )
    else:
        student_ids = list(
            Student.objects.filter(current_class_id=lesson.class_unit_id).values_list(
                "id", flat=True
            )
        )
    users = set().union(*family_user_ids(student_ids).values()) if student_ids else set()
    notify(
        kind="homework",
        user_ids=users,
        title=_("%(subject)s: домашнее задание на %(date)s")
        % {"subject": lesson.subject.name, "date": formats.date_format(lesson.date, "j E")},
        text=homework.text[:1000],
        url=_family_week_url(lesson.date),
        student_id=homework.student_id,
    )


def _family_week_url(day: Any) -> str:
    """The diary's week of ``day`` for whoever opens it (the family's active child)."""
    from django.urls import reverse

    monday = day - dt.timedelta(days=day.weekday())
    return reverse("diary:week") + f"?week={monday.isoformat()}"


@transaction.atomic
def homework_delete(*, homework: Homework, may_edit_closed: bool = False) -> None:
    locked = _lock_lesson(homework.lesson)
    _refuse_closed(_period_closed(locked), may_edit_closed, what=_("домашние задания"))
    for f in homework.files.all():
        f.file.delete(save=False)
    homework.delete()


# --------------------------------------------------------------------------- remarks


@transaction.atomic
def remark_create(
    *,
    student: Student,
    author: Any,
    kind: str,
    text: str,
    subject: Subject | None = None,
) -> Remark:
    """«Замечание» (parents only) or «Комментарий» (student and parents)."""
    text = text.strip()
    errors = {}
    if kind not in Remark.Kind.values:
        errors["kind"] = _("Выберите: замечание или комментарий.")
    if not text:
        errors["text"] = _("Напишите текст.")
    elif len(text) > 2000:
        errors["text"] = _("Текст длиннее 2000 символов.")
    if subject is not None and subject.organisation_id != student.organisation_id:
        errors["subject"] = _("Предмет другой школы.")
    if errors:
        raise ValidationError(errors)
    remark = Remark.objects.create(
        student=student, author=author, kind=kind, text=text, subject=subject
    )
    _notify_remark(remark)
    return remark


def _notify_remark(remark: Remark) -> None:
    """F6: a «Замечание» goes to the guardians only (the student never sees it, seed 001);
    a «Комментарий» to the student too."""
    from shkola.notifications.services import family_user_ids, guardian_user_ids, notify

    student = remark.student
    if remark.kind == Remark.Kind.REMARK:
        users = guardian_user_ids([student.pk])
    else:
        users = family_user_ids([student.pk]).get(student.pk, set())
    title = f"{remark.get_kind_display()}: {student.short_name}"
    if remark.subject is not None:
        title += f" ({remark.subject.name})"
    from django.urls import reverse

    notify(
        kind="remark",
        user_ids=users,
        title=title,
        text=remark.text,
        url=reverse("diary:remarks_of", args=[student.pk]),
        student_id=student.pk,
    )


# --------------------------------------------------------------------------- control forms


@transaction.atomic
def control_form_save(
    *,
    organisation: Any,
    name: str,
    weight: int | str,
    is_test: bool,
    form: ControlForm | None = None,
) -> ControlForm:
    """Add a form of control to a school or change one («Формы контроля», configured per
    school). A new weight re-weighs the main-journal marks of that form in periods still
    open, so the averages follow what the school decided; closed periods keep theirs."""
    name = " ".join(name.split())
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Укажите название формы контроля.")
    elif len(name) > (limit := _column_length(ControlForm, "name")):
        errors["name"] = _("Название длиннее %(n)s символов.") % {"n": limit}
    try:
        weight = int(weight)
    except (TypeError, ValueError):
        weight = 0
    if not 1 <= weight <= 10:
        errors["weight"] = _("Вес — целое число от 1 до 10.")
    if form is not None and form.organisation_id != organisation.id:
        errors["name"] = _("Форма контроля другой школы.")
    # Compared in Python: SQLite's case-insensitive match knows only ASCII letters.
    others = ControlForm.objects.filter(organisation=organisation)
    if form is not None:
        others = others.exclude(pk=form.pk)
    taken = {n.casefold() for n in others.values_list("name", flat=True)}
    if name and name.casefold() in taken:
        errors["name"] = _("Форма контроля «%(name)s» уже есть.") % {"name": name}
    if errors:
        raise ValidationError(errors)
    if form is None:
        return ControlForm.objects.create(
            organisation=organisation, name=name, weight=weight, is_test=is_test
        )
    reweigh = form.weight != weight
    form.name, form.weight, form.is_test = name, weight, is_test
    form.save(update_fields=["name", "weight", "is_test"])
    if reweigh:
        Mark.objects.filter(control_form=form, journal=JournalKind.MAIN).exclude(
            lesson__period__closed_at__isnull=False
        ).update(weight=weight)
    return form
