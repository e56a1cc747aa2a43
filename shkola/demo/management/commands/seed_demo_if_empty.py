from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shkola.demo.services import DEFAULT_SEED, demo_logins_table, demo_region_build
from shkola.schools.models import Organisation


class Command(BaseCommand):
    help = "Строит демо-регион, если в базе ещё нет организаций, и печатает демо-логины."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schools", type=int, default=2)
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument("--size", choices=("full", "tiny"), default="full")

    def handle(self, *args: Any, **options: Any) -> None:
        if Organisation.objects.exists():
            self.stdout.write("В базе уже есть данные — демо-регион не перестраивается.")
        else:
            report = demo_region_build(
                schools=options["schools"], seed=options["seed"], size=options["size"]
            )
            self.stdout.write(self.style.SUCCESS(report.summary()))
        self.stdout.write(demo_logins_table())
