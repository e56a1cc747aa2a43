from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JournalConfig(AppConfig):
    name = "shkola.journal"
    label = "journal"

    def ready(self) -> None:
        from shkola.core.navigation import NavItem, register

        from . import rules  # noqa: F401 - registers the journal's permissions

        register(
            NavItem(
                str(_("Журнал")),
                "journal:index",
                "journal-bookmark",
                visible=lambda v: v.is_teacher or v.is_school_admin or v.is_class_teacher,
                order=20,
            )
        )
