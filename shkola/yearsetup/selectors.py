"""Reads of «Мастер учебного года»: each step's page in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, Prefetch, Q, Subquery

from shkola.accounts.models import ORGANISATION_ROLES, User
from shkola.schools.models import (
    LEAVING_ACTIONS,
    AcademicYear,
    AttestationPeriod,
    ClassUnit,
    CurriculumItem,
    Enrolment,
    Holiday,
    Organisation,
    Parallel,
    Student,
    StudyGroup,
    Subject,
)
from shkola.timetable.models import BellSlot, Room

from .services import schemes_in_use


def years_of(organisation: Organisation) -> list[AcademicYear]:
    return list(AcademicYear.objects.filter(organisation=organisation).order_by("-start"))


@dataclass
class DatesStep:
    parallels: dict[int, Parallel]
    periods_by_scheme: list[tuple[str, list[AttestationPeriod]]]


def dates_step(*, organisation: Organisation, year: AcademicYear | None) -> DatesStep:
    if year is None:
        return DatesStep(parallels={}, periods_by_scheme=[])
    parallels = {p.grade: p for p in Parallel.objects.filter(academic_year=year)}
    periods: dict[str, list[AttestationPeriod]] = defaultdict(list)
    for period in AttestationPeriod.objects.filter(academic_year=year).order_by("scheme", "number"):
        periods[period.scheme].append(period)
    used = schemes_in_use(organisation=organisation, year=year)
    return DatesStep(
        parallels=parallels,
        periods_by_scheme=[(s, periods[s]) for s in used if periods.get(s)],
    )


def holidays_of(year: AcademicYear) -> list[Holiday]:
    return list(Holiday.objects.filter(academic_year=year).order_by("start"))


def bells_and_rooms(organisation: Organisation) -> tuple[list[BellSlot], list[Room]]:
    return (
        list(BellSlot.objects.filter(organisation=organisation).order_by("number")),
        list(Room.objects.filter(organisation=organisation).order_by("name")),
    )


def staff_of(organisation: Organisation) -> list[User]:
    return list(
        User.objects.filter(roles__organisation=organisation, roles__role__in=ORGANISATION_ROLES)
        .distinct()
        .order_by("last_name", "first_name")
    )


def parallels_with_classes(year: AcademicYear) -> list[Parallel]:
    return list(
        Parallel.objects.filter(academic_year=year)
        .order_by("grade")
        .prefetch_related(
            Prefetch(
                "class_units",
                queryset=ClassUnit.objects.select_related("class_teacher", "parallel").order_by(
                    "letter"
                ),
            )
        )
    )


@dataclass
class CurriculumStep:
    subjects: list[Subject]
    parallels: list[Parallel]
    # a row per subject: its hours per week in each parallel
    rows: list[dict[str, Any]] = field(default_factory=list)
    groups: list[StudyGroup] = field(default_factory=list)
    classes: list[ClassUnit] = field(default_factory=list)


def curriculum_step(*, organisation: Organisation, year: AcademicYear) -> CurriculumStep:
    subjects = list(Subject.objects.filter(organisation=organisation).order_by("name"))
    parallels = list(Parallel.objects.filter(academic_year=year).order_by("grade"))
    classes = list(
        ClassUnit.objects.filter(parallel__academic_year=year)
        .select_related("parallel")
        .order_by("parallel__grade", "letter")
    )
    items = (
        CurriculumItem.objects.filter(class_unit__parallel__academic_year=year)
        .select_related("subject", "class_unit__parallel")
        .order_by("subject__name", "class_unit__parallel__grade")
    )
    # A matrix: a row per subject, a cell per parallel with its hours («4», or «4 / 5» when
    # the classes of the parallel differ) and whether the subject is taught in groups.
    grades = [p.grade for p in parallels]
    cells: dict[str, dict[int, dict[str, Any]]] = {}
    for item in items:
        cell = cells.setdefault(item.subject.name, {}).setdefault(
            item.class_unit.parallel.grade, {"hours": set(), "split": False}
        )
        cell["hours"].add(item.hours_per_week)
        cell["split"] = cell["split"] or item.split_into_groups
    rows = [
        {
            "subject": name,
            "cells": [
                {
                    "grade": g,
                    "hours": sorted(by_grade[g]["hours"]) if g in by_grade else [],
                    "split": by_grade.get(g, {}).get("split", False),
                }
                for g in grades
            ],
        }
        for name, by_grade in sorted(cells.items())
    ]
    groups = list(
        StudyGroup.objects.filter(academic_year=year)
        .select_related("class_unit__parallel", "subject")
        .order_by("kind", "name")
    )
    return CurriculumStep(subjects, parallels, rows, groups, classes)


def unplaced_students(
    organisation: Organisation, *, student_id: int | None = None
) -> list[Student]:
    """Students of the school with no class who have not left it, or still in a class of a
    closed year (a grade the rollover could not move): a decision is due."""
    last_action = Subquery(
        Enrolment.objects.filter(student=OuterRef("pk"))
        .order_by("-date", "-id")
        .values("action")[:1]
    )
    # Left out in SQL, not in Python: the graduates of every past year also have no class.
    students = Student.objects.filter(organisation=organisation)
    if student_id is not None:
        students = students.filter(pk=student_id)
    return list(
        students.filter(
            Q(current_class__isnull=True)
            | Q(current_class__parallel__academic_year__closed_at__isnull=False)
        )
        .annotate(last_action=last_action)
        .filter(Q(last_action__isnull=True) | ~Q(last_action__in=list(LEAVING_ACTIONS)))
        .order_by("last_name", "first_name")[:500]
    )


def year_counts(year: AcademicYear) -> dict[str, int]:
    return {
        "classes": ClassUnit.objects.filter(parallel__academic_year=year).count(),
        "students": Student.objects.filter(current_class__parallel__academic_year=year).count(),
    }
