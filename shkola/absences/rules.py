"""Who may see and decide absence notes.

- a parent sends notes about their own children, sees them and withdraws a pending one;
- the class teacher sees and decides the notes of the class they lead;
- the school's administration sees and decides every note of its school;
- nobody else sees a note: another family's or school's note is a 404."""

from __future__ import annotations

from typing import Any

import rules

from shkola.accounts.rules import is_guardian_of, viewer_of


@rules.predicate
def is_parent_of_note(user: Any, note: Any) -> bool:
    viewer = viewer_of(user)
    return bool(
        viewer and note is not None and any(c.id == note.student_id for c in viewer.children)
    )


@rules.predicate
def leads_class_of_note(user: Any, note: Any) -> bool:
    viewer = viewer_of(user)
    return bool(
        viewer and note is not None and note.student.current_class_id in viewer.led_class_ids
    )


@rules.predicate
def administers_school_of_note(user: Any, note: Any) -> bool:
    viewer = viewer_of(user)
    return bool(
        viewer and note is not None and note.student.organisation_id in viewer.admin_org_ids
    )


@rules.predicate
def is_pending(user: Any, note: Any) -> bool:
    return bool(note is not None and note.status == "pending")


@rules.predicate
def may_see_queue(user: Any) -> bool:
    viewer = viewer_of(user)
    return bool(viewer and (viewer.led_class_ids or viewer.admin_org_ids))


can_decide = leads_class_of_note | administers_school_of_note

rules.add_perm("absences.send_note", is_guardian_of)
rules.add_perm("absences.view_note", is_parent_of_note | can_decide)
rules.add_perm("absences.withdraw_note", is_parent_of_note & is_pending)
rules.add_perm("absences.decide_note", can_decide & is_pending)
rules.add_perm("absences.view_queue", may_see_queue)
