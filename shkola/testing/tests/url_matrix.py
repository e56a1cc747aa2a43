"""Who gets what from each online-test URL (see shkola/core/testing/matrix.py).

The demo world: ``teacher`` (maths, 7А) owns the bank and the test for 7А; ``classteacher``
and ``teacher_parent`` are teachers of the school with banks of their own; ``curator`` (the
school's administration) sees results; the demo ``student`` (7А) takes the test; parents have
no «Тесты» section (seed 001)."""

from __future__ import annotations

import io
from typing import Any

from shkola.core.testing.matrix import Case, expect

TEACHERS = expect(404, anonymous=302, teacher=200, classteacher=200, teacher_parent=200)
SECTION = expect(
    404, anonymous=302, student=200, teacher=200, classteacher=200, teacher_parent=200
)  # fmt: skip
OWNER = expect(404, anonymous=302, teacher=200)
OWNER_AND_ADMIN = expect(404, anonymous=302, teacher=200, curator=200)
STUDENT = expect(404, anonymous=302, student=200)
POST_ONLY = expect(405, anonymous=302)


def _test(w: Any) -> Any:
    from shkola.testing.models import Test

    return Test.objects.filter(owner=w.users["teacher"]).order_by("id").first()


def _question(w: Any, *, with_image: bool = False) -> Any:
    from django.core.files.base import ContentFile
    from PIL import Image

    from shkola.testing.models import Question

    questions = Question.objects.filter(owner=w.users["teacher"]).order_by("id")
    if not with_image:
        return questions.first()
    question = questions.exclude(image="").first()
    # Each test has its own media root: make sure this test's storage holds the picture.
    if not question.image.storage.exists(question.image.name or ""):
        out = io.BytesIO()
        Image.new("RGB", (8, 8), "white").save(out, format="PNG")
        question.image.save("grafik.png", ContentFile(out.getvalue()), save=True)
    return question


def _attempt(w: Any, student: Any = None) -> Any:
    from shkola.testing import services
    from shkola.testing.models import Attempt

    student = student or w.student
    attempt = Attempt.objects.filter(test=_test(w), student=student).order_by("id").first()
    return attempt or services.attempt_start(test=_test(w), student=student)


def _image_position(w: Any) -> dict[str, Any]:
    attempt = _attempt(w)
    question = _question(w, with_image=True)
    aq = attempt.questions.get(question=question)
    return {"attempt_id": attempt.id, "position": aq.position}


CASES = [
    Case("testing:index", SECTION),
    Case("testing:bank", TEACHERS),
    Case(
        "testing:bank", TEACHERS, query="subject=99999999999999999999&kind=<x>", label="bad query"
    ),
    Case("testing:question_new", TEACHERS),
    Case("testing:question_new", TEACHERS, query="kind=nonsense&subject=abc", label="bad query"),
    Case("testing:question_edit", OWNER, kwargs=lambda w: {"question_id": _question(w).id}),
    Case(
        "testing:question_image",
        OWNER_AND_ADMIN,
        kwargs=lambda w: {"question_id": _question(w, with_image=True).id},
    ),
    Case("testing:test_new", TEACHERS),
    Case("testing:test_edit", OWNER, kwargs=lambda w: {"test_id": _test(w).id}),
    Case("testing:results", OWNER_AND_ADMIN, kwargs=lambda w: {"test_id": _test(w).id}),
    Case("testing:take", STUDENT, kwargs=lambda w: {"test_id": _test(w).id}),
    Case("testing:attempt", STUDENT, kwargs=lambda w: {"attempt_id": _attempt(w).id}),
    Case(
        "testing:attempt",
        STUDENT,
        kwargs=lambda w: {"attempt_id": _attempt(w).id},
        query="q=999999999999999999999",
        label="bad question number",
    ),
    # A classmate's attempt: not the demo student's, a 404 for them too.
    Case(
        "testing:attempt",
        expect(404, anonymous=302),
        kwargs=lambda w: {"attempt_id": _attempt(w, w.other_family_student).id},
        label="classmate's attempt",
    ),
    Case("testing:answer", POST_ONLY, kwargs=lambda w: {"attempt_id": _attempt(w).id}),
    Case("testing:finish", POST_ONLY, kwargs=lambda w: {"attempt_id": _attempt(w).id}),
    Case("testing:attempt_image", STUDENT, kwargs=_image_position),
    Case("testing:review", OWNER_AND_ADMIN, kwargs=lambda w: {"attempt_id": _attempt(w).id}),
    Case(
        "testing:review",
        OWNER_AND_ADMIN,
        kwargs=lambda w: {"attempt_id": _attempt(w, w.other_family_student).id},
        label="classmate's attempt",
    ),
]
