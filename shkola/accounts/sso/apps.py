from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "shkola.accounts.sso"
    label = "sso"
