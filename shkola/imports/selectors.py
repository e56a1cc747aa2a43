"""Reads of the import pages: a job of the viewer's schools, and a school's recent jobs."""

from __future__ import annotations

from dataclasses import dataclass

from shkola.accounts.selectors import Viewer
from shkola.schools.models import ClassUnit, Organisation, Subject

from .models import ImportJob, ImportKind

RECENT_JOBS = 10


def import_job(viewer: Viewer, job_id: int) -> ImportJob | None:
    """A job of a school the viewer administers, or a КТП the viewer (a teacher) loaded."""
    from django.db.models import Q

    return (
        ImportJob.objects.select_related(
            "organisation", "created_by", "class_unit__parallel", "subject"
        )
        .filter(id=job_id)
        .filter(
            Q(organisation_id__in=list(viewer.admin_org_ids))
            | Q(
                kind=ImportKind.KTP,
                created_by=viewer.user,
                organisation_id__in=list(viewer.teacher_org_ids),
            )
        )
        .first()
    )


@dataclass(frozen=True)
class KtpJournal:
    class_unit: ClassUnit
    subject: Subject

    @property
    def value(self) -> str:
        return f"{self.class_unit.id}-{self.subject.id}"

    @property
    def title(self) -> str:
        return f"{self.class_unit.name} · {self.subject.name}"


def ktp_journals(viewer: Viewer) -> list[KtpJournal]:
    """The class journals a КТП may be loaded into: the whole current year of the schools the
    viewer administers, and the classes and subjects a teacher has in the timetable."""
    from django.db.models import Q

    from shkola.timetable.models import TimetableEntry

    where = Q(academic_year__organisation_id__in=list(viewer.admin_org_ids))
    if viewer.teacher_org_ids:
        where |= Q(
            teacher=viewer.user, academic_year__organisation_id__in=list(viewer.teacher_org_ids)
        )
    if not (viewer.admin_org_ids or viewer.teacher_org_ids):
        return []
    pairs = set(
        TimetableEntry.objects.filter(
            where, academic_year__is_current=True, class_unit__isnull=False
        )
        .values_list("class_unit_id", "subject_id")
        .distinct()
    )
    classes = ClassUnit.objects.select_related("parallel__organisation").in_bulk(
        {c for c, _s in pairs}
    )
    subjects = Subject.objects.in_bulk({s for _c, s in pairs})
    journals = [KtpJournal(classes[c], subjects[s]) for c, s in pairs]
    return sorted(
        journals,
        key=lambda j: (j.class_unit.parallel.grade, j.class_unit.letter, j.subject.name),
    )


def recent_jobs(organisation: Organisation) -> list[ImportJob]:
    return list(
        ImportJob.objects.filter(organisation=organisation)
        .select_related("created_by")
        .defer("rows", "report")[:RECENT_JOBS]
    )
