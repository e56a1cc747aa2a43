from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "shkola.imports"
    label = "imports"
    verbose_name = _("Загрузка из файлов")

    def ready(self) -> None:
        from shkola.core.navigation import NavItem, register

        register(
            NavItem(
                label=_("Загрузка из файлов"),
                url_name="imports:index",
                icon="file-earmark-arrow-up",
                visible=lambda v: bool(v.admin_org_ids),
                menu=_("Школа"),
                menu_icon="building-gear",
                order=80,
            )
        )
