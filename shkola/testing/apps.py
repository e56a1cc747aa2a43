from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TestingConfig(AppConfig):
    name = "shkola.testing"
    label = "testing"
    verbose_name = _("Онлайн-тесты")

    def ready(self) -> None:
        from shkola.core.navigation import NavItem, register

        from . import rules  # noqa: F401  (registers the permissions)

        register(
            NavItem(
                label=_("Тесты"),
                url_name="testing:index",
                icon="ui-checks",
                # Students take tests, teachers build them; parents do not see the section
                # (seed 001: «У родителей раздел "Тесты" не отображается»).
                visible=lambda v: v.is_student or v.is_teacher,
                # with «Курсы» (shkola/courses/apps.py): one «Учёба» drop-down
                menu=_("Учёба"),
                menu_icon="mortarboard",
                order=21,
            )
        )
