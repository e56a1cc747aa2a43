"""Reads of online tests. Every page's queries are fixed, whatever the bank or class holds."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from shkola.schools.models import ClassUnit, ControlForm, Student, StudyGroup, Subject
from shkola.timetable.models import Lesson, TimetableEntry

from .models import Attempt, AttemptQuestion, Question, Test, TestItem
from .services import answers_shown_to_student, bank_q

BANK_LIMIT = 300


def teacher_subjects(user: Any, organisation_ids: set[int]) -> list[Subject]:
    """Subjects the teacher teaches (timetable), for the bank's and the test's choice."""
    ids = set(
        TimetableEntry.objects.filter(teacher=user, subject__organisation_id__in=organisation_ids)
        .values_list("subject_id", flat=True)
        .distinct()
    )
    ids |= set(Question.objects.filter(owner=user).values_list("subject_id", flat=True).distinct())
    return list(Subject.objects.filter(pk__in=ids).order_by("name"))


def teacher_targets(
    user: Any, organisation_ids: set[int]
) -> tuple[list[ClassUnit], list[StudyGroup]]:
    """Classes and groups the teacher has lessons with: whom a test can be for."""
    entries = TimetableEntry.objects.filter(
        teacher=user, subject__organisation_id__in=organisation_ids
    )
    class_ids = set(entries.exclude(class_unit=None).values_list("class_unit_id", flat=True))
    group_ids = set(entries.exclude(group=None).values_list("group_id", flat=True))
    classes = list(
        ClassUnit.objects.filter(pk__in=class_ids)
        .select_related("parallel")
        .order_by("parallel__grade", "letter")
    )
    groups = list(StudyGroup.objects.filter(pk__in=group_ids).order_by("name"))
    return classes, groups


def bank(
    user: Any, organisation_id: int, *, subject_id: int | None = None, kind: str = ""
) -> list[Question]:
    qs = Question.objects.filter(bank_q(user, organisation_id)).select_related("subject", "owner")
    if subject_id:
        qs = qs.filter(subject_id=subject_id)
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs.order_by("subject__name", "topic", "id")[:BANK_LIMIT])


def question_for(user: Any, organisation_ids: set[int], question_id: int) -> Question | None:
    return (
        Question.objects.select_related("subject")
        .filter(pk=question_id, organisation_id__in=organisation_ids, archived=False)
        .first()
    )


def tests_of_teacher(user: Any, admin_org_ids: set[int]) -> list[Test]:
    q = Q(owner=user)
    if admin_org_ids:
        q |= Q(organisation_id__in=admin_org_ids, published_at__isnull=False)
    return list(
        Test.objects.filter(q)
        .select_related("subject", "owner")
        .prefetch_related("class_units__parallel", "groups")
        .annotate(
            n_items=Count("items", distinct=True),
            n_finished=Count(
                "attempts", filter=Q(attempts__finished_at__isnull=False), distinct=True
            ),
            n_review=Count("attempts", filter=Q(attempts__needs_review=True), distinct=True),
        )
        .order_by("-opens_at", "-id")[:200]
    )


def test_for(viewer: Any, test_id: int) -> Test | None:
    return (
        Test.objects.select_related("subject", "owner", "organisation")
        .filter(pk=test_id, organisation_id__in=viewer.staff_org_ids)
        .first()
    )


def test_items(test: Test) -> list[TestItem]:
    return list(test.items.select_related("question").order_by("position", "id"))


@dataclass
class StudentTest:
    test: Test
    attempts: list[Attempt]
    open_attempt: Attempt | None
    released: bool

    @property
    def used(self) -> int:
        return len(self.attempts)

    @property
    def best(self) -> Attempt | None:
        done = [a for a in self.attempts if a.finished_at is not None]
        return max(done, key=lambda a: a.score) if done else None


def student_tests(student: Student) -> list[StudentTest]:
    """Published tests for the student's class or groups, newest first, with their attempts."""
    q = Q(class_units=student.current_class_id) if student.current_class_id else Q(pk__in=[])
    q |= Q(groups__students=student)
    tests = list(
        Test.objects.filter(q, organisation_id=student.organisation_id, published_at__isnull=False)
        .distinct()
        .select_related("subject", "owner")
        .prefetch_related(
            Prefetch(
                "attempts",
                queryset=Attempt.objects.filter(student=student).order_by("number"),
                to_attr="mine",
            )
        )
        .order_by("-opens_at", "-id")[:100]
    )
    return [
        StudentTest(
            t,
            t.mine,  # type: ignore[attr-defined]
            next((a for a in t.mine if a.finished_at is None), None),  # type: ignore[attr-defined]
            answers_shown_to_student(t, len(t.mine)),  # type: ignore[attr-defined]
        )
        for t in tests
    ]


def attempt_of_student(student: Student, attempt_id: int) -> Attempt | None:
    return (
        Attempt.objects.select_related("test__subject", "test__owner")
        .filter(pk=attempt_id, student=student)
        .first()
    )


def attempt_questions(attempt: Attempt) -> list[AttemptQuestion]:
    return list(attempt.questions.select_related("question").order_by("position"))


def attempt_for_staff(viewer: Any, attempt_id: int) -> Attempt | None:
    return (
        Attempt.objects.select_related(
            "test__subject", "test__owner", "student__current_class__parallel", "journal_lesson"
        )
        .filter(pk=attempt_id, test__organisation_id__in=viewer.staff_org_ids)
        .first()
    )


@dataclass
class ItemStat:
    question: Question
    answered: int
    share_correct: float | None  # share of the points earned, 0…1; None: nothing graded yet
    position: int


def results(test: Test) -> dict[str, Any]:
    """Attempts (newest first per student) and item statistics: the share of the points
    earned on each question over the finished attempts that had it. Three queries."""
    attempts = list(
        test.attempts.select_related("student__current_class__parallel").order_by(
            "student__last_name", "student__first_name", "number"
        )
    )
    rows = list(
        AttemptQuestion.objects.filter(attempt__test=test, attempt__finished_at__isnull=False)
        .select_related("question")
        .only(
            "position", "points", "score", "answer", "question__id", "question__text",
            "question__kind", "question__kes_codes", "question__kt_codes",
        )
    )  # fmt: skip
    earned: dict[int, Decimal] = defaultdict(Decimal)
    possible: dict[int, Decimal] = defaultdict(Decimal)
    answered: dict[int, int] = defaultdict(int)
    questions: dict[int, Question] = {}
    first_position: dict[int, int] = {}
    for row in rows:
        qid = row.question.id
        questions[qid] = row.question
        first_position[qid] = min(first_position.get(qid, row.position), row.position)
        if row.score is not None:
            earned[qid] += row.score
            possible[qid] += row.points
        if row.answer is not None:
            answered[qid] += 1
    stats = sorted(
        (
            ItemStat(
                questions[qid],
                answered[qid],
                float(earned[qid] / possible[qid]) if possible[qid] else None,
                first_position[qid],
            )
            for qid in questions
        ),
        key=lambda s: (s.position, s.question.id),
    )
    return {"attempts": attempts, "stats": stats}


def journal_lessons(attempt: Attempt) -> list[Lesson]:
    """Lessons of the test's subject with the student's class (or group), the last 60 days
    up to today, the nearest first: where the mark may go."""
    from shkola.core import clock

    student = attempt.student
    today = clock.today()
    q = Q(class_unit_id=student.current_class_id, group__isnull=True) | Q(group__students=student)
    return list(
        Lesson.objects.filter(q, subject_id=attempt.test.subject_id, date__lte=today)
        .filter(date__gte=today - dt.timedelta(days=60))
        .select_related("control_form")
        .distinct()
        .order_by("-date", "-lesson_number")[:60]
    )


def control_forms(organisation_id: int) -> list[ControlForm]:
    return list(ControlForm.objects.filter(organisation_id=organisation_id))


def questions_by_subject(subject_ids: list[int]) -> QuerySet[Question]:
    return Question.objects.filter(subject_id__in=subject_ids)
