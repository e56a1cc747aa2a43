from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "shkola.registry"
    label = "registry"
    verbose_name = _("Реестр организаций")

    def ready(self) -> None:
        from shkola.core.navigation import NavItem, register

        from . import rules  # noqa: F401  (registers the permissions)

        register(
            NavItem(
                label=_("Организации"),
                url_name="registry:organisations",
                icon="buildings",
                visible=lambda v: bool(v.is_official),
                order=85,
            )
        )
