"""Who gets what from each register URL (see shkola/core/testing/matrix.py): the demo
official (a municipal one) for the organisations of their municipality; another
municipality's organisation is a 404, and nobody else sees the register at all."""

from __future__ import annotations

from typing import Any

from shkola.core.testing.matrix import Case, expect

OFFICIAL_ONLY = expect(404, anonymous=302, official=200)
NOBODY = expect(404, anonymous=302)


def _foreign_organisation(w: Any) -> Any:
    """A school of another municipality of the same region."""
    from shkola.schools.models import Organisation, Territory

    territory, _ = Territory.objects.get_or_create(
        name="Соседний муниципальный округ",
        kind=Territory.Kind.MUNICIPALITY,
        defaults={"parent": w.municipality.parent},
    )
    org, _ = Organisation.objects.get_or_create(
        territory=territory, short_name="МБОУ СОШ №99", defaults={"full_name": "Школа №99"}
    )
    return org


CASES = [
    Case("registry:organisations", OFFICIAL_ONLY),
    Case("registry:organisation_new", OFFICIAL_ONLY),
    Case("registry:organisation_new", OFFICIAL_ONLY, query="territory=abc", label="bad-query"),
    Case(
        "registry:organisation_edit",
        OFFICIAL_ONLY,
        kwargs=lambda w: {"organisation_id": w.school.id},
    ),
    Case(
        "registry:organisation_edit",
        NOBODY,
        kwargs=lambda w: {"organisation_id": _foreign_organisation(w).id},
        label="other-territory",
    ),
    Case(
        "registry:curator_issue",
        OFFICIAL_ONLY,
        kwargs=lambda w: {"organisation_id": w.school.id},
    ),
    Case(
        "registry:curator_issue",
        NOBODY,
        kwargs=lambda w: {"organisation_id": _foreign_organisation(w).id},
        label="other-territory",
    ),
]
