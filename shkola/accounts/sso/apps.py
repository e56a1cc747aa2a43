from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SsoConfig(AppConfig):
    name = "shkola.accounts.sso"
    label = "sso"
    verbose_name = _("Вход через внешних провайдеров")

    def ready(self) -> None:
        from shkola.core.navigation import NavItem, register

        def school_admin(viewer: object) -> bool:
            return bool(getattr(viewer, "admin_org_ids", None))

        register(
            NavItem(
                label=_("Непривязанные дети (Госуслуги)"),
                url_name="sso:unmatched",
                icon="person-exclamation",
                visible=school_admin,
                order=83,
                menu=_("Школа"),
                menu_icon="building-gear",
            )
        )
