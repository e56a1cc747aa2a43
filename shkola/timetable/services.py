"""Timetable writes: clash-checked weekly entries and the dated lessons generated from them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils.translation import gettext as _

from shkola.accounts.models import AuditEvent
from shkola.accounts.services import audit_record
from shkola.schools.models import (
    AcademicYear,
    AttestationPeriod,
    ClassUnit,
    Student,
    StudyGroup,
    Subject,
)
from shkola.schools.selectors import holiday_on, holidays_of

from .models import Lesson, Room, TimetableEntry

WEEKDAY_SHORT = {1: "пн", 2: "вт", 3: "ср", 4: "чт", 5: "пт", 6: "сб"}


def _d(value: dt.date) -> str:
    return value.strftime("%d.%m.%Y")


def _entry_audit(*, by: Any, entry: TimetableEntry, effective_from: dt.date, removed: bool) -> None:
    """«Расписание 7А: пн, 3 урок — Математика, Петров И.Н., каб. 12, с 05.10.2026»."""
    where = entry.group.name if entry.group else (entry.class_unit.name if entry.class_unit else "")
    slot = f"{WEEKDAY_SHORT.get(entry.weekday, entry.weekday)}, {entry.lesson_number} урок"
    if removed:
        what = _("урок убран")
    else:
        parts = [entry.subject.name, entry.teacher.short_name]
        if entry.room_id:
            parts.append(_("каб. %(room)s") % {"room": entry.room.name})  # type: ignore[union-attr]
        what = ", ".join(parts)
    audit_record(
        kind=AuditEvent.Kind.TIMETABLE_CHANGE,
        actor=by,
        organisation=entry.academic_year.organisation,
        details={
            "entry_id": entry.pk,
            "removed": removed,
            "effective_from": effective_from.isoformat(),
            "summary": _("Расписание %(where)s: %(slot)s — %(what)s, с %(date)s")
            % {"where": where, "slot": slot, "what": what, "date": _d(effective_from)},
        },
    )


def _substitution_audit(*, by: Any, lesson: Lesson, cancelled: bool) -> None:
    """«Замена 07.10.2026, 2 урок 7А: Сидорова А.А. вместо Петрова И.Н.»."""
    from shkola.accounts.models import User

    where = (
        lesson.group.name if lesson.group else (lesson.class_unit.name if lesson.class_unit else "")
    )
    head = _("Замена %(date)s, %(n)s урок %(where)s") % {
        "date": _d(lesson.date),
        "n": lesson.lesson_number,
        "where": where,
    }
    if cancelled:
        summary = _("%(head)s отменена, урок ведёт %(teacher)s") % {
            "head": head,
            "teacher": lesson.teacher.short_name,
        }
    else:
        original = (
            User.objects.filter(pk=lesson.replaced_teacher_id).first()
            if lesson.replaced_teacher_id
            else None
        )
        summary = _("%(head)s: %(teacher)s вместо %(original)s") % {
            "head": head,
            "teacher": lesson.teacher.short_name,
            "original": original.short_name if original else "—",
        }
        if lesson.subject_id != lesson.replaced_subject_id:
            summary += _(", предмет %(subject)s") % {"subject": lesson.subject.name}
        if lesson.room_id != lesson.replaced_room_id and lesson.room_id:
            summary += _(", каб. %(room)s") % {"room": lesson.room.name}  # type: ignore[union-attr]
    audit_record(
        kind=AuditEvent.Kind.SUBSTITUTION,
        actor=by,
        organisation=lesson.academic_year.organisation,
        details={"lesson_id": lesson.pk, "cancelled": cancelled, "summary": summary},
    )


def _overlapping_student_scopes(class_unit: ClassUnit | None, group: StudyGroup | None) -> Q:
    """Entries that share pupils with (class_unit, group) by the class structure alone.

    A whole-class lesson clashes with any lesson of that class or of its subgroups; a subgroup
    lesson clashes with whole-class lessons and with the same subgroup, but not with the other
    subgroup (that is how a class is split for languages). An extra-education group clashes
    with itself; who else its pupils are is :func:`_pupils_busy_elsewhere`'s business."""
    if group is None:
        assert class_unit is not None
        return Q(class_unit=class_unit) | Q(group__class_unit=class_unit)
    if group.class_unit_id:
        return Q(class_unit_id=group.class_unit_id, group__isnull=True) | Q(group=group)
    return Q(group=group)


def _attendees(class_unit: ClassUnit | None, group: StudyGroup | None) -> QuerySet[Student]:
    """The pupils who sit in a lesson of (class_unit, group), as a lazy queryset to be used as
    a subquery: a class's pupils, or the members a group lists."""
    if group is None:
        return Student.objects.filter(current_class=class_unit)
    return Student.objects.filter(study_groups=group)


def _pupils_busy_elsewhere(pupils: QuerySet[Student]) -> Q:
    """Entries attended by any of ``pupils``, whichever way they attend: the whole class of
    one of them, or a group that lists one of them (a subgroup of their class or an
    extra-education group mixing classes). One SQL condition with ``pupils`` as a subquery,
    so the check costs the same for a club of three as for a class of thirty."""
    their_classes = pupils.exclude(current_class__isnull=True).values("current_class_id")
    return Q(group__isnull=True, class_unit__in=their_classes) | Q(
        group__students__in=pupils.values("id")
    )


def _pupil_clash_message(*, pupils: QuerySet[Student], entry: TimetableEntry) -> str:
    where = entry.group.name if entry.group else entry.class_unit.name  # type: ignore[union-attr]
    lesson = f"{entry.subject.name}, {where}"
    pupil = (
        pupils.filter(id__in=_attendees(entry.class_unit, entry.group).values("id"))
        .select_related("current_class__parallel")
        .order_by("last_name", "first_name", "id")
        .first()
    )
    if pupil is None:
        return _("У обучающихся в это время уже есть урок: %(lesson)s.") % {"lesson": lesson}
    who = pupil.short_name
    if pupil.current_class:
        who = f"{who} ({pupil.current_class.name})"
    return _("У обучающегося %(student)s в это время уже есть урок: %(lesson)s.") % {
        "student": who,
        "lesson": lesson,
    }


def _entry_label(entry: TimetableEntry) -> str:
    where = entry.group.name if entry.group else (entry.class_unit.name if entry.class_unit else "")
    return f"{entry.subject.name}, {where} ({entry.teacher.short_name})"


def timetable_clashes(
    *,
    academic_year: AcademicYear,
    weekday: int,
    lesson_number: int,
    teacher: Any,
    room: Room | None,
    class_unit: ClassUnit | None,
    group: StudyGroup | None,
    exclude_id: int | None = None,
) -> dict[str, str]:
    """Why the slot cannot be taken, by field; empty when it can. A bounded number of
    queries: the pupils are a subquery, never a loop."""
    slot = TimetableEntry.objects.filter(
        academic_year=academic_year, weekday=weekday, lesson_number=lesson_number
    )
    if exclude_id:
        slot = slot.exclude(id=exclude_id)
    errors: dict[str, str] = {}
    # Each message names the lesson in the way, so the editor can say what clashes.
    named = slot.select_related("subject", "group", "class_unit__parallel", "teacher").order_by(
        "id"
    )
    busy = named.filter(teacher=teacher).first()
    if busy is not None:
        errors["teacher"] = _("У учителя в это время уже есть урок: %(lesson)s.") % {
            "lesson": _entry_label(busy)
        }
    taken = named.filter(room=room).first() if room is not None else None
    if taken is not None:
        errors["room"] = _("Кабинет в это время уже занят: %(lesson)s.") % {
            "lesson": _entry_label(taken)
        }
    key = "group" if group is not None else "class_unit"
    own = named.filter(_overlapping_student_scopes(class_unit, group)).first()
    if own is not None:
        errors[key] = _("У класса (группы) в это время уже есть урок: %(lesson)s.") % {
            "lesson": _entry_label(own)
        }
    else:
        pupils = _attendees(class_unit, group)
        clash = (
            slot.filter(_pupils_busy_elsewhere(pupils))
            .select_related("subject", "group", "class_unit__parallel")
            .order_by("id")
            .first()
        )
        if clash is not None:
            errors[key] = _pupil_clash_message(pupils=pupils, entry=clash)
    return errors


def timetable_entry_create(
    *,
    academic_year: AcademicYear,
    weekday: int,
    lesson_number: int,
    subject: Subject,
    teacher: Any,
    room: Room | None = None,
    class_unit: ClassUnit | None = None,
    group: StudyGroup | None = None,
    effective_from: dt.date | None = None,
) -> TimetableEntry:
    """A new weekly slot. Where the year's lessons are already generated, the slot's lessons
    from ``effective_from`` (default today) are added so the journal and diary follow."""
    if class_unit is None and group is None:
        raise ValidationError({"class_unit": _("Укажите класс или группу.")})
    if group is not None and class_unit is None:
        class_unit = group.class_unit
    if not 1 <= weekday <= 6:
        raise ValidationError({"weekday": _("День недели — с понедельника по субботу.")})
    with transaction.atomic():
        errors = timetable_clashes(
            academic_year=academic_year,
            weekday=weekday,
            lesson_number=lesson_number,
            teacher=teacher,
            room=room,
            class_unit=class_unit,
            group=group,
        )
        if errors:
            raise ValidationError(errors)
        entry = TimetableEntry.objects.create(
            academic_year=academic_year,
            weekday=weekday,
            lesson_number=lesson_number,
            subject=subject,
            teacher=teacher,
            room=room,
            class_unit=class_unit,
            group=group,
        )
        lessons_resync(academic_year=academic_year, entries=[entry], start=effective_from)
        return entry


def lessons_resync(
    *,
    academic_year: AcademicYear,
    entries: list[TimetableEntry],
    start: dt.date | None,
    orphan_ids: Iterable[int] = (),
) -> dict[str, int]:
    """Regenerate ``entries``' lessons from ``start`` (default tomorrow: today's lessons may
    already have been given) up to the last lesson already generated in the year: a
    timetable change reaches the dated lessons, but never rewrites the past and never
    generates lessons the school has not generated yet."""
    from shkola.core.clock import today

    until = Lesson.objects.filter(academic_year=academic_year).aggregate(last=Max("date"))["last"]
    start = max(start or today() + dt.timedelta(days=1), academic_year.start)
    if until is None or until < start:
        return {"created": 0, "updated": 0, "deleted": 0, "kept_with_marks": 0}
    return lessons_generate(
        academic_year=academic_year,
        start=start,
        end=until,
        entries=entries,
        orphan_ids=orphan_ids,
    )


def timetable_entry_update(
    *, entry: TimetableEntry, effective_from: dt.date | None = None, **changes: Any
) -> TimetableEntry:
    """Change a slot and move its generated lessons from ``effective_from`` (default tomorrow):
    a lesson moved to another day loses nothing but its place; a lesson left without a slot
    is deleted, or kept and flagged ``is_cancelled`` when it already has marks or attendance."""
    allowed = {
        "weekday",
        "lesson_number",
        "subject",
        "teacher",
        "room",
        "class_unit",
        "group",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(_("Неизвестные поля: %(f)s") % {"f": ", ".join(sorted(unknown))})
    for key, value in changes.items():
        setattr(entry, key, value)
    with transaction.atomic():
        errors = timetable_clashes(
            academic_year=entry.academic_year,
            weekday=entry.weekday,
            lesson_number=entry.lesson_number,
            teacher=entry.teacher,
            room=entry.room,
            class_unit=entry.class_unit,
            group=entry.group,
            exclude_id=entry.id,
        )
        if errors:
            raise ValidationError(errors)
        entry.save()
        lessons_resync(academic_year=entry.academic_year, entries=[entry], start=effective_from)
    return entry


# What a lesson is: changing these on a lesson that has marks would move the marks to another
# class or subject, so such a lesson is kept as it was and the slot gets a new one.
IDENTITY_FIELDS = ("class_unit_id", "group_id", "subject_id")


def _grade_of(entry: TimetableEntry) -> int | None:
    cu = entry.class_unit or (entry.group.class_unit if entry.group else None)
    return cu.parallel.grade if cu else None


def _lesson_has_records(lesson_ids: Iterable[int]) -> set[int]:
    from shkola.journal.models import Attendance, Mark

    ids = list(lesson_ids)
    if not ids:
        return set()
    with_marks = set(Mark.objects.filter(lesson_id__in=ids).values_list("lesson_id", flat=True))
    with_att = set(Attendance.objects.filter(lesson_id__in=ids).values_list("lesson_id", flat=True))
    return with_marks | with_att


def lessons_generate(
    *,
    academic_year: AcademicYear,
    start: dt.date,
    end: dt.date,
    entries: Iterable[TimetableEntry] | None = None,
    periods: list[AttestationPeriod] | None = None,
    orphan_ids: Iterable[int] = (),
) -> dict[str, int]:
    """Make the dated lessons of [start, end] match the timetable. ``orphan_ids``: lessons of
    a slot just deleted, to remove (or keep flagged) like any lesson left without a slot.

    Missing lessons are created, lessons whose timetable slot changed are moved with it (topic,
    control form and homework stay, also when the slot moves to another weekday), and lessons
    no longer in the timetable are deleted unless they already have marks or attendance:
    those are kept and flagged ``is_cancelled`` so nothing is lost."""
    start = max(start, academic_year.start)
    end = min(end, academic_year.end)
    if entries is None:
        entries = TimetableEntry.objects.filter(academic_year=academic_year)
    entries = list(
        entries.select_related("class_unit__parallel", "group__class_unit__parallel")  # type: ignore[union-attr]
        if hasattr(entries, "select_related")
        else entries
    )
    if periods is None:
        from shkola.schools.models import AttestationPeriod as AP

        periods = list(AP.objects.filter(academic_year=academic_year))
    holidays = holidays_of(academic_year)

    school_scheme = academic_year.organisation.period_scheme

    def period_for(day: dt.date, entry: TimetableEntry) -> AttestationPeriod | None:
        # A parallel may keep its own periods (e.g. half-years in the 10th and 11th grades).
        cu = entry.class_unit or (entry.group.class_unit if entry.group else None)
        scheme = (cu.parallel.period_scheme if cu else "") or school_scheme
        for p in periods:
            if p.scheme == scheme and p.start <= day <= p.end:
                return p
        return None

    wanted: dict[tuple[int, dt.date], TimetableEntry] = {}
    day = start
    while day <= end:
        weekday = day.isoweekday()
        for entry in entries:
            if entry.weekday != weekday:
                continue
            grade = _grade_of(entry)
            if holiday_on(day, [h for h in holidays if h.applies_to_grade(grade)]):
                continue
            wanted[(entry.id, day)] = entry
        day += dt.timedelta(days=1)

    entry_ids = [e.id for e in entries]
    existing = list(
        Lesson.objects.filter(
            academic_year=academic_year,
            date__gte=start,
            date__lte=end,
            timetable_entry_id__in=entry_ids,
        )
    )
    existing_keys = {(lesson.timetable_entry_id, lesson.date): lesson for lesson in existing}
    to_create: list[Lesson] = []
    to_update: list[Lesson] = []
    # Lessons whose slot now belongs to another class, group or subject: marks given to the
    # old class in the old subject must stay on a lesson of that class and subject.
    reassigned: list[tuple[Lesson, Lesson]] = []  # (existing lesson, the slot's lesson now)
    for (entry_id, day), entry in wanted.items():
        lesson = existing_keys.get((entry_id, day))
        fields = dict(
            class_unit_id=entry.class_unit_id,
            group_id=entry.group_id,
            subject_id=entry.subject_id,
            teacher_id=entry.teacher_id,
            room_id=entry.room_id,
            lesson_number=entry.lesson_number,
            period=period_for(day, entry),
        )
        fresh = Lesson(academic_year=academic_year, timetable_entry=entry, date=day, **fields)
        if lesson is None:
            to_create.append(fresh)
            continue
        if lesson.is_substitution:
            # A one-day substitution outranks the weekly slot on its day.
            continue
        if any(getattr(lesson, k) != fields[k] for k in IDENTITY_FIELDS):
            reassigned.append((lesson, fresh))
            continue
        changed = False
        for key, value in fields.items():
            if getattr(lesson, key) != value:
                setattr(lesson, key, value)
                changed = True
        if lesson.is_cancelled:
            lesson.is_cancelled = False
            changed = True
        if changed:
            to_update.append(lesson)
    with_records = _lesson_has_records(lesson.id for lesson, _fresh in reassigned)
    detached: list[Lesson] = []
    for lesson, fresh in reassigned:
        if lesson.id in with_records:
            # Kept for its marks, flagged, and no longer the slot's; the slot gets a new one.
            lesson.is_cancelled, lesson.timetable_entry = True, None
            detached.append(lesson)
            to_create.append(fresh)
        else:
            for key in (*IDENTITY_FIELDS, "teacher_id", "room_id", "lesson_number", "period"):
                setattr(lesson, key, getattr(fresh, key))
            lesson.is_cancelled = False
            to_update.append(lesson)
    stale = [lesson for key, lesson in existing_keys.items() if key not in wanted]
    # Lessons of a slot deleted altogether (only those: other lessons without a slot, kept for
    # their marks, are history).
    orphans = list(orphan_ids)
    if orphans:
        stale.extend(
            Lesson.objects.filter(
                id__in=orphans, date__gte=start, date__lte=end, is_cancelled=False
            )
        )
    protected = _lesson_has_records(lesson.id for lesson in stale)
    # A slot moved to another day takes its planned lessons along: the n-th lesson that no
    # longer fits becomes the n-th new one of the same slot, with its topic, control form,
    # homework and files (teachers plan topics for the whole year ahead).
    movable: dict[int, list[Lesson]] = {}
    for lesson in sorted(stale, key=lambda item: item.date):
        if (
            lesson.id not in protected
            and lesson.timetable_entry_id is not None
            and not lesson.is_substitution
        ):
            movable.setdefault(lesson.timetable_entry_id, []).append(lesson)
    moved: set[int] = set()
    still_new: list[Lesson] = []
    for new_lesson in sorted(to_create, key=lambda item: item.date):
        candidates = movable.get(new_lesson.timetable_entry_id or 0)
        if not candidates:
            still_new.append(new_lesson)
            continue
        lesson = candidates.pop(0)
        lesson.date = new_lesson.date
        for key in ("class_unit_id", "group_id", "subject_id", "teacher_id", "room_id"):
            setattr(lesson, key, getattr(new_lesson, key))
        lesson.lesson_number, lesson.period = new_lesson.lesson_number, new_lesson.period
        lesson.is_cancelled = False
        to_update.append(lesson)
        moved.add(lesson.id)
    to_create = still_new
    stale = [lesson for lesson in stale if lesson.id not in moved]
    to_cancel = [lesson for lesson in stale if lesson.id in protected and not lesson.is_cancelled]
    to_delete = [lesson.id for lesson in stale if lesson.id not in protected]
    with transaction.atomic():
        Lesson.objects.bulk_create(to_create, batch_size=2000)
        if to_update:
            Lesson.objects.bulk_update(
                to_update,
                [
                    "date",
                    "class_unit",
                    "group",
                    "subject",
                    "teacher",
                    "room",
                    "lesson_number",
                    "period",
                    "is_cancelled",
                ],
                batch_size=1000,
            )
        for lesson in to_cancel:
            lesson.is_cancelled = True
        if to_cancel:
            Lesson.objects.bulk_update(to_cancel, ["is_cancelled"])
        if detached:
            Lesson.objects.bulk_update(detached, ["is_cancelled", "timetable_entry"])
        if to_delete:
            from shkola.journal.models import Homework, HomeworkFile

            for attached in HomeworkFile.objects.filter(homework__lesson_id__in=to_delete):
                transaction.on_commit(
                    lambda f=attached.file: f.delete(save=False)  # type: ignore[misc]
                )
            Homework.objects.filter(lesson_id__in=to_delete).delete()
            Lesson.objects.filter(id__in=to_delete).delete()
    return {
        "created": len(to_create),
        "updated": len(to_update),
        "deleted": len(to_delete),
        "kept_with_marks": len(to_cancel) + len(detached),
    }


def timetable_entry_delete(
    *, entry: TimetableEntry, regenerate_from: dt.date | None = None
) -> dict[str, int]:
    """Remove a slot: its lessons from ``regenerate_from`` (default tomorrow) go, lessons with
    marks or attendance stay (flagged ``is_cancelled``); earlier lessons are history and stay."""
    year = entry.academic_year
    with transaction.atomic():
        lesson_ids = list(Lesson.objects.filter(timetable_entry=entry).values_list("id", flat=True))
        entry.delete()
        return lessons_resync(
            academic_year=year, entries=[], start=regenerate_from, orphan_ids=lesson_ids
        )


# --------------------------------------------------------------------------- the editor (B2)


def _validate_effective_from(*, academic_year: AcademicYear, effective_from: dt.date) -> None:
    from shkola.core.clock import today

    if not academic_year.start <= effective_from <= academic_year.end:
        raise ValidationError(
            {
                "effective_from": _(
                    "«Действует с»: дата должна быть в пределах учебного года "
                    "(%(start)s — %(end)s)."
                )
                % {
                    "start": f"{academic_year.start:%d.%m.%Y}",
                    "end": f"{academic_year.end:%d.%m.%Y}",
                }
            }
        )
    if effective_from <= today():
        raise ValidationError(
            {
                "effective_from": _(
                    "«Действует с»: прошедшие и сегодняшние уроки не меняются, "
                    "укажите дату не раньше завтрашней."
                )
            }
        )


def _validate_lesson_number(*, organisation_id: int, lesson_number: int) -> None:
    from .models import BellSlot

    numbers = set(
        BellSlot.objects.filter(organisation_id=organisation_id).values_list("number", flat=True)
    )
    if lesson_number not in numbers:
        raise ValidationError(
            {
                "lesson_number": _(
                    "«Урок №»: урока %(n)s нет в расписании звонков школы (есть: %(all)s)."
                )
                % {
                    "n": lesson_number,
                    "all": ", ".join(str(n) for n in sorted(numbers)) or "—",
                }
            }
        )


def timetable_entry_save(
    *,
    academic_year: AcademicYear,
    entry: TimetableEntry | None,
    weekday: int,
    lesson_number: int,
    subject: Subject,
    teacher: Any,
    room: Room | None,
    class_unit: ClassUnit | None,
    group: StudyGroup | None,
    effective_from: dt.date,
    by: Any,
) -> TimetableEntry:
    """A cell of the week grid, added or changed from ``effective_from``: the lessons before
    that date stay as they were, the later ones follow the new slot. Clashes (the teacher, the
    room or the class already busy) are errors by field and nothing is saved."""
    _validate_lesson_number(
        organisation_id=academic_year.organisation_id, lesson_number=lesson_number
    )
    _validate_effective_from(academic_year=academic_year, effective_from=effective_from)
    if (
        group is not None
        and class_unit is not None
        and group.class_unit_id
        not in (
            None,
            class_unit.id,
        )
    ):
        raise ValidationError({"group": _("«Группа»: это группа другого класса.")})
    with transaction.atomic():
        saved = _timetable_entry_write(
            academic_year=academic_year,
            entry=entry,
            weekday=weekday,
            lesson_number=lesson_number,
            subject=subject,
            teacher=teacher,
            room=room,
            class_unit=class_unit,
            group=group,
            effective_from=effective_from,
        )
        _entry_audit(by=by, entry=saved, effective_from=effective_from, removed=False)
    return saved


def _timetable_entry_write(
    *,
    academic_year: AcademicYear,
    entry: TimetableEntry | None,
    weekday: int,
    lesson_number: int,
    subject: Subject,
    teacher: Any,
    room: Room | None,
    class_unit: ClassUnit | None,
    group: StudyGroup | None,
    effective_from: dt.date,
) -> TimetableEntry:
    if entry is None:
        # A year without a single lesson is a timetable built for the first time (a new school
        # in the year wizard). Nothing else generates its lessons and lessons_resync only
        # follows what was generated, so the journal and the diary stayed empty: the first
        # slot's lessons go to the year's end, and the later slots follow them there.
        with transaction.atomic():
            first_build = not Lesson.objects.filter(academic_year=academic_year).exists()
            created = timetable_entry_create(
                academic_year=academic_year,
                weekday=weekday,
                lesson_number=lesson_number,
                subject=subject,
                teacher=teacher,
                room=room,
                class_unit=class_unit,
                group=group,
                effective_from=effective_from,
            )
            if first_build:
                lessons_generate(
                    academic_year=academic_year,
                    start=effective_from,
                    end=academic_year.end,
                    entries=[created],
                )
        return created
    if class_unit is None and group is not None:
        class_unit = group.class_unit
    if class_unit is None and group is None:
        raise ValidationError({"class_unit": _("Укажите класс или группу.")})
    return timetable_entry_update(
        entry=entry,
        effective_from=effective_from,
        weekday=weekday,
        lesson_number=lesson_number,
        subject=subject,
        teacher=teacher,
        room=room,
        class_unit=class_unit,
        group=group,
    )


def timetable_entry_remove(
    *, entry: TimetableEntry, effective_from: dt.date, by: Any
) -> dict[str, int]:
    """A cell emptied from ``effective_from``: earlier lessons are history and stay."""
    _validate_effective_from(academic_year=entry.academic_year, effective_from=effective_from)
    with transaction.atomic():
        _entry_audit(by=by, entry=entry, effective_from=effective_from, removed=True)
        return timetable_entry_delete(entry=entry, regenerate_from=effective_from)


# What a substitution changes on a lesson, and what its cancelling puts back.
SUBSTITUTION_FIELDS = [
    "teacher",
    "subject",
    "room",
    "is_substitution",
    "replaced_teacher",
    "replaced_subject",
    "replaced_room",
]


def lesson_substitute(
    *,
    lesson: Lesson,
    teacher: Any,
    subject: Subject,
    room: Room | None,
    by: Any,
) -> Lesson:
    """A substitution (замена) for one dated lesson: another teacher, subject or room. The
    lesson becomes the substitute's (their day, their journal, their count); what the
    timetable had is kept in ``replaced_*`` so it can be undone."""
    from shkola.core.clock import today

    errors: dict[str, str] = {}
    if lesson.is_cancelled:
        raise ValidationError(_("Урок снят с расписания: замена не нужна."))
    year = lesson.academic_year
    if lesson.date < today():
        errors["date"] = _("«Дата»: прошедший урок уже проведён, замену на него не назначают.")
    if not year.start <= lesson.date <= year.end:
        errors["date"] = _("«Дата»: урок вне учебного года.")
    original_teacher_id = (
        lesson.replaced_teacher_id if lesson.is_substitution else lesson.teacher_id
    )
    original_subject_id = (
        lesson.replaced_subject_id if lesson.is_substitution else lesson.subject_id
    )
    original_room_id = lesson.replaced_room_id if lesson.is_substitution else lesson.room_id
    if (
        teacher.pk == original_teacher_id
        and subject.pk == original_subject_id
        and (room.pk if room else None) == original_room_id
    ):
        errors["teacher"] = _(
            "«Учитель»: замена ничего не меняет — выберите другого учителя, предмет или кабинет."
        )
    busy = Lesson.objects.filter(
        date=lesson.date, lesson_number=lesson.lesson_number, is_cancelled=False
    ).exclude(id=lesson.id)
    other = (
        busy.filter(teacher=teacher)
        .select_related("subject", "class_unit__parallel", "group")
        .first()
    )
    if other is not None and "teacher" not in errors:
        errors["teacher"] = _("«Учитель»: у %(teacher)s в это время уже есть урок: %(lesson)s.") % {
            "teacher": teacher.short_name,
            "lesson": _lesson_label(other),
        }
    if room is not None:
        taken = (
            busy.filter(room=room)
            .select_related("subject", "class_unit__parallel", "group")
            .first()
        )
        if taken is not None:
            errors["room"] = _("«Кабинет»: кабинет %(room)s в это время занят: %(lesson)s.") % {
                "room": room.name,
                "lesson": _lesson_label(taken),
            }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if not lesson.is_substitution:
            lesson.replaced_teacher_id = lesson.teacher_id
            lesson.replaced_subject_id = lesson.subject_id
            lesson.replaced_room_id = lesson.room_id
            lesson.is_substitution = True
        lesson.teacher = teacher
        lesson.subject = subject
        lesson.room = room
        lesson.save(update_fields=SUBSTITUTION_FIELDS)
        _substitution_audit(by=by, lesson=lesson, cancelled=False)
    return lesson


def lesson_substitution_cancel(*, lesson: Lesson, by: Any) -> Lesson:
    """Undo a substitution: the lesson is the timetable's again. Marks already given stay."""
    if not lesson.is_substitution:
        raise ValidationError(_("На этом уроке нет замены."))
    with transaction.atomic():
        lesson.teacher_id = lesson.replaced_teacher_id  # type: ignore[assignment]
        lesson.subject_id = lesson.replaced_subject_id  # type: ignore[assignment]
        lesson.room_id = lesson.replaced_room_id
        lesson.is_substitution = False
        lesson.replaced_teacher = lesson.replaced_subject = lesson.replaced_room = None
        lesson.save(update_fields=SUBSTITUTION_FIELDS)
        _substitution_audit(by=by, lesson=lesson, cancelled=True)
    return lesson


def _lesson_label(lesson: Lesson) -> str:
    where = (
        lesson.group.name if lesson.group else (lesson.class_unit.name if lesson.class_unit else "")
    )
    return f"{lesson.lesson_number} урок, {where}, {lesson.subject.name}"
