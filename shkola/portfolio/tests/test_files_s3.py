"""Portfolio files on S3-compatible storage (FILES_STORAGE=s3) against a real S3-protocol
server (shkola.core.testing.s3): a family's upload through the achievement page lands in the
bucket with its thumbnail, and comes back only through the checked view."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from shkola.core.testing.factories import guardian_of, make_school
from shkola.portfolio.models import AchievementFile

from .conftest import pdf
from .test_views import olympiad_post

pytestmark = pytest.mark.django_db


def test_a_family_upload_lives_in_the_bucket_and_only_the_family_reads_it(
    client: Any, world: Any, s3_files: Any
) -> None:
    diploma = pdf("диплом.pdf")
    sent = diploma.read()
    diploma.seek(0)
    client.force_login(world.parent)
    response = client.post(
        reverse(
            "portfolio:achievement_add",
            kwargs={"student_id": world.student.id, "category": "olympiad"},
        ),
        {**olympiad_post(), "files": [diploma]},
    )
    assert response.status_code == 302

    record = AchievementFile.objects.get()
    assert s3_files.keys() == [f"{s3_files.prefix}/{record.file.name}"]
    assert not any(Path(settings.MEDIA_ROOT).rglob("*"))

    url = reverse("portfolio:file", kwargs={"file_id": record.id})
    download = client.get(url + "?download=1")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == sent
    assert "sandbox" in download["Content-Security-Policy"]
    page = client.get(reverse("portfolio:card", kwargs={"student_id": world.student.id}))
    assert s3_files.endpoint not in page.content.decode()

    for stranger in (guardian_of(world.classmate), guardian_of(make_school().students[0])):
        client.force_login(stranger)
        assert client.get(url).status_code == 404
