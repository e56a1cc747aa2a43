"""Who registers organisations and issues their curators' access (B1): the officials of a
municipality for its organisations, a regional official for every municipality of the
region. An organisation outside the official's territory is not found (a 404), never
refused (selectors.organisation_of_official)."""

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


rules.add_perm("registry.view", is_official)
rules.add_perm("registry.register", is_official)
rules.add_perm("registry.change", oversees)
