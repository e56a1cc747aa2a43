"""Who may write to whom: given the two schools of the ``world``, each role's allowed and
forbidden recipients, decided by ``may_write`` (the rule) and by ``message_send`` (the
service that enforces it)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from shkola.messaging.models import Delivery
from shkola.messaging.rules import group_targets_for, may_write, recipients_for
from shkola.messaging.services import message_send

CASE_COUNT = 51


def _cases(w: Any) -> list[tuple[str, Any, Any, bool]]:
    a, b = w.a, w.b
    return [
        # a parent: the child's teachers, class teacher, administration — nobody else
        ("parent→subject teacher", w.parent, a.teacher, True),
        ("parent→class teacher", w.parent, a.class_teacher, True),
        ("parent→curator", w.parent, a.curator, True),
        ("parent→teacher of another class", w.parent, w.group_teacher, False),
        ("parent→idle colleague", w.parent, w.idle_teacher, False),
        ("parent→another parent", w.parent, w.other_parent, False),
        ("parent→student", w.parent, w.student_user, False),
        ("parent→other school's teacher", w.parent, b.teacher, False),
        ("parent→other school's curator", w.parent, b.curator, False),
        ("parent→official", w.parent, w.official, False),
        # a student: their teachers and class teacher
        ("student→teacher", w.student_user, a.teacher, True),
        ("student→class teacher", w.student_user, a.class_teacher, True),
        ("student→curator", w.student_user, a.curator, False),
        ("student→parent", w.student_user, w.parent, False),
        # a teacher: families of the classes and groups taught, colleagues
        ("teacher→student taught", a.teacher, w.student_user, True),
        ("teacher→parent of a class taught", a.teacher, w.parent, True),
        ("teacher→parent of a class not taught", a.teacher, w.other_parent, False),
        ("teacher→colleague", a.teacher, w.idle_teacher, True),
        ("teacher→curator", a.teacher, a.curator, True),
        ("teacher→other school's teacher", a.teacher, b.teacher, False),
        ("teacher→other school's parent", a.teacher, w.parent_b, False),
        ("teacher→official", a.teacher, w.official, False),
        ("class teacher→parent of own class", a.class_teacher, w.parent, True),
        ("group teacher→parent in the group", w.group_teacher, w.group_parent, True),
        ("group teacher→parent outside the group", w.group_teacher, w.other_parent, False),
        ("idle teacher→any parent", w.idle_teacher, w.parent, False),
        # the administration: anyone of its school, and its officials
        ("curator→parent", a.curator, w.parent, True),
        ("curator→parent of 8Б", a.curator, w.other_parent, True),
        ("curator→student", a.curator, w.student_user, True),
        ("curator→teacher", a.curator, a.teacher, True),
        ("curator→official (answering)", a.curator, w.official, True),
        ("curator→other school's parent", a.curator, w.parent_b, False),
        ("curator→other school's curator", a.curator, b.curator, False),
        ("other curator→official of another territory", b.curator, w.official, False),
        # officials: administrations of their territory
        ("official→curator", w.official, a.curator, True),
        ("official→other territory's curator", w.official, b.curator, False),
        ("official→teacher", w.official, a.teacher, False),
        ("official→parent", w.official, w.parent, False),
        # a parent with children in two schools: each school's side, never across
        ("two-school parent→curator A", w.two_schools_parent, a.curator, True),
        ("two-school parent→curator B", w.two_schools_parent, b.curator, True),
        ("two-school parent→teacher of B's class", w.two_schools_parent, b.teacher, True),
        ("two-school parent→teacher of A's 7А", w.two_schools_parent, a.teacher, False),
        ("two-school parent→parent in A", w.two_schools_parent, w.parent, False),
        # a teacher in A who is a parent in B
        ("teacher-parent→colleague in A", w.teacher_parent, a.curator, True),
        ("teacher-parent→child's teacher in B", w.teacher_parent, b.teacher, True),
        ("teacher-parent→curator B", w.teacher_parent, b.curator, True),
        ("teacher-parent→parent in B", w.teacher_parent, w.parent_b, False),
        ("teacher-parent→parent in A", w.teacher_parent, w.parent, False),
        ("A's teacher→teacher-parent (colleague)", a.teacher, w.teacher_parent, True),
        ("B's teacher→teacher-parent (parent of the class)", b.teacher, w.teacher_parent, True),
        # nobody writes to themself
        ("parent→themself", w.parent, w.parent, False),
    ]


def test_the_rule_for_every_pair(world: Any) -> None:
    wrong = []
    for label, sender, recipient, expected in _cases(world):
        if may_write(sender, recipient) is not expected:
            wrong.append(label)
    assert not wrong, wrong


def test_two_school_parent_reaches_the_class_teacher_of_each_child(world: Any) -> None:
    from shkola.schools.models import ClassUnit

    eight_b = ClassUnit.objects.get(parallel__organisation=world.a.organisation, letter="Б")
    assert may_write(world.two_schools_parent, eight_b.class_teacher)
    assert may_write(world.two_schools_parent, world.b.class_teacher)
    assert not may_write(world.two_schools_parent, world.a.class_teacher)


def test_case_count(world: Any) -> None:
    assert len(_cases(world)) == CASE_COUNT


@pytest.mark.parametrize("index", range(CASE_COUNT))
def test_the_service_enforces_the_rule(world: Any, index: int) -> None:
    label, sender, recipient, expected = _cases(world)[index]
    # when the sender writes to the recipient
    if expected:
        sent = message_send(
            sender=sender, targets=[f"u:{recipient.pk}"], subject="Тема", body="Текст"
        )
        # then exactly the recipient has a copy
        assert sent.recipient_ids == [recipient.pk], label
        assert list(Delivery.objects.values_list("recipient_id", flat=True)) == [recipient.pk]
    else:
        with pytest.raises(ValidationError) as error:
            message_send(sender=sender, targets=[f"u:{recipient.pk}"], subject="Тема", body="Текст")
        assert "to" in error.value.message_dict, label
        assert not Delivery.objects.exists()


def test_group_targets_follow_what_each_one_teaches(world: Any) -> None:
    teacher_codes = {t.label for t in group_targets_for(world.a.teacher)}
    assert teacher_codes == {"Все учителя школы", "Все родители 7А", "Все обучающиеся 7А"}
    curator_codes = {t.label for t in group_targets_for(world.a.curator)}
    assert {"Все родители школы", "Все родители 8Б", "Все учителя школы"} <= curator_codes
    assert group_targets_for(world.parent) == []
    assert group_targets_for(world.official) == []


def test_a_forged_group_target_is_refused(world: Any) -> None:
    from shkola.schools.models import ClassUnit

    eight_b = ClassUnit.objects.get(parallel__organisation=world.a.organisation, letter="Б")
    # the 7А teacher does not teach 8Б: its parents are outside the rule
    with pytest.raises(ValidationError) as error:
        message_send(
            sender=world.a.teacher, targets=[f"cp:{eight_b.pk}"], subject="Т", body="Текст"
        )
    assert "to" in error.value.message_dict
    # another school's teachers
    with pytest.raises(ValidationError):
        message_send(
            sender=world.a.curator,
            targets=[f"st:{world.b.organisation.pk}"],
            subject="Т",
            body="Текст",
        )
    for code in ("x:1", "u:abc", "cp:", "u:99999999999999999"):
        with pytest.raises(ValidationError):
            message_send(sender=world.a.curator, targets=[code], subject="Т", body="Текст")
    assert not Delivery.objects.exists()


def test_compose_choices_are_grouped_and_within_the_rule(world: Any) -> None:
    groups = {g.label: dict(g.options) for g in recipients_for(world.parent)}
    assert set(groups) == {"Сотрудники школы"}
    staff = groups["Сотрудники школы"]
    assert set(staff) == {
        f"u:{u.pk}" for u in (world.a.teacher, world.a.class_teacher, world.a.curator)
    }
    teacher_groups = {g.label: dict(g.options) for g in recipients_for(world.a.teacher)}
    assert f"u:{world.parent.pk}" in teacher_groups["Родители"]
    assert f"u:{world.other_parent.pk}" not in teacher_groups["Родители"]
    assert f"u:{world.student_user.pk}" in teacher_groups["Обучающиеся"]
    official_groups = {g.label: dict(g.options) for g in recipients_for(world.official)}
    assert set(official_groups["Сотрудники школы"]) == {f"u:{world.a.curator.pk}"}
