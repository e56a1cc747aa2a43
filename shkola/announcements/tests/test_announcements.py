"""Announcements through HTTP and the services: who posts, who reads, what is shown when."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shkola.announcements import selectors, services
from shkola.announcements.models import Announcement, AnnouncementRead
from shkola.core import clock
from shkola.core.testing.factories import (
    School,
    UserFactory,
    guardian_of,
    make_school,
    staff,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    monkeypatch.setenv("SHKOLA_TODAY", "2026-11-20")
    return dt.date(2026, 11, 20)


@dataclass
class World:
    school: School
    student_user: Any  # a student of 7А with an account
    parent: Any  # the parent of that student
    other_class: Any  # 8Б of the same school
    other_class_parent: Any  # a parent of a student of 8Б
    other_school: School
    stranger: Any  # a parent in the other school


def _with_account(student: Any) -> Any:
    user = UserFactory()
    student.user = user
    student.save(update_fields=["user"])
    return user


@pytest.fixture
def world(today: dt.date) -> World:
    school = make_school(n_students=2)
    student_user = _with_account(school.students[0])
    parent = guardian_of(school.students[0])
    other_class, other_students = school.add_class(8, "Б", n_students=1)
    other_school = make_school(n_students=1)
    return World(
        school=school,
        student_user=student_user,
        parent=parent,
        other_class=other_class,
        other_class_parent=guardian_of(other_students[0]),
        other_school=other_school,
        stranger=guardian_of(other_school.students[0]),
    )


def ours(world: World) -> Any:
    """This test's announcements (the session's demo world may hold others)."""
    return Announcement.objects.filter(
        organisation__in=[world.school.organisation, world.other_school.organisation]
    )


def post_data(**extra: Any) -> dict[str, Any]:
    return {
        "title": "Субботник",
        "body": "Приходите в субботу.",
        "audience": "everyone",
        "scope": "school",
        "valid_from": "2026-11-20",
        "valid_to": "2026-11-30",
        **extra,
    }


def publish(author: Any, **extra: Any) -> Announcement:
    fields: dict[str, Any] = {
        "title": "Объявление",
        "body": "Текст",
        "audience": "everyone",
        "valid_from": clock.today(),
        "valid_to": clock.today() + dt.timedelta(days=5),
        **extra,
    }
    return services.announcement_publish(author=author, **fields)


def listed(client: Any, user: Any) -> str:
    client.force_login(user)
    return client.get(reverse("announcements:list")).content.decode()


def test_the_curator_posts_for_the_whole_school_and_everyone_there_reads_it(client, world):
    # given the curator of the school
    client.force_login(world.school.curator)
    # when they post for everyone
    response = client.post(reverse("announcements:create"), post_data())
    # then the school's student, parents, teachers see it, the other school does not
    assert response.status_code == 302
    announcement = ours(world).get()
    assert announcement.organisation == world.school.organisation
    for reader in (
        world.student_user,
        world.parent,
        world.other_class_parent,
        world.school.teacher,
    ):
        assert "Субботник" in listed(client, reader)
    assert "Субботник" not in listed(client, world.stranger)
    client.force_login(world.stranger)
    assert client.get(reverse("announcements:detail", args=[announcement.id])).status_code == 404


def test_a_class_teacher_posts_for_the_families_of_their_class_only(client, world):
    client.force_login(world.school.class_teacher)
    form = client.get(reverse("announcements:create")).content.decode()
    assert "Сотрудникам школы" not in form  # a class teacher writes to families only
    response = client.post(
        reverse("announcements:create"),
        post_data(title="Экскурсия", audience="families", class_units=[world.school.class_unit.id]),
    )
    assert response.status_code == 302
    announcement = ours(world).get()
    assert "Экскурсия" in listed(client, world.parent)
    assert "Экскурсия" in listed(client, world.student_user)
    assert "Экскурсия" not in listed(client, world.other_class_parent)
    assert "Экскурсия" not in listed(client, world.school.teacher)
    # the reader ids the integrator notifies: the student and the parents of 7А
    ids = selectors.announcement_reader_ids(announcement)
    assert world.student_user.id in ids and world.parent.id in ids
    assert world.other_class_parent.id not in ids and world.school.teacher.id not in ids


def test_a_class_teacher_cannot_address_another_class_or_the_staff(client, world):
    client.force_login(world.school.class_teacher)
    response = client.post(
        reverse("announcements:create"),
        post_data(audience="families", class_units=[world.other_class.id]),
    )
    assert response.status_code == 400
    assert "Классы: выберите классы из списка." in response.content.decode()
    response = client.post(
        reverse("announcements:create"),
        post_data(audience="staff", class_units=[world.school.class_unit.id]),
    )
    assert response.status_code == 400
    assert "Кому: выберите адресатов из списка." in response.content.decode()
    assert not ours(world).exists()
    # and the service says the same to a caller that skips the form
    with pytest.raises(Exception, match="классный руководитель пишет только своему классу"):
        publish(
            world.school.class_teacher,
            audience="families",
            scope="classes",
            class_unit_ids=[world.other_class.id],
        )


def test_a_teacher_or_a_parent_may_not_post(client, world):
    for person in (world.school.teacher, world.parent, world.student_user):
        client.force_login(person)
        assert client.get(reverse("announcements:create")).status_code == 404
        assert client.post(reverse("announcements:create"), post_data()).status_code == 404
    assert not ours(world).exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"valid_from": "32.13.2026"}, "Показывать с: введите дату"),
        ({"valid_to": "2026-11-01"}, "Показывать по: дата не раньше даты начала."),
        ({"audience": "martians"}, "Кому: выберите адресатов из списка."),
        ({"scope": "galaxy"}, "Охват: выберите всю школу, параллели или классы."),
        ({"scope": "classes", "audience": "families"}, "Классы: отметьте хотя бы один класс."),
        ({"scope": "classes", "audience": "families", "class_units": ["abc"]}, "Классы:"),
        ({"scope": "parallels", "audience": "parents", "parallels": ["999999"]}, "Параллели:"),
        ({"scope": "classes", "audience": "staff"}, "Охват: сотрудникам и «Всем»"),
        ({"title": "   "}, "Заголовок: укажите заголовок объявления."),
        ({"title": "я" * 201}, "Заголовок: не длиннее 200 символов."),
    ],
)
def test_bad_input_is_a_russian_error_naming_the_field(client, world, extra, message):
    client.force_login(world.school.curator)
    response = client.post(reverse("announcements:create"), post_data(**extra))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ours(world).exists()


def test_parallels_reach_the_families_of_every_class_of_the_parallel(client, world):
    announcement = publish(
        world.school.curator,
        title="Для седьмых",
        audience="parents",
        scope="parallels",
        parallel_ids=[world.school.parallel.id],
    )
    assert "Для седьмых" in listed(client, world.parent)
    assert "Для седьмых" not in listed(client, world.student_user)  # parents only
    assert "Для седьмых" not in listed(client, world.other_class_parent)  # 8Б
    assert selectors.announcement_reader_ids(announcement) == [world.parent.id]


def test_staff_announcements_reach_the_staff_only(client, world):
    announcement = publish(world.school.curator, title="Педсовет", audience="staff")
    assert "Педсовет" in listed(client, world.school.teacher)
    assert "Педсовет" not in listed(client, world.parent)
    assert "Педсовет" not in listed(client, world.other_school.teacher)
    assert set(selectors.announcement_reader_ids(announcement)) == {
        world.school.teacher.id,
        world.school.class_teacher.id,
        world.school.curator.id,
    }


def test_outside_its_period_readers_do_not_see_it_and_the_author_still_does(client, world, today):
    old = publish(
        world.school.curator,
        title="Прошедшее",
        valid_from=today - dt.timedelta(days=10),
        valid_to=today - dt.timedelta(days=1),
    )
    future = publish(
        world.school.curator,
        title="Будущее",
        valid_from=today + dt.timedelta(days=3),
        valid_to=today + dt.timedelta(days=5),
    )
    page = listed(client, world.parent)
    assert "Прошедшее" not in page and "Будущее" not in page
    for announcement in (old, future):
        assert (
            client.get(reverse("announcements:detail", args=[announcement.id])).status_code == 404
        )
    # neither the author nor the administration, opening an announcement meant for the
    # families, is counted among its readers
    class_one = publish(
        world.school.class_teacher,
        title="Классу",
        audience="families",
        scope="classes",
        class_unit_ids=[world.school.class_unit.id],
    )
    client.force_login(world.school.curator)
    client.get(reverse("announcements:detail", args=[class_one.id]))
    client.force_login(world.school.class_teacher)
    client.get(reverse("announcements:detail", args=[class_one.id]))
    assert not AnnouncementRead.objects.filter(announcement=class_one).exists()
    client.force_login(world.school.curator)
    mine = client.get(reverse("announcements:mine")).content.decode()
    assert "Прошедшее" in mine and "срок истёк" in mine
    assert "Будущее" in mine and "ещё не показывается" in mine
    assert client.get(reverse("announcements:detail", args=[old.id])).status_code == 200


def test_pinned_first_unread_marked_opening_marks_read_and_authors_see_the_count(client, world):
    publish(world.school.curator, title="Обычное")
    pinned = publish(world.school.curator, title="Закреплённое", pinned=True)
    client.force_login(world.parent)
    response = client.get(reverse("announcements:list"))
    titles = [a.title for a in response.context["announcements"]]
    assert titles == ["Закреплённое", "Обычное"]
    assert response.content.decode().count("новое</span>") == 2
    assert selectors.unread_count(response.context["viewer"]) == 2

    assert client.get(reverse("announcements:detail", args=[pinned.id])).status_code == 200
    client.get(reverse("announcements:detail", args=[pinned.id]))  # a second open counts once
    assert AnnouncementRead.objects.filter(announcement=pinned).count() == 1
    response = client.get(reverse("announcements:list"))
    assert response.content.decode().count("новое</span>") == 1

    # neither the author nor the administration, opening an announcement meant for the
    # families, is counted among its readers
    class_one = publish(
        world.school.class_teacher,
        title="Классу",
        audience="families",
        scope="classes",
        class_unit_ids=[world.school.class_unit.id],
    )
    client.force_login(world.school.curator)
    client.get(reverse("announcements:detail", args=[class_one.id]))
    client.force_login(world.school.class_teacher)
    client.get(reverse("announcements:detail", args=[class_one.id]))
    assert not AnnouncementRead.objects.filter(announcement=class_one).exists()
    client.force_login(world.school.curator)
    mine = client.get(reverse("announcements:mine"))
    readers = {a.title: a.readers for a in mine.context["announcements"]}
    assert readers == {"Закреплённое": 1, "Обычное": 0, "Классу": 0}
    assert "прочитал 1 человек" in mine.content.decode()


def test_the_home_page_and_the_badge_show_the_unread_ones(client, world):
    for n in range(7):
        publish(world.school.curator, title=f"Новость {n}", pinned=n == 0)
    client.force_login(world.parent)
    page = client.get("/").content.decode()
    assert 'id="home-announcements"' in page
    assert '<span class="badge text-bg-primary" id="home-announcements-count">7</span>' in page
    assert page.count("Новость ") == 5
    feed = page.split('id="home-announcements"')[1]
    assert feed.index("Новость 0") < feed.index("Новость 6")  # pinned first
    for announcement in ours(world):
        client.get(reverse("announcements:detail", args=[announcement.id]))
    assert 'id="home-announcements"' not in client.get("/").content.decode()


def test_text_stays_text_and_links_become_clickable(client, world):
    announcement = publish(
        world.school.curator,
        title="<b>Жирный</b>",
        body='<script>alert("x")</script>\nПодробно: https://example.org/plan',
    )
    client.force_login(world.parent)
    html = client.get(reverse("announcements:detail", args=[announcement.id])).content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "<b>Жирный</b>" not in html and "&lt;b&gt;Жирный&lt;/b&gt;" in html
    assert 'href="https://example.org/plan"' in html


def pdf(name: str = "plan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n%%EOF\n", "application/pdf")


def test_attachments_are_served_to_the_audience_and_the_authors_only(client, world):
    client.force_login(world.school.class_teacher)
    response = client.post(
        reverse("announcements:create"),
        post_data(
            audience="parents", class_units=[world.school.class_unit.id], attachments=[pdf()]
        ),
    )
    assert response.status_code == 302
    record = ours(world).get().files.get()
    url = reverse("announcements:file", args=[record.id])
    for allowed in (world.parent, world.school.class_teacher, world.school.curator):
        client.force_login(allowed)
        got = client.get(url)
        assert got.status_code == 200
        assert b"".join(got.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
        assert "sandbox" in got["Content-Security-Policy"]
    for refused in (
        world.student_user,
        world.other_class_parent,
        world.stranger,
        world.school.teacher,
    ):
        client.force_login(refused)
        assert client.get(url).status_code == 404


def test_a_file_that_lies_about_its_type_is_refused_with_its_name(client, world):
    client.force_login(world.school.curator)
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not an image", "image/jpeg")
    response = client.post(reverse("announcements:create"), post_data(attachments=[fake]))
    assert response.status_code == 400
    assert "photo.jpg" in response.content.decode()
    assert not ours(world).exists()


def test_authors_edit_and_delete_and_nobody_else_does(client, world):
    announcement = publish(
        world.school.class_teacher,
        audience="families",
        scope="classes",
        class_unit_ids=[world.school.class_unit.id],
        files=[pdf()],
    )
    file_id = announcement.files.get().id
    other_class_teacher = staff(world.school.organisation)
    world.other_class.class_teacher = other_class_teacher
    world.other_class.save()
    for outsider in (
        other_class_teacher,
        world.school.teacher,
        world.parent,
        world.other_school.curator,
    ):
        client.force_login(outsider)
        assert client.get(reverse("announcements:edit", args=[announcement.id])).status_code == 404
        assert (
            client.post(reverse("announcements:delete", args=[announcement.id])).status_code == 404
        )
    client.force_login(world.school.class_teacher)
    response = client.post(
        reverse("announcements:edit", args=[announcement.id]),
        post_data(
            title="Исправлено",
            audience="parents",
            class_units=[world.school.class_unit.id],
            remove_files=[file_id],
        ),
    )
    assert response.status_code == 302
    announcement.refresh_from_db()
    assert announcement.title == "Исправлено" and announcement.audience == "parents"
    assert not announcement.files.exists()
    # the administration may change a class teacher's announcement too
    client.force_login(world.school.curator)
    assert client.get(reverse("announcements:delete", args=[announcement.id])).status_code == 200
    assert client.post(reverse("announcements:delete", args=[announcement.id])).status_code == 302
    assert not ours(world).exists()


def test_a_parent_in_two_schools_sees_each_school_only_for_the_right_child(client, world):
    # given a parent with a child in 7А of the first school and one in the other school
    both = guardian_of(world.school.students[1], world.other_school.students[0])
    mine_class = publish(
        world.school.curator,
        title="Седьмым классам первой школы",
        audience="parents",
        scope="parallels",
        parallel_ids=[world.school.parallel.id],
    )
    staff_only = publish(world.other_school.curator, title="Только сотрудникам", audience="staff")
    second = publish(
        world.other_school.curator, title="Вторая школа всем семьям", audience="families"
    )
    page = listed(client, both)
    assert "Седьмым классам первой школы" in page
    assert "Вторая школа всем семьям" in page
    assert "Только сотрудникам" not in page
    assert both.id in selectors.announcement_reader_ids(mine_class)
    assert both.id in selectors.announcement_reader_ids(second)
    assert both.id not in selectors.announcement_reader_ids(staff_only)


def test_a_teacher_who_is_a_parent_elsewhere_gets_staff_news_of_one_and_family_news_of_the_other(
    client, world
):
    teacher_parent = staff(world.school.organisation)
    from shkola.schools.models import Guardian, Guardianship

    guardian = Guardian.objects.create(user=teacher_parent, last_name="Т", first_name="П")
    Guardianship.objects.create(
        guardian=guardian, student=world.other_school.students[0], kind="father"
    )
    publish(world.school.curator, title="Педсовет первой", audience="staff")
    publish(world.school.curator, title="Семьям первой", audience="families")
    publish(world.other_school.curator, title="Педсовет второй", audience="staff")
    publish(world.other_school.curator, title="Семьям второй", audience="families")
    page = listed(client, teacher_parent)
    assert "Педсовет первой" in page and "Семьям второй" in page
    assert "Семьям первой" not in page and "Педсовет второй" not in page


def test_the_list_costs_the_same_queries_for_one_and_for_thirty(client, world):
    def queries() -> int:
        client.force_login(world.parent)
        client.get(reverse("announcements:list"))  # warm the session
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("announcements:list"))
        assert response.status_code == 200
        return len(ctx.captured_queries)

    publish(world.school.curator, title="Первое", files=[pdf()])
    one = queries()
    for n in range(29):
        publish(world.school.curator, title=f"Ещё {n}", pinned=n % 2 == 0, files=[pdf()])
    assert queries() == one


def test_the_audience_is_notified_of_an_announcement_valid_today(world):
    from shkola.notifications.models import Notification

    # when the class teacher posts for the families of 7А today, and another for next week
    now = publish(
        world.school.class_teacher,
        title="Экскурсия",
        audience="families",
        scope="classes",
        class_unit_ids=[world.school.class_unit.id],
    )
    later = publish(
        world.school.class_teacher,
        title="Потом",
        audience="families",
        scope="classes",
        class_unit_ids=[world.school.class_unit.id],
        valid_from=clock.today() + dt.timedelta(days=3),
    )
    # then the student and the parent of 7А are told of the first one only, with its link
    got = Notification.objects.filter(kind="announcement", url__endswith=f"/{now.pk}/")
    assert sorted(got.values_list("user_id", flat=True)) == sorted(
        [world.student_user.pk, world.parent.pk]
    )
    assert {n.title for n in got} == {"Объявление: Экскурсия"}
    assert not Notification.objects.filter(kind="announcement", url__endswith=f"/{later.pk}/")
