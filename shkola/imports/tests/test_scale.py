"""Queries stay batched: the same handful for 300 rows as for 1,200."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shkola.core.testing.factories import valid_snils
from shkola.imports import services
from shkola.schools.models import Student

from .conftest import STUDENT_HEADER, csv_bytes

pytestmark = pytest.mark.django_db


def rows(n: int, offset: int = 0) -> list[list[str]]:
    return [
        ["Фамилия", f"Имя{i}", "", "01.09.2013", "ж", valid_snils(600000000 + i), "7А"]
        for i in range(offset, offset + n)
    ]


def queries_to_import(school, n: int, offset: int) -> int:
    job = services.import_check(
        organisation=school.organisation,
        kind="students",
        content=csv_bytes(STUDENT_HEADER, rows(n, offset)),
        file_name="a.csv",
        user=school.curator,
    )
    job.status = "queued"
    job.save()
    with CaptureQueriesContext(connection) as captured:
        services.import_job_run(job_id=job.id)
    job.refresh_from_db()
    assert job.status == "done", job.result
    return len(captured)


def test_writing_is_a_few_queries_per_thousand_rows(school):
    small = queries_to_import(school, 300, 0)
    large = queries_to_import(school, 1200, 300)

    assert Student.objects.filter(organisation=school.organisation).count() == 1500
    # 1,200 rows cost at most a couple more batches than 300 (progress and bulk batches).
    assert large <= small + 8, (small, large)
    assert large < 40
