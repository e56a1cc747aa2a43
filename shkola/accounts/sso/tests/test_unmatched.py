"""The curator's list of children a provider named that the roster does not have: who sees
which records, linking, dismissing, and a query budget that does not grow with the list."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from shkola.accounts.models import Role
from shkola.core import clock
from shkola.core.testing.factories import enrol, guardian_of, make_school, staff
from shkola.schools.models import Guardianship, Student

from ..models import UnmatchedChild, UnmatchedChildStatus

pytestmark = pytest.mark.django_db


def _unmatched(parent: Any, **fields: Any) -> UnmatchedChild:
    values = {
        "provider": "gosuslugi",
        "last_name": "Петрова",
        "first_name": "Ева",
        "birth_date": dt.date(2018, 4, 4),
        "snils": "",
        "last_seen_at": clock.now(),
        **fields,
    }
    return UnmatchedChild.objects.create(parent=parent, **values)


@pytest.fixture
def curator_client(school: Any) -> Client:
    client = Client()
    client.force_login(school.curator)
    return client


def test_curator_sees_the_records_of_parents_of_their_school(
    school: Any, curator_client: Client
) -> None:
    # given a parent of this school and a parent of another school, each with a claimed child
    ours = _unmatched(guardian_of(school.students[0]))
    other_school = make_school(n_students=1)
    theirs = _unmatched(guardian_of(other_school.students[0]), last_name="Чужая")

    # when this school's curator opens the list
    page = curator_client.get(reverse("sso:unmatched")).content.decode()

    # then only this school's record is there
    assert f'id="unmatched-{ours.pk}"' in page
    assert f'id="unmatched-{theirs.pk}"' not in page
    # and the other school's record cannot be acted on
    response = curator_client.post(
        reverse("sso:unmatched_dismiss", kwargs={"unmatched_id": theirs.pk})
    )
    assert response.status_code == 404


def test_candidates_are_students_of_the_curators_school_with_the_same_birth_date(
    school: Any, curator_client: Client
) -> None:
    record = _unmatched(guardian_of(school.students[0]))
    same_day = enrol(school, school.class_unit, birth_date=dt.date(2018, 4, 4))
    other_school = make_school(n_students=0)
    elsewhere = enrol(other_school, other_school.class_unit, birth_date=dt.date(2018, 4, 4))

    page = curator_client.get(reverse("sso:unmatched")).content.decode()

    assert f'value="{same_day.pk}"' in page
    assert f'value="{elsewhere.pk}"' not in page
    # a student of another school cannot be linked by posting its id
    response = curator_client.post(
        reverse("sso:unmatched_link", kwargs={"unmatched_id": record.pk}),
        {"student": elsewhere.pk},
    )
    assert response.status_code == 404
    assert not Guardianship.objects.filter(student=elsewhere).exists()


def test_dismissed_record_leaves_the_list_and_cannot_be_linked_later(
    school: Any, curator_client: Client
) -> None:
    parent = guardian_of(school.students[0])
    record = _unmatched(parent)

    curator_client.post(reverse("sso:unmatched_dismiss", kwargs={"unmatched_id": record.pk}))

    record.refresh_from_db()
    assert record.status == UnmatchedChildStatus.DISMISSED
    assert record.resolved_by == school.curator
    assert (
        "Непривязанных детей нет" in curator_client.get(reverse("sso:unmatched")).content.decode()
    )
    response = curator_client.post(
        reverse("sso:unmatched_link", kwargs={"unmatched_id": record.pk}),
        {"student": school.students[1].pk},
        follow=True,
    )
    assert "решение уже принято" in response.content.decode()
    assert not Guardianship.objects.filter(
        guardian__user=parent, student=school.students[1]
    ).exists()


def test_teacher_and_parent_cannot_open_the_list(school: Any) -> None:
    for user in (school.teacher, guardian_of(school.students[0])):
        client = Client()
        client.force_login(user)
        assert client.get(reverse("sso:unmatched")).status_code == 404


def test_list_query_budget_does_not_grow(
    school: Any, curator_client: Client, django_assert_max_num_queries: Any
) -> None:
    def fill(n: int) -> None:
        for i in range(n):
            parent = guardian_of(enrol(school, school.class_unit))
            _unmatched(parent, last_name=f"Ребёнок{i}", birth_date=dt.date(2018, 1, 1 + i))
            enrol(school, school.class_unit, birth_date=dt.date(2018, 1, 1 + i))

    fill(2)
    with django_assert_max_num_queries(22):
        assert curator_client.get(reverse("sso:unmatched")).status_code == 200
    fill(6)
    with django_assert_max_num_queries(22):
        page = curator_client.get(reverse("sso:unmatched")).content.decode()
    assert page.count('class="card" id="unmatched-') == 8


def test_deputy_of_the_school_sees_the_list(school: Any) -> None:
    deputy = staff(school.organisation, Role.DEPUTY)
    client = Client()
    client.force_login(deputy)
    assert client.get(reverse("sso:unmatched")).status_code == 200


def test_a_dismissal_is_logged_under_the_curators_school(school: Any) -> None:
    """A parent with children in two schools: the dismissal belongs to the school whose
    curator made it, not to the school of the parent's first child."""
    from shkola.accounts.models import AuditEvent

    other = make_school(n_students=1)
    # the other school's child comes first by name
    Student.objects.filter(pk=other.students[0].pk).update(last_name="Аверина")
    Student.objects.filter(pk=school.students[0].pk).update(last_name="Яковлева")
    parent = guardian_of(other.students[0])
    Guardianship.objects.create(guardian=parent.guardian, student=school.students[0], kind="mother")
    record = _unmatched(parent)
    browser = Client()
    browser.force_login(school.curator)
    response = browser.post(reverse("sso:unmatched_dismiss", kwargs={"unmatched_id": record.pk}))
    assert response.status_code == 302
    event = AuditEvent.objects.get(details__sso_child_dismissed=record.pk)
    assert event.organisation == school.organisation
