"""An attempt is finished at its deadline by the worker, with the attempt's id only."""

from __future__ import annotations

from django.tasks import task


@task
def expire_attempt(attempt_id: int) -> bool:
    """Idempotent: an attempt already finished (or not yet due) stays as it is."""
    from .models import Attempt
    from .services import attempt_expire_if_due

    attempt = Attempt.objects.filter(pk=attempt_id).first()
    return bool(attempt and attempt_expire_if_due(attempt=attempt))
