from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "shkola.notifications"
    label = "notifications"
    verbose_name = _("Уведомления")

    def ready(self) -> None:
        from shkola.core.navigation import Badge, register_badge

        from .selectors import unread

        register_badge(
            Badge(
                key="notifications",
                label=_("Уведомления"),
                url_name="notifications:list",
                icon="bell",
                count=lambda v: unread(v.user),
                visible=lambda v: bool(getattr(v.user, "is_authenticated", False)),
                order=90,
            )
        )
