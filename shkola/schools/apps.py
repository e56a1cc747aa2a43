from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "shkola.schools"
    label = "schools"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from shkola.core.navigation import NavItem, register

        register(
            NavItem(
                label=_("Обучающиеся"),
                url_name="schools:students",
                icon="people",
                # The administration keeps its students in «Обучающиеся» of shkola.roster.
                visible=lambda v: bool(
                    not v.admin_org_ids and (v.specialist_org_ids or v.teacher_org_ids)
                ),
                menu=_("Школа"),
                menu_icon="building-gear",
                order=79,
            )
        )
        register(
            NavItem(
                label=_("События"),
                url_name="schools:events",
                icon="calendar-event",
                visible=lambda v: bool(v.admin_org_ids),
                menu=_("Школа"),
                menu_icon="building-gear",
                order=78,
            )
        )
