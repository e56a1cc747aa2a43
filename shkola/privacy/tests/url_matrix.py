"""Who gets what from each personal-data URL (see shkola/core/testing/matrix.py)."""

from __future__ import annotations

from typing import Any

from shkola.core.testing.matrix import Case, expect

SIGNED_IN = expect(200, anonymous=302)
POST_ONLY = expect(405, anonymous=302)
# The families (a student sees their own, a parent their children's); staff and officials
# have no family page of this kind.
FAMILIES = expect(
    404, anonymous=302, student=200, parent=200, parent_two_schools=200, teacher_parent=200
)  # fmt: skip
SCHOOL_ADMIN = expect(404, anonymous=302, curator=200)


def _destruction(student: Any, *, done: bool) -> dict[str, Any]:
    from shkola.core import clock
    from shkola.privacy.models import Destruction

    status = "done" if done else "pending"
    found = Destruction.objects.filter(student=student, status=status).first()
    if found is None:
        found = Destruction.objects.create(
            organisation_id=student.organisation_id,
            student=student,
            requested_at=clock.now(),
            due_at=clock.now(),
            done_at=clock.now() if done else None,
            status=status,
            pseudonym=f"Обучающийся №{student.pk}",
            act={"destroyed": [], "kept": []},
            act_pdf=b"%PDF-1.4\n%%EOF\n" if done else None,
        )
    return {"destruction_id": found.pk}


def _consent(user: Any, student: Any) -> dict[str, Any]:
    from shkola.privacy import services

    consent = services.consent_give(user=user, student=student, kind="parent")
    return {"consent_id": consent.pk}


CASES = [
    Case("privacy:consents", SIGNED_IN),
    Case("privacy:consent_give", POST_ONLY),
    Case(
        "privacy:consent_withdraw",
        expect(404, anonymous=302, parent=405),
        kwargs=lambda w: _consent(w.users["parent"], w.second_child),
        label="own consent",
    ),
    Case(
        "privacy:consent_withdraw",
        expect(404, anonymous=302, parent_two_schools=405),
        kwargs=lambda w: _consent(w.users["parent_two_schools"], w.cross_other_child),
        label="two-school family's consent",
    ),
    Case("privacy:access_log", FAMILIES),
    Case(
        "privacy:access_log",
        expect(404, anonymous=302, parent=200),
        query=lambda w: f"student={w.second_child.pk}",
        label="second child",
    ),
    Case(
        "privacy:access_log",
        expect(404, anonymous=302, parent_two_schools=200),
        query=lambda w: f"student={w.cross_other_child.pk}",
        label="two-school child, other school",
    ),
    Case("privacy:my_data", SIGNED_IN),
    Case("privacy:my_data_download", SIGNED_IN),
    Case("privacy:destructions", SCHOOL_ADMIN),
    Case(
        "privacy:destruction",
        SCHOOL_ADMIN,
        kwargs=lambda w: _destruction(w.other_family_student, done=False),
    ),
    Case(
        "privacy:destruction",
        expect(404, anonymous=302),
        kwargs=lambda w: _destruction(w.other_student, done=False),
        label="other school",
    ),
    Case(
        "privacy:destruction_run",
        expect(404, anonymous=302, curator=405),
        kwargs=lambda w: _destruction(w.other_family_student, done=False),
    ),
    Case(
        "privacy:destruction_run",
        expect(404, anonymous=302),
        kwargs=lambda w: _destruction(w.other_student, done=False),
        label="other school",
    ),
    Case(
        "privacy:destruction_act",
        SCHOOL_ADMIN,
        kwargs=lambda w: _destruction(w.other_family_student, done=True),
    ),
    Case(
        "privacy:destruction_act",
        expect(404, anonymous=302),
        kwargs=lambda w: _destruction(w.other_family_student, done=False),
        label="not done yet",
    ),
    Case(
        "privacy:destruction_act",
        expect(404, anonymous=302),
        kwargs=lambda w: _destruction(w.other_student, done=True),
        label="other school",
    ),
    Case("privacy:audit_export", SCHOOL_ADMIN),
    Case("privacy:audit_export", SCHOOL_ADMIN, query="kind=data_access&q=a", label="filtered"),
    Case(
        "privacy:audit_export",
        expect(404, anonymous=302, curator=302),
        query="date_from=2026-13-45",
        label="bad date",
    ),
    Case("privacy:texts", expect(404, anonymous=302)),
    Case("privacy:text_new", expect(404, anonymous=302)),
]
