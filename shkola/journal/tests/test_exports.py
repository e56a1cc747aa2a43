"""The teacher's journal in Excel: people's text stays text, the file says what it is."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shkola.core.testing.factories import guardian_of
from shkola.core.testing.spreadsheets import (
    HOSTILE_NAMES,
    ascii_fallback,
    assert_shown_as_text,
    download_filename,
    text_values,
    workbook_of,
)
from shkola.journal import services
from shkola.portfolio import services as portfolio_services


def export(client, school, period):  # type: ignore[no-untyped-def]
    client.force_login(school.teacher)
    response = client.get(
        reverse("journal:grid_xlsx", args=[school.class_unit.id, school.subject.id])
        + f"?period={period.id}"
    )
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("hostile", HOSTILE_NAMES)
def test_a_name_a_family_typed_reaches_the_journal_export_as_text(client, school, lessons, hostile):
    # Given a parent who renamed their child to a formula, and a lesson topic that looks like one
    anna = school.students[0]
    parent = guardian_of(anna)
    portfolio_services.student_card_update(
        student=anna, by=parent, data={"last_name": hostile}, may_edit_identity=True
    )
    lesson = lessons[0]
    lesson.topic = "=1+1"
    lesson.save()
    fp = services.cell_load(lesson=lesson, student=anna).fingerprint
    services.mark_set(lesson=lesson, student=anna, text="5", fingerprint=fp, user=school.teacher)
    # When the teacher downloads the journal of the first quarter
    workbook = workbook_of(export(client, school, school.periods[0]).content)
    # Then no cell anywhere is a formula and the name is shown exactly as typed
    anna.refresh_from_db()
    assert anna.full_name in text_values(workbook)
    assert_shown_as_text(workbook, anna.full_name)
    assert_shown_as_text(workbook, "=1+1 · Контрольная работа")


def test_the_journal_export_is_named_by_class_subject_and_period(client, school):
    response = export(client, school, school.periods[1])
    assert download_filename(response) == "Журнал 7А Математика 2 четверть.xlsx"
    assert ascii_fallback(response) == "Zhurnal_7A_Matematika_2_chetvert.xlsx"


def test_characters_a_workbook_cannot_hold_do_not_break_the_export(client, school, lessons):
    # Given a name with a control character (pasted from somewhere)
    anna = school.students[0]
    portfolio_services.student_card_update(
        student=anna,
        by=guardian_of(anna),
        data={"last_name": "Ив\x07анова"},
        may_edit_identity=True,
    )
    # When the teacher downloads the journal, it opens and shows the name without the character
    workbook = workbook_of(export(client, school, school.periods[0]).content)
    assert any(v.startswith("Иванова ") for v in text_values(workbook))
