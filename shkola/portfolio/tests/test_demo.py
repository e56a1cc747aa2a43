from __future__ import annotations

import pytest

from shkola.portfolio import selectors
from shkola.portfolio.demo import portfolio_demo_fill
from shkola.portfolio.models import (
    Achievement,
    AchievementFile,
    Category,
    Club,
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
    # The student a demo login opens has every section filled: a few clubs, all six spheres
    # and the olympiads each with a cover, the spheres with a photo too.
    assert Club.objects.filter(student=world.student).count() >= 2
    mine = Achievement.objects.filter(student=world.student, status=Status.CONFIRMED)
    spheres = [c.value for c in (Category.CREATIVITY, Category.COMPETITION, Category.CONTEST,
                                 Category.RESEARCH, Category.PROJECT, Category.SPORT)]  # fmt: skip
    for category in [*spheres, Category.OLYMPIAD]:
        entry = mine.filter(category=category).first()
        assert entry is not None, category
        roles = set(entry.files.values_list("role", flat=True))
        assert "cover" in roles, category
        if category in spheres:
            assert "photo" in roles, category
    assert mine.filter(category=Category.OLYMPIAD, rounds__isnull=False).distinct().count() == 2
    again = portfolio_demo_fill(organisation_ids=[world.school.organisation.id], seed=1)
    assert again["students"] == 0
