"""The official's home page: until the oversight pages (H1) exist, it says what an official of
the education authority can do in Shkola today — their profile and the schools of their
territory with aggregate counts — and that aggregate reports will come."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from shkola.accounts.models import Role, RoleAssignment
from shkola.core.testing.factories import UserFactory, make_school
from shkola.schools.models import ClassUnit, Student, Territory

pytestmark = pytest.mark.django_db


def schools_table(html: str) -> list[list[str]]:
    table = html.split('id="territory-schools"')[1].split("</table>")[0]
    body = table.split("<tbody>")[1]
    return [
        [" ".join(re.sub(r"<[^>]+>", "", c).split()) for c in re.findall(r"<td[^>]*>(.*?)</td>", r)]
        for r in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_the_demo_official_sees_what_they_can_do_and_their_territorys_schools(
    demo_world: Any,
) -> None:
    client = Client()
    client.force_login(demo_world.users["official"])
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "специалист органа управления образованием" in html
    assert f'href="{reverse("accounts:profile")}"' in html
    assert f'href="{reverse("oversight:territory")}"' in html
    assert "появятся позже" not in html
    for school in (demo_world.school, demo_world.other_school):
        assert f'href="{reverse("oversight:school", args=[school.id])}"' in html
    expected = []
    for school in sorted((demo_world.school, demo_world.other_school), key=lambda o: o.short_name):
        classes = ClassUnit.objects.filter(
            parallel__organisation=school, parallel__academic_year__is_current=True
        ).count()
        students = Student.objects.filter(organisation=school, current_class__isnull=False).count()
        assert classes > 0 and students > 0
        expected.append(
            [school.short_name, demo_world.municipality.name, str(classes), str(students)]
        )
    assert schools_table(html) == expected
    # aggregate only: no student of the territory is named
    assert demo_world.student.last_name not in html


def test_an_official_sees_only_their_territorys_schools_and_a_regional_one_all_of_it():
    region = Territory.objects.create(name="Область", kind="region")
    ours = make_school(n_students=3)
    ours.organisation.territory.parent = region
    ours.organisation.territory.save()
    theirs = make_school(n_students=2, organisation=None)
    theirs.organisation.territory = Territory.objects.create(
        name="Соседний округ", kind="municipality"
    )
    theirs.organisation.save()
    municipal, regional = UserFactory(), UserFactory()
    RoleAssignment.objects.create(
        user=municipal, role=Role.MUNICIPAL, territory=ours.organisation.territory
    )
    RoleAssignment.objects.create(user=regional, role=Role.REGIONAL, territory=region)
    client = Client()
    client.force_login(municipal)
    rows = schools_table(client.get("/").content.decode())
    assert [r[0] for r in rows] == [ours.organisation.short_name]
    assert rows[0][2:] == ["1", "3"]
    client.force_login(regional)
    rows = schools_table(client.get("/").content.decode())
    assert [r[0] for r in rows] == [ours.organisation.short_name]  # the neighbour is not in it


def test_an_official_without_schools_is_told_so():
    official = UserFactory()
    territory = Territory.objects.create(name="Пустой округ", kind="municipality")
    RoleAssignment.objects.create(user=official, role=Role.MUNICIPAL, territory=territory)
    client = Client()
    client.force_login(official)
    html = client.get("/").content.decode()
    assert "На вашей территории пока нет школ в системе." in html


def test_the_official_home_query_budget_does_not_grow(demo_world: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(demo_world.users["official"])
    client.get("/")  # the first request of a session does its one-off work
    with CaptureQueriesContext(connection) as before:
        assert client.get("/").status_code == 200
    # another school with its classes and students in the same territory
    more = make_school(n_students=4, organisation=None)
    more.organisation.territory = demo_world.municipality
    more.organisation.save()
    # the new school outdated everyone's cached Viewer and year (who.py): warm them again,
    # as the request measured before was warm
    client.get("/")
    with CaptureQueriesContext(connection) as after:
        html = client.get("/").content.decode()
    assert more.organisation.short_name in html
    assert len(after) == len(before)
