"""Who gets what from each course URL (see shkola/core/testing/matrix.py).

The demo course «Алгебра: решаем текстовые задачи» is for 7А (the demo student's class) and
taught by ``teacher``; the school's administration (``curator``) manages every course of the
school. The student studies it, the parent sees the child's progress; the class teacher (not
a teacher of the course), another family, the other school and officials get a 404."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile

from shkola.core.testing.matrix import Case, expect

MANAGERS = expect(404, anonymous=302, teacher=200, curator=200)
COURSE = expect(404, anonymous=302, student=200, parent=200, teacher=200, curator=200)
STUDY = expect(404, anonymous=302, student=200, teacher=200, curator=200)
FAMILIES = expect(
    404, anonymous=302, student=200, parent=200, parent_two_schools=200, teacher_parent=200
)  # fmt: skip
STAFF = expect(
    404, anonymous=302, teacher=200, classteacher=200, curator=200, teacher_parent=200
)  # fmt: skip
POST_ONLY = expect(405, anonymous=302)
NOBODY = expect(404, anonymous=302)


def _course(w: Any) -> Any:
    from shkola.courses.models import Course

    return Course.objects.filter(organisation=w.school, open_enrolment=False).order_by("id").first()


def _open_course(w: Any) -> Any:
    from shkola.courses.models import Course

    return Course.objects.filter(organisation=w.school, open_enrolment=True).order_by("id").first()


def _other_course(w: Any) -> Any:
    """A course of the other school for its own class (student2's)."""
    from shkola.courses import services
    from shkola.courses.models import Course

    found = Course.objects.filter(organisation=w.other_school).order_by("id").first()
    if found is None:
        found = services.course_create(
            organisation=w.other_school,
            by=w.users["teacher2"],
            title="Курс другой школы",
            teachers=[w.users["teacher2"]],
            class_units=[w.other_student.current_class],
        )
    return found


def _module(course: Any) -> Any:
    from shkola.courses import services

    module = course.modules.order_by("position", "id").first()
    return module or services.module_create(course=course, title="Модуль")


def _material(course: Any) -> Any:
    from shkola.courses import services
    from shkola.courses.models import Material

    material = Material.objects.filter(module__course=course, kind="file").exclude(file="").first()
    if material is None:
        material = services.material_add(
            module=_module(course),
            kind="file",
            title="Файл",
            upload=_upload("list.txt"),
        )
    # Each test has its own media root: make sure this test's storage holds the file.
    if not material.file.storage.exists(material.file.name or ""):
        material.file.save("list.txt", ContentFile(b"text\n"), save=True)
    return material


def _upload(name: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"answer text\n", content_type="text/plain")


def _assignment(course: Any) -> Any:
    from shkola.courses import services
    from shkola.courses.models import Assignment

    task = Assignment.objects.filter(module__course=course).order_by("id").first()
    return task or services.assignment_create(
        module=_module(course), title="Задание", instructions="Сделать"
    )


def _submission(course: Any, student: Any) -> Any:
    from shkola.courses.models import Submission

    task = _assignment(course)
    work = Submission.objects.filter(assignment=task, student=student).first()
    if work is None:
        from shkola.core import clock

        work = Submission.objects.create(
            assignment=task, student=student, text="Ответ", submitted_at=clock.now()
        )
    return work


def _work_file(course: Any, student: Any) -> dict[str, Any]:
    from shkola.courses.models import SubmissionFile

    work = _submission(course, student)
    found = SubmissionFile.objects.filter(submission=work).first()
    if found is None:
        found = SubmissionFile(submission=work, name="otvet.txt", size=5, content_type="text/plain")
    if not found.file or not found.file.storage.exists(found.file.name or ""):
        found.file.save("otvet.txt", ContentFile(b"text\n"), save=True)
    return {"file_id": found.id}


def _other(w: Any) -> Any:
    return _other_course(w)


CASES = [
    Case("courses:mine", FAMILIES),
    Case("courses:teach", STAFF),
    Case("courses:create", STAFF),
    Case("courses:detail", COURSE, kwargs=lambda w: {"course_id": _course(w).id}),
    # An open course: every student of the school sees it and may sign up.
    Case(
        "courses:detail",
        expect(404, anonymous=302, student=200, teacher=200, curator=200),
        kwargs=lambda w: {"course_id": _open_course(w).id},
        label="open course",
    ),
    # The other school's course for student2's class, where the children of the two-school
    # parent and of the teacher who is a parent there study: their parents see the progress.
    Case(
        "courses:detail",
        expect(404, anonymous=302, parent_two_schools=200, teacher_parent=200),
        kwargs=lambda w: {"course_id": _other(w).id},
        label="other",
    ),
    Case("courses:edit", MANAGERS, kwargs=lambda w: {"course_id": _course(w).id}),
    Case("courses:edit", NOBODY, kwargs=lambda w: {"course_id": _other(w).id}, label="other"),
    Case("courses:signup", POST_ONLY, kwargs=lambda w: {"course_id": _open_course(w).id}),
    Case("courses:module_create", MANAGERS, kwargs=lambda w: {"course_id": _course(w).id}),
    Case("courses:progress", MANAGERS, kwargs=lambda w: {"course_id": _course(w).id}),
    Case("courses:progress", NOBODY, kwargs=lambda w: {"course_id": _other(w).id}, label="other"),
    Case("courses:progress_xlsx", MANAGERS, kwargs=lambda w: {"course_id": _course(w).id}),
    Case("courses:module", STUDY, kwargs=lambda w: {"module_id": _module(_course(w)).id}),
    Case(
        "courses:module",
        NOBODY,
        kwargs=lambda w: {"module_id": _module(_other(w)).id},
        label="other",
    ),
    Case("courses:module_edit", MANAGERS, kwargs=lambda w: {"module_id": _module(_course(w)).id}),
    Case(
        "courses:module_edit",
        NOBODY,
        kwargs=lambda w: {"module_id": _module(_other(w)).id},
        label="other",
    ),
    Case(
        "courses:material_create",
        MANAGERS,
        kwargs=lambda w: {"module_id": _module(_course(w)).id},
        query="kind=<script>",
    ),
    Case(
        "courses:assignment_create",
        MANAGERS,
        kwargs=lambda w: {"module_id": _module(_course(w)).id},
    ),
    Case(
        "courses:material_file", STUDY, kwargs=lambda w: {"material_id": _material(_course(w)).id}
    ),
    Case(
        "courses:material_file",
        NOBODY,
        kwargs=lambda w: {"material_id": _material(_other(w)).id},
        label="other",
    ),
    Case(
        "courses:material_delete",
        POST_ONLY,
        kwargs=lambda w: {"material_id": _material(_course(w)).id},
    ),
    Case(
        "courses:assignment",
        STUDY,
        kwargs=lambda w: {"assignment_id": _assignment(_course(w)).id},
    ),
    Case(
        "courses:assignment",
        NOBODY,
        kwargs=lambda w: {"assignment_id": _assignment(_other(w)).id},
        label="other",
    ),
    Case(
        "courses:submission",
        MANAGERS,
        kwargs=lambda w: {"submission_id": _submission(_course(w), w.student).id},
    ),
    Case(
        "courses:submission",
        NOBODY,
        kwargs=lambda w: {"submission_id": _submission(_other(w), w.other_student).id},
        label="other",
    ),
    # The student's own file: the student and the course's managers; the parent does not
    # download works.
    Case("courses:submission_file", STUDY, kwargs=lambda w: _work_file(_course(w), w.student)),
    Case(
        "courses:submission_file",
        MANAGERS,
        kwargs=lambda w: _work_file(_course(w), w.other_family_student),
        label="classmate's work",
    ),
    Case(
        "courses:submission_file",
        NOBODY,
        kwargs=lambda w: _work_file(_other(w), w.other_student),
        label="other",
    ),
]
