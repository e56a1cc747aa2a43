"""The services' writes: publishing, applying, deciding, withdrawing; the places."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from shkola.core.testing.factories import staff
from shkola.extras import services
from shkola.extras.models import Application, ApplicationStatus, ServiceStatus

from .conftest import service_of

pytestmark = pytest.mark.django_db


def apply(w, child=None, parent=None, service=None):
    return services.application_create(
        service=service or w.service,
        student=child or w.student,
        applicant=parent or w.parent,
    )


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


def test_a_service_needs_a_title_schedule_and_places_named_in_russian(school):
    with pytest.raises(ValidationError) as exc:
        services.service_create(
            organisation=school.organisation, title=" ", schedule="", capacity=0, price=-1
        )
    errors = errors_of(exc)
    assert errors["title"] == ["Название: заполните."]
    assert errors["schedule"][0].startswith("Расписание:")
    assert errors["capacity"] == ["Мест: не меньше одного."]
    assert errors["price"][0].startswith("Цена:")


def test_the_teacher_must_be_of_the_school_and_dates_in_order(school, other_school):
    import datetime as dt

    with pytest.raises(ValidationError) as exc:
        service_of(
            school,
            teacher=other_school.teacher,
            starts_on=dt.date(2026, 10, 1),
            ends_on=dt.date(2026, 9, 1),
            grade_from=8,
            grade_to=5,
            class_units=[other_school.class_unit],
        )
    errors = errors_of(exc)
    assert set(errors) == {"teacher", "ends_on", "grade_to", "class_units"}
    assert errors["teacher"] == ["Педагог: выберите сотрудника школы."]


def test_a_parent_applies_and_a_second_open_application_is_refused(world):
    w = world
    application = apply(w)
    assert application.status == ApplicationStatus.PENDING
    with pytest.raises(ValidationError) as exc:
        apply(w)
    assert errors_of(exc)["student"] == ["Ребёнок: заявка на эту услугу уже подана."]
    # After a withdrawal the family may apply again
    services.application_withdraw(application=application, by=w.parent)
    assert apply(w).status == ApplicationStatus.PENDING


def test_no_application_to_a_draft_or_closed_service_or_for_another_grade(world, school):
    w = world
    for status in (ServiceStatus.DRAFT, ServiceStatus.CLOSED):
        item = service_of(school, title=f"Услуга {status}", status=status)
        with pytest.raises(ValidationError) as exc:
            apply(w, service=item)
        assert errors_of(exc)["service"] == ["Запись на эту услугу закрыта."]
    older = service_of(school, title="Для старших", grade_from=9, grade_to=11)
    with pytest.raises(ValidationError) as exc:
        apply(w, service=older)
    assert "не для его класса" in errors_of(exc)["student"][0]
    # The service of another school is not the child's either
    assert services.is_for_student(older, w.student) is False


def test_accepting_stops_at_the_capacity_and_says_so(world):
    w = world  # two places, three children
    apps = [apply(w)] + [
        apply(w, child=c, parent=p) for c, p in zip(w.others, w.other_parents, strict=True)
    ]
    curator = w.school.curator
    services.application_accept(application=apps[0], by=curator)
    services.application_accept(application=apps[1], by=curator)
    with pytest.raises(services.NoPlaces) as exc:
        services.application_accept(application=apps[2], by=curator)
    assert "Мест нет: заняты все места (2)" in errors_of(exc)["status"][0]
    apps[2].refresh_from_db()
    assert apps[2].status == ApplicationStatus.PENDING
    assert (
        Application.objects.filter(service=w.service, status=ApplicationStatus.ACCEPTED).count()
        == 2
    )


def test_a_freed_place_is_not_given_away_automatically(world):
    w = world
    apps = [apply(w)] + [
        apply(w, child=c, parent=p) for c, p in zip(w.others, w.other_parents, strict=True)
    ]
    curator = w.school.curator
    services.application_accept(application=apps[0], by=curator)
    services.application_accept(application=apps[1], by=curator)
    services.application_waitlist(application=apps[2], by=curator)
    # When the family of an accepted child leaves the service
    services.application_withdraw(application=apps[0], by=w.parent)
    # Then the waiting child still waits until the school accepts them
    apps[2].refresh_from_db()
    assert apps[2].status == ApplicationStatus.WAITLISTED
    services.application_accept(application=apps[2], by=curator)
    apps[2].refresh_from_db()
    assert apps[2].status == ApplicationStatus.ACCEPTED


def test_decline_and_remove_need_a_reason_the_parent_will_see(world):
    w = world
    application = apply(w)
    curator = w.school.curator
    with pytest.raises(ValidationError) as exc:
        services.application_decline(application=application, by=curator, reason="  ")
    assert errors_of(exc)["reason"][0].startswith("Причина отказа:")
    with pytest.raises(ValidationError) as exc:
        services.application_decline(application=application, by=curator, reason="я" * 501)
    assert "не больше 500" in errors_of(exc)["reason"][0]
    services.application_decline(application=application, by=curator, reason="Группа по возрасту")
    application.refresh_from_db()
    assert (application.status, application.reason) == ("declined", "Группа по возрасту")
    # A decided application cannot be decided again, nor withdrawn
    with pytest.raises(ValidationError) as exc:
        services.application_accept(application=application, by=curator)
    assert errors_of(exc)["status"] == ["Заявка уже в состоянии «Отклонена»."]
    with pytest.raises(ValidationError):
        services.application_withdraw(application=application, by=w.parent)


def test_the_school_removes_a_child_and_the_place_frees(world):
    w = world
    application = apply(w)
    curator = w.school.curator
    services.application_accept(application=application, by=curator)
    with pytest.raises(ValidationError):
        services.application_remove(application=application, by=curator, reason="")
    services.application_remove(application=application, by=curator, reason="Переезд")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REMOVED
    assert not Application.objects.filter(
        service=w.service, status=ApplicationStatus.ACCEPTED
    ).exists()


def test_places_cannot_drop_below_the_accepted_children(world):
    w = world
    curator = w.school.curator
    services.application_accept(application=apply(w), by=curator)
    services.application_accept(
        application=apply(w, child=w.others[0], parent=w.other_parents[0]), by=curator
    )
    kwargs = {"title": "Робототехника", "schedule": "вторник", "price": 0, "status": "published"}
    with pytest.raises(ValidationError) as exc:
        services.service_update(service=w.service, capacity=1, **kwargs)
    assert "уже принято детей — 2" in errors_of(exc)["capacity"][0]
    updated = services.service_update(service=w.service, capacity=5, **kwargs)
    assert (updated.capacity, updated.price) == (5, 0)


def test_teachers_of_a_school_are_its_staff(school, other_school):
    extra = staff(school.organisation)
    ids = set(services.teachers_of(school.organisation.pk).values_list("id", flat=True))
    assert {school.teacher.id, school.curator.id, extra.id} <= ids
    assert other_school.teacher.id not in ids


def test_the_waiting_list_is_served_in_the_order_children_joined_it(world, school):
    from shkola.core.testing.factories import enrol, guardian_of
    from shkola.extras import selectors

    w = world
    curator = school.curator
    children = [w.student, *w.others, enrol(school, school.class_unit)]
    apps = [
        services.application_create(service=w.service, student=c, applicant=guardian_of(c))
        for c in children
    ]
    # Waitlisted in the order 3rd, 1st, 4th (not the order of applying)
    for i in (2, 0, 3):
        services.application_waitlist(application=apps[i], by=curator)
    listing = selectors.applications_of(w.service)
    assert [a.pk for a in listing.waitlist] == [apps[2].pk, apps[0].pk, apps[3].pk]
    assert [a.pk for a in listing.pending] == [apps[1].pk]
    assert listing.waitlist[0].family  # the family is named even without an applicant
