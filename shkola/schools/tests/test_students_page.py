"""«Обучающиеся» (A9): who finds which students, and what a specialist, a deputy, a director
and officials of a municipality or region may open."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from shkola.accounts.models import Role, RoleAssignment
from shkola.core.testing.factories import UserFactory, guardian_of, make_school, staff
from shkola.schools.models import Territory

pytestmark = pytest.mark.django_db


def names(client: Client, **params: str) -> list[str]:
    page = client.get("/school/students/", params)
    assert page.status_code == 200
    table = page.content.decode().split('id="roster"')[1].split("</table>")[0]
    return [
        " ".join(n.split()) for n in re.findall(r'<a href="/portfolio/[^"]+">([^<]+)</a>', table)
    ]


@pytest.fixture
def school():
    school = make_school(n_students=3)
    other_class, _students = school.add_class(8, "Б", n_students=2)
    school.other_class = other_class  # type: ignore[attr-defined]
    return school


def as_user(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.DEPUTY, Role.DIRECTOR, Role.CURATOR])
def test_the_administration_and_specialists_find_every_student_of_their_school(school, role):
    client = as_user(staff(school.organisation, role=role))
    assert len(names(client)) == 5
    assert len(names(client, **{"class": str(school.other_class.id)})) == 2
    anna = school.students[0]
    anna.last_name = "Неповторимова"  # a surname the factories never give (they repeat theirs)
    anna.save()
    assert [n.split()[0] for n in names(client, q="неповторимова")] == ["Неповторимова"]
    other_school = make_school(n_students=2, organisation=None)
    assert not set(names(client)) & {
        f"{s.last_name} {s.first_name} {s.middle_name}" for s in other_school.students
    }


def test_a_teacher_finds_the_classes_they_teach_only(school):
    client = as_user(school.teacher)  # teaches the first class (7А) its mathematics
    found = names(client)
    assert len(found) == 3
    assert names(client, **{"class": str(school.other_class.id)}) == []


def test_families_and_officials_have_no_roster(school):
    territory_official = UserFactory()
    RoleAssignment.objects.create(
        user=territory_official,
        role=Role.MUNICIPAL,
        territory=school.organisation.territory,
    )
    for user in (guardian_of(school.students[0]), territory_official):
        assert as_user(user).get("/school/students/").status_code == 404


def test_a_specialist_reads_a_card_but_changes_nothing(school):
    specialist = staff(school.organisation, role=Role.SPECIALIST)
    client = as_user(specialist)
    student = school.students[0]
    card = client.get(f"/portfolio/students/{student.id}/")
    assert card.status_code == 200
    assert student.last_name in card.content.decode()
    assert f"/portfolio/students/{student.id}/edit/" not in card.content.decode()
    assert client.get(f"/portfolio/students/{student.id}/edit/").status_code == 404
    clubs = client.get(f"/portfolio/students/{student.id}/clubs/").content.decode()
    assert "Добавить секцию" not in clubs
    assert client.get(f"/portfolio/students/{student.id}/clubs/add/").status_code == 404
    # A student's diary is the family's, the class teacher's and the administration's.
    assert not specialist.has_perm("diary.view_diary", student)
    other = make_school(n_students=1, organisation=None).students[0]
    assert client.get(f"/portfolio/students/{other.id}/").status_code == 404


def test_officials_oversee_their_territory_not_children(school):
    municipality = school.organisation.territory
    region = Territory.objects.create(name="Московская область", kind="region")
    municipality.parent = region
    municipality.save()
    neighbour = Territory.objects.create(name="Другой округ", kind="municipality", parent=None)
    municipal, regional = UserFactory(), UserFactory()
    RoleAssignment.objects.create(user=municipal, role=Role.MUNICIPAL, territory=municipality)
    RoleAssignment.objects.create(user=regional, role=Role.REGIONAL, territory=region)
    for official in (municipal, regional):
        assert official.has_perm("schools.view_territory", municipality)
        assert official.has_perm("schools.view_organisation", school.organisation)
        assert not official.has_perm("schools.view_territory", neighbour)
        assert not official.has_perm("schools.view_student", school.students[0])
        assert not official.has_perm("portfolio.view", school.students[0])
        assert not official.has_perm("diary.view_diary", school.students[0])
    assert regional.has_perm("schools.view_territory", region)
    assert not municipal.has_perm("schools.view_territory", region)


def test_a_class_filter_that_is_not_a_number_shows_everyone(school):
    client = as_user(school.curator)
    for odd in ("²", "abc", "-1", ""):
        assert client.get("/school/students/", {"class": odd}).status_code == 200
