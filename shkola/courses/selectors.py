"""Reads of courses. Each page runs a fixed number of queries whatever the course holds."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, Prefetch, Q, QuerySet, Value, When

from shkola.core import clock
from shkola.schools.models import ClassUnit, ControlForm, Student, StudyGroup, Subject
from shkola.timetable.models import Lesson

from .models import (
    Assignment,
    Course,
    CourseSignup,
    Material,
    MaterialView,
    Module,
    Submission,
    SubmissionFile,
    SubmissionStatus,
)

LESSON_CHOICES = 40


# ------------------------------------------------------------------ membership


def teacher_ids(course: Course) -> set[int]:
    cached = getattr(course, "_teacher_ids", None)
    if cached is None:
        cached = set(course.teachers.values_list("id", flat=True))
        course._teacher_ids = cached  # type: ignore[attr-defined]
    return cached


def _scope(course: Course) -> tuple[set[int], set[int]]:
    cached = getattr(course, "_scope", None)
    if cached is None:
        cached = (
            set(course.class_units.values_list("id", flat=True)),
            set(course.groups.values_list("id", flat=True)),
        )
        course._scope = cached  # type: ignore[attr-defined]
    return cached


def members_q(course: Course) -> Q:
    """The students a course is for: its classes, its groups, and who signed up."""
    class_ids, group_ids = _scope(course)
    q = Q(id__in=CourseSignup.objects.filter(course_id=course.pk).values("student_id"))
    if class_ids:
        q |= Q(current_class_id__in=class_ids)
    if group_ids:
        q |= Q(
            id__in=StudyGroup.students.through.objects.filter(studygroup_id__in=group_ids).values(
                "student_id"
            )
        )
    return q & Q(organisation_id=course.organisation_id)


def is_member(course: Course, student: Student) -> bool:
    cache: dict[int, bool] = course.__dict__.setdefault("_member_cache", {})
    if student.pk not in cache:
        cache[student.pk] = Student.objects.filter(members_q(course), pk=student.pk).exists()
    return cache[student.pk]


def members(course: Course) -> QuerySet[Student]:
    return (
        Student.objects.filter(members_q(course))
        .select_related("current_class__parallel")
        .order_by("last_name", "first_name", "middle_name", "id")
    )


def signed_up(course: Course, student: Student) -> bool:
    return CourseSignup.objects.filter(course=course, student=student).exists()


# ------------------------------------------------------------------ lists


def _listed() -> QuerySet[Course]:
    return (
        Course.objects.select_related("subject")
        .prefetch_related(
            "teachers",
            Prefetch("class_units", queryset=ClassUnit.objects.select_related("parallel")),
            "groups",
        )
        .annotate(n_modules=Count("modules", distinct=True))
    )


def teacher_courses(viewer: Any) -> list[Course]:
    """«Курсы» of a member of staff: the ones they teach and, for the school's
    administration, every course of the school. Four queries."""
    q = Q(teachers=viewer.user, organisation_id__in=viewer.staff_org_ids)
    if viewer.admin_org_ids:
        q |= Q(organisation_id__in=viewer.admin_org_ids)
    ids = Course.objects.filter(q).values("id")
    return list(
        _listed()
        .filter(id__in=ids)
        .annotate(n_signups=Count("signups", distinct=True))
        .order_by("title", "id")
    )


def student_courses(student: Student) -> list[Course]:
    """The courses a student studies (class, group, sign-up), with the dates."""
    group_ids = StudyGroup.students.through.objects.filter(student_id=student.pk).values(
        "studygroup_id"
    )
    q = (
        Q(class_units=student.current_class_id)
        | Q(groups__in=group_ids)
        | Q(signups__student_id=student.pk)
    )
    ids = Course.objects.filter(q, organisation_id=student.organisation_id).values("id")
    return list(_listed().filter(id__in=ids).order_by("title", "id"))


def open_courses(student: Student, exclude: list[Course]) -> list[Course]:
    """Open courses of the student's school they have not signed up to («открытая запись»)."""
    return list(
        _listed()
        .filter(organisation_id=student.organisation_id, open_enrolment=True)
        .exclude(id__in=[c.id for c in exclude])
        .order_by("title", "id")
    )


def course_for(viewer: Any, course_id: int) -> Course | None:
    """A course of one of the viewer's schools (as staff or family); the rules decide the rest."""
    orgs = set(viewer.staff_org_ids)
    if viewer.own_student:
        orgs.add(viewer.own_student.organisation_id)
    orgs |= {c.organisation_id for c in viewer.children}
    return (
        Course.objects.select_related("subject", "organisation")
        .prefetch_related("teachers")
        .filter(pk=course_id, organisation_id__in=orgs)
        .first()
    )


def outline(course: Course) -> list[Module]:
    """Modules with their materials and assignments, in order. Three queries."""
    return list(
        Module.objects.filter(course=course).prefetch_related(
            Prefetch("materials", queryset=Material.objects.order_by("position", "id")),
            Prefetch("assignments", queryset=Assignment.objects.order_by("position", "id")),
        )
    )


def module_for(viewer: Any, module_id: int) -> Module | None:
    module = (
        Module.objects.select_related("course__subject", "course__organisation")
        .filter(pk=module_id)
        .first()
    )
    if module is None or course_for(viewer, module.course_id) is None:
        return None
    return module


def module_content(module: Module) -> tuple[list[Material], list[Assignment]]:
    return (
        list(module.materials.order_by("position", "id")),
        list(module.assignments.order_by("position", "id")),
    )


def material_for(viewer: Any, material_id: int) -> Material | None:
    material = Material.objects.select_related("module__course").filter(pk=material_id).first()
    if material is None or course_for(viewer, material.module.course_id) is None:
        return None
    return material


def assignment_for(viewer: Any, assignment_id: int) -> Assignment | None:
    assignment = (
        Assignment.objects.select_related("module__course__subject", "module__course__organisation")
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None or course_for(viewer, assignment.module.course_id) is None:
        return None
    return assignment


def submission_of(assignment: Assignment, student: Student) -> Submission | None:
    return (
        Submission.objects.filter(assignment=assignment, student=student)
        .select_related("returned_by", "mark_lesson")
        .prefetch_related("files")
        .first()
    )


def _submissions() -> QuerySet[Submission]:
    return Submission.objects.select_related(
        "student__current_class__parallel",
        "returned_by",
        "mark_lesson",
        "assignment__module__course__subject",
        "assignment__module__course__organisation",
    ).prefetch_related("files")


def submission_for(viewer: Any, submission_id: int) -> Submission | None:
    submission = _submissions().filter(pk=submission_id).first()
    if submission is None or course_for(viewer, submission.assignment.module.course_id) is None:
        return None
    return submission


def submission_file_for(viewer: Any, file_id: int) -> SubmissionFile | None:
    found = (
        SubmissionFile.objects.select_related("submission__assignment__module__course")
        .filter(pk=file_id)
        .first()
    )
    if found is None or course_for(viewer, found.submission.assignment.module.course_id) is None:
        return None
    return found


@dataclass
class SubmissionRow:
    student: Student
    submission: Submission | None


def assignment_submissions(assignment: Assignment) -> list[SubmissionRow]:
    """Every student of the course with their work (or none yet). Fixed queries."""
    course = assignment.module.course
    students = list(members(course))
    works = {s.student_id: s for s in _submissions().filter(assignment=assignment)}
    rows = [SubmissionRow(s, works.pop(s.id, None)) for s in students]
    # A work of a student who has since left the course stays visible.
    rows += [SubmissionRow(w.student, w) for w in works.values()]
    return rows


def signups(course: Course) -> list[CourseSignup]:
    return list(
        CourseSignup.objects.filter(course=course)
        .select_related("student__current_class__parallel")
        .order_by("student__last_name", "student__first_name", "id")
    )


# ------------------------------------------------------------------ progress


@dataclass
class Progress:
    student: Student
    materials_total: int = 0
    materials_opened: int = 0
    assignments_total: int = 0
    submitted: int = 0
    returned: int = 0
    late: int = 0
    marks: list[str] = field(default_factory=list)


def _progress_for(course: Course, students: list[Student]) -> list[Progress]:
    ids = [s.id for s in students]
    materials_total = Material.objects.filter(module__course=course).count()
    assignments_total = Assignment.objects.filter(module__course=course).count()
    opened: dict[int, int] = defaultdict(int)
    for student_id, n in (
        MaterialView.objects.filter(material__module__course=course, student_id__in=ids)
        .values_list("student_id")
        .annotate(n=Count("id"))
    ):
        opened[student_id] = n
    rows = {
        s.id: Progress(
            s,
            materials_total=materials_total,
            materials_opened=opened[s.id],
            assignments_total=assignments_total,
        )
        for s in students
    }
    for student_id, status, is_late, mark in (
        Submission.objects.filter(assignment__module__course=course, student_id__in=ids)
        .order_by("assignment__module__position", "assignment__position", "assignment_id")
        .values_list("student_id", "status", "is_late", "mark_value")
    ):
        row = rows[student_id]
        row.submitted += 1
        row.late += int(is_late)
        if status == SubmissionStatus.RETURNED:
            row.returned += 1
        if mark:
            row.marks.append(mark)
    return [rows[s.id] for s in students]


def progress_of_student(courses: list[Course], student: Student) -> dict[int, Progress]:
    """One student's progress in each of ``courses`` (the «Курсы» list). Four queries."""
    ids = [c.id for c in courses]
    result = {c.id: Progress(student) for c in courses}
    if not ids:
        return result
    for course_id, n in (
        Material.objects.filter(module__course_id__in=ids)
        .values_list("module__course_id")
        .annotate(n=Count("id"))
    ):
        result[course_id].materials_total = n
    for course_id, n in (
        Assignment.objects.filter(module__course_id__in=ids)
        .values_list("module__course_id")
        .annotate(n=Count("id"))
    ):
        result[course_id].assignments_total = n
    for course_id, n in (
        MaterialView.objects.filter(material__module__course_id__in=ids, student=student)
        .values_list("material__module__course_id")
        .annotate(n=Count("id"))
    ):
        result[course_id].materials_opened = n
    for course_id, status, late, mark in (
        Submission.objects.filter(assignment__module__course_id__in=ids, student=student)
        .order_by("assignment__module__position", "assignment__position", "assignment_id")
        .values_list("assignment__module__course_id", "status", "is_late", "mark_value")
    ):
        row = result[course_id]
        row.submitted += 1
        row.late += int(late)
        row.returned += int(status == SubmissionStatus.RETURNED)
        if mark:
            row.marks.append(mark)
    return result


def course_progress(course: Course) -> list[Progress]:
    """The teacher's class table: every student of the course. Five queries."""
    return _progress_for(course, list(members(course)))


def student_progress(course: Course, student: Student) -> Progress:
    return _progress_for(course, [student])[0]


@dataclass
class AssignmentState:
    assignment: Assignment
    submission: Submission | None


def student_assignments(course: Course, student: Student) -> dict[int, Submission]:
    """The student's works in the course by assignment id (for the outline)."""
    return {
        s.assignment_id: s
        for s in Submission.objects.filter(
            assignment__module__course=course, student=student
        ).select_related("mark_lesson")
    }


def opened_material_ids(course: Course, student: Student) -> set[int]:
    return set(
        MaterialView.objects.filter(material__module__course=course, student=student).values_list(
            "material_id", flat=True
        )
    )


# ------------------------------------------------------------------ marks into the journal


def lessons_for_mark(course: Course, student: Student) -> list[Lesson]:
    """Lessons a course mark may go on: the course's subject, in the student's class or one of
    their groups, already given (today or earlier), newest first."""
    if course.subject_id is None:
        return []
    group_ids = StudyGroup.students.through.objects.filter(student_id=student.pk).values(
        "studygroup_id"
    )
    return list(
        Lesson.objects.filter(
            Q(class_unit_id=student.current_class_id, group__isnull=True)
            | Q(group_id__in=group_ids),
            subject_id=course.subject_id,
            date__lte=clock.today(),
        )
        .select_related("control_form", "subject", "period")
        .order_by("-date", "-lesson_number")[:LESSON_CHOICES]
    )


def control_forms(course: Course) -> list[ControlForm]:
    return list(ControlForm.objects.filter(organisation_id=course.organisation_id))


# ------------------------------------------------------------------ the course form


def school_choices(
    organisation_id: int, on: dt.date | None = None, first_teacher_ids: Any = ()
) -> dict[str, Any]:
    """Subjects, teachers, classes and groups of the school for the course form; the checked
    teachers first (the long list scrolls)."""
    from shkola.accounts.models import Role, RoleAssignment, User
    from shkola.schools.selectors import current_year

    year = current_year(organisation_id, on or clock.today())
    classes = ClassUnit.objects.select_related("parallel").filter(
        parallel__organisation_id=organisation_id
    )
    groups = StudyGroup.objects.filter(organisation_id=organisation_id)
    if year is not None:
        classes = classes.filter(parallel__academic_year=year)
        groups = groups.filter(academic_year=year)
    teacher_user_ids = RoleAssignment.objects.filter(
        organisation_id=organisation_id,
        role__in=[Role.TEACHER, Role.CLASS_TEACHER],
    ).values("user_id")
    return {
        "subjects": Subject.objects.filter(organisation_id=organisation_id).order_by("name"),
        "teachers": User.objects.filter(id__in=teacher_user_ids)
        .annotate(mine=Case(When(id__in=list(first_teacher_ids), then=Value(0)), default=Value(1)))
        .order_by("mine", "last_name", "first_name", "id"),
        "classes": classes.order_by("parallel__grade", "letter"),
        "groups": groups.select_related("class_unit__parallel").order_by("name"),
    }
