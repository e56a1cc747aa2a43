from django.apps import AppConfig


class TimetableConfig(AppConfig):
    name = "shkola.timetable"
    label = "timetable"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from shkola.core.navigation import NavItem, register

        # The administration edits the week grid and the day's substitutions from «Школа».
        register(
            NavItem(
                label=_("Расписание"),
                url_name="timetable:grid",
                icon="grid-3x3",
                visible=lambda v: bool(v.admin_org_ids),
                menu=_("Школа"),
                menu_icon="building-gear",
                order=76,
            )
        )
        register(
            NavItem(
                label=_("Замены"),
                url_name="timetable:substitutions",
                icon="arrow-left-right",
                visible=lambda v: bool(v.admin_org_ids),
                menu=_("Школа"),
                menu_icon="building-gear",
                order=77,
            )
        )
        # A teacher sees their own week read-only, in the same drop-down as «Обучающиеся».
        register(
            NavItem(
                label=_("Моё расписание"),
                url_name="timetable:grid",
                icon="grid-3x3",
                visible=lambda v: bool(v.teacher_org_ids and not v.admin_org_ids),
                menu=_("Школа"),
                menu_icon="building-gear",
                order=76,
            )
        )
