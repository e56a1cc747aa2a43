"""Who gets what from each portfolio URL (see shkola/core/testing/matrix.py)."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile

from shkola.core.testing.matrix import Case, expect

# Seeing a portfolio: the family, the class teacher, the teachers of the student and the
# school's administration. Officials never see personal records.
# The accounts linked to two schools are not the demo student's family nor her teachers.
VIEW = expect(200, anonymous=302, official=404, parent_two_schools=404, teacher_parent=404)
NOBODY = expect(404, anonymous=302)
POST_ONLY = expect(405, anonymous=302)
STAFF_ONLY = expect(
    200, anonymous=302, student=404, parent=404, official=404, parent_two_schools=404
)
# A classmate of the demo student from another family: the class's staff only (not a
# teacher of the school who does not teach the class).
NEIGHBOUR = {**STAFF_ONLY, "teacher_parent": 404}
NOT_THE_DEMO_FAMILY = {"parent_two_schools": 404, "teacher_parent": 404}


def _achievement(w: Any, student: Any = None) -> Any:
    from shkola.portfolio.models import Achievement, AchievementFile

    student = student or w.student
    achievement, created = Achievement.objects.get_or_create(
        student=student,
        category="olympiad",
        name="Матричная олимпиада",
        defaults={"year": "2026"},
    )
    if created:
        record = AchievementFile(
            achievement=achievement,
            role="file",
            name="a.txt",
            size=2,
            content_type="text/plain",
        )
        record.file.save("a.txt", ContentFile(b"ok"), save=False)
        record.save()
    return achievement


def _club(w: Any, student: Any = None) -> Any:
    from shkola.portfolio.models import Club

    club, _ = Club.objects.get_or_create(
        student=student or w.student,
        name="Матричный кружок",
        defaults={
            "kind": "club",
            "direction": "art",
            "year": "2026",
            "organisation_name": "ДДТ",
        },
    )
    return club


def _with_photo(student: Any) -> dict[str, Any]:
    import io

    from PIL import Image

    from shkola.schools.models import Student

    # The demo world is shared by the session and each test has its own media root: look at
    # the row and the storage of this test, not at the shared object.
    fresh = Student.objects.get(pk=student.pk)
    if not fresh.photo or not fresh.photo.storage.exists(fresh.photo.name or ""):
        out = io.BytesIO()
        Image.new("RGB", (30, 40), "navy").save(out, format="PNG")
        fresh.photo.save("photo.png", ContentFile(out.getvalue()))
    return {"student_id": student.id}


def _mine(w: Any) -> dict[str, Any]:
    return {"student_id": w.student.id}


def _other(w: Any) -> dict[str, Any]:
    return {"student_id": w.other_student.id}


def _neighbour(w: Any) -> dict[str, Any]:
    return {"student_id": w.other_family_student.id}


STUDENT_PAGES = (
    "card", "rating", "clubs", "interests", "olympiads", "control", "attestation", "testing",
)  # fmt: skip

CASES = [
    Case(
        "portfolio:mine",
        expect(
            404,
            anonymous=302,
            student=302,
            parent=302,
            parent_two_schools=302,
            teacher_parent=302,
        ),
    ),
    # The accounts linked to two schools: each child's card is open to its parent (in
    # either school) and to that school's staff only.
    Case(
        "portfolio:card",
        expect(404, anonymous=302, parent_two_schools=200, curator=200),
        kwargs=lambda w: {"student_id": w.cross_child.id},
        label="two-school family, here",
    ),
    Case(
        "portfolio:card",
        expect(404, anonymous=302, parent_two_schools=200),
        kwargs=lambda w: {"student_id": w.cross_other_child.id},
        label="two-school family, other school",
    ),
    Case(
        "portfolio:card",
        expect(404, anonymous=302, teacher_parent=200),
        kwargs=lambda w: {"student_id": w.teacher_parent_child.id},
        label="teacher-parent's child",
    ),
    Case("portfolio:queue", STAFF_ONLY),
    Case("portfolio:points", expect(404, anonymous=302, curator=200)),
    Case("portfolio:diagnostics_import", STAFF_ONLY),
    *[Case(f"portfolio:{name}", VIEW, kwargs=_mine) for name in STUDENT_PAGES],
    *[
        Case(f"portfolio:{name}", NOBODY, kwargs=_other, label="other school")
        for name in STUDENT_PAGES
    ],
    # A classmate from another family: the class's staff see it, the demo family does not.
    *[
        Case(f"portfolio:{name}", NEIGHBOUR, kwargs=_neighbour, label="another family")
        for name in STUDENT_PAGES
    ],
    Case(
        "portfolio:card_edit",
        expect(
            200,
            anonymous=302,
            student=404,
            parent=404,
            teacher=404,
            official=404,
            **NOT_THE_DEMO_FAMILY,
        ),
        kwargs=_neighbour,
        label="another family",
    ),
    Case("portfolio:club_add", NEIGHBOUR, kwargs=_neighbour, label="another family"),
    Case(
        "portfolio:club_edit",
        NEIGHBOUR,
        kwargs=lambda w: {
            "student_id": w.other_family_student.id,
            "club_id": _club(w, w.other_family_student).id,
        },
        label="another family",
    ),
    # Another family's club asked for under the demo student's address is still a 404.
    Case(
        "portfolio:club_edit",
        expect(404, anonymous=302),
        kwargs=lambda w: {
            "student_id": w.student.id,
            "club_id": _club(w, w.other_family_student).id,
        },
        label="club of another student",
    ),
    Case(
        "portfolio:achievement_edit",
        NEIGHBOUR,
        kwargs=lambda w: {"achievement_id": _achievement(w, w.other_family_student).id},
        label="another family",
    ),
    Case(
        "portfolio:file",
        NEIGHBOUR,
        kwargs=lambda w: {"file_id": _achievement(w, w.other_family_student).files.first().id},
        label="another family",
    ),
    Case(
        "portfolio:card_edit",
        expect(200, anonymous=302, teacher=404, official=404, **NOT_THE_DEMO_FAMILY),
        kwargs=_mine,
    ),
    Case("portfolio:card_edit", NOBODY, kwargs=_other, label="other school"),
    Case("portfolio:student_photo", NOBODY, kwargs=_other, label="other school"),
    Case("portfolio:student_photo", VIEW, kwargs=lambda w: _with_photo(w.student)),
    Case(
        "portfolio:student_photo",
        NEIGHBOUR,
        kwargs=lambda w: _with_photo(w.other_family_student),
        label="another family",
    ),
    Case("portfolio:club_add", VIEW, kwargs=_mine),
    Case("portfolio:club_add", NOBODY, kwargs=_other, label="other school"),
    Case(
        "portfolio:club_edit",
        VIEW,
        kwargs=lambda w: {"student_id": w.student.id, "club_id": _club(w).id},
    ),
    Case(
        "portfolio:club_edit",
        NOBODY,
        kwargs=lambda w: {
            "student_id": w.other_student.id,
            "club_id": _club(w, w.other_student).id,
        },
        label="other school",
    ),
    # GET asks «Удалить …?»; only the POST from that page deletes.
    Case(
        "portfolio:club_delete",
        VIEW,
        kwargs=lambda w: {"student_id": w.student.id, "club_id": _club(w).id},
    ),
    Case(
        "portfolio:club_delete",
        NOBODY,
        kwargs=lambda w: {
            "student_id": w.other_student.id,
            "club_id": _club(w, w.other_student).id,
        },
        label="other school",
    ),
    Case(
        "portfolio:achievement_add",
        VIEW,
        kwargs=lambda w: {"student_id": w.student.id, "category": "olympiad"},
    ),
    Case(
        "portfolio:achievement_add",
        NOBODY,
        kwargs=lambda w: {"student_id": w.other_student.id, "category": "olympiad"},
        label="other school",
    ),
    Case(
        "portfolio:achievement_edit",
        VIEW,
        kwargs=lambda w: {"achievement_id": _achievement(w).id},
    ),
    Case(
        "portfolio:achievement_edit",
        NOBODY,
        kwargs=lambda w: {"achievement_id": _achievement(w, w.other_student).id},
        label="other school",
    ),
    # GET asks «Удалить …?»; only the POST from that page deletes.
    Case(
        "portfolio:achievement_delete",
        VIEW,
        kwargs=lambda w: {"achievement_id": _achievement(w).id},
    ),
    Case(
        "portfolio:achievement_delete",
        NOBODY,
        kwargs=lambda w: {"achievement_id": _achievement(w, w.other_student).id},
        label="other school",
    ),
    Case(
        "portfolio:round_set",
        POST_ONLY,
        kwargs=lambda w: {"achievement_id": _achievement(w).id},
    ),
    Case(
        "portfolio:achievement_confirm",
        POST_ONLY,
        kwargs=lambda w: {"achievement_id": _achievement(w).id},
    ),
    Case(
        "portfolio:achievement_reject",
        POST_ONLY,
        kwargs=lambda w: {"achievement_id": _achievement(w).id},
    ),
    Case(
        "portfolio:file",
        VIEW,
        kwargs=lambda w: {"file_id": _achievement(w).files.first().id},
    ),
    Case(
        "portfolio:file",
        NOBODY,
        kwargs=lambda w: {"file_id": _achievement(w, w.other_student).files.first().id},
        label="other school",
    ),
    # GET asks «Удалить …?»; only the POST from that page deletes.
    Case(
        "portfolio:file_delete",
        VIEW,
        kwargs=lambda w: {"file_id": _achievement(w).files.first().id},
    ),
    Case(
        "portfolio:file_delete",
        NOBODY,
        kwargs=lambda w: {"file_id": _achievement(w, w.other_student).files.first().id},
        label="other school",
    ),
    Case(
        "portfolio:diagnostic_add",
        expect(200, anonymous=302, student=404, parent=404, official=404, **NOT_THE_DEMO_FAMILY),
        kwargs=_mine,
    ),
    Case("portfolio:diagnostic_add", NOBODY, kwargs=_other, label="other school"),
    Case(
        "portfolio:testing_add",
        expect(200, anonymous=302, student=404, parent=404, official=404, **NOT_THE_DEMO_FAMILY),
        kwargs=_mine,
    ),
    Case("portfolio:testing_add", NOBODY, kwargs=_other, label="other school"),
]
