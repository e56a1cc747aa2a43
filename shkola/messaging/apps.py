from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "shkola.messaging"
    label = "messaging"
    verbose_name = _("Сообщения")

    def ready(self) -> None:
        from shkola.core.navigation import Badge, NavItem, register, register_badge
        from shkola.core.pages import HomeFeed, register_home_feed

        from . import rules  # noqa: F401  (registers the permissions)
        from .home import home_feed_load, unread_for_badge

        register(
            NavItem(
                label=_("Сообщения"),
                url_name="messaging:inbox",
                icon="envelope",
                visible=rules.can_use_messages,
                menu=_("Общение"),
                menu_icon="chat-dots",
                order=60,
            )
        )
        register_badge(
            Badge(
                key="messages",
                label=_("Сообщения"),
                url_name="messaging:inbox",
                icon="envelope",
                count=unread_for_badge,
                visible=rules.can_use_messages,
            )
        )
        register_home_feed(
            HomeFeed(
                key="messages",
                template="messaging/_home_feed.html",
                load=home_feed_load,
                order=20,
            )
        )
