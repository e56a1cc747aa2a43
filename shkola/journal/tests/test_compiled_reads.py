"""The journal's reads compiled once per process (issue 14) give what their former ORM
versions gave: the journal lookup, the teaching rule, and every read of a mark save. Each is
compared with the ORM query it replaced (kept here) on several parameter sets."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.http import Http404

from shkola.accounts.selectors import viewer_for
from shkola.core.testing.factories import enrol, make_school, staff, subgroup
from shkola.journal import rules, selectors, services
from shkola.journal.models import JournalKind
from shkola.schools.models import ClassUnit, StudyGroup, Subject
from shkola.timetable.models import Lesson, TimetableEntry

pytestmark = pytest.mark.django_db


def _fields(obj):
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def _save(lesson, student, text, user, journal=JournalKind.MAIN):
    cell = services.cell_load(lesson=lesson, student=student, journal=journal)
    return services.mark_set(
        lesson=lesson,
        student=student,
        text=text,
        fingerprint=cell.fingerprint,
        user=user,
        journal=journal,
        may_edit_closed=True,
    )


@pytest.fixture
def world(school, monkeypatch):
    monkeypatch.setenv("SHKOLA_TODAY", "2026-09-20")
    other = make_school(subject_name="Физика")
    group = subgroup(school, "Группа 1", school.students[:2])
    loose = StudyGroup.objects.create(
        organisation=school.organisation,
        academic_year=school.year,
        kind=StudyGroup.Kind.EXTRA,
        name="Кружок",
    )
    loose.students.set(school.students[1:])
    lessons = []
    for i, (owner, day) in enumerate(
        [(None, 1), (None, 2), (group, 3), (loose, 4), (None, 8), (group, 9)]
    ):
        lessons.append(
            Lesson.objects.create(
                academic_year=school.year,
                period=school.periods[0] if i != 1 else None,
                class_unit=None if owner is loose else school.class_unit,
                group=owner,
                subject=school.subject,
                teacher=school.teacher,
                date=dt.date(2026, 9, day),
                lesson_number=2,
                control_form=school.control_forms["Контрольная работа"] if i == 0 else None,
            )
        )
    t = school.teacher
    _save(lessons[0], school.students[0], "5 4", t)
    _save(lessons[0], school.students[1], "н 3", t)
    _save(lessons[0], school.students[1], "4", t, journal=JournalKind.HOMEWORK)
    _save(lessons[4], school.students[1], "2 зач", t, journal=JournalKind.HOMEWORK)
    _save(lessons[2], school.students[0], "б 5", t)
    _save(lessons[3], school.students[2], "4 5", t)
    return {"other": other, "group": group, "loose": loose, "lessons": lessons}


# --------------------------------------------------------------------------- journal_ref


def _orm_journal_ref(viewer, *, subject_id, class_id=None, group_id=None):
    orgs = viewer.staff_org_ids
    class_unit = group = None
    if group_id is not None:
        group = (
            StudyGroup.objects.select_related(
                "organisation", "academic_year", "class_unit__parallel"
            )
            .filter(pk=group_id, organisation_id__in=orgs)
            .first()
        )
        if group is None:
            raise Http404
        organisation, year = group.organisation, group.academic_year
    else:
        class_unit = (
            ClassUnit.objects.select_related(
                "parallel__organisation", "parallel__academic_year", "class_teacher"
            )
            .filter(pk=class_id or 0, parallel__organisation_id__in=orgs)
            .first()
        )
        if class_unit is None:
            raise Http404
        organisation, year = class_unit.parallel.organisation, class_unit.parallel.academic_year
    subject = Subject.objects.filter(pk=subject_id, organisation=organisation).first()
    if subject is None:
        raise Http404
    return selectors.JournalRef(organisation, year, subject, class_unit, group)


def _ref_state(ref):
    state = {
        "organisation": _fields(ref.organisation),
        "year": _fields(ref.year),
        "subject": _fields(ref.subject),
        "title": ref.title,
        "is_extra": ref.is_extra,
        "class_id": ref.class_id,
    }
    if ref.class_unit is not None:
        state["class"] = _fields(ref.class_unit)
        state["parallel"] = _fields(ref.class_unit.parallel)
        state["class_teacher_id"] = ref.class_unit.class_teacher_id
    if ref.group is not None:
        state["group"] = _fields(ref.group)
        state["group_org"] = _fields(ref.group.organisation)
        if ref.group.class_unit is not None:
            state["group_class"] = _fields(ref.group.class_unit)
            state["group_parallel"] = _fields(ref.group.class_unit.parallel)
    return state


def test_journal_ref_is_the_orm_lookup(school, world):
    other = world["other"]
    cases = [
        {"subject_id": school.subject.id, "class_id": school.class_unit.id},
        {"subject_id": school.subject.id, "group_id": world["group"].id},
        {"subject_id": school.subject.id, "group_id": world["loose"].id},
        {
            "subject_id": other.subject.id,
            "class_id": school.class_unit.id,
        },  # another school's subject
        {
            "subject_id": school.subject.id,
            "class_id": other.class_unit.id,
        },  # another school's class
        {"subject_id": school.subject.id, "class_id": None},
        {"subject_id": school.subject.id, "group_id": 10**6},
    ]
    for user in (school.curator, school.teacher, other.curator):
        viewer = viewer_for(user)
        for ids in cases:
            try:
                expected = _ref_state(_orm_journal_ref(viewer, **ids))
            except Http404:
                expected = "404"
            try:
                got = _ref_state(selectors.journal_ref(viewer, **ids))
            except Http404:
                got = "404"
            assert got == expected, (user, ids)


def test_the_teaching_rule_is_the_orm_one(school, world):
    def orm(user, *, subject_id, class_id, group_id):
        where = {"teacher": user, "subject_id": subject_id}
        if group_id is not None:
            where["group_id"] = group_id
        else:
            where["class_unit_id"] = class_id
            where["group__isnull"] = True
        return (
            TimetableEntry.objects.filter(**where).exists()
            or Lesson.objects.filter(**where).exists()
        )

    stranger = staff(school.organisation)
    Lesson.objects.create(
        academic_year=school.year,
        class_unit=school.class_unit,
        subject=world["other"].subject,
        teacher=stranger,
        date=dt.date(2026, 9, 5),
        lesson_number=6,
    )
    for user in (school.teacher, stranger, school.class_teacher):
        for subject in (school.subject, world["other"].subject):
            for class_id, group_id in (
                (school.class_unit.id, None),
                (None, world["group"].id),
                (None, world["loose"].id),
                (world["other"].class_unit.id, None),
                (None, None),
            ):
                args = {"subject_id": subject.id, "class_id": class_id, "group_id": group_id}
                assert rules._teaches(user, **args) == orm(user, **args), (user, args)


# --------------------------------------------------------------------------- the save's reads


def test_the_lesson_and_student_of_a_save_are_the_orm_ones(school, world):
    other = world["other"]
    outsider = enrol(other, other.class_unit)
    for user in (school.teacher, other.teacher):
        viewer = viewer_for(user)
        for lesson in [
            *world["lessons"],
            Lesson.objects.filter(class_unit=other.class_unit).first(),
        ]:
            if lesson is None:
                continue
            try:
                expected = Lesson.objects.select_related("subject__organisation", "period").get(
                    pk=lesson.id, subject__organisation_id__in=viewer.staff_org_ids
                )
            except Lesson.DoesNotExist:
                expected = None
            try:
                got = selectors.lesson_for_viewer(viewer, lesson.id, for_save=True)
            except Http404:
                got = None
            assert (got is None) == (expected is None)
            if got is None:
                continue
            assert _fields(got) == _fields(expected)
            assert _fields(got.subject) == _fields(expected.subject)
            assert _fields(got.subject.organisation) == _fields(expected.subject.organisation)
            assert (got.period and _fields(got.period)) == (
                expected.period and _fields(expected.period)
            )
            for student in [*school.students, outsider]:
                students = school.students[0].__class__.objects.filter(
                    pk=student.id, organisation_id=expected.subject.organisation_id
                )
                if expected.group_id is not None:
                    students = students.filter(study_groups__id=expected.group_id)
                else:
                    students = students.filter(current_class_id=expected.class_unit_id)
                orm_student = students.first()
                try:
                    found = selectors.student_of_lesson(got, student.id)
                except Http404:
                    found = None
                assert (found and _fields(found)) == (orm_student and _fields(orm_student))


def test_cell_load_and_the_lock_read_what_the_orm_read(school, world):
    from shkola.journal.models import Attendance, Mark

    for lesson in world["lessons"]:
        for student in school.students:
            for journal in JournalKind.values:
                cell = services.cell_load(lesson=lesson, student=student, journal=journal)
                marks = list(
                    Mark.objects.filter(
                        lesson_id=lesson.pk, student_id=student.pk, journal=journal
                    ).order_by("id")
                )
                assert [_fields(m) for m in cell.marks] == [_fields(m) for m in marks]
                attendance = (
                    Attendance.objects.filter(lesson_id=lesson.pk, student_id=student.pk).first()
                    if journal == JournalKind.MAIN
                    else None
                )
                assert (cell.attendance and _fields(cell.attendance)) == (
                    attendance and _fields(attendance)
                )
        with transaction.atomic():
            locked = services._lock_lesson(lesson)
            expected = (
                Lesson.objects.select_for_update(of=("self",))
                .select_related("period", "control_form")
                .get(pk=lesson.pk)
            )
        assert _fields(locked) == _fields(expected)
        assert (locked.period and _fields(locked.period)) == (
            expected.period and _fields(expected.period)
        )
        assert (locked.control_form and _fields(locked.control_form)) == (
            expected.control_form and _fields(expected.control_form)
        )


def test_the_average_after_a_save_is_the_orm_one(school, world):
    from shkola.journal import grading
    from shkola.journal.models import Mark

    def orm(lesson, student, journal):
        period = lesson.period
        if period is None:
            return None, None
        extra = bool(lesson.subject.is_extra) or (
            lesson.group_id is not None
            and StudyGroup.objects.filter(pk=lesson.group_id, kind=StudyGroup.Kind.EXTRA).exists()
        )
        if journal == JournalKind.MAIN and not extra:
            marks = selectors.main_average_marks(period.start, period.end).filter(
                student_id=student.id, lesson__subject_id=lesson.subject_id
            )
            average = grading.weighted_average(marks.values_list("points", "weight"))
            thresholds = grading.thresholds_of(lesson.subject.organisation)
            return average, grading.suggested_mark(average, thresholds)
        lessons = Lesson.objects.filter(
            subject_id=lesson.subject_id, date__gte=period.start, date__lte=period.end
        )
        if lesson.group_id is not None:
            lessons = lessons.filter(group_id=lesson.group_id)
        else:
            lessons = lessons.filter(class_unit_id=lesson.class_unit_id, group__isnull=True)
        pairs = Mark.objects.filter(
            student_id=student.id, journal=journal, lesson__in=lessons
        ).values_list("points", "weight")
        return grading.weighted_average(pairs), None

    viewer = viewer_for(school.teacher)
    seen = set()
    for lesson in world["lessons"]:
        loaded = selectors.lesson_for_viewer(viewer, lesson.id, for_save=True)
        for student in school.students:
            for journal in JournalKind.values:
                got = selectors.cell_average(loaded, student, journal)
                assert got == orm(loaded, student, journal), (lesson, student, journal)
                seen.add(got[0] is not None)
    assert seen == {True, False}


def test_the_class_of_the_week_page_is_the_orm_one(school, world):
    from shkola.journal import reports

    other = world["other"]
    for user in (school.class_teacher, school.curator, other.curator):
        viewer = viewer_for(user)
        for class_id in (school.class_unit.id, other.class_unit.id, 0, 10**6):
            expected = (
                ClassUnit.objects.select_related(
                    "parallel__organisation", "parallel__academic_year", "class_teacher"
                )
                .filter(pk=class_id, parallel__organisation_id__in=viewer.staff_org_ids)
                .first()
            )
            try:
                got = reports.class_of_viewer(viewer, class_id)
            except Http404:
                got = None
            assert (got is None) == (expected is None)
            if got is not None:
                assert _fields(got) == _fields(expected)
                assert _fields(got.parallel) == _fields(expected.parallel)
                assert _fields(got.parallel.organisation) == _fields(expected.parallel.organisation)
                assert _fields(got.parallel.academic_year) == _fields(
                    expected.parallel.academic_year
                )
                assert got.class_teacher == expected.class_teacher
                assert got.name == expected.name
