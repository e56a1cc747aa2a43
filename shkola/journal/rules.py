"""Who may read and fill which journal.

- a teacher edits the journals they teach: lessons where they are ``Lesson.teacher`` or a
  class/group and subject they have in the timetable (a substitute fills the lesson they gave);
- the class teacher reads every journal of their class;
- the school's administration (curator, deputy, director) reads and edits the whole school,
  closed periods included;
- everybody else gets a 404 from the views.

``JournalRef`` (selectors) is the object of the journal-level perms; a ``Lesson`` is the object
of ``journal.edit_lesson``."""

from __future__ import annotations

from functools import cache, partial
from typing import Any

import rules

from shkola.accounts.rules import (
    is_class_teacher_of,
    is_school_admin_of,
    teaches_student,
    viewer_of,
)


def _teaching_query(model: Any, p: Any, *, group: bool) -> Any:
    where: dict[str, Any] = {"teacher_id": p.user_id, "subject_id": p.subject_id}
    if group:
        where["group_id"] = p.owner_id
    else:
        where["class_unit_id"] = p.owner_id
        where["group__isnull"] = True
    return model.objects.filter(**where).order_by().values_list("id")[:1]


@cache
def _teaching_queries() -> dict[tuple[str, bool], Any]:
    """Compiled once per process (core.compiled): a rule runs on every journal request."""
    from shkola.core.compiled import CompiledQuery
    from shkola.timetable.models import Lesson, TimetableEntry

    return {
        (model.__name__, group): CompiledQuery(
            partial(_teaching_query, model, group=group), user_id=int, subject_id=int, owner_id=int
        )
        for model in (TimetableEntry, Lesson)
        for group in (False, True)
    }


def _teaches(user: Any, *, subject_id: int, class_id: int | None, group_id: int | None) -> bool:
    """The user has the class (or group) and subject in the timetable, or gave a lesson of it."""
    queries = _teaching_queries()
    group = group_id is not None
    owner = group_id if group_id is not None else class_id
    if owner is None:  # neither a class nor a group: not a journal anyone keeps, but ask as before
        from shkola.timetable.models import Lesson, TimetableEntry

        where = {"teacher": user, "subject_id": subject_id, "class_unit_id": None}
        where["group__isnull"] = True
        return bool(
            TimetableEntry.objects.filter(**where).exists()
            or Lesson.objects.filter(**where).exists()
        )
    args = {"user_id": user.pk, "subject_id": subject_id, "owner_id": owner}
    return bool(
        queries[("TimetableEntry", group)].first(**args) or queries[("Lesson", group)].first(**args)
    )


@rules.predicate
def is_journal_admin(user: Any, ref: Any) -> bool:
    v = viewer_of(user)
    return bool(v and ref is not None and ref.organisation.id in v.admin_org_ids)


@rules.predicate
def teaches_journal(user: Any, ref: Any) -> bool:
    v = viewer_of(user)
    if not v or ref is None or ref.organisation.id not in v.teacher_org_ids:
        return False
    cached = getattr(ref, "_teaches", None)
    if cached is None:
        cached = _teaches(
            user,
            subject_id=ref.subject.id,
            class_id=ref.class_unit.id if ref.class_unit else None,
            group_id=ref.group.id if ref.group else None,
        )
        ref._teaches = cached
    return cached


@rules.predicate
def leads_journal_class(user: Any, ref: Any) -> bool:
    v = viewer_of(user)
    return bool(
        v and ref is not None and ref.class_id is not None and ref.class_id in v.led_class_ids
    )


@rules.predicate
def is_lesson_admin(user: Any, lesson: Any) -> bool:
    v = viewer_of(user)
    return bool(v and lesson is not None and lesson.subject.organisation_id in v.admin_org_ids)


@rules.predicate
def teaches_lesson(user: Any, lesson: Any) -> bool:
    v = viewer_of(user)
    if not v or lesson is None or lesson.subject.organisation_id not in v.teacher_org_ids:
        return False
    if lesson.teacher_id == user.pk:
        return True
    return _teaches(
        user, subject_id=lesson.subject_id, class_id=lesson.class_unit_id, group_id=lesson.group_id
    )


@rules.predicate
def is_period_admin(user: Any, period: Any) -> bool:
    v = viewer_of(user)
    return bool(
        v and period is not None and period.academic_year.organisation_id in v.admin_org_ids
    )


rules.add_perm("journal.view_journal", is_journal_admin | teaches_journal | leads_journal_class)
rules.add_perm("journal.edit_journal", is_journal_admin | teaches_journal)
rules.add_perm("journal.edit_lesson", is_lesson_admin | teaches_lesson)
rules.add_perm("journal.edit_closed", is_lesson_admin)
rules.add_perm("journal.close_period", is_period_admin)
rules.add_perm("journal.write_remark", teaches_student | is_class_teacher_of | is_school_admin_of)
