from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "shkola.portfolio"
    label = "portfolio"
