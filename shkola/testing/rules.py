"""Who may do what with online tests.

- a teacher keeps their own bank and tests; a question a colleague shared is seen (and used
  in tests) by the school's teachers, but changed only by its owner;
- the school's administration sees every test and result of its school;
- a student takes the published tests for their class or group, and sees their own attempts;
- parents have no «Тесты» section (seed 001); the result reaches them through the journal
  and the portfolio. Anything else is a 404."""

from __future__ import annotations

from typing import Any

import rules

from shkola.accounts.rules import viewer_of


@rules.predicate
def is_teacher(user: Any) -> bool:
    viewer = viewer_of(user)
    return bool(viewer and viewer.teacher_org_ids)


@rules.predicate
def is_student(user: Any) -> bool:
    viewer = viewer_of(user)
    return bool(viewer and viewer.own_student)


@rules.predicate
def owns(user: Any, obj: Any) -> bool:
    return bool(obj is not None and obj.owner_id == user.pk)


@rules.predicate
def sees_shared(user: Any, question: Any) -> bool:
    viewer = viewer_of(user)
    return bool(
        viewer
        and question is not None
        and question.shared
        and question.organisation_id in viewer.teacher_org_ids
    )


@rules.predicate
def administers(user: Any, obj: Any) -> bool:
    viewer = viewer_of(user)
    return bool(viewer and obj is not None and obj.organisation_id in viewer.admin_org_ids)


@rules.predicate
def takes_attempt(user: Any, attempt: Any) -> bool:
    viewer = viewer_of(user)
    return bool(
        viewer and attempt is not None and viewer.own_student
        and attempt.student_id == viewer.own_student.id
    )  # fmt: skip


@rules.predicate
def may_review_attempt(user: Any, attempt: Any) -> bool:
    return bool(
        attempt is not None and (owns(user, attempt.test) or administers(user, attempt.test))
    )


rules.add_perm("testing.keep_bank", is_teacher)
rules.add_perm("testing.view_question", owns | sees_shared | administers)
rules.add_perm("testing.change_question", owns)
rules.add_perm("testing.manage_test", owns)
rules.add_perm("testing.view_results", owns | administers)
rules.add_perm("testing.take_tests", is_student)
rules.add_perm("testing.take_attempt", takes_attempt)
rules.add_perm("testing.review_attempt", may_review_attempt)
