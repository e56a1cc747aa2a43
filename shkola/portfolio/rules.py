"""Who may see and change a student's portfolio (on top of the accounts predicates).

- the student and their parents see it and add achievements, clubs and photos;
- the class teacher, the teachers who teach the student and the school's administration see
  it and confirm or reject achievements; teachers add testing results and diagnostics;
- diagnostics are imported from a file by the administration for the whole school and by a
  teacher for the students they lead or teach (the people they may enter results for);
- the class teacher and the administration edit the student's name and birth date;
- the school's specialists (psychologist, social pedagogue…) read it and change nothing;
- officials have no access to personal records."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import rules

from shkola.accounts.rules import (
    is_admin_of_org,
    is_class_teacher_of,
    is_guardian_of,
    is_school_admin_of,
    is_specialist_of,
    is_staff_of_org,
    is_student_self,
    teaches_student,
    viewer_of,
)

is_family = is_student_self | is_guardian_of
is_school_staff_of_student = is_class_teacher_of | is_school_admin_of | teaches_student

can_view_portfolio = is_family | is_school_staff_of_student | is_specialist_of
can_add_to_portfolio = is_family | is_school_staff_of_student
can_review_achievement_of = is_school_staff_of_student


@rules.predicate
def is_teacher_in_org(user: Any, organisation: Any) -> bool:
    viewer = viewer_of(user)
    return bool(viewer and organisation is not None and organisation.id in viewer.teacher_org_ids)


@rules.predicate
def may_queue(user: Any) -> bool:
    viewer = viewer_of(user)
    return bool(viewer and (viewer.teacher_org_ids or viewer.admin_org_ids))


rules.add_perm("portfolio.view", can_view_portfolio)
rules.add_perm("portfolio.add", can_add_to_portfolio)
# The card: a parent may change the child's identity (recorded in the history); the student
# may not change their own name or birth date (seed 001, item 3).
rules.add_perm("portfolio.edit_card", is_family | is_class_teacher_of | is_school_admin_of)
rules.add_perm("portfolio.edit_identity", is_guardian_of | is_class_teacher_of | is_school_admin_of)
# «ОВЗ» follows the school's documents (a ПМПК conclusion), so only the school sets it.
rules.add_perm("portfolio.edit_special_needs", is_class_teacher_of | is_school_admin_of)
rules.add_perm("portfolio.review", can_review_achievement_of)
rules.add_perm("portfolio.enter_results", is_school_staff_of_student)
rules.add_perm("portfolio.confirm_queue", may_queue)
rules.add_perm("portfolio.manage_points", is_admin_of_org)
rules.add_perm("portfolio.import_diagnostics", is_admin_of_org | is_teacher_in_org)
rules.add_perm("portfolio.view_org", is_staff_of_org)


def diagnostics_import_scope(user: Any, organisation: Any) -> Callable[[Any], bool] | None:
    """Whose results this person may import: None for the school's administration (the whole
    school); for a teacher, the students of the classes they lead, the classes they teach and
    their groups — the students ``portfolio.enter_results`` lets them enter one by one
    (``is_class_teacher_of | teaches_student``), decided in one query for the whole file."""
    viewer = viewer_of(user)
    if viewer is None:
        return lambda student: False
    if organisation.id in viewer.admin_org_ids:
        return None
    from django.db.models import Q

    from shkola.schools.models import Student
    from shkola.timetable.models import TimetableEntry

    entries = TimetableEntry.objects.filter(teacher=user)
    allowed = set(
        Student.objects.filter(organisation=organisation)
        .filter(
            Q(current_class_id__in=viewer.led_class_ids)
            | Q(current_class_id__in=entries.values("class_unit_id"))
            | Q(study_groups__in=entries.filter(group__isnull=False).values("group_id"))
        )
        .values_list("id", flat=True)
    )
    return lambda student: student.id in allowed
