"""The frame's per-process memos: static and menu addresses are Django's own, remembered."""

from __future__ import annotations

import pytest
from django.template import engines
from django.test import override_settings
from django.urls import NoReverseMatch, reverse

from shkola.core import navigation
from shkola.core.templatetags import frame

PATHS = ["img/favicon.svg", "css/shkola.css", "vendor/htmx-2.0.11/htmx.min.js", "a b&c.css"]


def render(text: str) -> str:
    return engines["django"].from_string(text).render({})


@pytest.mark.parametrize("path", PATHS)
def test_the_remembered_static_tag_writes_what_djangos_writes(path):
    ours = render(
        "{% load frame %}{% static '" + path + "' %}|{% static '" + path + "' as u %}{{ u }}"
    )
    django = render(
        "{% load static %}{% static '" + path + "' %}|{% static '" + path + "' as u %}{{ u }}"
    )
    assert ours == django
    assert path in frame._ADDRESSES


def test_a_changed_static_setting_is_not_answered_from_memory():
    before = render("{% load frame %}{% static 'css/shkola.css' %}")
    with override_settings(STATIC_URL="/elsewhere/"):
        assert (
            render("{% load frame %}{% static 'css/shkola.css' %}") == "/elsewhere/css/shkola.css"
        )
    assert render("{% load frame %}{% static 'css/shkola.css' %}") == before


def test_menu_addresses_are_reversed_once_and_equal_reverse():
    navigation._ADDRESSES.clear()
    assert navigation.address_of("accounts:profile") == reverse("accounts:profile")
    assert len(navigation._ADDRESSES) == 1
    assert navigation.address_of("accounts:profile") == reverse("accounts:profile")
    assert len(navigation._ADDRESSES) == 1
    with pytest.raises(NoReverseMatch):
        reverse("no:such-page")
    assert navigation.address_of("no:such-page") is None


def test_menu_addresses_follow_the_urlconf_and_the_script_prefix():
    from django.urls import get_script_prefix, set_script_prefix

    assert navigation.address_of("accounts:profile") == "/accounts/profile/"
    with override_settings(ROOT_URLCONF="shkola.core.tests.test_frame"):
        assert navigation.address_of("accounts:profile") is None
    old = get_script_prefix()
    set_script_prefix("/school/")
    try:
        assert navigation.address_of("accounts:profile") == "/school/accounts/profile/"
    finally:
        set_script_prefix(old)
    assert navigation.address_of("accounts:profile") == "/accounts/profile/"


@pytest.mark.parametrize(
    "text",
    [
        "{% url 'accounts:profile' %}",
        "{% url 'core:home' %}|{% url 'accounts:logout' %}",
        "{% url 'accounts:person' 5 %}",
        "{% url 'accounts:person' user_id=5 %}",
        "{% url 'accounts:profile' as link %}[{{ link }}]",
        "{% url 'no:such' as link %}[{{ link }}]",
    ],
)
def test_the_remembered_url_tag_writes_what_djangos_writes(text):
    assert render("{% load frame %}" + text) == render(text)
    assert render("{% load frame %}" + text) == render(text)  # from memory


def test_the_remembered_url_tag_refuses_an_unknown_name_as_djangos():
    with pytest.raises(NoReverseMatch):
        render("{% load frame %}{% url 'no:such' %}")


def test_the_remembered_url_tag_follows_the_script_prefix():
    from django.urls import get_script_prefix, set_script_prefix

    assert render("{% load frame %}{% url 'accounts:profile' %}") == "/accounts/profile/"
    old = get_script_prefix()
    set_script_prefix("/school/")
    try:
        assert render("{% load frame %}{% url 'accounts:profile' %}") == "/school/accounts/profile/"
    finally:
        set_script_prefix(old)


urlpatterns: list[object] = []  # the empty urlconf of the test above


def test_an_address_with_an_id_joins_to_what_reverse_gives_under_each_script_prefix():
    from django.urls import reverse, set_script_prefix

    from shkola.core.navigation import address_with_id

    for name, ids in [("diary:week_of", [1, 42, 987654321]), ("diary:homework_file", [7])]:
        head, tail = address_with_id(name)
        for pk in ids:
            assert f"{head}{pk}{tail}" == reverse(name, args=[pk])
    set_script_prefix("/shkola/")
    try:
        head, tail = address_with_id("diary:week_of")
        assert f"{head}5{tail}" == reverse("diary:week_of", args=[5])
        assert head.startswith("/shkola/")
    finally:
        set_script_prefix("/")
