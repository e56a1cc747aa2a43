"""The S3-compatible storage of people's files (FILES_STORAGE=s3, config.settings.files_storage)."""

from __future__ import annotations

import os

from storages.backends.s3 import S3Storage


class PrivateS3Storage(S3Storage):
    """django-storages' S3Storage whose every new object gets a name of its own.

    On a disk, Django makes a free name atomically (O_EXCL), so two app servers on one shared
    mount never write one file. An object store has no such step: "is the name free" (HEAD)
    and "write it" (PUT) are two requests, and two servers taking the same name in between —
    two pupils' «задание.pdf» in the same month — would leave one file for both, one family
    reading the other's. A random part in every name (Django's own alternative-name scheme)
    makes that a matter of chance no larger than a guessed key."""

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        folder, file_name = os.path.split(name)
        root, ext = os.path.splitext(file_name)
        unique = os.path.join(folder, self.get_alternative_name(root, ext))
        return super().get_available_name(unique, max_length=max_length)
