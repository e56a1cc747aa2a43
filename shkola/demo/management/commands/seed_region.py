from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shkola.demo.region import region_seed
from shkola.demo.services import DemoError


class Command(BaseCommand):
    help = (
        "Строит срез региона для нагрузочных испытаний: несколько демо-школ и их копии через "
        "COPY (только PostgreSQL). / Builds a region slice for scale tests (PostgreSQL only)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schools", type=int, default=300, help="Сколько школ (300).")
        parser.add_argument(
            "--size",
            choices=("full", "tiny"),
            default="full",
            help="tiny: маленькие школы-образцы (для тестов).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = region_seed(
                schools=options["schools"],
                size=options["size"],
                log=lambda line: self.stdout.write(line),
            )
        except DemoError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(report.summary()))
