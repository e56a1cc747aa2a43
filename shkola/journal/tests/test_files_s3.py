"""Homework files on S3-compatible storage (FILES_STORAGE=s3) against a real S3-protocol server
(shkola.core.testing.s3): uploaded through the lesson page, they land in the bucket and not on
disk, and come back byte for byte only through the checked views."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shkola.core.testing.factories import guardian_of, make_school, staff
from shkola.journal.models import HomeworkFile

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% homework for 7A\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_a_homework_file_goes_to_the_bucket_and_back_to_those_who_may_read_it(
    client: Any, school: Any, lessons: Any, s3_files: Any
) -> None:
    client.force_login(school.teacher)
    lesson_url = reverse("journal:lesson", args=[lessons[1].id])
    client.post(
        lesson_url,
        {"action": "homework", "text": "№ 12", "files": SimpleUploadedFile("задание.pdf", PDF)},
    )

    item = HomeworkFile.objects.get()
    assert s3_files.keys() == [f"{s3_files.prefix}/{item.file.name}"]
    assert s3_files.read(s3_files.keys()[0]) == PDF
    assert not any(Path(settings.MEDIA_ROOT).rglob("*"))  # nothing on this server's disk

    staff_url = reverse("journal:homework_file", args=[item.id])
    family_url = reverse("diary:homework_file", args=[item.id])
    downloaded = client.get(staff_url)
    assert downloaded.status_code == 200 and _body(downloaded) == PDF
    assert "attachment" in downloaded["Content-Disposition"]
    client.force_login(guardian_of(school.students[0]))
    assert _body(client.get(family_url)) == PDF
    # the lesson page names the file by our own address only, never the bucket's
    client.force_login(school.teacher)
    html = client.get(lesson_url).content.decode()
    assert staff_url in html
    assert s3_files.endpoint not in html and s3_files.bucket not in html

    other = make_school()
    for stranger in (staff(other.organisation), guardian_of(other.students[0])):
        client.force_login(stranger)
        assert client.get(staff_url).status_code == 404
        assert client.get(family_url).status_code == 404


def test_the_same_name_twice_keeps_both_files(
    client: Any, school: Any, lessons: Any, s3_files: Any
) -> None:
    # django-storages would overwrite an object of the same name by default
    client.force_login(school.teacher)
    for lesson, text in ((lessons[1], b"first"), (lessons[2], b"second")):
        client.post(
            reverse("journal:lesson", args=[lesson.id]),
            {
                "action": "homework",
                "text": "Задание",
                "files": SimpleUploadedFile("task.pdf", b"%PDF-1.4 " + text),
            },
        )
    first, second = HomeworkFile.objects.order_by("id")
    assert first.file.name != second.file.name and len(s3_files.keys()) == 2
    # a random part in every name: two servers cannot race for one (PrivateS3Storage)
    assert first.file.name.startswith("homework/") and Path(first.file.name).name != "task.pdf"
    assert first.name == second.name == "task.pdf"  # people still see the name they gave
    assert _body(client.get(reverse("journal:homework_file", args=[first.id]))).endswith(b"first")
    assert _body(client.get(reverse("journal:homework_file", args=[second.id]))).endswith(b"second")
