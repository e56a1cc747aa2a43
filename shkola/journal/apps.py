from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "shkola.journal"
    label = "journal"
