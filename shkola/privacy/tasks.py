"""Destruction runs on the ``django.tasks`` worker, with the destruction's id only."""

from __future__ import annotations

from django.tasks import task


@task
def destroy_personal_data(destruction_id: int, actor_id: int | None = None) -> str:
    """Destroy one student's personal data; idempotent (a destruction done stays as it is)."""
    from .services import destruction_run

    return str(destruction_run(destruction_id=destruction_id, actor_id=actor_id).status)
