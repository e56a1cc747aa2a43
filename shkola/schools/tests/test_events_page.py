"""«События школы» (D9): the school's administration plans events, and the students taking
part see them in the diary. Everything goes through HTTP in the demo world: ``curator``
administers the demo school, ``student`` is in 7А, the demo parent's second child in 3Б."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from shkola.core.clock import today
from shkola.schools.models import ClassUnit, SchoolEvent, Student

pytestmark = pytest.mark.django_db


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def event_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Экскурсия в краеведческий музей",
        "date": (today() + dt.timedelta(days=5)).isoformat(),
        "time": "10:30",
        "place": "Сбор у главного входа",
        "description": "Взять сменную обувь.",
        "class_units": [],
        "students": [],
    }
    data.update(overrides)
    return data


def diary_events(client: Client, url: str = "/diary/events/") -> str:
    page = client.get(url, follow=True)
    assert page.status_code == 200
    return page.content.decode()


def test_an_event_for_7a_reaches_its_students_diary_and_no_other_class(demo_world):
    w = demo_world
    curator = as_user(w.users["curator"])

    response = curator.post(reverse("schools:event_add"), event_form(class_units=[w.class_unit.id]))

    assert response.status_code == 302
    assert response["Location"] == reverse("schools:events")
    event = SchoolEvent.objects.get(title="Экскурсия в краеведческий музей")
    assert event.organisation == w.school
    assert list(event.class_units.all()) == [w.class_unit]
    assert event.time == dt.time(10, 30)
    listing = curator.get(reverse("schools:events")).content.decode()
    upcoming = listing.split('id="events-upcoming"')[1].split('id="events-past"')[0]
    assert "Экскурсия в краеведческий музей" in upcoming
    assert "Экскурсия в краеведческий музей" in diary_events(as_user(w.users["student"]))
    assert w.second_child.current_class != w.class_unit
    parent_view_of_3b = diary_events(
        as_user(w.users["parent"]), reverse("diary:events_of", args=[w.second_child.id])
    )
    assert w.second_child.first_name in parent_view_of_3b  # the page is the 3Б child's
    assert "Экскурсия в краеведческий музей" not in parent_view_of_3b


def test_a_single_student_takes_part_without_their_class(demo_world):
    w = demo_world
    curator = as_user(w.users["curator"])

    curator.post(
        reverse("schools:event_add"),
        event_form(title="Олимпиада по математике", students=[w.second_child.id]),
    )

    parent = as_user(w.users["parent"])
    assert "Олимпиада по математике" in diary_events(
        parent, reverse("diary:events_of", args=[w.second_child.id])
    )
    assert "Олимпиада по математике" not in diary_events(as_user(w.users["student"]))


def test_the_curator_edits_an_event(demo_world):
    w = demo_world
    curator = as_user(w.users["curator"])
    event = SchoolEvent.objects.create(
        organisation=w.school, title="Субботник", date=today() + dt.timedelta(days=3)
    )
    event.class_units.add(w.class_unit)
    url = reverse("schools:event_edit", args=[event.id])
    form = curator.get(url).content.decode()
    assert 'value="Субботник"' in form
    assert (
        f'value="{w.class_unit.id}" id="class-{w.class_unit.id}" autocomplete="off" checked' in form
    )

    response = curator.post(
        url,
        event_form(
            title="Субботник на пришкольном участке",
            date=(today() + dt.timedelta(days=4)).isoformat(),
            time="",
            place="Пришкольный участок",
            class_units=[],
            students=[w.student.id],
        ),
    )

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Субботник на пришкольном участке"
    assert event.date == today() + dt.timedelta(days=4)
    assert event.time is None
    assert event.place == "Пришкольный участок"
    assert list(event.class_units.all()) == []
    assert list(event.students.all()) == [w.student]


def test_the_curator_deletes_an_event(demo_world):
    w = demo_world
    curator = as_user(w.users["curator"])
    event = SchoolEvent.objects.create(
        organisation=w.school, title="Отменённый концерт", date=today()
    )
    url = reverse("schools:event_delete", args=[event.id])

    confirm = curator.get(url)
    assert confirm.status_code == 200
    assert "Удалить событие «Отменённый концерт»?" in confirm.content.decode()
    assert "Это действие нельзя отменить." in confirm.content.decode()
    assert SchoolEvent.objects.filter(pk=event.pk).exists()
    response = curator.post(url)

    assert response.status_code == 302
    assert not SchoolEvent.objects.filter(pk=event.pk).exists()
    listing = curator.get(reverse("schools:events")).content.decode()
    assert "Отменённый концерт" not in listing.split('id="events-upcoming"')[1]


def test_a_forged_class_of_another_school_is_refused_and_nothing_typed_is_lost(demo_world):
    w = demo_world
    curator = as_user(w.users["curator"])
    foreign_class = ClassUnit.objects.filter(parallel__organisation=w.other_school).first()
    assert foreign_class is not None

    response = curator.post(
        reverse("schools:event_add"),
        event_form(class_units=[w.class_unit.id, foreign_class.id]),
    )

    assert response.status_code == 422
    html = response.content.decode()
    assert "«Классы»: выбран класс, которого нет в этой школе." in html
    assert 'value="Экскурсия в краеведческий музей"' in html
    assert 'value="Сбор у главного входа"' in html
    assert "Взять сменную обувь." in html
    assert 'value="10:30"' in html
    assert f'id="class-{w.class_unit.id}" autocomplete="off" checked' in html
    assert not SchoolEvent.objects.filter(title="Экскурсия в краеведческий музей").exists()


def test_a_forged_student_of_another_school_and_a_blank_title_are_named(demo_world):
    w = demo_world
    curator = as_user(w.users["curator"])

    response = curator.post(
        reverse("schools:event_add"),
        event_form(title="   ", date="", students=[w.other_student.id]),
    )

    assert response.status_code == 422
    html = response.content.decode()
    assert "«Название»: укажите, что за событие." in html
    assert "«Дата»: укажите дату события" in html
    assert "«Участники»: выбран обучающийся, который не учится в этой школе." in html


def test_another_schools_curator_gets_a_404(demo_world):
    w = demo_world
    event = SchoolEvent.objects.create(organisation=w.school, title="Линейка", date=today())
    from shkola.accounts.models import Role
    from shkola.core.testing.factories import staff

    stranger = as_user(staff(w.other_school, role=Role.CURATOR))

    assert stranger.get(reverse("schools:event_edit", args=[event.id])).status_code == 404
    assert (
        stranger.post(reverse("schools:event_edit", args=[event.id]), event_form()).status_code
        == 404
    )
    assert stranger.post(reverse("schools:event_delete", args=[event.id])).status_code == 404
    assert "Линейка" not in stranger.get(reverse("schools:events")).content.decode()
    assert SchoolEvent.objects.filter(pk=event.pk, title="Линейка").exists()


def test_a_teacher_gets_a_404(demo_world):
    w = demo_world
    event = SchoolEvent.objects.create(organisation=w.school, title="Линейка", date=today())
    teacher = as_user(w.users["teacher"])

    assert teacher.get(reverse("schools:events")).status_code == 404
    assert teacher.post(reverse("schools:event_add"), event_form()).status_code == 404
    assert teacher.post(reverse("schools:event_delete", args=[event.id])).status_code == 404
    assert SchoolEvent.objects.filter(pk=event.pk).exists()


def test_the_menu_shows_events_to_the_administration_only(demo_world):
    w = demo_world
    url = reverse("schools:events")
    assert f'href="{url}"' in as_user(w.users["curator"]).get("/").content.decode()
    assert f'href="{url}"' not in as_user(w.users["teacher"]).get("/").content.decode()


def test_the_list_page_costs_the_same_queries_however_many_events(
    demo_world, django_assert_max_num_queries
):
    w = demo_world
    curator = as_user(w.users["curator"])
    students = list(Student.objects.filter(current_class=w.class_unit)[:5])
    classes = list(ClassUnit.objects.filter(parallel__organisation=w.school)[:4])
    for i in range(40):
        event = SchoolEvent.objects.create(
            organisation=w.school, title=f"Событие {i}", date=today() + dt.timedelta(days=i - 20)
        )
        event.class_units.set(classes)
        event.students.set(students)

    # (+1: the unread-messages counter in the top bar)
    with django_assert_max_num_queries(20):
        page = curator.get(reverse("schools:events"))

    assert page.status_code == 200
    assert "Событие 39" in page.content.decode()
