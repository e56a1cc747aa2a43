"""Who may import people into a school: its administration (curator, deputy, director)."""

from __future__ import annotations

from typing import Any

import rules

from shkola.accounts.rules import viewer_of


@rules.predicate
def administers_school(user: Any, organisation: Any) -> bool:
    v = viewer_of(user)
    return bool(v and organisation is not None and organisation.id in v.admin_org_ids)


rules.add_perm("imports.import_people", administers_school)
