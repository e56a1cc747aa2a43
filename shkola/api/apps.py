from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "shkola.api"
    label = "api"
