"""Who may do what with personal data.

- a parent sees and withdraws the consents they gave, sees who opened their children's data
  and downloads everything held about them and their children;
- a student sees their own consents (and gives or withdraws their own from 14), their own
  access log and archive;
- the school's administration sees its destructions, runs a pending one now, downloads the
  act, and exports the school's event log;
- a regional official (or a superuser) publishes a new version of a consent text."""

from __future__ import annotations

from typing import Any

import rules

from shkola.accounts.rules import viewer_of


@rules.predicate
def is_family_member(user: Any) -> bool:
    viewer = viewer_of(user)
    return bool(viewer and (viewer.children or viewer.own_student))


@rules.predicate
def is_school_admin(user: Any) -> bool:
    viewer = viewer_of(user)
    return bool(viewer and viewer.admin_org_ids)


@rules.predicate
def administers_destruction(user: Any, destruction: Any) -> bool:
    viewer = viewer_of(user)
    return bool(
        viewer and destruction is not None and destruction.organisation_id in viewer.admin_org_ids
    )


@rules.predicate
def may_publish_texts(user: Any) -> bool:
    from .selectors import regions_of_official

    if getattr(user, "is_superuser", False):
        return True
    viewer = viewer_of(user)
    return bool(viewer and regions_of_official(viewer))


rules.add_perm("privacy.view_consents", is_family_member)
rules.add_perm("privacy.view_destructions", is_school_admin)
rules.add_perm("privacy.run_destruction", administers_destruction)
rules.add_perm("privacy.publish_consent_text", may_publish_texts)
