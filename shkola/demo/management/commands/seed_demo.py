from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shkola.demo.services import (
    DEFAULT_SEED,
    DemoError,
    demo_logins_table,
    demo_region_build,
)


class Command(BaseCommand):
    help = "Строит демо-регион (муниципалитет, школы, расписание, журнал) в пустой базе."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schools", type=int, default=2, help="Сколько школ (по умолчанию 2).")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Зерно случайности.")
        parser.add_argument("--size", choices=("full", "tiny"), default="full")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = demo_region_build(
                schools=options["schools"], seed=options["seed"], size=options["size"]
            )
        except DemoError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(report.summary()))
        self.stdout.write(demo_logins_table())
