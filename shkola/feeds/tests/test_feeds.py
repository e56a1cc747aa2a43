"""Calendar feeds (X6) through the services and HTTP: a parent makes a secret link of a
child's calendars, a calendar app reads it as iCalendar (checked with the `icalendar`
library), and a revoked or unknown link is not found."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from shkola.accounts.models import AuditEvent
from shkola.core.testing.factories import enrol, guardian_of, make_school, staff
from shkola.feeds import services
from shkola.feeds.models import CalendarFeed
from shkola.schools.models import SchoolEvent
from shkola.timetable.models import Lesson

pytestmark = pytest.mark.django_db

TODAY = "2026-09-15"


@pytest.fixture
def world(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SHKOLA_TODAY", TODAY)
    school = make_school(generate_lessons_until=dt.date(2026, 10, 31))
    child = school.students[0]
    parent = guardian_of(child)
    return school, child, parent


def as_user(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def fetch(token: str) -> Calendar:
    response = Client().get(reverse("feeds:calendar", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events_of(cal: Calendar) -> dict[str, object]:
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_a_parent_makes_a_link_and_a_calendar_app_reads_the_childs_week(world):
    school, child, parent = world
    # Given a substitution on Wednesday 16 September and a cancelled lesson on Friday 18
    wednesday = Lesson.objects.get(class_unit=school.class_unit, date=dt.date(2026, 9, 16))
    substitute = staff(school.organisation, last_name="Заменова", first_name="Ольга")
    Lesson.objects.filter(id=wednesday.id).update(
        is_substitution=True,
        replaced_teacher=school.teacher,
        teacher=substitute,
        room=school.rooms[1],
        control_form=school.control_forms["Контрольная работа"],
        topic="Дроби",
    )
    friday = Lesson.objects.get(class_unit=school.class_unit, date=dt.date(2026, 9, 18))
    Lesson.objects.filter(id=friday.id).update(is_cancelled=True)

    # When the parent makes a link from «Календарь в телефоне»
    client = as_user(parent)
    response = client.post(
        reverse("feeds:index"),
        {"student": child.id, "calendars": ["timetable", "tests", "holidays", "events"]},
    )
    assert response.status_code == 302
    page = client.get(reverse("feeds:index")).content.decode()
    token = page.split('id="feed-url" type="text" value="')[1].split('"')[0].rsplit("/", 1)[1]
    assert token.endswith(".ics")
    token = token[: -len(".ics")]
    # the page shows the link once; after that only its tail
    again = client.get(reverse("feeds:index")).content.decode()
    assert token not in again and f"…{token[-6:]}" in again

    # Then a calendar app reads it
    cal = fetch(token)
    assert cal["VERSION"] == "2.0"
    assert str(cal["PRODID"]).startswith("-//Shkola//")
    assert cal.walk("VTIMEZONE")[0]["TZID"] == "Europe/Moscow"
    events = events_of(cal)
    wed = events[f"lesson-{wednesday.id}@shkola"]
    assert wed["SUMMARY"] == "Контрольная работа: Математика (замена)"
    assert wed["LOCATION"] == "Каб. 102"
    assert "Учитель: Заменова О." in wed["DESCRIPTION"]
    assert "Тема: Дроби" in wed["DESCRIPTION"]
    start = wed.decoded("DTSTART")
    assert start == dt.datetime(2026, 9, 16, 9, 25, tzinfo=start.tzinfo)
    assert str(start.tzinfo) == "Europe/Moscow"
    assert wed.decoded("DTEND") - start == dt.timedelta(minutes=45)
    # the cancelled lesson is gone, as from the diary: a subscribed calendar drops it
    assert f"lesson-{friday.id}@shkola" not in events
    assert f"lesson-{friday.id - 1}@shkola" in events
    autumn = [e for e in events.values() if e["SUMMARY"] == "Осенние каникулы"][0]
    assert autumn.decoded("DTSTART") == dt.date(2026, 10, 25)
    assert autumn.decoded("DTEND") == dt.date(2026, 11, 3)  # exclusive end
    # grade-1-only holidays are not the seventh grader's
    assert all(e["SUMMARY"] != "Дополнительные каникулы" for e in events.values())
    # and the same lesson keeps its UID on the next request
    assert set(events_of(fetch(token))) == set(events)


def test_the_window_is_a_month_back_and_four_months_ahead(world):
    school, child, parent = world
    _feed, token = services.feed_create(owner=parent, student=child, calendars=["timetable"])
    dates = {e.decoded("DTSTART").date() for e in fetch(token).walk("VEVENT")}
    assert min(dates) == dt.date(2026, 9, 2)  # the year's first Wednesday, inside the window
    assert max(dates) <= dt.date(2026, 10, 31)
    # a lesson far ahead is outside
    Lesson.objects.create(
        academic_year=school.year,
        period=school.periods[3],
        class_unit=school.class_unit,
        subject=school.subject,
        teacher=school.teacher,
        date=dt.date(2027, 4, 5),
        lesson_number=2,
    )
    assert dt.date(2027, 4, 5) not in {
        e.decoded("DTSTART").date() for e in fetch(token).walk("VEVENT")
    }


def test_a_tests_only_link_carries_the_planned_tests_and_the_school_events(world):
    school, child, parent = world
    test_lesson = Lesson.objects.filter(class_unit=school.class_unit).order_by("date")[3]
    Lesson.objects.filter(id=test_lesson.id).update(
        control_form=school.control_forms["Контрольная работа"]
    )
    other_form = Lesson.objects.filter(class_unit=school.class_unit).order_by("date")[4]
    Lesson.objects.filter(id=other_form.id).update(
        control_form=school.control_forms["Самостоятельная работа"]
    )
    concert = SchoolEvent.objects.create(
        organisation=school.organisation,
        title="Концерт ко Дню учителя",
        date=dt.date(2026, 10, 5),
        time=dt.time(15, 0),
        place="Актовый зал",
    )
    other_class, _ = school.add_class(9, "В", n_students=1)
    not_ours = SchoolEvent.objects.create(
        organisation=school.organisation, title="Экскурсия 9В", date=dt.date(2026, 10, 6)
    )
    not_ours.class_units.add(other_class)
    _feed, token = services.feed_create(owner=parent, student=child, calendars=["tests", "events"])

    events = events_of(fetch(token))

    assert set(events) == {f"lesson-{test_lesson.id}@shkola", f"event-{concert.id}@shkola"}
    assert events[f"lesson-{test_lesson.id}@shkola"]["SUMMARY"] == "Контрольная работа: Математика"
    show = events[f"event-{concert.id}@shkola"]
    assert show["LOCATION"] == "Актовый зал"
    assert show.decoded("DTSTART") == dt.datetime(
        2026, 10, 5, 15, 0, tzinfo=show.decoded("DTSTART").tzinfo
    )


def test_long_lines_are_folded(world):
    school, child, parent = world
    SchoolEvent.objects.create(
        organisation=school.organisation,
        title="Родительское собрание " * 8,
        date=dt.date(2026, 9, 20),
    )
    _feed, token = services.feed_create(owner=parent, student=child, calendars=["events"])
    raw = Client().get(reverse("feeds:calendar", args=[token])).content
    lines = raw.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    assert any(line.startswith(b" ") for line in lines)
    cal = Calendar.from_ical(raw)
    assert str(cal.walk("VEVENT")[0]["SUMMARY"]) == "Родительское собрание " * 8


def test_a_revoked_or_unknown_link_is_not_found_and_both_writes_are_audited(world):
    school, child, parent = world
    feed, token = services.feed_create(owner=parent, student=child, calendars=["holidays"])
    assert CalendarFeed.objects.get(pk=feed.pk).token_hash != token  # only the hash is kept
    client = as_user(parent)
    assert client.post(reverse("feeds:revoke", args=[feed.id])).status_code == 302
    assert Client().get(reverse("feeds:calendar", args=[token])).status_code == 404
    assert Client().get(reverse("feeds:calendar", args=["nope"])).status_code == 404
    kinds = list(
        AuditEvent.objects.filter(actor=parent, kind__startswith="feed_")
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds == [AuditEvent.Kind.FEED_CREATE, AuditEvent.Kind.FEED_REVOKE]


def test_someone_elses_link_cannot_be_revoked_and_anothers_child_cannot_be_chosen(world):
    school, child, parent = world
    feed, token = services.feed_create(owner=parent, student=child, calendars=["holidays"])
    stranger_child = enrol(school, school.class_unit)
    stranger = guardian_of(stranger_child)
    client = as_user(stranger)
    assert client.post(reverse("feeds:revoke", args=[feed.id])).status_code == 404
    assert Client().get(reverse("feeds:calendar", args=[token])).status_code == 200
    response = client.post(
        reverse("feeds:index"), {"student": child.id, "calendars": ["timetable"]}
    )
    assert response.status_code == 400
    assert "«Чей календарь»: выберите обучающегося из списка." in response.content.decode()
    assert not CalendarFeed.objects.filter(owner=stranger).exists()


def test_no_calendar_chosen_is_a_clear_error_naming_the_field(world):
    school, child, parent = world
    response = as_user(parent).post(reverse("feeds:index"), {"student": child.id})
    assert response.status_code == 400
    assert "«Что показывать»: выберите хотя бы один календарь." in response.content.decode()
    with pytest.raises(ValidationError):
        services.feed_create(owner=parent, student=child, calendars=["nonsense"])


def test_a_family_in_two_schools_gets_each_childs_own_calendar(world):
    school, child, parent = world
    other = make_school(subject_name="Физика", generate_lessons_until=dt.date(2026, 9, 30))
    second = other.students[0]
    from shkola.schools.models import Guardianship

    guardian = child.guardianships.get().guardian
    Guardianship.objects.create(guardian=guardian, student=second, kind="mother")
    page = as_user(parent).get(reverse("feeds:index")).content.decode()
    assert f'id="feeds-of-{child.id}"' in page and f'id="feeds-of-{second.id}"' in page

    _f1, first_token = services.feed_create(owner=parent, student=child, calendars=["timetable"])
    _f2, second_token = services.feed_create(owner=parent, student=second, calendars=["timetable"])

    first = {str(e["SUMMARY"]) for e in fetch(first_token).walk("VEVENT")}
    physics = {str(e["SUMMARY"]) for e in fetch(second_token).walk("VEVENT")}
    assert first == {"Математика"} and physics == {"Физика"}


def test_a_student_makes_their_own_link_and_staff_have_no_page(world):
    school, child, parent = world
    from shkola.accounts.models import User

    user = User.objects.create_user(username="feeds-student-own", password="x")
    child.user = user
    child.save()
    page = as_user(user).get(reverse("feeds:index"))
    assert page.status_code == 200 and child.full_name in page.content.decode()
    assert as_user(school.teacher).get(reverse("feeds:index")).status_code == 404


@pytest.mark.parametrize("weeks", [1, 8])
def test_the_feed_keeps_its_query_budget(world, weeks, django_assert_max_num_queries):
    school, child, parent = world
    from shkola.timetable import services as tt

    tt.lessons_generate(
        academic_year=school.year,
        start=dt.date(2026, 9, 1),
        end=dt.date(2026, 9, 1) + dt.timedelta(weeks=weeks),
    )
    for n in range(weeks):
        SchoolEvent.objects.create(
            organisation=school.organisation, title=f"Событие {n}", date=dt.date(2026, 9, 20)
        )
    _feed, token = services.feed_create(
        owner=parent, student=child, calendars=["timetable", "tests", "holidays", "events"]
    )
    with django_assert_max_num_queries(6):
        response = Client().get(reverse("feeds:calendar", args=[token]))
    assert response.status_code == 200


def test_the_page_keeps_its_query_budget(world, django_assert_max_num_queries):
    school, child, parent = world
    for _ in range(5):
        services.feed_create(owner=parent, student=child, calendars=["timetable"])
    client = as_user(parent)
    with django_assert_max_num_queries(16):
        page = client.get(reverse("feeds:index"))
    assert page.content.decode().count("feed-row") == 5


def test_the_diary_leads_the_family_to_the_calendar_page(world):
    school, child, parent = world
    page = as_user(parent).get(reverse("diary:timetable")).content.decode()
    assert f'href="{reverse("feeds:index")}"' in page
    staff_view = as_user(school.class_teacher).get(reverse("diary:timetable_of", args=[child.id]))
    assert reverse("feeds:index") not in staff_view.content.decode()
