from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AbsencesConfig(AppConfig):
    name = "shkola.absences"
    label = "absences"
    verbose_name = _("Записки от родителей")

    def ready(self) -> None:
        from shkola.core.navigation import NavItem, register
        from shkola.core.pages import HomeFeed, register_home_feed

        from . import rules  # noqa: F401  (registers the permissions)
        from .selectors import home_feed

        register(
            NavItem(
                label=_("Записки"),
                url_name="absences:mine",
                icon="envelope-paper",
                visible=lambda v: v.is_parent,
                menu=_("Общение"),
                menu_icon="chat-dots",
                order=66,
            )
        )
        register(
            NavItem(
                label=_("Записки от родителей"),
                url_name="absences:queue",
                icon="envelope-check",
                visible=lambda v: v.is_class_teacher or v.is_school_admin,
                menu=_("Общение"),
                menu_icon="chat-dots",
                order=67,
            )
        )
        register_home_feed(
            HomeFeed(
                key="absence_notes",
                template="absences/_home_feed.html",
                load=lambda request, viewer: home_feed(viewer),
                order=25,
            )
        )
