"""Reads for the register of organisations: fixed query counts, scoped to the official."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.http import Http404

from shkola.accounts.models import Role, RoleAssignment
from shkola.schools.models import Organisation, Student, Territory


@dataclass
class OrganisationRow:
    organisation: Organisation
    students: int
    curators: list[Any] = field(default_factory=list)


@dataclass
class MunicipalityGroup:
    territory: Territory
    rows: list[OrganisationRow]


def official_municipalities(viewer: Any) -> list[Territory]:
    """The municipalities an official registers in: their own, or every one of their region."""
    ids = viewer.territory_ids
    if not ids:
        return []
    return list(
        Territory.objects.filter(id__in=ids, kind=Territory.Kind.MUNICIPALITY).order_by("name")
    )


def municipality_of_official(viewer: Any, territory_id: int | None) -> Territory | None:
    if territory_id is None:
        return None
    return next((t for t in official_municipalities(viewer) if t.id == territory_id), None)


def organisations_by_municipality(viewer: Any) -> list[MunicipalityGroup]:
    """Every organisation of the official's territory grouped by municipality, with its
    students and curators; four queries whatever the number of organisations."""
    municipalities = official_municipalities(viewer)
    orgs = list(
        Organisation.objects.filter(territory__in=municipalities).order_by("short_name", "id")
    )
    org_ids = [o.id for o in orgs]
    students = dict(
        Student.objects.filter(organisation_id__in=org_ids, current_class__isnull=False)
        .values_list("organisation_id")
        .annotate(n=Count("id"))
        .values_list("organisation_id", "n")
    )
    curators: dict[int, list[Any]] = {}
    for assignment in (
        RoleAssignment.objects.filter(organisation_id__in=org_ids, role=Role.CURATOR)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    ):
        curators.setdefault(assignment.organisation_id, []).append(assignment.user)  # type: ignore[arg-type]
    rows: dict[int, list[OrganisationRow]] = {t.id: [] for t in municipalities}
    for org in orgs:
        rows[org.territory_id].append(
            OrganisationRow(org, students.get(org.id, 0), curators.get(org.id, []))
        )
    return [MunicipalityGroup(t, rows[t.id]) for t in municipalities]


def organisation_of_official(viewer: Any, organisation_id: int) -> Organisation:
    """One organisation of the official's territory; any other is a 404."""
    org = (
        Organisation.objects.select_related("territory")
        .filter(id=organisation_id, territory_id__in=viewer.territory_ids or [0])
        .first()
    )
    if org is None:
        raise Http404
    return org


def organisation_curators(organisation: Organisation) -> list[Any]:
    return [
        a.user
        for a in RoleAssignment.objects.filter(organisation=organisation, role=Role.CURATOR)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    ]
