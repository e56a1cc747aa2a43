"""Shkola's own error pages, in Russian, instead of Django's English defaults (DEBUG is off in
tests, as in production)."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.defaults import bad_request, permission_denied, server_error


def _broken_view(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


# This module doubles as a URLconf for the 500 test: the real routes plus one view that fails.
urlpatterns = [path("broken/", _broken_view), path("", include("config.urls"))]


@pytest.mark.django_db
def test_a_missing_address_answers_a_russian_404_page(client, settings):
    assert settings.DEBUG is False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Страница не найдена" in html
    assert "Not Found" not in html and "requested resource" not in html
    assert '<html lang="ru">' in html


@pytest.mark.django_db
def test_a_signed_in_person_keeps_the_menu_on_a_404(client, demo_world):
    client.force_login(demo_world.users["teacher"])
    response = client.get("/journal/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Страница не найдена" in html
    assert 'id="mainNav"' in html and "На главную" in html


@pytest.mark.django_db
def test_a_failing_view_answers_a_russian_500_page(client, settings, demo_world):
    settings.ROOT_URLCONF = __name__
    client.force_login(demo_world.users["teacher"])
    client.raise_request_exception = False
    response = client.get("/broken/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Ошибка на сервере" in html and "данные сохранены" in html
    assert "Server Error" not in html


def test_the_500_page_renders_without_a_database_or_context(rf):
    # No django_db mark: any database access would raise. The handler renders the template with
    # no request context; nothing may reach the database or a context processor, which may be
    # what is broken.
    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Ошибка на сервере" in response.content.decode()


@pytest.mark.django_db
def test_the_403_and_400_pages_are_russian(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied, SuspiciousOperation

    request = rf.get("/")
    request.user = AnonymousUser()
    forbidden = permission_denied(request, PermissionDenied())
    assert forbidden.status_code == 403
    assert "Доступ запрещён" in forbidden.content.decode()
    bad = bad_request(rf.get("/"), SuspiciousOperation())
    assert bad.status_code == 400
    assert "Неверный запрос" in bad.content.decode()
    assert "Bad Request" not in bad.content.decode()


@pytest.mark.django_db
def test_pages_name_their_icon_so_browsers_do_not_guess_favicon_ico(client):
    html = client.get("/accounts/login/").content.decode()
    assert 'rel="icon"' in html and "favicon.svg" in html
