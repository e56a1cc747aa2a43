from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    name = "shkola.portfolio"
    label = "portfolio"
    verbose_name = _("Портфолио")

    def ready(self) -> None:
        from shkola.core.navigation import NavItem, register

        from . import rules  # noqa: F401  (registers the permissions)

        register(
            NavItem(
                label=_("Портфолио"),
                url_name="portfolio:mine",
                icon="award",
                visible=lambda v: v.is_student or v.is_parent,
                family=True,
                order=60,
            )
        )
        register(
            NavItem(
                # Short: a class teacher's menu (with «Обучающиеся») must fit one line at
                # 1280 px; the page itself is titled «Подтверждение достижений».
                label=_("Достижения"),
                url_name="portfolio:queue",
                icon="patch-check",
                visible=lambda v: v.is_teacher or v.is_class_teacher or v.is_school_admin,
                menu=_("Портфолио"),
                menu_icon="award",
                order=61,
            )
        )
        register(
            NavItem(
                label=_("Баллы портфолио"),
                url_name="portfolio:points",
                icon="sliders",
                visible=lambda v: v.is_school_admin,
                menu=_("Портфолио"),
                menu_icon="award",
                order=62,
            )
        )
