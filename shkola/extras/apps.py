from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExtrasConfig(AppConfig):
    name = "shkola.extras"
    label = "extras"
    verbose_name = _("Услуги")

    def ready(self) -> None:
        from shkola.core.navigation import NavItem, register

        from . import rules  # noqa: F401  (registers the permissions)

        register(
            NavItem(
                label=_("Услуги"),
                url_name="extras:family",
                icon="bag",
                visible=lambda v: v.is_parent,
                family=True,
                # with «Курсы» (shkola/courses/apps.py): one «Учёба» drop-down
                menu=_("Учёба"),
                menu_icon="mortarboard",
                order=62,
            )
        )
        # Seed 001: students do not apply for services and have no «Услуги» section; they
        # see the services they attend, read-only.
        register(
            NavItem(
                label=_("Мои занятия"),
                url_name="extras:mine",
                icon="bag-check",
                visible=lambda v: v.is_student,
                family=True,
                menu=_("Учёба"),
                menu_icon="mortarboard",
                order=63,
            )
        )
        register(
            NavItem(
                label=_("Услуги"),
                url_name="extras:school",
                icon="bag",
                visible=lambda v: v.is_school_admin,
                menu=_("Школа"),
                order=95,
            )
        )
