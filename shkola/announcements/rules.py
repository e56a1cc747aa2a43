"""Who may post and change announcements.

- the school's administration (curator, deputy, director) posts for the whole school, its
  parallels or classes, for families, students, parents or staff, and changes any
  announcement of its school;
- a class teacher posts for the families of the classes they lead and changes their own;
- reading is decided by the audience (``selectors.audience_q``), not by a rule: an
  announcement outside one's audience is a 404."""

from __future__ import annotations

from typing import Any

import rules

from shkola.accounts.rules import viewer_of


@rules.predicate
def may_post(user: Any) -> bool:
    viewer = viewer_of(user)
    return bool(viewer and (viewer.admin_org_ids or viewer.led_class_ids))


@rules.predicate
def is_author(user: Any, announcement: Any) -> bool:
    return bool(announcement is not None and announcement.author_id == getattr(user, "pk", None))


@rules.predicate
def is_admin_of_school(user: Any, announcement: Any) -> bool:
    viewer = viewer_of(user)
    return bool(
        viewer and announcement is not None and announcement.organisation_id in viewer.admin_org_ids
    )


rules.add_perm("announcements.post", may_post)
rules.add_perm("announcements.change", is_author | is_admin_of_school)
