"""Who may see and do what with the school's services.

- the school's administration (curator, deputy, director) publishes services and decides the
  applications of its own school;
- a parent sees the published services of the schools their children attend and applies for
  their own child; they withdraw their own child's application;
- nobody else sees a service or an application: another school's or family's is a 404."""

from __future__ import annotations

from typing import Any

import rules

from shkola.accounts.rules import is_guardian_of, viewer_of


@rules.predicate
def administers_school_of_service(user: Any, service: Any) -> bool:
    viewer = viewer_of(user)
    return bool(viewer and service is not None and service.organisation_id in viewer.admin_org_ids)


@rules.predicate
def administers_school_of_application(user: Any, application: Any) -> bool:
    viewer = viewer_of(user)
    return bool(
        viewer
        and application is not None
        and application.service.organisation_id in viewer.admin_org_ids
    )


@rules.predicate
def is_parent_of_applicant(user: Any, application: Any) -> bool:
    viewer = viewer_of(user)
    return bool(
        viewer
        and application is not None
        and any(c.id == application.student_id for c in viewer.children)
    )


@rules.predicate
def is_school_admin(user: Any) -> bool:
    viewer = viewer_of(user)
    return bool(viewer and viewer.admin_org_ids)


rules.add_perm("extras.manage_services", is_school_admin)
rules.add_perm("extras.manage_service", administers_school_of_service)
rules.add_perm("extras.apply", is_guardian_of)
rules.add_perm("extras.decide_application", administers_school_of_application)
rules.add_perm("extras.withdraw_application", is_parent_of_applicant)
