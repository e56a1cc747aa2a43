"""Who sees the parents' personal data on a student's card, and the personal-data access log
(«Доступ к персональным данным»): one row per page when staff open one student's data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from shkola.accounts.models import AuditEvent
from shkola.schools.models import Guardian

BIRTH = dt.date(1984, 3, 7)


@pytest.fixture
def mother(world):
    guardian = Guardian.objects.get(user=world.parent)
    guardian.phone = "+79160001122"
    guardian.email = "mama-secret@example.org"
    guardian.birth_date = BIRTH
    guardian.save()
    return guardian


def card_html(client, user, world):
    client.force_login(user)
    response = client.get(reverse("portfolio:card", args=[world.student.id]))
    assert response.status_code == 200
    return response.content.decode()


def data_access_rows():
    return AuditEvent.objects.filter(kind=AuditEvent.Kind.DATA_ACCESS)


@pytest.mark.parametrize(
    ("who", "contacts", "birth_date"),
    [
        ("teacher", False, False),
        ("class_teacher", True, False),
        ("curator", True, True),
        ("parent", True, True),
    ],
)
def test_the_card_shows_parents_data_by_role(client, world, mother, who, contacts, birth_date):
    user = world.parent if who == "parent" else getattr(world.school, who)

    html = card_html(client, user, world)

    assert mother.last_name in html  # every reader of the card sees who the parents are
    assert ("+79160001122" in html) is contacts
    assert ("mama-secret@example.org" in html) is contacts
    assert ("07.03.1984" in html) is birth_date


def test_a_subject_teacher_opening_the_card_is_logged_once_with_whose_data_and_where(
    client, world, mother
):
    teacher = world.school.teacher

    card_html(client, teacher, world)

    row = data_access_rows().get()
    assert row.actor == teacher
    assert row.organisation_id == world.student.organisation_id
    assert row.subject_user_id == world.student.user_id
    assert row.details["student"] == world.student.id
    assert "Общие сведения" in row.details["page"]
    assert row.details["path"] == reverse("portfolio:card", args=[world.student.id])


@pytest.mark.parametrize("name", ["rating", "clubs", "interests", "olympiads", "control"])
def test_every_portfolio_section_opened_by_staff_is_logged(client, world, name):
    client.force_login(world.school.class_teacher)

    client.get(reverse(f"portfolio:{name}", args=[world.student.id]))

    assert data_access_rows().filter(actor=world.school.class_teacher).count() == 1


def test_the_family_viewing_its_own_child_is_not_logged(client, world):
    card_html(client, world.parent, world)
    card_html(client, world.student_user, world)

    assert not data_access_rows().exists()


def test_the_audit_log_shows_who_opened_whose_card(client, world):
    card_html(client, world.school.teacher, world)
    client.force_login(world.school.curator)

    html = client.get(reverse("accounts:audit")).content.decode()

    assert "Доступ к персональным данным" in html
    assert world.student.last_name in html


def test_a_staff_member_opening_a_diary_is_logged(client, world):
    client.force_login(world.school.class_teacher)

    response = client.get(reverse("diary:report_of", kwargs={"student_id": world.student.id}))

    assert response.status_code == 200
    row = data_access_rows().get()
    assert row.actor == world.school.class_teacher
    assert row.organisation_id == world.student.organisation_id
    assert "табель" in row.details["page"]


def test_the_family_opening_its_diary_is_not_logged(client, world):
    client.force_login(world.parent)
    client.get(reverse("diary:report_of", kwargs={"student_id": world.student.id}), follow=True)

    assert not data_access_rows().exists()


def test_a_teacher_opening_a_students_remarks_is_logged(client, world):
    client.force_login(world.school.teacher)

    assert client.get(reverse("journal:remarks", args=[world.student.id])).status_code == 200

    assert data_access_rows().get().details["student"] == world.student.id


def test_the_administration_opening_an_account_card_is_logged(client, world):
    client.force_login(world.school.curator)

    response = client.get(reverse("accounts:person", args=[world.student_user.id]))

    assert response.status_code == 200
    row = data_access_rows().get()
    assert row.actor == world.school.curator and row.subject_user == world.student_user
    assert row.organisation_id == world.student.organisation_id


def test_a_parent_changing_their_phone_and_email_is_logged_without_the_values(client, world):
    client.force_login(world.parent)
    user = world.parent

    response = client.post(
        reverse("accounts:profile"),
        {
            "last_name": user.last_name,
            "first_name": user.first_name,
            "middle_name": user.middle_name,
            "email": "new-address@example.org",
            "phone": "+7 916 555-44-33",
            "signature": "",
        },
    )

    assert response.status_code == 302
    row = AuditEvent.objects.get(kind=AuditEvent.Kind.DATA_CHANGE, actor=user)
    assert set(row.details["fields"]) == {"email", "phone"}
    assert "new-address" not in str(row.details)
    assert row.organisation_id == world.student.organisation_id
