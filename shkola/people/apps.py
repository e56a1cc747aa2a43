from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "shkola.people"
    label = "people"
    verbose_name = _("Учителя и коллеги")

    def ready(self) -> None:
        from shkola.core.navigation import NavItem, register

        register(
            NavItem(
                label=_("Учителя"),
                url_name="people:teachers",
                icon="person-video3",
                visible=lambda v: bool(v.own_student or v.children),
                menu=_("Общение"),
                menu_icon="chat-dots",
                order=64,
            )
        )
        register(
            NavItem(
                label=_("Коллеги"),
                url_name="people:colleagues",
                icon="people",
                visible=lambda v: v.is_staff_member,
                menu=_("Общение"),
                menu_icon="chat-dots",
                order=65,
            )
        )
