"""A real OpenID Connect provider (the npm package ``oidc-provider``, tests/oidc/server.mjs)
started on a free localhost port for the test session, and helpers that walk the browser's
part of the flow with plain HTTP.

Our server's calls to the provider (discovery, keys, token, userinfo) are real HTTP; only the
hops through our own views go through Django's test client."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import requests
from django.urls import reverse

OIDC_DIR = Path(__file__).resolve().parents[4] / "tests" / "oidc"
PEOPLE: dict[str, Any] = {
    k: v
    for k, v in json.loads((OIDC_DIR / "accounts.json").read_text("utf-8")).items()
    if not k.startswith("_")
}
CLIENT_ID = "shkola-tests"
CLIENT_SECRET = "shkola-tests-secret-0123456789"
CALLBACK_PATH = "/sso/gosuslugi/callback/"
TEST_HOST = "http://testserver"


@dataclass
class RunningProvider:
    issuer: str
    process: subprocess.Popen[bytes]
    log: Path

    def settings_entry(self, **overrides: Any) -> dict[str, Any]:
        return {
            "title": "Войти через Госуслуги",
            "name": "Госуслуги",
            "icon": "shield-check",
            "issuer": self.issuer,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "scopes": "openid profile email snils children",
            **overrides,
        }


def _node_or_skip() -> tuple[str, str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        message = "node and npm are needed to run the test OpenID Connect provider"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return node, npm


def _install(npm: str) -> None:
    """``npm ci`` once (several xdist workers may arrive together: a file lock orders them)."""
    lock_path = Path(tempfile.gettempdir()) / "shkola-oidc-npm.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (OIDC_DIR / "node_modules" / "oidc-provider").exists():
            subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund"],
                cwd=OIDC_DIR,
                check=True,
                timeout=600,
                stdout=subprocess.DEVNULL,
            )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_provider(**env: str) -> RunningProvider:
    node, npm = _node_or_skip()
    _install(npm)
    port = _free_port()
    log = Path(tempfile.mkstemp(prefix="oidc-provider-", suffix=".log")[1])
    process = subprocess.Popen(
        [node, "server.mjs"],
        cwd=OIDC_DIR,
        env={
            **os.environ,
            "PORT": str(port),
            "CLIENT_ID": CLIENT_ID,
            "CLIENT_SECRET": CLIENT_SECRET,
            "REDIRECT_URIS": f"{TEST_HOST}{CALLBACK_PATH}",
            **env,
        },
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    issuer = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).ok:
                return RunningProvider(issuer=issuer, process=process, log=log)
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the test OIDC provider did not start:\n{log.read_text()}")


def stop_provider(provider: RunningProvider) -> None:
    provider.process.terminate()
    try:
        provider.process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        provider.process.kill()


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[RunningProvider]:
    provider = start_provider()
    yield provider
    stop_provider(provider)


@pytest.fixture
def sso_enabled(settings: Any, oidc_provider: RunningProvider) -> RunningProvider:
    settings.SHKOLA_SSO_PROVIDERS = {"gosuslugi": oidc_provider.settings_entry()}
    return oidc_provider


def sso_start(client: Any, *, provider: str = "gosuslugi", next_url: str = "") -> str:
    """Press «Войти через …»: returns the provider's authorization URL our server sent to."""
    url = reverse("sso:login", kwargs={"provider": provider})
    response = client.get(f"{url}?next={next_url}" if next_url else url)
    assert response.status_code == 302, response.content[:500]
    return str(response["Location"])


def provider_login(authorization_url: str, login_hint: str) -> str:
    """The browser at the provider: signs in as ``login_hint`` and returns the callback URL
    (path and query) the provider redirects back to."""
    session = requests.Session()
    url = f"{authorization_url}&login_hint={login_hint}"
    for _hop in range(10):
        response = session.get(url, allow_redirects=False, timeout=10)
        assert response.status_code in (302, 303), (response.status_code, response.text)
        url = urljoin(url, response.headers["Location"])
        if url.startswith(TEST_HOST):
            return url[len(TEST_HOST) :]
    raise AssertionError("the provider never redirected back")


def sso_round_trip(client: Any, login_hint: str) -> Any:
    """The whole sign-in: start, sign in at the provider, come back. The callback response."""
    callback = provider_login(sso_start(client), login_hint)
    return client.get(callback)
