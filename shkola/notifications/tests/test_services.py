"""notify and the journal/portfolio events that call it; settings; the digest's content."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from shkola.accounts.models import User
from shkola.core import clock
from shkola.journal import grading
from shkola.journal import services as journal_services
from shkola.journal.selectors import subject_averages
from shkola.notifications import services
from shkola.notifications.digest import digests_build
from shkola.notifications.models import (
    Notification,
    NotificationSettings,
    Outbox,
    OutboxStatus,
)

from .conftest import past_lesson, set_mark, tomorrow_lesson

pytestmark = pytest.mark.django_db


def confirm(*users: User) -> None:
    User.objects.filter(pk__in=[u.pk for u in users]).update(email_confirmed=True)


def test_notify_creates_rows_in_bulk_and_mails_those_who_chose_email(
    demo_world, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    # Given a parent who wants marks by e-mail and a teacher with the defaults
    parent, teacher = demo_world.users["parent"], demo_world.users["teacher"]
    confirm(parent, teacher)
    NotificationSettings.objects.create(user=parent, delivery={"mark": "email"})
    # When one notify call names both (and the parent twice)
    with django_capture_on_commit_callbacks(execute=True):
        with django_assert_max_num_queries(8):
            made = services.notify(
                kind="mark",
                user_ids=[parent.pk, teacher.pk, parent.pk],
                title="Алгебра: 5 за 1 декабря",
                url="/diary/",
            )
    # Then both have a notification and only the parent got a letter
    assert made == 2
    assert Notification.objects.filter(title="Алгебра: 5 за 1 декабря").count() == 2
    assert [m.to for m in mail.outbox] == [[parent.email]]
    assert "Алгебра: 5 за 1 декабря" in mail.outbox[0].body
    assert Outbox.objects.get(user=parent).status == OutboxStatus.SENT


def test_no_letter_without_a_confirmed_email(demo_world, django_capture_on_commit_callbacks):
    parent = demo_world.users["parent"]
    User.objects.filter(pk=parent.pk).update(email_confirmed=False)
    NotificationSettings.objects.create(user=parent, delivery={"mark": "email"})
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(kind="mark", user_ids=[parent.pk], title="x", url="/")
    assert mail.outbox == []
    assert not Outbox.objects.filter(user=parent).exists()
    assert Notification.objects.filter(user=parent, title="x").exists()


def test_a_letter_to_someone_who_lost_the_confirmation_is_dropped(demo_world):
    parent = demo_world.users["parent"]
    confirm(parent)
    row = Outbox.objects.create(
        user=parent, letter_kind="immediate", day=clock.today(), subject="s", body_text="t"
    )
    User.objects.filter(pk=parent.pk).update(email_confirmed=False)
    assert services.outbox_deliver(outbox_id=row.pk) is False
    row.refresh_from_db()
    assert row.status == OutboxStatus.DROPPED and mail.outbox == []


def test_unknown_kind_is_refused(demo_world):
    with pytest.raises(ValueError):
        services.notify(kind="spam", user_ids=[demo_world.users["parent"].pk], title="x", url="/")


def test_a_mark_tells_the_student_and_the_guardians_and_removing_it_does_not(demo_world):
    # Given the demo student's lesson
    lesson = past_lesson(demo_world)
    student = demo_world.student
    family = services.family_user_ids([student.pk])[student.pk]
    assert demo_world.users["parent"].pk in family and demo_world.users["student"].pk in family
    Notification.objects.all().delete()
    # When the teacher enters a «2» and then changes it to «3»
    set_mark(lesson, student, "2", demo_world.users["teacher"])
    set_mark(lesson, student, "3", demo_world.users["teacher"])
    # Then the family got two notifications each, naming the subject, the mark and the date
    titles = list(
        Notification.objects.filter(user=demo_world.users["parent"], kind="mark")
        .order_by("id")
        .values_list("title", flat=True)
    )
    assert len(titles) == 2
    assert titles[0].startswith(f"{lesson.subject.name}: 2 за ")
    assert "2 → 3" in titles[1]
    assert set(Notification.objects.values_list("user_id", flat=True)) == family
    # When the mark is removed, nobody is told
    set_mark(lesson, student, "", demo_world.users["teacher"])
    assert Notification.objects.count() == 2 * len(family)


def test_attendance_alone_is_not_a_mark_notification(demo_world):
    Notification.objects.all().delete()
    set_mark(past_lesson(demo_world), demo_world.student, "н", demo_world.users["teacher"])
    assert not Notification.objects.exists()


def test_homework_for_tomorrow_tells_the_class_and_families(demo_world):
    Notification.objects.all().delete()
    lesson = tomorrow_lesson(demo_world)
    journal_services.homework_assign(
        lesson=lesson, text="№ 125, 126", user=demo_world.users["teacher"]
    )
    users = set(Notification.objects.filter(kind="homework").values_list("user_id", flat=True))
    assert demo_world.users["parent"].pk in users and demo_world.users["student"].pk in users
    # a classmate's family too, but no one from another class
    other = services.family_user_ids([demo_world.other_family_student.pk])[
        demo_world.other_family_student.pk
    ]
    assert other <= users
    assert not (
        services.family_user_ids([demo_world.other_student.pk])[demo_world.other_student.pk] & users
    )
    note = Notification.objects.filter(kind="homework").first()
    assert note is not None and note.text == "№ 125, 126"


def test_homework_for_a_later_day_is_no_notification(demo_world):
    Notification.objects.all().delete()
    lesson = past_lesson(demo_world)
    journal_services.homework_assign(
        lesson=lesson, text="старое", user=demo_world.users["teacher"], may_edit_closed=True
    )
    assert not Notification.objects.exists()


def test_a_remark_goes_to_the_guardians_and_a_comment_to_the_student_too(demo_world):
    Notification.objects.all().delete()
    student = demo_world.student
    journal_services.remark_create(
        student=student, author=demo_world.users["teacher"], kind="remark", text="Шумел"
    )
    assert demo_world.users["student"].pk not in set(
        Notification.objects.values_list("user_id", flat=True)
    )
    assert Notification.objects.filter(user=demo_world.users["parent"], text="Шумел").exists()
    journal_services.remark_create(
        student=student, author=demo_world.users["teacher"], kind="comment", text="Молодец"
    )
    assert Notification.objects.filter(user=demo_world.users["student"], text="Молодец").exists()


def test_achievement_confirmed_and_returned_are_told(demo_world):
    from shkola.portfolio import services as portfolio_services
    from shkola.portfolio.models import Achievement

    Notification.objects.all().delete()
    achievement = Achievement.objects.create(
        student=demo_world.student, category="olympiad", name="Олимпиада по физике", year="2026"
    )
    portfolio_services.achievement_confirm(
        achievement=achievement, by=demo_world.users["classteacher"]
    )
    portfolio_services.achievement_reject(
        achievement=achievement, by=demo_world.users["classteacher"], reason="нет диплома"
    )
    titles = list(
        Notification.objects.filter(user=demo_world.users["parent"], kind="achievement")
        .order_by("id")
        .values_list("title", "text")
    )
    assert titles[0][0] == "Достижение подтверждено: Олимпиада по физике"
    assert titles[1][0] == "Достижение возвращено: Олимпиада по физике"
    assert "нет диплома" in titles[1][1]


def test_settings_are_validated(demo_world):
    parent = demo_world.users["parent"]
    with pytest.raises(ValidationError) as error:
        services.notification_settings_save(
            user=parent, delivery={"mark": "loud"}, digest_hour="25"
        )
    assert set(error.value.message_dict) == {"mark", "digest_hour"}
    saved = services.notification_settings_save(
        user=parent, delivery={"mark": "off"}, digest_hour="7"
    )
    assert saved.delivery_of("mark") == "off" and saved.digest_hour == 7
    assert saved.delivery_of("absence_note") == "email"  # the default of what was not sent


def test_unsubscribe_switches_the_digest_off_and_keeps_immediate_letters(demo_world):
    parent = demo_world.users["parent"]
    token = services.unsubscribe_token(parent)
    assert services.user_of_unsubscribe_token(token) == parent
    assert services.user_of_unsubscribe_token(token + "x") is None
    assert services.user_of_unsubscribe_token("garbage") is None
    row = services.digest_unsubscribe(user=parent)
    assert row.delivery_of("mark") == "off"
    assert row.delivery_of("absence_note") == "email"


def _digest_ready(world, hour=18):
    """The parent's digest starts now and the parent is reachable."""
    parent = world.users["parent"]
    confirm(parent)
    NotificationSettings.objects.update_or_create(
        user=parent,
        defaults={"digest_hour": hour, "last_digest_at": clock.now() - dt.timedelta(seconds=1)},
    )
    return parent


def test_one_digest_per_family_names_each_child_with_the_average(
    demo_world, django_capture_on_commit_callbacks
):
    # Given a parent of two children, each with a new mark today
    parent = _digest_ready(demo_world)
    first = past_lesson(demo_world)
    second = past_lesson(demo_world, class_unit=demo_world.second_child.current_class)
    set_mark(first, demo_world.student, "2", demo_world.users["teacher"])
    set_mark(second, demo_world.second_child, "5", second.teacher)
    # When the digests of the parent's hour are sent
    with django_capture_on_commit_callbacks(execute=True):
        services.digests_send(hour=18)
    # Then the parent got ONE letter naming both children, each mark with the average
    letters = [m for m in mail.outbox if m.to == [parent.email]]
    assert len(letters) == 1
    text = letters[0].body
    html = letters[0].alternatives[0].content
    for child in (demo_world.student, demo_world.second_child):
        name = f"{child.last_name} {child.first_name}"
        assert name in text and name in html and name in letters[0].subject
    average = subject_averages([demo_world.student.pk], first.period, [first.subject_id])[
        (demo_world.student.pk, first.subject_id)
    ]
    shown = f"{grading.quantize2(average):.2f}".replace(".", ",")
    assert f"{first.subject.name}: 2 (средний балл {shown})" in text
    assert "/notifications/unsubscribe/" in text


def test_a_rerun_builds_no_second_digest(demo_world, django_capture_on_commit_callbacks):
    parent = _digest_ready(demo_world)
    set_mark(past_lesson(demo_world), demo_world.student, "4", demo_world.users["teacher"])
    with django_capture_on_commit_callbacks(execute=True):
        assert services.digests_send(hour=18) >= 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.digests_send(hour=18) == 0
        services.outbox_retry_due(now=clock.now() + dt.timedelta(days=1))
    assert len([m for m in mail.outbox if m.to == [parent.email]]) == 1
    assert Outbox.objects.filter(user=parent, letter_kind="digest").count() == 1


def test_nothing_new_means_no_letter(demo_world):
    # Given a day far from the demo data (no homework for its tomorrow, no new marks)
    parent = _digest_ready(demo_world)
    later = clock.now() + dt.timedelta(days=400)
    NotificationSettings.objects.filter(user=parent).update(
        last_digest_at=later - dt.timedelta(seconds=1)
    )
    assert digests_build(user_ids=[parent.pk], now=later) == []


def test_digest_respects_the_choice_per_kind(demo_world):
    parent = _digest_ready(demo_world)
    NotificationSettings.objects.filter(user=parent).update(delivery={"mark": "off"})
    set_mark(past_lesson(demo_world), demo_world.student, "5", demo_world.users["teacher"])
    letters = digests_build(user_ids=[parent.pk], now=clock.now())
    assert all(not child.marks for letter in letters for child in letter.children)


def test_the_student_digest_leaves_out_the_remark_for_parents(demo_world):
    student_user = demo_world.users["student"]
    confirm(student_user)
    NotificationSettings.objects.create(
        user=student_user, last_digest_at=clock.now() - dt.timedelta(seconds=1)
    )
    journal_services.remark_create(
        student=demo_world.student,
        author=demo_world.users["teacher"],
        kind="remark",
        text="Только родителям",
    )
    journal_services.remark_create(
        student=demo_world.student,
        author=demo_world.users["teacher"],
        kind="comment",
        text="Хорошая работа",
    )
    [letter] = digests_build(user_ids=[student_user.pk], now=clock.now())
    assert "Хорошая работа" in letter.text and "Только родителям" not in letter.text


def test_tomorrows_homework_is_in_the_digest(demo_world):
    parent = _digest_ready(demo_world)
    lesson = tomorrow_lesson(demo_world)
    journal_services.homework_assign(
        lesson=lesson, text="Параграф 12", user=demo_world.users["teacher"]
    )
    [letter] = digests_build(user_ids=[parent.pk], now=clock.now())
    assert f"{lesson.subject.name}: Параграф 12" in letter.text


def test_digest_queries_do_not_grow_with_the_families(demo_world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shkola.schools.models import Guardian, Guardianship, Student

    # Given every student of the school with an account of their own and a parent account
    students = list(Student.objects.filter(organisation=demo_world.school)[:40])
    for i, student in enumerate(students):
        if student.user_id is None:
            student.user = User.objects.create(username=f"digest-s{i}", email=f"s{i}@x.org")
            student.save(update_fields=["user"])
        guardian = Guardian.objects.create(
            user=User.objects.create(username=f"digest-p{i}", email=f"p{i}@x.org"),
            last_name="Родитель",
            first_name=str(i),
        )
        Guardianship.objects.create(guardian=guardian, student=student, kind="mother")
    many = [s.user_id for s in students] + list(
        User.objects.filter(username__startswith="digest-p").values_list("id", flat=True)
    )
    now = clock.now()

    def queries(ids):
        with CaptureQueriesContext(connection) as ctx:
            digests_build(user_ids=ids, now=now)
        return len(ctx.captured_queries)

    # Then eighty people cost what one family costs (plus one average query per period)
    one = queries([demo_world.users["parent"].pk])
    assert queries(many) <= one + 2 <= 16


def test_backoff_grows_and_is_capped():
    assert services.backoff(1) == dt.timedelta(minutes=1)
    assert services.backoff(3) == dt.timedelta(minutes=4)
    assert services.backoff(30) == dt.timedelta(hours=6)


def test_two_runs_at_once_make_one_digest_and_neither_fails(demo_world):
    from shkola.notifications import digest

    # Given a parent with news, whose digest another run has just made (it saw them first)
    parent = _digest_ready(demo_world)
    set_mark(past_lesson(demo_world), demo_world.student, "5", demo_world.users["teacher"])
    now = clock.now()
    Outbox.objects.create(
        user=parent, letter_kind="digest", day=now.date(), subject="их", body_text="их"
    )
    # When this run's batch, built before it knew, comes to store the same digest
    made = services._digest_batch([parent.pk], now, digest)
    # Then the run goes on without an error, and the parent still has one digest today
    assert made == 0
    assert list(
        Outbox.objects.filter(user=parent, letter_kind="digest").values_list("subject", flat=True)
    ) == ["их"]


def test_family_accounts_read_once_compiled_equal_the_orm(demo_world):
    from shkola.schools.models import Student

    def orm(ids):
        result: dict[int, set[int]] = {}
        rows = Student.objects.filter(id__in=ids).values_list(
            "id", "user_id", "guardianships__guardian__user_id"
        )
        for sid, own, guardian in rows:
            users = result.setdefault(sid, set())
            users.update(u for u in (own, guardian) if u)
        return result

    everyone = sorted(Student.objects.values_list("id", flat=True))
    for ids in (everyone[:1], everyone[:7], everyone, [demo_world.student.pk], [0]):
        assert services.family_user_ids(ids) == orm(ids)
    assert services.family_user_ids([]) == {}
