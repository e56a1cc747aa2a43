from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "shkola.core"
    label = "core"

    def ready(self) -> None:
        from django.urls import register_converter

        from .navigation import NavItem, register
        from .params import IdConverter

        # Every URL id is `<id:...>`: a value the database cannot hold is a 404, not a 500.
        register_converter(IdConverter, "id")

        register(
            NavItem(
                label=_("Главная"),
                url_name="core:home",
                icon="house",
                visible=lambda v: True,
                order=0,
            )
        )
