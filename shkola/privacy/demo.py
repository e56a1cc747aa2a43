"""Demo personal data (H2): the demo families have given their consents; in the full demo
the demo parent also has an obviously test child («Тестовый Ребёнок») whose consent they can
withdraw, and the demo school already has one destruction done, with its act."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from shkola.accounts.models import User
from shkola.schools.models import Guardian, Guardianship, Organisation, RepresentativeKind, Student

from . import services

TEST_CHILD_LAST_NAME = "Тестовый"


def privacy_demo_fill(*, school: Organisation, full: bool) -> int:
    """Consents of the demo families; with ``full``, the test child and a done destruction.
    Returns the number of consents given."""
    given = 0
    for login in ("parent", "parent2", "parent_two_schools", "teacher_parent"):
        user = User.objects.filter(username=login).first()
        if user is None:
            continue
        for child in Student.objects.filter(guardianships__guardian__user=user):
            services.consent_give(user=user, student=child, kind="parent")
            given += 1
    for login in ("student", "student2"):
        student = Student.objects.filter(user__username=login).first()
        if student is not None and services.student_gives_own_consent(student):
            services.consent_give(user=student.user, student=student, kind="student")  # type: ignore[arg-type]
            given += 1
    if full:
        _demo_access_log()
        given += _test_child(school)
        _done_destruction(school)
    return given


def _test_child(school: Organisation) -> int:
    parent = User.objects.filter(username="parent").first()
    if parent is None:
        return 0
    # In the younger child's class; the surname sorts after the demo children's, so the
    # parent's diary still opens on a real child.
    sibling = (
        Student.objects.filter(guardianships__guardian__user=parent).order_by("-birth_date").first()
    )
    child = Student.objects.create(
        organisation=school,
        last_name=TEST_CHILD_LAST_NAME,
        first_name="Тест",
        middle_name="(тестовый ребёнок для проверки отзыва согласия)",
        birth_date=dt.date(2017, 3, 1),
        sex="m",
        current_class=sibling.current_class if sibling else None,
    )
    guardian = Guardian.objects.get(user=parent)
    Guardianship.objects.create(guardian=guardian, student=child, kind=RepresentativeKind.MOTHER)
    services.consent_give(user=parent, student=child, kind="parent")
    return 1


def _done_destruction(school: Organisation) -> None:
    """A family of the demo school, outside the demo accounts' classes, withdrew its consent
    earlier and the curator destroyed the data: the act is there to download."""
    taken = Student.objects.filter(
        Q(user__username__in=["student", "student2"])
        | Q(guardianships__guardian__user__username__in=["parent", "parent_two_schools"])
    ).values_list("current_class_id", flat=True)
    student = (
        Student.objects.filter(organisation=school, current_class__isnull=False, user__isnull=True)
        .exclude(current_class_id__in=list(taken))
        .exclude(guardianships__guardian__user__isnull=False)
        .order_by("-current_class__parallel__grade", "id")
        .first()
    )
    curator = User.objects.filter(username="curator").first()
    if student is None or curator is None:
        return
    guardian = Guardian.objects.filter(guardianships__student=student).first()
    user = User.objects.create_user(
        username="demo.withdrawn.parent",
        last_name=guardian.last_name if guardian else "Родитель",
        first_name=guardian.first_name if guardian else "Демо",
        is_active=True,
    )
    user.set_unusable_password()
    user.save()
    if guardian is None:
        guardian = Guardian.objects.create(
            user=user, last_name=user.last_name, first_name=user.first_name
        )
        Guardianship.objects.create(
            guardian=guardian, student=student, kind=RepresentativeKind.FATHER
        )
    else:
        guardian.user = user
        guardian.save(update_fields=["user"])
    consent = services.consent_give(user=user, student=student, kind="parent")
    destruction = services.consent_withdraw(consent=consent, actor=user)
    services.destruction_run(destruction_id=destruction.pk, actor_id=curator.pk)


def _demo_access_log() -> None:
    """The demo student's «Кто просматривал данные» is not empty: the class teacher opened
    the card and a subject teacher the portfolio (what the pages write when staff open them)."""
    from shkola.accounts.services import personal_data_access_record

    student = Student.objects.filter(user__username="student").first()
    for login, what in (
        ("classteacher", "Карточка обучающегося"),
        ("teacher", "Портфолио"),
        ("curator", "Личные данные обучающегося"),
    ):
        actor = User.objects.filter(username=login).first()
        if student is not None and actor is not None:
            personal_data_access_record(actor=actor, student=student, what=what, path="")
