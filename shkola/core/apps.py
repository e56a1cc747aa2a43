from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "shkola.core"
    label = "core"

    def ready(self) -> None:
        from .navigation import NavItem, register

        register(
            NavItem(
                label=_("Главная"),
                url_name="core:home",
                icon="house",
                visible=lambda v: True,
                order=0,
            )
        )
