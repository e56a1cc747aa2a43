"""deploy/: the EnvironmentFile example names every variable the settings read, and the
storage choice from the environment (FILES_STORAGE) refuses what it does not know."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings import files_storage

ROOT = Path(__file__).resolve().parents[3]
# only the test runner's own switches
NOT_FOR_OPERATORS = {
    "SHKOLA_TESTING",
    "SHKOLA_TEST_REDIS",
    "SHKOLA_TEST_REPLICAS",
    "SHKOLA_TEST_TASKS_DB",
}


def test_the_environment_example_names_every_variable_the_settings_read() -> None:
    settings_text = (ROOT / "config" / "settings.py").read_text()
    read = set(
        re.findall(
            r'(?:environ\.get|env_bool|env_list|environ\[)\(?\s*"([A-Z][A-Z0-9_]+)"', settings_text
        )
    )
    assert {"DATABASE_URL", "FILES_STORAGE", "TRUSTED_PROXY_COUNT"} <= read  # the scan works
    example = (ROOT / "deploy" / "shkola.env.example").read_text()
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE))
    assert sorted(read - NOT_FOR_OPERATORS - listed) == []


def test_files_storage_from_the_environment() -> None:
    assert files_storage({})["BACKEND"].endswith("FileSystemStorage")
    s3 = files_storage({"FILES_STORAGE": "S3", "AWS_STORAGE_BUCKET_NAME": "shkola"})
    assert s3["BACKEND"] == "shkola.core.storage.PrivateS3Storage"
    assert s3["OPTIONS"]["default_acl"] == "private"
    assert s3["OPTIONS"]["file_overwrite"] is False
    with pytest.raises(ImproperlyConfigured, match="AWS_STORAGE_BUCKET_NAME"):
        files_storage({"FILES_STORAGE": "s3"})
    with pytest.raises(ImproperlyConfigured, match="filesystem"):
        files_storage({"FILES_STORAGE": "ftp"})
