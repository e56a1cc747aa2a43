"""Several ``django-tasks`` database workers side by side (docs/workers.md).

django-tasks-db's worker claims a task with ``SELECT … FOR UPDATE SKIP LOCKED`` and marks it
RUNNING, so two workers never take the same task. What it lacks is a worker that dies in the
middle (SIGKILL, out of memory, a lost host): its task stays RUNNING forever. Here each worker
writes a heartbeat, and every worker puts back in the queue the tasks of a worker that stopped
beating. That is safe because each of the product's tasks is one transaction or idempotent:
running again what a dead worker left undone does it whole, never twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection
from django.db.models import DateTimeField, ExpressionWrapper, Value
from django.db.models.functions import Now
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from .models import TaskWorker

log = logging.getLogger(__name__)


class WorkerLost(Exception):
    """Recorded on a task given up because the workers running it kept dying."""


@dataclass
class Recovery:
    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def default_worker_id() -> str:
    """Readable in the logs and the heartbeat table: which host, which process."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(6)}"


def _seen_since(stale_seconds: float) -> ExpressionWrapper:
    # The database's clock both writes and judges the heartbeats: hosts' clocks may differ.
    return ExpressionWrapper(
        Now() - Value(dt.timedelta(seconds=stale_seconds)), output_field=DateTimeField()
    )


def worker_beat(*, worker_id: str, host: str, pid: int, started_at: dt.datetime) -> None:
    """This worker is alive. The row is written again if another worker removed it (it took
    this worker for dead during a pause longer than the stale time)."""
    if TaskWorker.objects.filter(pk=worker_id).update(last_seen=Now()):
        return
    try:
        TaskWorker.objects.create(
            worker_id=worker_id, host=host[:255], pid=pid, started_at=started_at, last_seen=Now()
        )
    except IntegrityError:  # written in between by this worker's other thread
        pass


def _give_back(task: DBTaskResult, worker: str, why: str, max_attempts: int, out: Recovery) -> None:
    """Back to READY (or FAILED after ``max_attempts`` claims), only if the row is still the
    same claim: ``started_at`` changes with every claim, so two workers recovering the same
    task at once change it once."""
    attempts = len(task.worker_ids)
    same_claim = DBTaskResult.objects.filter(
        pk=task.pk, status=TaskResultStatus.RUNNING, started_at=task.started_at
    )
    if attempts >= max_attempts:
        message = (
            f"Worker {worker} {why} while running attempt {attempts} of {max_attempts}; "
            "given up (a task that kills its worker every time)."
        )
        if same_claim.update(
            status=TaskResultStatus.FAILED,
            finished_at=timezone.now(),
            return_value=None,
            exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
            traceback=message,
        ):
            log.error("task %s (%s): %s", task.pk, task.task_path, message)
            out.failed.append(str(task.pk))
        return
    if same_claim.update(status=TaskResultStatus.READY):
        log.warning(
            "task %s (%s): worker %s %s; back in the queue after attempt %d of %d",
            task.pk,
            task.task_path,
            worker,
            why,
            attempts,
            max_attempts,
        )
        out.requeued.append(str(task.pk))


def workers_recover(
    *,
    stale_seconds: float | None = None,
    max_attempts: int | None = None,
    orphans: bool = False,
) -> Recovery:
    """Put back in the queue every RUNNING task whose worker has not been seen for
    ``stale_seconds``. With ``orphans`` (a worker starting up), also the tasks of workers that
    have no heartbeat row at all (a plain ``db_worker``, or rows lost) and that started longer
    ago than the stale time.

    Costs one query on the small heartbeat table while every worker is alive; the RUNNING
    tasks are read only when a worker has gone stale."""
    stale_seconds = float(stale_seconds or settings.WORKER_STALE_SECONDS)
    max_attempts = int(max_attempts or settings.WORKER_MAX_ATTEMPTS)
    since = _seen_since(stale_seconds)
    out = Recovery()
    stale = set(TaskWorker.objects.filter(last_seen__lt=since).values_list("worker_id", flat=True))
    if not stale and not orphans:
        return out
    alive = set(TaskWorker.objects.filter(last_seen__gte=since).values_list("worker_id", flat=True))
    started_before = timezone.now() - dt.timedelta(seconds=stale_seconds)
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only(
        "id", "worker_ids", "started_at", "task_path"
    )
    for task in running:
        worker = str(task.worker_ids[-1]) if task.worker_ids else ""
        if worker in alive:
            continue
        if worker in stale:
            _give_back(task, worker, f"not seen for {stale_seconds:g} s", max_attempts, out)
        elif orphans and task.started_at is not None and task.started_at < started_before:
            _give_back(task, worker, "has no heartbeat", max_attempts, out)
    if stale:
        # Their tasks are back in the queue. A worker that was only paused writes its row
        # again at its next beat.
        TaskWorker.objects.filter(pk__in=stale, last_seen__lt=since).delete()
    return out


class HeartbeatWorker(Worker):
    """django-tasks-db's worker loop, unchanged, with a heartbeat thread beside it.

    The heartbeat runs in its own thread (with its own database connection) so that a task
    longer than the stale time does not make its worker look dead; the same thread looks for
    dead workers' tasks after each beat. SIGTERM (or Ctrl+C) lets the current task finish, as
    django-tasks-db does; a second signal interrupts it, and the task (its transaction rolled
    back) goes back to the queue instead of being marked failed."""

    def __init__(
        self,
        *,
        heartbeat_seconds: float,
        stale_seconds: float,
        max_attempts: int,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.heartbeat_seconds = heartbeat_seconds
        self.stale_seconds = stale_seconds
        self.max_attempts = max_attempts
        self.host = socket.gethostname()
        self.pid = os.getpid()
        self.started_at = timezone.now()
        self._stop = threading.Event()
        self._forced = False

    # --- the heartbeat ------------------------------------------------------------------

    def beat(self) -> None:
        worker_beat(
            worker_id=self.worker_id, host=self.host, pid=self.pid, started_at=self.started_at
        )

    def recover(self, *, orphans: bool = False) -> Recovery:
        return workers_recover(
            stale_seconds=self.stale_seconds, max_attempts=self.max_attempts, orphans=orphans
        )

    def _heartbeat_loop(self) -> None:
        while not self._stop.wait(self.heartbeat_seconds):
            try:
                close_old_connections()
                self.beat()
                self.recover()
            except Exception:  # the database away for a moment: beat again next time
                log.exception("worker %s: heartbeat failed", self.worker_id)
                connection.close()
        connection.close()

    def run(self) -> None:
        # The row exists before the first claim, so a task is never claimed by an unknown
        # worker; tasks left by workers that died while none was running are taken back now.
        self.beat()
        self.recover(orphans=True)
        thread = threading.Thread(
            target=self._heartbeat_loop, name=f"heartbeat-{self.worker_id}", daemon=True
        )
        thread.start()
        try:
            super().run()
        finally:
            self._stop.set()
            thread.join(timeout=self.heartbeat_seconds + 30)
            self._leave()

    def _leave(self) -> None:
        """A clean stop. A signal that came after a claim and before the task started left
        the task RUNNING under this worker: it goes back to the queue now, not after the stale
        time. Then the row goes."""
        try:
            running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only(
                "id", "worker_ids", "started_at", "task_path"
            )
            out = Recovery()
            for task in running:
                if task.worker_ids and task.worker_ids[-1] == self.worker_id:
                    _give_back(task, self.worker_id, "stopped", self.max_attempts + 1, out)
            TaskWorker.objects.filter(pk=self.worker_id).delete()
        except Exception:  # the other workers recover it after the stale time
            log.exception("worker %s: could not sign off", self.worker_id)

    # --- stopping -----------------------------------------------------------------------

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        if not self.running:
            self._forced = True
        super().shutdown(signum, frame)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        super().run_task(db_task_result)
        if (
            self._forced
            and db_task_result.status == TaskResultStatus.FAILED
            and db_task_result.exception_class_path == "builtins.SystemExit"
        ):
            # Interrupted by the operator, not failed: its transaction was rolled back.
            DBTaskResult.objects.filter(
                pk=db_task_result.pk, status=TaskResultStatus.FAILED
            ).update(status=TaskResultStatus.READY, finished_at=None, exception_class_path="")
            log.warning(
                "task %s (%s): interrupted by a second signal; back in the queue",
                db_task_result.pk,
                db_task_result.task_path,
            )
