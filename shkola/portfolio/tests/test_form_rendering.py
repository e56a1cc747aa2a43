"""The shared field rendering (portfolio/_field.html, accounts/_field.html): a help text is
shown once, under its field, and no select offers Django's English blank choice."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def page(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def assert_help_texts_once(html: str, form) -> None:  # type: ignore[no-untyped-def]
    for name, field in form.fields.items():
        if field.help_text:
            shown = html.count(f'id="id_{name}_helptext"')
            assert shown == 1, f"{name}: help text shown {shown} times"
            # the input's aria-describedby (added by Django) points at the text shown
            assert re.search(rf'aria-describedby="[^"]*id_{name}_helptext', html), name


@pytest.mark.parametrize("name", ["testing_add", "diagnostic_add", "club_add"])
def test_school_forms_show_each_help_text_once_and_no_english_placeholder(client, world, name):
    client.force_login(world.school.teacher)
    path = reverse(f"portfolio:{name}", kwargs={"student_id": world.student.id})
    html = page(client, path)
    assert_help_texts_once(html, client.get(path).context["form"])
    assert "Select an option" not in html
    assert "---------" not in html


def test_the_testing_form_subject_list_is_russian(client, world):
    client.force_login(world.school.teacher)
    html = page(client, reverse("portfolio:testing_add", kwargs={"student_id": world.student.id}))
    subject = html.split('name="subject"')[1].split("</select>")[0]
    assert '<option value="" selected>— выберите —</option>' in subject
    assert html.count("Через запятую") == 2  # КЭС and КТ, once each


def test_school_only_fields_say_so_once_each(client, world):
    client.force_login(world.student_user)
    path = reverse("portfolio:card_edit", kwargs={"student_id": world.student.id})
    html = page(client, path)
    # last name, first name, middle name, birth date and the ОВЗ flag
    assert html.count("Изменяет школа.") == 5
    assert_help_texts_once(html, client.get(path).context["form"])
