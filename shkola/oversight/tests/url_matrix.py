"""Who gets what from each oversight URL (see shkola/core/testing/matrix.py): the demo
official (a municipal one) for the schools and classes of their municipality; a school or
class of another municipality is a 404, and nobody else — school staff, families, the
person linked to two schools — sees these pages at all (404, as for pages not theirs)."""

from __future__ import annotations

from typing import Any

from shkola.core.testing.matrix import Case, expect

OFFICIAL_ONLY = expect(404, anonymous=302, official=200)
NOBODY = expect(404, anonymous=302)


def _foreign_school(w: Any) -> Any:
    """A school of another municipality of the same region, with a class this year."""
    from shkola.schools.models import ClassUnit, Organisation, Parallel, Territory
    from shkola.schools.services import academic_year_create

    territory, _ = Territory.objects.get_or_create(
        name="Соседний муниципальный округ (мониторинг)",
        kind=Territory.Kind.MUNICIPALITY,
        defaults={"parent": w.municipality.parent},
    )
    org, created = Organisation.objects.get_or_create(
        territory=territory, short_name="МБОУ СОШ №98", defaults={"full_name": "Школа №98"}
    )
    if created:
        year = academic_year_create(
            organisation=org, name=w.year.name, start=w.year.start, end=w.year.end
        )
        parallel = Parallel.objects.create(organisation=org, academic_year=year, grade=5)
        ClassUnit.objects.create(parallel=parallel, letter="А")
    return org


def _foreign_class(w: Any) -> Any:
    from shkola.schools.models import ClassUnit

    return ClassUnit.objects.filter(parallel__organisation=_foreign_school(w)).first()


CASES = [
    Case("oversight:territory", OFFICIAL_ONLY),
    Case("oversight:territory", OFFICIAL_ONLY, query="period=year", label="year"),
    Case("oversight:territory", OFFICIAL_ONLY, query="period=abc&xlsx=zzz", label="bad-query"),
    Case("oversight:territory", OFFICIAL_ONLY, query="xlsx=schools", label="xlsx"),
    Case("oversight:school", OFFICIAL_ONLY, kwargs=lambda w: {"organisation_id": w.school.id}),
    Case(
        "oversight:school",
        OFFICIAL_ONLY,
        kwargs=lambda w: {"organisation_id": w.other_school.id},
        label="second-school",
    ),
    Case(
        "oversight:school",
        OFFICIAL_ONLY,
        kwargs=lambda w: {"organisation_id": w.school.id},
        query="period=quarters-99999999999999999999999&xlsx=classes",
        label="bad-period-xlsx",
    ),
    Case(
        "oversight:school",
        NOBODY,
        kwargs=lambda w: {"organisation_id": _foreign_school(w).id},
        label="other-territory",
    ),
    Case("oversight:class", OFFICIAL_ONLY, kwargs=lambda w: {"class_id": w.class_unit.id}),
    Case(
        "oversight:class",
        OFFICIAL_ONLY,
        kwargs=lambda w: {"class_id": w.class_unit.id},
        query="period=%00%FF&xlsx=subjects",
        label="bad-query-xlsx",
    ),
    Case(
        "oversight:class",
        NOBODY,
        kwargs=lambda w: {"class_id": _foreign_class(w).id},
        label="other-territory",
    ),
]
