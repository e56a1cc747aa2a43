from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """The home page of every role: a top-floor app, since it reads accounts, schools, the
    timetable, the journal and the portfolio (core, the ground floor, reads none of them).
    Feeds of other apps come in through ``core.pages.register_home_feed``."""

    name = "shkola.home"
    label = "home"
    verbose_name = _("Главная")

    def ready(self) -> None:
        from shkola.core.navigation import NavItem, register

        register(
            NavItem(
                label=_("Главная"),
                url_name="core:home",
                icon="house",
                visible=lambda v: True,
                order=0,
            )
        )
