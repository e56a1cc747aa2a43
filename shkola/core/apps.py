from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shkola.core"
    label = "core"

    def ready(self) -> None:
        from django.urls import register_converter

        from . import lookups
        from .params import IdConverter

        lookups.register()

        # Every URL id is `<id:...>`: a value the database cannot hold is a 404, not a 500.
        register_converter(IdConverter, "id")

        from django.core import checks

        from .replicas import read_your_writes_check

        checks.register(read_your_writes_check, checks.Tags.database, deploy=True)
