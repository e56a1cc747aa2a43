from __future__ import annotations

import pytest

from shkola.accounts import services
from shkola.accounts.models import InvitationKind


@pytest.fixture
def codes(school):  # type: ignore[no-untyped-def]
    """Fresh student and parent codes for every student of the school's class."""
    student_codes = services.invitation_generate(
        class_unit=school.class_unit, kind=InvitationKind.STUDENT, actor=school.curator
    )
    parent_codes = services.invitation_generate(
        class_unit=school.class_unit, kind=InvitationKind.PARENT, actor=school.curator
    )
    return {"student": student_codes, "parent": parent_codes}


PARENT = {
    "username": "ivanova.m",
    "password": "Sunny-River-2026",
    "email": "Mother@Example.org",
    "phone": "8 (916) 123-45-67",
    "last_name": "Иванова",
    "first_name": "Мария",
    "middle_name": "Петровна",
    "representative_kind": "mother",
    "personal_data_consent": True,
}
