"""Who may keep a school's people: its administration (curator, director, deputy)."""

from __future__ import annotations

from typing import Any

import rules

from shkola.accounts.rules import viewer_of


@rules.predicate
def administers_school(user: Any, organisation: Any) -> bool:
    viewer = viewer_of(user)
    return bool(viewer and organisation is not None and organisation.pk in viewer.admin_org_ids)


rules.add_perm("roster.manage_people", administers_school)
