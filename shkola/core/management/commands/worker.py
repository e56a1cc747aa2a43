"""``manage.py worker``: django-tasks-db's ``db_worker`` with a heartbeat and the recovery of
the tasks of workers that died (shkola.core.workers, docs/workers.md). Run as many as the
load needs, on one host or several; every option of ``db_worker`` works here too."""

from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from shkola.core.workers import HeartbeatWorker, default_worker_id


class Command(db_worker.Command):
    help = (
        "Run a background worker (django-tasks-db) that writes a heartbeat and puts back in "
        "the queue the tasks of workers not seen for WORKER_STALE_SECONDS."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        # host-pid-random instead of db_worker's 32 random letters: the log and the
        # heartbeat table say where a worker runs
        parser.set_defaults(worker_id=None)

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str | None,
        exclude_queues: str,
        **options: Any,
    ) -> None:
        self.configure_logging(verbosity)
        stale = float(settings.WORKER_STALE_SECONDS)
        heartbeat = float(settings.WORKER_HEARTBEAT_SECONDS)
        if heartbeat <= 0 or heartbeat * 3 > stale:
            raise CommandError(
                "WORKER_HEARTBEAT_SECONDS must be above 0 and at most a third of "
                f"WORKER_STALE_SECONDS ({heartbeat:g} and {stale:g})."
            )
        if reload and batch:
            reload = False
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = HeartbeatWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id or default_worker_id(),
            excluded_queue_names=excluded,
            heartbeat_seconds=heartbeat,
            stale_seconds=stale,
            max_attempts=int(settings.WORKER_MAX_ATTEMPTS),
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
