from __future__ import annotations

import pytest

from shkola.portfolio import selectors
from shkola.portfolio.demo import portfolio_demo_fill
from shkola.portfolio.models import (
    Achievement,
    AchievementFile,
    Diagnostic,
    Status,
    TestingResult,
)

pytestmark = pytest.mark.django_db


def test_demo_fill_makes_a_full_portfolio_and_is_idempotent(world):
    world.student_user.is_demo = True
    world.student_user.save(update_fields=["is_demo"])
    counts = portfolio_demo_fill(organisation_ids=[world.school.organisation.id], seed=1)
    assert counts["students"] == 3  # the demo student's whole class
    assert Achievement.objects.filter(student=world.student, status=Status.PENDING).exists()
    assert AchievementFile.objects.filter(is_image=True).exclude(thumbnail="").exists()
    assert Diagnostic.objects.filter(student=world.student, kind="vpr").exists()
    assert TestingResult.objects.filter(student=world.student).exists()
    assert selectors.rating_of(world.student).total > 0
    again = portfolio_demo_fill(organisation_ids=[world.school.organisation.id], seed=1)
    assert again["students"] == 0
