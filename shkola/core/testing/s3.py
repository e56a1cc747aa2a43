"""Pytest plugin: a real S3-protocol server for the file storage tests.

No MinIO binary can be fetched on these machines; the PyPI package ``moto`` ships an HTTP server
that speaks the S3 protocol (signatures, PUT/GET/HEAD/DELETE, listings). It runs here as its own
process on a port the OS picks, one per xdist worker, and ends when the test process ends: it
reads its standard input and quits at end-of-file, so a killed test run leaves nothing behind.
``s3_files`` switches the default storage to django-storages' S3Storage against it, exactly as
``FILES_STORAGE=s3`` does (through the same ``config.settings.files_storage``)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

_SERVER = """
import sys
from moto.server import ThreadedMotoServer
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
print(server.get_host_and_port()[1], flush=True)
sys.stdin.read()
server.stop()
"""
BUCKET = "shkola-files-test"
KEYS = {"AWS_ACCESS_KEY_ID": "shkola-test", "AWS_SECRET_ACCESS_KEY": "shkola-test-secret"}


@dataclass
class S3Files:
    endpoint: str
    bucket: str
    prefix: str  # this test's folder in the bucket (AWS_LOCATION)
    client: Any  # a boto3 client that looks into the bucket from outside Shkola

    def keys(self) -> list[str]:
        listed = self.client.list_objects_v2(Bucket=self.bucket, Prefix=self.prefix + "/")
        return [item["Key"] for item in listed.get("Contents", [])]

    def read(self, key: str) -> bytes:
        body: bytes = self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        return body


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    if os.environ.get("CI") != "true":
        try:
            import moto.server  # noqa: F401
        except ImportError:
            pytest.skip("moto[s3] and flask are not installed (make install-dev)")
    process = subprocess.Popen(
        [sys.executable, "-c", _SERVER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline().strip() or 0)
        assert port, "the S3 server did not start"
        endpoint = f"http://127.0.0.1:{port}"
        _wait_until_answering(endpoint)
        yield endpoint
    finally:
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _client(endpoint: str) -> Any:
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"],
    )


def _wait_until_answering(endpoint: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            _client(endpoint).list_buckets()
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture
def s3_files(s3_endpoint: str, settings: Any, tmp_path: Any) -> S3Files:
    """Files of this test go to the S3 server, under a folder of their own."""
    from config.settings import files_storage

    client = _client(s3_endpoint)
    client.create_bucket(Bucket=BUCKET)  # the same bucket again is no error in us-east-1
    prefix = f"t-{uuid.uuid4().hex[:12]}"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": files_storage(
            {
                "FILES_STORAGE": "s3",
                "AWS_STORAGE_BUCKET_NAME": BUCKET,
                "AWS_S3_ENDPOINT_URL": s3_endpoint,
                "AWS_S3_REGION_NAME": "us-east-1",
                "AWS_LOCATION": prefix,
                **KEYS,
            }
        ),
    }
    return S3Files(endpoint=s3_endpoint, bucket=BUCKET, prefix=prefix, client=client)
