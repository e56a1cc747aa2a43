"""Message attachments on S3-compatible storage (FILES_STORAGE=s3) against a real S3-protocol
server (shkola.core.testing.s3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shkola.messaging.models import Attachment

NOTE = "Справка о болезни\n".encode() * 50


def test_an_attachment_lives_in_the_bucket_and_reaches_only_its_recipient(
    client: Any, world: Any, s3_files: Any
) -> None:
    client.force_login(world.parent)
    client.post(
        reverse("messaging:compose"),
        {
            "to": [f"u:{world.a.teacher.pk}"],
            "subject": "Справка",
            "body": "Текст",
            "attachments": SimpleUploadedFile("справка.txt", NOTE, "text/plain"),
        },
    )
    attachment = Attachment.objects.get()
    assert s3_files.keys() == [f"{s3_files.prefix}/{attachment.file.name}"]
    assert s3_files.read(s3_files.keys()[0]) == NOTE
    assert not any(Path(settings.MEDIA_ROOT).rglob("*"))

    url = reverse("messaging:attachment", args=[attachment.pk])
    client.force_login(world.a.teacher)
    response = client.get(url + "?download=1")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == NOTE
    assert "attachment" in response["Content-Disposition"]
    html = client.get(reverse("messaging:message", args=[attachment.message_id])).content.decode()
    assert url in html and s3_files.endpoint not in html

    for stranger in (world.parent_b, world.other_parent):
        client.force_login(stranger)
        assert client.get(url).status_code == 404
