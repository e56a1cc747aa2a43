"""Who may see and change a course.

- the course's teachers and the school's administration manage it: modules, materials,
  assignments, submissions, feedback and marks, the progress table and the sign-ups;
- a student of a class or group the course is for (or signed up to an open course) studies
  it: opens modules, submits work, sees their own progress;
- a student of the school sees an open course («открытая запись») and may sign up;
- a parent sees the progress of a child who studies the course;
- nobody else sees it: another school's or family's course is a 404."""

from __future__ import annotations

from typing import Any

import rules

from shkola.accounts.rules import viewer_of


def _member(course: Any, student: Any) -> bool:
    from .selectors import is_member

    return is_member(course, student)


@rules.predicate
def teaches_course(user: Any, course: Any) -> bool:
    viewer = viewer_of(user)
    if not viewer or course is None or course.organisation_id not in viewer.staff_org_ids:
        return False
    from .selectors import teacher_ids

    return user.pk in teacher_ids(course)


@rules.predicate
def administers_course(user: Any, course: Any) -> bool:
    viewer = viewer_of(user)
    return bool(viewer and course is not None and course.organisation_id in viewer.admin_org_ids)


@rules.predicate
def studies_course(user: Any, course: Any) -> bool:
    viewer = viewer_of(user)
    student = viewer.own_student if viewer else None
    return bool(
        student is not None
        and course is not None
        and student.organisation_id == course.organisation_id
        and _member(course, student)
    )


@rules.predicate
def may_sign_up(user: Any, course: Any) -> bool:
    viewer = viewer_of(user)
    student = viewer.own_student if viewer else None
    return bool(
        student is not None
        and course is not None
        and course.open_enrolment
        and student.organisation_id == course.organisation_id
    )


@rules.predicate
def parent_of_member(user: Any, course: Any) -> bool:
    viewer = viewer_of(user)
    if not viewer or course is None:
        return False
    return any(
        c.organisation_id == course.organisation_id and _member(course, c) for c in viewer.children
    )


@rules.predicate
def may_create(user: Any) -> bool:
    viewer = viewer_of(user)
    return bool(viewer and (viewer.teacher_org_ids or viewer.admin_org_ids))


can_manage = teaches_course | administers_course

rules.add_perm("courses.create_course", may_create)
rules.add_perm("courses.manage_course", can_manage)
rules.add_perm("courses.study_course", studies_course)
rules.add_perm("courses.sign_up", may_sign_up)
rules.add_perm("courses.view_course", can_manage | studies_course | may_sign_up | parent_of_member)
