"""Send every destruction whose day has come to the worker (H2). Run it daily (cron) or with
``--loop`` beside the worker (``make demo`` does), so a 30-day schedule fires even when the
task queue cannot hold a job for a month."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from shkola.core import clock
from shkola.privacy import services


class Command(BaseCommand):
    help = "Поставить в очередь уничтожения персональных данных, срок которых наступил."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--loop", type=int, metavar="SECONDS", help="keep running, ticking every SECONDS"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        pause = options.get("loop")
        while True:
            queued = services.destructions_due_enqueue()
            if queued or not pause:
                self.stdout.write(f"{clock.now():%Y-%m-%d %H:%M} destructions queued: {queued}")
            if not pause:
                return
            time.sleep(max(pause, 1))
