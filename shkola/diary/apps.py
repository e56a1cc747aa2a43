from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _family(viewer) -> bool:  # type: ignore[no-untyped-def]
    return bool(viewer.is_student or viewer.is_parent)


class DiaryConfig(AppConfig):
    name = "shkola.diary"
    label = "diary"

    def ready(self) -> None:
        from shkola.core.navigation import NavItem, register

        from . import rules  # noqa: F401 - registers the permissions

        # The menu keeps what a family opens every evening; the other diary pages are one tap
        # away in the diary's own row of sections (diary/_layout.html).
        for order, (label, url_name, icon) in enumerate(
            [
                (_("Дневник"), "diary:week", "journal-text"),
                (_("Табель"), "diary:report", "table"),
                (_("Расписание"), "diary:timetable", "clock"),
            ],
            start=10,
        ):
            register(
                NavItem(
                    label=label,
                    url_name=url_name,
                    icon=icon,
                    visible=_family,
                    family=True,
                    order=order,
                )
            )
