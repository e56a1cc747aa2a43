"""The import of a checked file runs on the ``django.tasks`` worker, with the job's id only."""

from __future__ import annotations

from django.tasks import task


@task
def run_import_job(job_id: int) -> str:
    """Write a queued import; idempotent (a job already done or failed is left as it is)."""
    from .services import import_job_run

    return str(import_job_run(job_id=job_id).status)
