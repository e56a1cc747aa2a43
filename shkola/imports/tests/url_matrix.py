"""Who gets what from each import URL (see shkola/core/testing/matrix.py): the school's
administration only; a job of another school is a 404 for everybody."""

from __future__ import annotations

from typing import Any

from shkola.core.testing.matrix import Case, expect

ADMIN_ONLY = expect(404, anonymous=302, curator=200)
NOBODY = expect(404, anonymous=302)


def _job(w: Any, organisation: Any = None) -> dict[str, Any]:
    from shkola.imports.models import ImportJob

    job, _ = ImportJob.objects.get_or_create(
        organisation=organisation or w.school,
        file_name="матрица.csv",
        defaults={"kind": "students", "status": "refused", "report": {"counts": {}}},
    )
    return {"job_id": job.id}


def _ktp_job(w: Any) -> dict[str, Any]:
    from shkola.imports.models import ImportJob

    job, _ = ImportJob.objects.get_or_create(
        organisation=w.school,
        file_name="ктп.xlsx",
        kind="ktp",
        defaults={
            "status": "refused",
            "report": {"counts": {}},
            "class_unit": w.class_unit,
            "subject": w.subject,
            "created_by": w.users["teacher"],
        },
    )
    return {"job_id": job.id}


# A КТП: the administration and the teachers who have a class journal in the timetable.
KTP = expect(
    200,
    anonymous=302,
    student=404,
    parent=404,
    official=404,
    parent_two_schools=404,
    teacher_parent=404,  # teaches no class journal in the timetable
)

CASES = [
    Case("imports:ktp", KTP),
    Case("imports:template", KTP, kwargs=lambda w: {"kind": "ktp"}, label="ktp"),
    # The teacher's own КТП of the demo class: the teacher who loaded it and the administration.
    Case(
        "imports:job",
        expect(404, anonymous=302, curator=200, teacher=200),
        kwargs=_ktp_job,
        label="ktp",
    ),
    Case("imports:index", ADMIN_ONLY),
    Case("imports:template", ADMIN_ONLY, kwargs=lambda w: {"kind": "students"}),
    Case("imports:template", ADMIN_ONLY, kwargs=lambda w: {"kind": "parents"}, label="parents"),
    Case("imports:template", ADMIN_ONLY, kwargs=lambda w: {"kind": "staff"}, label="staff"),
    Case("imports:template", NOBODY, kwargs=lambda w: {"kind": "nonsense"}, label="unknown"),
    Case("imports:job", ADMIN_ONLY, kwargs=_job),
    Case("imports:job", NOBODY, kwargs=lambda w: _job(w, w.other_school), label="other school"),
    Case("imports:progress", ADMIN_ONLY, kwargs=_job),
    Case(
        "imports:progress", NOBODY, kwargs=lambda w: _job(w, w.other_school), label="other school"
    ),
    # GET is refused; only «Применить» (POST) queues a job.
    Case("imports:apply", expect(404, anonymous=302, curator=405), kwargs=_job),
    Case("imports:apply", NOBODY, kwargs=lambda w: _job(w, w.other_school), label="other school"),
]
