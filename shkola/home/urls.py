"""Mounted by config/urls.py inside the ``core`` namespace, so the home page keeps the name
``core:home`` that the login redirect, the menu and every app's links use."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
]
