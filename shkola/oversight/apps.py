from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "shkola.oversight"
    label = "oversight"
    verbose_name = _("Мониторинг территории")

    def ready(self) -> None:
        from shkola.core.navigation import NavItem, register

        from . import rules  # noqa: F401  (registers the permissions)

        register(
            NavItem(
                label=_("Мониторинг"),
                url_name="oversight:territory",
                icon="bar-chart-line",
                visible=lambda v: bool(v.is_official),
                order=80,
            )
        )
