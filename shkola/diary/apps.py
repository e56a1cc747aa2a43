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

        for order, (label, url_name, icon) in enumerate(
            [
                (_("Дневник"), "diary:week", "journal-text"),
                (_("Табель"), "diary:report", "table"),
                (_("Итоговые"), "diary:finals", "award"),
                (_("Пропуски"), "diary:missed", "calendar-x"),
                (_("Контрольные"), "diary:tests", "pencil-square"),
                (_("Расписание"), "diary:timetable", "clock"),
                (_("Средние баллы"), "diary:averages", "graph-up"),
                (_("События"), "diary:events", "calendar-event"),
            ],
            start=10,
        ):
            register(
                NavItem(
                    label=label,
                    url_name=url_name,
                    icon=icon,
                    visible=_family,
                    order=order,
                )
            )
