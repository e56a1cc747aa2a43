from django.apps import AppConfig


class YearSetupConfig(AppConfig):
    name = "shkola.yearsetup"
    label = "yearsetup"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from shkola.core.navigation import NavItem, register

        register(
            NavItem(
                label=_("Учебный год"),
                url_name="yearsetup:dates",
                icon="calendar-range",
                visible=lambda v: bool(v.admin_org_ids),
                menu=_("Школа"),
                menu_icon="building-gear",
                order=77,
            )
        )
