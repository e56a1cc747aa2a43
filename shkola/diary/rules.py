"""Who may read a diary. The family reads their own; the class teacher and the school's
administration may open a student's diary too. «Замечания» are never shown to the student."""

from __future__ import annotations

import rules

from shkola.accounts.rules import (
    is_class_teacher_of,
    is_family_of,
    is_guardian_of,
    is_school_admin_of,
)

rules.add_perm("diary.view_diary", is_family_of | is_class_teacher_of | is_school_admin_of)
rules.add_perm("diary.view_remarks", is_guardian_of | is_class_teacher_of | is_school_admin_of)
