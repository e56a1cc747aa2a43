"""Reads for single sign-on: the curator's list of children the roster did not have.

A claimed child is in no school yet, so the list goes to the schools its parent belongs to
(where the parent's other children study, or where the parent works or studies): those
curators know the family and are the ones who can find or enrol the child."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from shkola.accounts.selectors import Viewer
from shkola.core import params
from shkola.schools.models import Guardianship, Student

from .models import UnmatchedChild, UnmatchedChildStatus

MAX_CANDIDATES = 8


def _of_schools(org_ids: set[int]) -> QuerySet[UnmatchedChild]:
    return (
        UnmatchedChild.objects.filter(
            Q(parent__guardian__guardianships__student__organisation_id__in=org_ids)
            | Q(parent__student__organisation_id__in=org_ids)
            | Q(parent__roles__organisation_id__in=org_ids)
        )
        .distinct()
        .select_related("parent")
    )


@dataclass
class UnmatchedRow:
    unmatched: UnmatchedChild
    parent_children: list[Student]
    candidates: list[Student]  # roster students of the viewer's schools who may be this child


def unmatched_children(viewer: Viewer) -> list[UnmatchedRow]:
    """Open records of the viewer's schools, each with the parent's linked children and the
    roster students of those schools with the same birth date or the same name."""
    org_ids = viewer.admin_org_ids
    if not org_ids:
        return []
    records = list(
        _of_schools(org_ids)
        .filter(status=UnmatchedChildStatus.OPEN)
        .order_by("-last_seen_at", "-id")
    )
    if not records:
        return []
    dates = {r.birth_date for r in records if r.birth_date}
    names = {(r.last_name, r.first_name) for r in records if r.last_name}
    name_q = Q()
    for last, first in names:
        name_q |= Q(last_name__iexact=last, first_name__iexact=first)
    pool = list(
        Student.objects.filter(organisation_id__in=org_ids)
        .filter(Q(birth_date__in=dates) | name_q if names else Q(birth_date__in=dates))
        .select_related("current_class__parallel", "organisation")
        .order_by("last_name", "first_name")
    )
    children: dict[int, list[Student]] = {}
    for link in Guardianship.objects.filter(
        guardian__user_id__in={r.parent_id for r in records}
    ).select_related("guardian", "student__current_class__parallel"):
        if link.guardian.user_id is not None:
            children.setdefault(link.guardian.user_id, []).append(link.student)
    rows = []
    for r in records:
        candidates = [
            s
            for s in pool
            if (r.birth_date and s.birth_date == r.birth_date)
            or (
                r.last_name
                and s.last_name.lower() == r.last_name.lower()
                and s.first_name.lower() == r.first_name.lower()
            )
        ][:MAX_CANDIDATES]
        rows.append(UnmatchedRow(r, children.get(r.parent_id, []), candidates))
    return rows


def unmatched_of_admin(viewer: Viewer, unmatched_id: int) -> UnmatchedChild:
    record = _of_schools(viewer.admin_org_ids).filter(pk=unmatched_id).first()
    if record is None:
        raise Http404
    return record


def student_of_admin(viewer: Viewer, student_id: Any) -> Student:
    pk = params.parse_id(student_id)
    student = (
        Student.objects.select_related("organisation")
        .filter(pk=pk, organisation_id__in=viewer.admin_org_ids)
        .first()
        if pk is not None
        else None
    )
    if student is None:
        raise Http404
    return student
