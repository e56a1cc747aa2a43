from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "shkola.schools"
    label = "schools"
