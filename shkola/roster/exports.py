"""«Обучающиеся» and «Сотрудники» in Excel (issue 12, I4): the rows the page lists, with the
page's filters, read by the page's selectors."""

from __future__ import annotations

from django.utils.translation import gettext as _

from shkola.core.xlsx_table import table_xlsx
from shkola.schools.models import Organisation

from .selectors import StaffMember, StudentList


def _snils(value: str) -> str:
    if len(value) != 11:
        return value
    return f"{value[:3]}-{value[3:6]}-{value[6:9]} {value[9:]}"


def students_xlsx(school: Organisation, found: StudentList, filters: str) -> bytes:
    rows = [
        [
            number,
            student.full_name,
            student.current_class.name if student.current_class else _("нет"),
            student.birth_date.strftime("%d.%m.%Y") if student.birth_date else "",
            _snils(student.snils or ""),
            _("да") if student.special_needs else "",
        ]
        for number, student in enumerate(found.students, start=1)
    ]
    return table_xlsx(
        sheet=_("Обучающиеся"),
        title=[f"{_('Обучающиеся')}: {school.short_name}", filters],
        header=["№", _("ФИО"), _("Класс"), _("Дата рождения"), _("СНИЛС"), _("ОВЗ")],
        rows=rows,
        widths=(6, 40, 10, 15, 16, 6),
    )


def staff_xlsx(school: Organisation, members: list[StaffMember]) -> bytes:
    rows = [
        [
            number,
            member.user.full_name or member.user.username,
            member.user.username,
            ", ".join(
                f"{r.get_role_display()}: {r.get_specialist_kind_display()}"
                if r.specialist_kind
                else str(r.get_role_display())
                for r in member.roles
            ),
            ", ".join(c.name for c in member.classes),
        ]
        for number, member in enumerate(members, start=1)
    ]
    return table_xlsx(
        sheet=_("Сотрудники"),
        title=[f"{_('Сотрудники')}: {school.short_name}"],
        header=["№", _("ФИО"), _("Логин"), _("Роли"), _("Классное руководство")],
        rows=rows,
        widths=(6, 36, 18, 44, 20),
    )
