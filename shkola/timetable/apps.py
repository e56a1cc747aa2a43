from django.apps import AppConfig


class TimetableConfig(AppConfig):
    name = "shkola.timetable"
    label = "timetable"
