from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shkola.accounts"
    label = "accounts"
