"""Consents, withdrawal and destruction through the services (H2, X3)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from shkola.accounts.models import AuditEvent, User
from shkola.journal.models import FinalMark, Mark, Remark
from shkola.privacy import acts, services
from shkola.privacy.models import Consent, ConsentText, Destruction, DestructionStatus
from shkola.schools.models import Guardianship, Student
from shkola.timetable.models import Lesson

from .conftest import pdf_text

pytestmark = pytest.mark.django_db


def test_a_parent_consents_for_a_child_to_the_current_version(family):
    consent = services.consent_give(user=family.parent, student=family.child, kind="parent")
    assert consent.text.version >= 1
    assert consent.text.kind == "parent"
    # Giving it again while it stands changes nothing.
    again = services.consent_give(user=family.parent, student=family.child, kind="parent")
    assert again.pk == consent.pk
    assert AuditEvent.objects.filter(actor=family.parent, details__consent=consent.pk).count() == 1


def test_nobody_consents_for_another_family_or_under_fourteen_for_themselves(family):
    stranger = User.objects.create_user("stranger.privacy", password="x")
    with pytest.raises(ValidationError):
        services.consent_give(user=stranger, student=family.child, kind="parent")
    young = family.school.students[2]
    young.user = User.objects.create_user("young.privacy", password="x")
    young.birth_date = dt.date(2015, 1, 1)
    young.save()
    with pytest.raises(ValidationError):
        services.consent_give(user=young.user, student=young, kind="student")


def test_a_student_of_fourteen_consents_for_themselves(family, today):
    student = family.school.students[2]
    student.user = User.objects.create_user("teen.privacy", password="x")
    student.birth_date = today.replace(year=today.year - 14)  # fourteen today
    student.save()
    consent = services.consent_give(user=student.user, student=student, kind="student")
    assert consent.text.kind == "student"


def test_a_new_version_is_given_from_then_on_and_old_consents_keep_theirs(family):
    first = services.consent_give(user=family.parent, student=family.child, kind="parent")
    admin = User.objects.create_superuser("root.privacy", password="x")
    published = services.consent_text_publish(
        actor=admin, kind="parent", title="Согласие v2", text="Текст " * 20, territory=None
    )
    assert published.version == first.text.version + 1
    second = services.consent_give(user=family.parent, student=family.sibling, kind="parent")
    assert second.text == published
    first.refresh_from_db()
    assert first.text.version == published.version - 1


def test_publishing_an_empty_text_names_the_fields(family):
    admin = User.objects.create_superuser("root2.privacy", password="x")
    with pytest.raises(ValidationError) as error:
        services.consent_text_publish(
            actor=admin, kind="parent", title=" ", text="коротко", territory=None
        )
    assert set(error.value.message_dict) == {"title", "text"}
    assert not ConsentText.objects.filter(published_by=admin).exists()


def test_withdrawal_schedules_destruction_in_the_configured_days(family, settings):
    settings.PERSONAL_DATA_DESTRUCTION_DAYS = 10
    consent = services.consent_give(user=family.parent, student=family.child, kind="parent")
    destruction = services.consent_withdraw(consent=consent, actor=family.parent)
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert destruction.status == DestructionStatus.PENDING
    assert destruction.due_at - destruction.requested_at == dt.timedelta(days=10)
    assert destruction.organisation_id == family.child.organisation_id
    # Not destroyed yet: the ImmediateBackend cannot defer, the ticker picks it up when due.
    family.child.refresh_from_db()
    assert family.child.snils
    assert AuditEvent.objects.filter(details__destruction=destruction.pk).exists()


def test_only_the_giver_withdraws(family):
    consent = services.consent_give(user=family.parent, student=family.child, kind="parent")
    other = User.objects.create_user("other.privacy", password="x")
    with pytest.raises(ValidationError):
        services.consent_withdraw(consent=consent, actor=other)
    assert not Destruction.objects.exists()


def _with_journal(family):
    school = family.school
    lesson = Lesson.objects.create(
        academic_year=school.year,
        period=school.periods[0],
        class_unit=school.class_unit,
        subject=school.subject,
        teacher=school.teacher,
        date=dt.date(2026, 9, 2),
        lesson_number=1,
    )
    Mark.objects.create(student=family.child, lesson=lesson, value="5", points=5)
    FinalMark.objects.create(
        student=family.child,
        subject=school.subject,
        academic_year=school.year,
        kind="period",
        period=school.periods[0],
        value="5",
    )
    Remark.objects.create(student=family.child, kind="remark", text="Бегал на перемене")


def test_the_ticker_destroys_what_is_due_and_keeps_the_journal_archive(family, monkeypatch):
    monkeypatch.setattr(acts, "COMPRESS", False)
    _with_journal(family)
    child_user = User.objects.create_user("child.privacy", password="x", last_name="Ребёнков")
    Student.objects.filter(pk=family.child.pk).update(user=child_user)
    name = family.child.last_name
    full_name = family.child.full_name
    consent = services.consent_give(user=family.parent, student=family.child, kind="parent")
    destruction = services.consent_withdraw(consent=consent, actor=family.parent)
    # Staff opened the child's card once: the act's log extract names that.
    AuditEvent.objects.create(
        kind=AuditEvent.Kind.DATA_ACCESS,
        actor=family.school.class_teacher,
        organisation=family.school.organisation,
        details={"student": family.child.pk, "student_name": name, "page": "Портфолио"},
    )

    # Not due yet: nothing happens.
    assert services.destructions_due_enqueue() == 0
    # When the day has come the ticker sends it to the worker (immediate in tests).
    later = destruction.due_at + dt.timedelta(minutes=1)
    assert services.destructions_due_enqueue(now=later) == 1

    destruction.refresh_from_db()
    assert destruction.status == DestructionStatus.DONE
    child = Student.objects.get(pk=family.child.pk)
    assert child.last_name == destruction.pseudonym and child.first_name == ""
    assert child.snils == "" and child.birth_date == dt.date(child.birth_date.year, 1, 1)
    assert child.user_id is None
    child_user.refresh_from_db()
    assert (
        not child_user.is_active
        and child_user.last_name == ""
        and not child_user.has_usable_password()
    )
    assert not Guardianship.objects.filter(student=child).exists()
    assert not Remark.objects.filter(student=child).exists()
    # The journal archive stays, with the pseudonymised row.
    assert Mark.objects.filter(student=child).count() == 1
    assert FinalMark.objects.filter(student=child).count() == 1
    # The parent keeps their account and the other child.
    family.parent.refresh_from_db()
    assert family.parent.is_active
    assert Guardianship.objects.filter(student=family.sibling).exists()
    # No audit row keeps the destroyed name.
    assert not AuditEvent.objects.filter(details__student_name=name).exists()

    act = destruction.act
    destroyed = {row["category"]: row["count"] for row in act["destroyed"]}
    assert destroyed["Связи с законными представителями"] == 1
    assert destroyed["Замечания"] == 1
    assert any(row["what"] == "Портфолио" for row in act["log"])
    text = pdf_text(bytes(destruction.act_pdf))
    assert bytes(destruction.act_pdf).startswith(b"%PDF")
    assert f"Акт № {destruction.pk} об уничтожении персональных данных" in text
    assert destruction.pseudonym in text and "Выписка из журнала событий" in text
    assert full_name not in text


def test_destruction_is_idempotent(family):
    consent = services.consent_give(user=family.parent, student=family.child, kind="parent")
    destruction = services.consent_withdraw(consent=consent, actor=family.parent)
    first = services.destruction_run(destruction_id=destruction.pk)
    act = first.act
    again = services.destruction_run(destruction_id=destruction.pk)
    assert again.act == act and again.done_at == first.done_at
    # A second withdrawal after it is done cannot schedule another.
    with pytest.raises(ValidationError):
        services.consent_give(user=family.parent, student=family.child, kind="parent")


def test_the_parent_of_a_single_child_is_destroyed_with_the_child(
    db, django_capture_on_commit_callbacks
):
    from shkola.core.testing.factories import guardian_of, make_school

    school = make_school(n_students=1)
    child = school.students[0]
    parent = guardian_of(child)
    consent = services.consent_give(user=parent, student=child, kind="parent")
    destruction = services.consent_withdraw(consent=consent, actor=parent)
    with django_capture_on_commit_callbacks(execute=True):
        services.destruction_now(destruction=destruction, actor=school.curator)
    parent.refresh_from_db()
    assert not parent.is_active and parent.email == "" and parent.username.startswith("destroyed-")
    destruction.refresh_from_db()
    assert destruction.done_by == school.curator
    assert Consent.objects.filter(pk=consent.pk).exists()  # proof of consent and withdrawal stays


def test_a_destroyed_childs_calendar_link_and_app_key_stop_working(
    db, client, django_capture_on_commit_callbacks
):
    from shkola.api.tests.factories import bearer, token
    from shkola.core.testing.factories import guardian_of, make_school
    from shkola.feeds import services as feeds

    school = make_school(n_students=1)
    child = school.students[0]
    parent = guardian_of(child)
    _, secret = feeds.feed_create(owner=parent, student=child, calendars=["timetable"])
    key = token(parent)
    assert client.get(f"/feeds/{secret}.ics").status_code == 200
    assert client.get("/api/v1/me", **bearer(key)).status_code == 200

    consent = services.consent_give(user=parent, student=child, kind="parent")
    destruction = services.consent_withdraw(consent=consent, actor=parent)
    with django_capture_on_commit_callbacks(execute=True):
        services.destruction_now(destruction=destruction, actor=school.curator)

    assert client.get(f"/feeds/{secret}.ics").status_code == 404
    assert client.get("/api/v1/me", **bearer(key)).status_code == 401
    destruction.refresh_from_db()
    destroyed = {row["category"]: row["count"] for row in destruction.act["destroyed"]}
    assert destroyed["Ссылки на календарь обучающегося"] == 1
    assert destroyed["Разрешения приложений (ключи доступа к API)"] == 1


def test_destruction_ends_the_childs_sessions_in_the_shared_cache_too(family):
    # Given the child signed in (the session lives in the cache and in its row)
    from django.conf import settings
    from django.contrib.sessions.backends.cached_db import KEY_PREFIX
    from django.core.cache import caches
    from django.test import Client

    child = family.child
    child.user = User.objects.create_user("child.privacy", password="x")
    child.save()
    browser = Client()
    browser.force_login(child.user)
    assert browser.get("/accounts/profile/").status_code == 200
    key = browser.session.session_key
    session_cache = caches[settings.SESSION_CACHE_ALIAS]
    assert session_cache.get(KEY_PREFIX + key) is not None
    # When the child's data is destroyed
    consent = services.consent_give(user=family.parent, student=child, kind="parent")
    destruction = services.consent_withdraw(consent=consent, actor=family.parent)
    services.destruction_run(destruction_id=destruction.pk)
    # Then the session is gone from the cache as well as from the table: deleting the rows
    # alone left it signed in from the cache
    assert session_cache.get(KEY_PREFIX + key) is None
    assert browser.get("/accounts/profile/").status_code == 302


def _destroyed_but_files_left(family, capture):  # type: ignore[no-untyped-def]
    """A child with a photo whose consent was withdrawn; the destruction commits and its
    worker dies before removing the files (the after-commit work never runs)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    photo = default_storage.save("students/photos/child.jpg", ContentFile(b"not a real photo"))
    Student.objects.filter(pk=family.child.pk).update(photo=photo)
    consent = services.consent_give(user=family.parent, student=family.child, kind="parent")
    destruction = services.consent_withdraw(consent=consent, actor=family.parent)
    with capture(execute=False):
        services.destruction_run(destruction_id=destruction.pk)
    return destruction, photo


def test_a_retry_removes_the_files_a_killed_worker_left_after_its_commit(
    family, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    from shkola.privacy.tasks import destroy_personal_data

    # Given a destruction done whose worker died before removing the files
    destruction, photo = _destroyed_but_files_left(family, django_capture_on_commit_callbacks)
    destruction.refresh_from_db()
    assert destruction.status == DestructionStatus.DONE
    assert destruction.files_left == [photo] and default_storage.exists(photo)
    # Then the retried task finishes the removal, and the act stays as it was
    act = destruction.act
    with django_capture_on_commit_callbacks(execute=True):
        destroy_personal_data.enqueue(destruction.pk)
    assert not default_storage.exists(photo)
    destruction.refresh_from_db()
    assert destruction.files_left == [] and destruction.act == act


def test_files_the_storage_could_not_remove_are_tried_again_by_the_ticker(
    family, django_capture_on_commit_callbacks, tmp_path, settings
):
    from django.core.files.storage import default_storage

    # Given a destruction done, the removal of its files still to come
    destruction, photo = _destroyed_but_files_left(family, django_capture_on_commit_callbacks)
    # When the storage cannot delete (its share gone: the media root is no directory now),
    # the name is kept…
    media_root = settings.MEDIA_ROOT
    broken = tmp_path / "not-a-directory"
    broken.write_text("")
    settings.MEDIA_ROOT = str(broken)
    services.destruction_files_remove(destruction_id=destruction.pk)
    destruction.refresh_from_db()
    assert destruction.files_left == [photo]
    settings.MEDIA_ROOT = media_root
    # …and the ticker sends it to the worker again, which removes it
    with django_capture_on_commit_callbacks(execute=True):
        assert services.destructions_due_enqueue() == 1
    destruction.refresh_from_db()
    assert destruction.files_left == [] and not default_storage.exists(photo)
    assert services.destructions_due_enqueue() == 0
