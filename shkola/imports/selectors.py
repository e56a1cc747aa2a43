"""Reads of the import pages: a job of the viewer's schools, and a school's recent jobs."""

from __future__ import annotations

from collections.abc import Iterable

from shkola.schools.models import Organisation

from .models import ImportJob

RECENT_JOBS = 10


def import_job(organisation_ids: Iterable[int], job_id: int) -> ImportJob | None:
    return (
        ImportJob.objects.select_related("organisation", "created_by")
        .filter(id=job_id, organisation_id__in=list(organisation_ids))
        .first()
    )


def recent_jobs(organisation: Organisation) -> list[ImportJob]:
    return list(
        ImportJob.objects.filter(organisation=organisation)
        .select_related("created_by")
        .defer("rows", "report")[:RECENT_JOBS]
    )
