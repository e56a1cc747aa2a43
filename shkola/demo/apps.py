from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "shkola.demo"
    label = "demo"
