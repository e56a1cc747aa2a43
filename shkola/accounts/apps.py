from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "shkola.accounts"
    label = "accounts"

    def ready(self) -> None:
        from shkola.core.navigation import NavItem, register

        from . import signals

        signals.connect_axes()
        signals.connect_people_cache()

        def school_admin(viewer: object) -> bool:
            return bool(getattr(viewer, "admin_org_ids", None))

        register(
            NavItem(
                label=_("Коды приглашения"),
                url_name="accounts:invitations",
                icon="qr-code",
                visible=school_admin,
                menu=_("Школа"),
                menu_icon="building-gear",
                order=80,
            )
        )
        register(
            NavItem(
                label=_("Пользователи"),
                url_name="accounts:people",
                icon="people",
                visible=school_admin,
                menu=_("Школа"),
                menu_icon="building-gear",
                order=81,
            )
        )
        register(
            NavItem(
                label=_("Журнал безопасности"),
                url_name="accounts:audit",
                icon="shield-lock",
                visible=school_admin,
                menu=_("Школа"),
                menu_icon="building-gear",
                order=82,
            )
        )
