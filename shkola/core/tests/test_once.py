"""A create form sent twice (double click, resent request) creates one object: the second
POST with the same one-time token is redirected to where the first one led."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from shkola.core.models import FormSubmission
from shkola.core.testing.factories import guardian_of, make_school


def token_from(response) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', response.content.decode())
    assert found, "the form carries no one-time token"
    return found.group(1)


@pytest.fixture
def school(db):
    return make_school(n_students=2)


def test_a_remark_sent_twice_is_written_once(client, school):
    from shkola.journal.models import Remark

    student = school.students[0]
    client.force_login(school.teacher)
    url = reverse("journal:remarks", args=[student.id])
    data = {
        "kind": "remark",
        "text": "Без сменной обуви",
        "form_token": token_from(client.get(url)),
    }

    first = client.post(url, data)
    second = client.post(url, data)

    assert Remark.objects.filter(student=student, text="Без сменной обуви").count() == 1
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    page = client.get(second["Location"]).content.decode()
    assert "повторная отправка ничего не добавила" in page


def test_a_form_with_errors_keeps_its_token_usable(client, school):
    from shkola.journal.models import Remark

    student = school.students[0]
    client.force_login(school.teacher)
    url = reverse("journal:remarks", args=[student.id])
    token = token_from(client.get(url))

    assert client.post(url, {"kind": "remark", "text": "", "form_token": token}).status_code == 422
    client.post(url, {"kind": "remark", "text": "Опоздал", "form_token": token})

    assert Remark.objects.filter(student=student, text="Опоздал").count() == 1
    assert FormSubmission.objects.filter(token=token).exists()


def test_an_event_sent_twice_is_created_once(client, school):
    from shkola.schools.models import SchoolEvent

    client.force_login(school.curator)
    url = reverse("schools:event_add")
    data = {
        "title": "Осенний бал",
        "date": "2026-10-20",
        "form_token": token_from(client.get(url)),
    }

    client.post(url, data)
    client.post(url, data)

    assert SchoolEvent.objects.filter(title="Осенний бал").count() == 1


def test_a_control_form_sent_twice_is_created_once(client, school):
    from shkola.schools.models import ControlForm

    client.force_login(school.curator)
    url = reverse("journal:control_forms")
    data = {"name": "Зачёт по теории", "weight": "2", "form_token": token_from(client.get(url))}

    client.post(url, data)
    client.post(url, data)

    assert ControlForm.objects.filter(name="Зачёт по теории").count() == 1


def test_invitation_codes_requested_twice_are_generated_once(client, school):
    from shkola.accounts.models import Invitation

    client.force_login(school.curator)
    url = reverse("accounts:invitations_class", kwargs={"class_id": school.class_unit.id})
    page = client.get(url)
    data = {"kind": "student", "form_token": token_from(page)}

    client.post(url, data)
    client.post(url, data)

    assert Invitation.objects.filter(class_unit=school.class_unit).count() == len(school.students)


def test_a_child_added_twice_by_code_is_added_once_without_an_error(client, school):
    from shkola.accounts import services as account_services
    from shkola.accounts.models import InvitationKind

    parent = guardian_of(school.students[0])
    codes = account_services.invitation_generate(
        class_unit=school.class_unit, kind=InvitationKind.PARENT, actor=school.curator
    )
    code = next(c for c in codes if c.student_id == school.students[1].id).code
    client.force_login(parent)
    url = reverse("accounts:profile_children")
    data = {"code": code, "form_token": token_from(client.get(url))}

    client.post(url, data)
    second = client.post(url, data, follow=True)

    assert "уже есть в вашей учётной записи" not in second.content.decode()
    assert school.students[1].guardianships.filter(guardian__user=parent).count() == 1
