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
