"""Who sees the oversight pages (H1): the officials of a territory — a municipality's for its
schools, a regional one for every municipality of the region. A school or class outside the
territory is not found (a 404), never refused; nobody else sees these pages at all. The
pages hold aggregates only: an official never reaches a child's diary or portfolio."""

from __future__ import annotations

from typing import Any

import rules

from shkola.accounts.rules import viewer_of


@rules.predicate
def is_official(user: Any) -> bool:
    viewer = viewer_of(user)
    return bool(viewer and viewer.is_official)


@rules.predicate
def oversees(user: Any, organisation: Any) -> bool:
    viewer = viewer_of(user)
    return bool(
        viewer and organisation is not None and organisation.territory_id in viewer.territory_ids
    )


rules.add_perm("oversight.view", is_official)
rules.add_perm("oversight.view_school", oversees)
