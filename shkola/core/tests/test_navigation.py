"""The menu of a person with several roles: a teacher who is also a parent gets the family's
pages folded into «Семья», so the menu stays on one line; a parent alone keeps them as links."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def menu(client: Client) -> list[tuple[str, list[str]]]:
    """[(top-level label, [labels inside its drop-down])] of the signed-in menu on the home page."""
    html = client.get(reverse("core:home")).content.decode()
    nav = html.split('<ul class="navbar-nav me-auto">')[1].split("user-name")[0]
    # the top bar's badges (the notification bell…) follow the menu; they are not entries
    nav = nav.split('<a class="nav-link text-white top-badge')[0]
    starts = [m.start() for m in re.finditer(r'<li class="nav-item[^"]*">', nav)]
    entries: list[tuple[str, list[str]]] = []
    for begin, finish in zip(starts, [*starts[1:], len(nav)], strict=True):
        links = re.findall(r"<a [^>]*>(.*?)</a>", nav[begin:finish], re.S)
        labels = [" ".join(re.sub(r"<[^>]+>", "", a).split()) for a in links]
        entries.append((labels[0], labels[1:]))
    return entries


def signed_in(world: Any, login: str) -> Client:
    client = Client()
    client.force_login(world.users[login])
    return client


def test_a_teacher_who_is_a_parent_finds_the_family_pages_under_one_menu(demo_world: Any) -> None:
    entries = dict(menu(signed_in(demo_world, "teacher_parent")))

    assert entries["Семья"] == [
        "Дневник",
        "Табель",
        "Расписание",
        "Курсы",
        "Портфолио",
        "Услуги",
    ]
    assert "Журнал" in entries
    assert "Дневник" not in entries  # not twice, not at the top level


def test_a_parent_keeps_the_family_pages_in_the_menu_itself(demo_world: Any) -> None:
    entries = dict(menu(signed_in(demo_world, "parent")))

    assert "Семья" not in entries
    for label in ("Дневник", "Табель", "Расписание", "Портфолио"):
        assert entries[label] == []


@pytest.mark.django_db
def test_top_bar_counters_are_counted_together_in_one_query(django_assert_num_queries):
    from django.contrib.auth import get_user_model

    from shkola.core.navigation import count_together

    User = get_user_model()
    User.objects.create(username="c1", first_name="Анна")
    User.objects.create(username="c2", first_name="Анна")
    User.objects.create(username="c3", first_name="Борис")
    with django_assert_num_queries(1):
        counts = count_together(
            {
                "anna": User.objects.filter(username__startswith="c", first_name="Анна"),
                "boris": User.objects.filter(username__startswith="c", first_name="Борис"),
                "nobody": User.objects.none(),
            }
        )
    assert counts == {"anna": 2, "boris": 1, "nobody": 0}
