from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "shkola.privacy"
    label = "privacy"
    verbose_name = _("Персональные данные")

    def ready(self) -> None:
        from shkola.core.navigation import NavItem, register

        from . import rules  # noqa: F401  (registers the permissions)

        register(
            NavItem(
                label=_("Уничтожение персональных данных"),
                url_name="privacy:destructions",
                icon="file-earmark-x",
                visible=lambda v: bool(getattr(v, "admin_org_ids", None)),
                menu=_("Школа"),
                menu_icon="building-gear",
                order=83,
            )
        )
        register(
            NavItem(
                label=_("Тексты согласий"),
                url_name="privacy:texts",
                icon="file-earmark-text",
                visible=lambda v: (
                    bool(getattr(v.user, "is_superuser", False))
                    or any(r.role == "regional" for r in v.roles)
                ),
                order=95,
            )
        )
