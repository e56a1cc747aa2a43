import datetime as dt

import pytest

from shkola.timetable.models import Lesson


@pytest.fixture
def lessons(school):
    """Five lessons in the first quarter, the first a control test (weight 5)."""
    out = []
    for i, day in enumerate([2, 4, 7, 9, 11]):
        out.append(
            Lesson.objects.create(
                academic_year=school.year,
                period=school.periods[0],
                class_unit=school.class_unit,
                subject=school.subject,
                teacher=school.teacher,
                date=dt.date(2026, 9, day),
                lesson_number=2,
                control_form=school.control_forms["Контрольная работа"] if i == 0 else None,
            )
        )
    return out
