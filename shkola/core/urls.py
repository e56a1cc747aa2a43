from django.urls import path

from . import views

# The home page (core:home) lives in shkola.home; config/urls.py mounts it into this namespace.
app_name = "core"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
]
