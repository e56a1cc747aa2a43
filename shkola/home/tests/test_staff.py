"""The staff's home pages: a teacher's achievements to confirm, the curator's dashboard of
what waits for the school, and the feeds other apps register."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from shkola.core import pages
from shkola.core.testing.factories import TEST_PASSWORD, guardian_of, make_school
from shkola.portfolio import services as portfolio_services
from shkola.portfolio.models import Category
from shkola.timetable.models import Lesson

from .test_family import section

pytestmark = pytest.mark.django_db


def olympiad(student, by) -> Any:  # type: ignore[no-untyped-def]
    return portfolio_services.achievement_create(
        student=student,
        by=by,
        category=Category.OLYMPIAD,
        data={"name": "Олимпиада «Звезда»", "year": "2026"},
        confirmed=False,
    )


def test_a_teacher_sees_how_many_achievements_wait_and_a_link_to_the_queue(client, monkeypatch):
    monkeypatch.setenv("SHKOLA_TODAY", "2026-11-20")
    school = make_school(generate_lessons_until=dt.date(2026, 11, 30))
    client.force_login(school.teacher)
    card = section(client.get("/").content.decode(), "achievements-to-confirm")
    assert f'href="{reverse("portfolio:queue")}"' in card and 'text-bg-light">0<' in card
    # Given two families add achievements of students the teacher teaches
    for student in school.students[:2]:
        olympiad(student, guardian_of(student))
    card = section(client.get("/").content.decode(), "achievements-to-confirm")
    assert 'text-bg-primary">2<' in card
    # A student of another school's class does not count
    other = make_school(n_students=1)
    olympiad(other.students[0], guardian_of(other.students[0]))
    card = section(client.get("/").content.decode(), "achievements-to-confirm")
    assert 'text-bg-primary">2<' in card


def test_the_curator_sees_what_waits_for_the_school(client, monkeypatch, settings):
    # Given a week in which the teacher left one lesson without a topic and gave no marks
    monkeypatch.setenv("SHKOLA_TODAY", "2026-11-20")  # Friday: Mon and Wed are judged
    settings.AXES_FAILURE_LIMIT = 3
    school = make_school(generate_lessons_until=dt.date(2026, 11, 30))
    Lesson.objects.filter(class_unit=school.class_unit, date=dt.date(2026, 11, 16)).update(
        topic="Дроби"
    )
    # an achievement to confirm and a locked login of a parent of the school
    parent = guardian_of(school.students[0])
    olympiad(school.students[0], parent)
    attacker = Client()
    for _ in range(3):
        attacker.post(reverse("accounts:login"), {"username": parent.username, "password": "x"})
    assert (
        attacker.post(
            reverse("accounts:login"), {"username": parent.username, "password": TEST_PASSWORD}
        ).status_code
        == 429
    )
    # When the curator opens the home page
    client.force_login(school.curator)
    html = client.get("/").content.decode()
    # Then the waiting things are counted and link to their pages
    waits = section(html, "school-waits")
    achievements = waits.split('id="waits-achievements"')[1].split("</a>")[0]
    assert 'text-bg-primary">1<' in achievements
    assert f'href="{reverse("portfolio:queue")}"' in waits
    lockouts = waits.split('id="waits-lockouts"')[1].split("</a>")[0]
    assert 'text-bg-danger">1<' in lockouts
    assert f'href="{reverse("accounts:people")}#lockouts"' in waits
    # and the journal's week: two lessons judged (Friday's is today), one with a topic
    journal = section(html, "journal-timeliness")
    assert 'id="topic-share">50%<' in journal and 'id="marks-share">0%<' in journal
    assert 'id="teachers-behind">1<' in journal
    worst = journal.split('id="timeliness-worst"')[1]
    assert school.teacher.short_name in worst
    assert "без темы: 1" in worst and "без отметок: 2" in worst
    assert f"{reverse('journal:timeliness')}?week=2026-11-16" in journal
    assert "Вы вошли как администратор школы" not in html  # the old empty card is gone


def test_on_a_monday_the_curator_sees_last_weeks_journal(client, monkeypatch):
    monkeypatch.setenv("SHKOLA_TODAY", "2026-11-23")
    school = make_school(generate_lessons_until=dt.date(2026, 11, 30))
    Lesson.objects.filter(
        class_unit=school.class_unit,
        date__gte=dt.date(2026, 11, 16),
        date__lte=dt.date(2026, 11, 22),
    ).update(topic="Дроби")
    client.force_login(school.curator)
    journal = section(client.get("/").content.decode(), "journal-timeliness")
    assert "уроки с 16 ноября по 22 ноября" in journal
    assert 'id="topic-share">100%<' in journal


def test_a_curator_does_not_see_another_schools_journal(client, monkeypatch):
    monkeypatch.setenv("SHKOLA_TODAY", "2026-11-20")
    ours = make_school(generate_lessons_until=dt.date(2026, 11, 30))
    theirs = make_school(generate_lessons_until=dt.date(2026, 11, 30), organisation=None)
    client.force_login(ours.curator)
    journal = section(client.get("/").content.decode(), "journal-timeliness")
    assert ours.teacher.short_name in journal
    assert theirs.teacher.short_name not in journal
    assert "Всего 2 урока" in journal  # only our teacher's two judged lessons


def _feed(key: str, column: str, shown_to: str) -> pages.HomeFeed:
    def load(request: Any, viewer: Any) -> Any:
        return {"text": f"feed {key}"} if getattr(viewer, shown_to) else None

    return pages.HomeFeed(key=key, template="home/tests/feed.html", load=load, column=column)


@pytest.fixture
def feeds(monkeypatch, settings, tmp_path):  # type: ignore[no-untyped-def]
    template_dir = tmp_path / "templates"
    (template_dir / "home" / "tests").mkdir(parents=True)
    (template_dir / "home" / "tests" / "feed.html").write_text(
        '<div class="card"><div class="card-body">{{ feed.text }}</div></div>'
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], template_dir]}
    ]
    monkeypatch.setattr(pages, "_FEEDS", [])
    pages.register_home_feed(_feed("messages", "side", "is_parent"))
    pages.register_home_feed(_feed("announcements", "main", "is_parent"))
    pages.register_home_feed(_feed("absence_notes", "side", "is_teacher"))


def test_registered_feeds_go_to_their_column_for_the_roles_they_load_for(
    client, monkeypatch, feeds
):
    monkeypatch.setenv("SHKOLA_TODAY", "2026-11-20")
    school = make_school(generate_lessons_until=dt.date(2026, 11, 30))
    client.force_login(guardian_of(school.students[0]))
    html = client.get("/").content.decode()
    main, side = html.split('class="home-side"')
    assert 'id="feed-announcements"' in main and "feed announcements" in main
    assert 'id="feed-messages"' in side and "feed messages" in side
    assert "feed absence_notes" not in html
    client.force_login(school.teacher)
    html = client.get("/").content.decode()
    assert "feed absence_notes" in html.split('class="home-side"')[1]
    assert "feed messages" not in html


@pytest.mark.parametrize("role", ["teacher", "classteacher", "curator", "teacher_parent"])
def test_the_count_on_the_home_page_is_the_length_of_the_confirmation_queue(
    demo_world: Any, role: str
) -> None:
    from shkola.portfolio.selectors import review_queue, review_queue_count

    user = demo_world.users[role]
    for student in (demo_world.student, demo_world.second_child, demo_world.cross_child):
        olympiad(student, demo_world.users["parent"])
    assert review_queue_count(user) == len(review_queue(user))
