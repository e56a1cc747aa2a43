"""OAuth scopes of the open API: one per resource, each with the Russian text a person reads on
the consent screen and in the profile. Imported by the settings, so nothing here touches the
app registry."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

SCOPES = {
    "diary": _("Дневник: уроки недели, темы, отметки и пропуски"),
    "marks": _("Отметки: табель успеваемости, средние баллы и итоговые отметки"),
    "homework": _("Домашние задания"),
    "timetable": _("Расписание уроков"),
    "portfolio": _("Портфолио: кружки, достижения и олимпиады"),
    "messages": _("Сообщения: входящие письма"),
    "announcements": _("Объявления школы"),
}
