"""Letters go out through the ``django.tasks`` worker, with the outbox row's id only."""

from __future__ import annotations

from django.tasks import task


@task
def send_letter(outbox_id: int) -> bool:
    """Deliver one outbox letter; a failure stays in the outbox for ``outbox_retry_due``."""
    from .services import outbox_deliver

    return outbox_deliver(outbox_id=outbox_id)
