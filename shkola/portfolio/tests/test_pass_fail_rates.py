"""A pass/fail-only subject (ОРКСЭ, a first grade) has success = share of «зач» and no quality
rate — also when every student got «незач» (ENGINEERING.md, grade arithmetic). One definition,
grading.rates, serves every page that shows rates; «Итоги аттестации» is the one showing them."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from shkola.journal.grading import rates
from shkola.journal.models import FinalMark
from shkola.schools.models import Subject

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("values", "success"),
    [
        (["незач", "незач", "незач"], Decimal(0)),
        (["незач", "осв", "незач"], Decimal(0)),
        (["зач", "незач", "незач", "незач"], Decimal(25)),
        (["зач", "зач"], Decimal(100)),
    ],
)
def test_a_pass_fail_only_subject_never_has_a_quality_rate(values, success):
    result = rates(values)
    assert (result.success, result.quality) == (success, None)


def test_a_five_point_subject_keeps_its_quality_rate_when_everyone_failed():
    assert (rates(["2", "2"]).success, rates(["2", "2"]).quality) == (Decimal(0), Decimal(0))
    assert rates(["2", "незач"]).quality == Decimal(0)


def cells(html: str, subject: str) -> list[str]:
    row = html.split(f'<td class="text-start">{subject}</td>')[1].split("</tr>")[0]
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]


def test_attestation_shows_no_quality_for_a_subject_everyone_failed_pass_fail(client, world):
    school = world.school
    orkse = Subject.objects.create(organisation=school.organisation, name="ОРКСЭ")
    for student in school.students:
        FinalMark.objects.create(
            student=student,
            subject=orkse,
            academic_year=school.year,
            kind="year",
            value="незач",
        )
        FinalMark.objects.create(
            student=student,
            subject=school.subject,
            academic_year=school.year,
            kind="year",
            value="5",
        )
    client.force_login(world.parent)
    page = client.get(reverse("portfolio:attestation", kwargs={"student_id": world.student.id}))
    assert page.status_code == 200
    html = page.content.decode()
    # quality, success: the last two cells of the row
    assert cells(html, "ОРКСЭ")[-2:] == ["—", "0%"]
    assert cells(html, "Математика")[-2:] == ["100%", "100%"]
    # The year: a «незач» fails every student, and the year, graded on the five-point scale
    # too, keeps a quality rate of 0 %
    year = html.split("Качество")[1].split("</span>")[0]
    assert re.sub(r"<[^>]+>", "", year).split() == [":", "0%", "·", "Успеваемость:", "0%"]


def test_a_first_grade_where_everyone_failed_has_no_quality_for_the_year(client, world):
    school = world.school
    orkse = Subject.objects.create(organisation=school.organisation, name="ОРКСЭ")
    for student in school.students:
        FinalMark.objects.create(
            student=student,
            subject=orkse,
            academic_year=school.year,
            kind="year",
            value="незач",
        )
    client.force_login(world.parent)
    page = client.get(reverse("portfolio:attestation", kwargs={"student_id": world.student.id}))
    html = page.content.decode()
    year = html.split("Качество")[1].split("</span>")[0]
    assert re.sub(r"<[^>]+>", "", year).split() == [":", "—", "·", "Успеваемость:", "0%"]
