from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedsConfig(AppConfig):
    """Calendar feeds (X6): a student's timetable, tests, holidays and school events as an
    iCalendar link a phone's calendar subscribes to."""

    name = "shkola.feeds"
    label = "feeds"
    verbose_name = _("Календарь в телефоне")
