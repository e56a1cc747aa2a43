from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RosterConfig(AppConfig):
    name = "shkola.roster"
    label = "roster"
    verbose_name = _("Обучающиеся и сотрудники")

    def ready(self) -> None:
        from shkola.core.navigation import NavItem, register

        from . import rules  # noqa: F401  (registers the permissions)

        register(
            NavItem(
                label=_("Обучающиеся"),
                url_name="roster:students",
                icon="people",
                visible=lambda v: bool(v.admin_org_ids),
                menu=_("Школа"),
                menu_icon="building-gear",
                order=76,
            )
        )
        register(
            NavItem(
                label=_("Сотрудники"),
                url_name="roster:staff",
                icon="person-badge",
                visible=lambda v: bool(v.admin_org_ids),
                menu=_("Школа"),
                menu_icon="building-gear",
                order=77,
            )
        )
