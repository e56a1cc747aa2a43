"""The report card in Excel: people's text stays text, the file says what it is."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from shkola.core.testing.spreadsheets import (
    HOSTILE_NAMES,
    ascii_fallback,
    assert_shown_as_text,
    download_filename,
    workbook_of,
)
from shkola.portfolio import services as portfolio_services

from .world import lesson, mark


def report_card(client, world):  # type: ignore[no-untyped-def]
    client.force_login(world.parent)
    client.post(reverse("accounts:switch_child"), {"student": world.anna.id, "next": "/"})
    response = client.get(reverse("diary:report_xlsx") + f"?period={world.period.id}")
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("hostile", HOSTILE_NAMES)
def test_a_name_a_family_typed_reaches_the_report_card_as_text(client, world, hostile):
    # Given a parent who renamed the child to a formula and a teacher's work name that is one
    portfolio_services.student_card_update(
        student=world.anna, by=world.parent, data={"last_name": hostile}, may_edit_identity=True
    )
    world.school.subject.name = "=2*2"
    world.school.subject.save()
    monday = dt.date(2026, 11, 16)
    mark(world.anna, lesson(world.school, world.school.subject, monday), "5", work_name=hostile)
    # When the parent downloads the report card
    workbook = workbook_of(report_card(client, world).content)
    # Then no cell is a formula, the name and the subject are shown exactly as typed
    world.anna.refresh_from_db()
    assert_shown_as_text(workbook, world.anna.full_name)
    assert_shown_as_text(workbook, "=2*2")


def test_the_report_card_is_named_by_student_class_and_period(client, world):
    response = report_card(client, world)
    name = download_filename(response)
    assert name == f"Табель {world.anna.full_name} 7А {world.period.name}.xlsx"
    assert ascii_fallback(response).startswith("Tabel_")
