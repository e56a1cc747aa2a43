from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _family(viewer) -> bool:  # type: ignore[no-untyped-def]
    return bool(viewer.is_student or viewer.is_parent)


def _staff(viewer) -> bool:  # type: ignore[no-untyped-def]
    return bool(viewer.is_teacher or viewer.is_school_admin)


class CoursesConfig(AppConfig):
    name = "shkola.courses"
    label = "courses"
    verbose_name = _("Модульные курсы")

    def ready(self) -> None:
        from shkola.core.navigation import NavItem, register

        from . import rules  # noqa: F401  (registers the permissions)

        register(
            NavItem(
                label=_("Курсы"),
                url_name="courses:mine",
                icon="collection",
                visible=_family,
                family=True,
                # «Курсы», «Тесты» and the services a child attends share one drop-down, so a
                # family's and a teacher's menu stays on one line at 1280 px.
                menu=_("Учёба"),
                menu_icon="mortarboard",
                order=15,
            )
        )
        register(
            NavItem(
                label=_("Курсы"),
                url_name="courses:teach",
                icon="collection",
                visible=_staff,
                menu=_("Учёба"),
                menu_icon="mortarboard",
                order=25,
            )
        )
