"""Build the daily digests of the people whose hour it is and retry letters that failed.

Run it every hour (cron) or with ``--loop`` beside the worker (``make demo`` does). It is
idempotent: a person gets one digest a day however often it runs."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shkola.core import clock
from shkola.notifications import services


class Command(BaseCommand):
    help = "Send the daily notification digests for this hour (Europe/Moscow) and retry failed letters."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--hour", type=int, help="digest hour 0–23 instead of the current one")
        parser.add_argument(
            "--loop",
            type=int,
            metavar="SECONDS",
            help="keep running, ticking every SECONDS (the demo's ticker)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        hour = options.get("hour")
        if hour is not None and not 0 <= hour <= 23:
            raise CommandError("--hour: целое число от 0 до 23")
        pause = options.get("loop")
        while True:
            made = services.digests_send(hour=hour)
            retried = services.outbox_retry_due()
            if made or retried or not pause:
                self.stdout.write(
                    f"{clock.now():%Y-%m-%d %H:%M} digests: {made}, letters retried: {retried}"
                )
            if not pause:
                return
            time.sleep(max(pause, 1))
