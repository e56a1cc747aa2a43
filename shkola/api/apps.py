from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The open API (I2, X4): django-ninja endpoints behind OAuth 2.0 (django-oauth-toolkit),
    the consent screen and the person's list of allowed apps."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "shkola.api"
    label = "api"
    verbose_name = "Открытый API"
