from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

TALK_MENU = _("Общение")


def _home_feed(request: Any, viewer: Any) -> Any:
    from .selectors import home_feed

    return home_feed(viewer)


def _unread(viewer: Any) -> Any:
    from .selectors import unread

    return unread(viewer)


def _reads(viewer: Any) -> bool:
    return bool(viewer.own_student or viewer.children or viewer.staff_org_ids)


class AnnouncementsConfig(AppConfig):
    name = "shkola.announcements"
    label = "announcements"
    verbose_name = _("Объявления")

    def ready(self) -> None:
        from shkola.core.navigation import Badge, NavItem, register, register_badge
        from shkola.core.pages import HomeFeed, register_home_feed

        from . import rules  # noqa: F401  (registers the permissions)

        register(
            NavItem(
                label=_("Объявления"),
                url_name="announcements:list",
                icon="megaphone",
                visible=_reads,
                menu=TALK_MENU,
                menu_icon="chat-dots",
                order=62,
            )
        )
        register(
            NavItem(
                label=_("Мои объявления"),
                url_name="announcements:mine",
                icon="pencil-square",
                visible=lambda v: bool(v.admin_org_ids or v.led_class_ids),
                menu=TALK_MENU,
                menu_icon="chat-dots",
                order=63,
            )
        )
        register_badge(
            Badge(
                key="announcements",
                label=_("Объявления"),
                url_name="announcements:list",
                icon="megaphone",
                count=_unread,
                visible=_reads,
                order=30,
            )
        )
        register_home_feed(
            HomeFeed(
                key="announcements",
                template="announcements/_home_feed.html",
                load=_home_feed,
                order=30,
            )
        )
