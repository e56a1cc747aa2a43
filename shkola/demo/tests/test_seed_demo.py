"""The tiny demo world: accounts and their relations, a clash-free timetable, a calendar
that respects holidays, valid SNILS, a journal only in the past, an idempotent seed."""

from __future__ import annotations

import datetime as dt
import io
import random
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from shkola.accounts.models import Role, RoleAssignment, User
from shkola.core import clock
from shkola.demo import plan
from shkola.demo.services import DemoBuilder, demo_specs, school_calendar
from shkola.journal.models import Attendance, FinalMark, Mark
from shkola.schools.models import Guardian, Holiday, Organisation, Student, StudyGroup
from shkola.schools.services import current_class_from_history
from shkola.schools.validators import snils_is_valid
from shkola.timetable.models import Lesson, TimetableEntry

pytestmark = pytest.mark.django_db


def test_demo_accounts_have_the_promised_relations(demo_world):
    w = demo_world
    for login in (
        "student",
        "parent",
        "teacher",
        "classteacher",
        "curator",
        "official",
    ):
        user = w.users[login]
        assert user.is_demo and user.last_name and user.middle_name
        assert user.check_password(w.password)
    for login in ("teacher2", "student2", "parent2"):
        assert not w.users[login].is_demo

    # the student: a 7th-grader linked to her roster record
    assert w.student.user == w.users["student"]
    assert w.class_unit.parallel.grade == 7
    # the parent: mother of two children in different classes of one school
    children = list(Student.objects.filter(guardianships__guardian__user=w.users["parent"]))
    assert {c.pk for c in children} == {w.student.pk, w.second_child.pk}
    assert w.second_child.current_class != w.student.current_class
    assert w.second_child.organisation == w.student.organisation == w.school
    assert (
        Guardian.objects.get(user=w.users["parent"]).guardianships.filter(kind="mother").count()
        == 2
    )
    assert w.other_family_student.current_class == w.class_unit
    assert w.other_family_student not in children
    # the class teacher leads the student's class and teaches in it
    assert w.class_unit.class_teacher == w.users["classteacher"]
    assert RoleAssignment.objects.filter(
        user=w.users["classteacher"], role=Role.CLASS_TEACHER, organisation=w.school
    ).exists()
    assert TimetableEntry.objects.filter(
        teacher=w.users["classteacher"], class_unit=w.class_unit
    ).exists()
    # the teacher teaches the subject in several classes, the student's among them
    taught = set(
        TimetableEntry.objects.filter(teacher=w.users["teacher"]).values_list(
            "class_unit", flat=True
        )
    )
    assert w.class_unit.pk in taught and len(taught) >= 3
    assert TimetableEntry.objects.filter(
        teacher=w.users["teacher"], class_unit=w.class_unit, subject=w.subject
    ).exists()
    # staff and officials
    assert RoleAssignment.objects.filter(
        user=w.users["curator"], role=Role.CURATOR, organisation=w.school
    ).exists()
    assert RoleAssignment.objects.filter(
        user=w.users["official"], role=Role.MUNICIPAL, territory=w.municipality
    ).exists()
    for role in (Role.DIRECTOR, Role.DEPUTY, Role.SPECIALIST):
        assert RoleAssignment.objects.filter(role=role, organisation=w.school).exists()
    # the other school and its people
    assert w.other_school != w.school
    assert w.other_student.organisation == w.other_school
    assert TimetableEntry.objects.filter(
        teacher=w.users["teacher2"], class_unit__parallel__organisation=w.other_school
    ).exists()
    assert (
        Student.objects.filter(guardianships__guardian__user=w.users["parent2"]).get()
        == w.other_student
    )
    assert w.year.start <= clock.today() <= w.year.end or clock.today().month in (
        6,
        7,
        8,
    )
    assert w.period.academic_year == w.year


def test_demo_accounts_linked_to_two_schools(demo_world):
    w = demo_world
    for login in ("parent_two_schools", "teacher_parent"):
        assert w.users[login].is_demo and w.users[login].check_password(w.password)
    children = set(
        Student.objects.filter(guardianships__guardian__user=w.users["parent_two_schools"])
    )
    assert children == {w.cross_child, w.cross_other_child}
    assert w.cross_child.organisation == w.school
    assert w.cross_other_child.organisation == w.other_school
    assert not RoleAssignment.objects.filter(user=w.users["parent_two_schools"]).exists()
    # the teacher-parent: a teacher of the demo school, the parent of a child in the other
    assert list(
        RoleAssignment.objects.filter(user=w.users["teacher_parent"]).values_list(
            "role", "organisation"
        )
    ) == [(Role.TEACHER, w.school.pk)]
    assert w.teacher_parent_child.organisation == w.other_school
    # their children are nobody else's demo children and not in the demo classes
    others = {w.student, w.second_child, w.other_family_student, w.other_student}
    assert not (children | {w.teacher_parent_child}) & others
    assert w.cross_child.current_class not in (w.class_unit, w.second_child.current_class)


def test_the_timetable_has_no_clashes(demo_world):
    slots = defaultdict(list)
    for e in TimetableEntry.objects.all():
        slots[(e.academic_year_id, e.weekday, e.lesson_number)].append(e)
    split_slots = 0
    for entries in slots.values():
        teachers = [e.teacher_id for e in entries]
        rooms = [e.room_id for e in entries if e.room_id]
        assert len(teachers) == len(set(teachers))
        assert len(rooms) == len(set(rooms))
        by_class = defaultdict(list)
        for e in entries:
            by_class[e.class_unit_id].append(e)
        for same_class in by_class.values():
            if len(same_class) > 1:
                # only subgroups of one class may sit at the same time, each group once
                groups = [e.group_id for e in same_class]
                assert None not in groups and len(groups) == len(set(groups))
                split_slots += 1
    assert split_slots > 0  # 7Б has 22 students: its language lessons are split


def test_lessons_follow_the_calendar(demo_world):
    holidays = defaultdict(list)
    for h in Holiday.objects.all():
        holidays[h.academic_year_id].append(h)
    lessons = Lesson.objects.select_related("class_unit__parallel")
    assert lessons.exists()
    assert lessons.filter(date__gt=clock.today()).exists()  # the diary shows the next weeks
    for lesson in lessons:
        # An extra-education club mixes classes: every holiday applies to it.
        grade = lesson.class_unit.parallel.grade if lesson.class_unit else None
        assert lesson.date.isoweekday() <= 5
        assert lesson.period_id is not None
        for h in holidays[lesson.academic_year_id]:
            assert not (h.applies_to_grade(grade) and h.start <= lesson.date <= h.end), (
                lesson.date,
                h.name,
            )


def test_calendar_has_russian_holidays():
    cal = school_calendar(dt.date(2026, 11, 22))
    assert (cal.start, cal.end, cal.name) == (
        dt.date(2026, 9, 1),
        dt.date(2027, 5, 31),
        "2026/2027",
    )
    names = {name: (s, e, g) for name, s, e, g in cal.holidays}
    assert names["Зимние каникулы"][:2] == (dt.date(2026, 12, 29), dt.date(2027, 1, 11))
    assert names["Дополнительные каникулы для первоклассников"][2] == [1]
    assert names["День защитника Отечества"][0] == dt.date(2027, 2, 23)
    assert len(cal.periods) == 4
    for (s1, e1), (s2, _e2) in zip(cal.periods, cal.periods[1:], strict=False):
        assert s1 < e1 < s2


def test_every_snils_is_valid(demo_world):
    numbers = [
        *Student.objects.values_list("snils", flat=True),
        *Guardian.objects.exclude(snils="").values_list("snils", flat=True),
        *User.objects.exclude(snils="").values_list("snils", flat=True),
    ]
    assert numbers
    assert all(snils_is_valid(n) for n in numbers)
    assert len(set(numbers)) == len(numbers)


def test_journal_is_written_only_in_the_past(demo_world):
    today = clock.today()
    assert Mark.objects.exists() and Attendance.objects.exists()
    assert not Mark.objects.filter(lesson__date__gte=today).exists()
    assert not Attendance.objects.filter(lesson__date__gte=today).exists()
    assert not Lesson.objects.filter(date__gte=today).exclude(topic="").exists()
    assert not Lesson.objects.filter(date__lt=today, topic="").exists()
    five_point = Mark.objects.filter(value__in=["2", "3", "4", "5"])
    assert all(int(v) == p for v, p in five_point.values_list("value", "points"))
    assert not Mark.objects.filter(lesson__class_unit__parallel__grade=1).exists()
    for mark in Mark.objects.select_related("control_form", "lesson")[:500]:
        assert mark.weight == mark.control_form.weight
        assert mark.created_by_id == mark.lesson.teacher_id
    # a mark and an absence never meet on one lesson for one student
    absent = set(Attendance.objects.exclude(kind="оп").values_list("student_id", "lesson_id"))
    assert not absent & set(Mark.objects.values_list("student_id", "lesson_id"))
    assert not FinalMark.objects.filter(period__end__gte=today).exists()


def test_current_class_follows_the_history(demo_world):
    for student in Student.objects.prefetch_related("enrolments"):
        assert current_class_from_history(list(student.enrolments.all())) == student.current_class
        assert student.current_class.parallel.organisation_id == student.organisation_id


def test_subgroups_split_the_class(demo_world):
    for group in StudyGroup.objects.filter(kind=StudyGroup.Kind.SUBGROUP):
        assert group.students.exists()
        assert not group.students.exclude(current_class=group.class_unit).exists()


def test_seed_demo_if_empty_is_idempotent(demo_world):
    before = (
        Organisation.objects.count(),
        Student.objects.count(),
        Lesson.objects.count(),
        Mark.objects.count(),
    )
    out = io.StringIO()
    call_command("seed_demo_if_empty", stdout=out)
    after = (
        Organisation.objects.count(),
        Student.objects.count(),
        Lesson.objects.count(),
        Mark.objects.count(),
    )
    assert before == after
    text = out.getvalue()
    assert "http://127.0.0.1:8000" in text
    for login in (
        "student",
        "parent",
        "teacher",
        "classteacher",
        "curator",
        "official",
        "region",
    ):
        assert login in text
    assert "demo12345" in text


def test_seed_demo_refuses_a_database_with_organisations(demo_world):
    with pytest.raises(CommandError, match="уже есть"):
        call_command("seed_demo", "--size", "tiny", stdout=io.StringIO())


@pytest.mark.parametrize("seed", [1, 2026])
def test_full_schools_can_always_be_timetabled(seed):
    """Staffing and the clash-free placement succeed for many full-size schools (in memory)."""
    builder = DemoBuilder(seed=seed, size="full", today=dt.date(2026, 11, 22))
    for spec in demo_specs(schools=12, size="full", rng=random.Random(seed)):
        from shkola.demo.services import ClassPlan

        classes = [
            ClassPlan(grade=g, letter="АБВ"[i], size=builder.rng.randint(22, 28))
            for g in spec.grades
            for i in range(spec.letters[g])
        ]
        builder.staff_plan(spec, classes)
        units = []
        for c in classes:
            for name, hours in plan.CURRICULUM[c.grade].items():
                ts = c.teachers[builder.specialty_of(c, name)]
                ts = ts if (name == plan.LANGUAGE and c.split) else ts[:1]
                units.extend((c, name, ts, hours) for _ in range(hours))
        placed = next(
            (
                p
                for a in range(60)
                if (p := builder._place(units, random.Random(a), relax=a >= 30)) is not None
            ),
            None,
        )
        assert placed is not None
        assert len(placed) == len(units)


def test_the_demo_family_sees_a_club_a_homework_journal_and_remarks(demo_world, client):
    # Given the demo parent, whose two children are in different classes
    w = demo_world
    client.force_login(w.users["parent"])
    for child in (w.student, w.second_child):
        # the robotics club of the demo teacher, with marks, shows in «Журнал ДО»
        html = client.get(
            reverse("diary:extra_of", args=[child.id]), {"period": w.period.id}, follow=True
        )
        assert "Робототехника" in html.content.decode()
        # the separate homework journal has marks
        html = client.get(
            reverse("diary:homework_of", args=[child.id]), {"period": w.period.id}, follow=True
        )
        assert "Проверка тетради" in html.content.decode()
        # and the class teacher wrote a remark (parents only) and a comment
        html = client.get(
            reverse("diary:remarks_of", args=[child.id]), follow=True
        ).content.decode()
        assert "сменную обувь" in html and "классному часу" in html
        # written by the child's own class teacher
        assert {r.author for r in child.remarks.all()} == {child.current_class.class_teacher}
    club = StudyGroup.objects.get(kind=StudyGroup.Kind.EXTRA, organisation=w.school)
    assert {w.student, w.second_child} <= set(club.students.all())
    assert TimetableEntry.objects.get(group=club).teacher == w.users["teacher"]
    # the club's journal is written like the others: only in the past, every past lesson
    # with a topic
    assert Mark.objects.filter(lesson__group=club).exists()
