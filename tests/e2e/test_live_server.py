"""The browser tests' live server on a busy machine: a browser fires several requests at once
(the page, its styles, /favicon.ico…). On SQLite they share the test's one in-memory database
connection, so the server must answer them one after another, never on two threads at once."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.core.signals import request_started

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _fetch(url: str) -> int:
    request = urllib.request.Request(url, headers={"Accept-Language": "ru"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - localhost
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_parallel_requests_are_answered_one_at_a_time_on_one_thread(live_url: str) -> None:
    from shkola.core.testing.factories import make_school

    make_school(n_students=3)  # pages that read the database
    threads: set[int] = set()

    def remember_thread(**_: Any) -> None:
        threads.add(threading.get_ident())

    request_started.connect(remember_thread, dispatch_uid="live-server-threads")
    try:
        urls = [f"{live_url}/accounts/login/", f"{live_url}/favicon.ico", f"{live_url}/"] * 8
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(_fetch, urls))
    finally:
        request_started.disconnect(dispatch_uid="live-server-threads")

    # urllib follows the favicon's redirect and the home page's redirect to the login page
    assert statuses == [200] * len(urls)
    assert len(threads) == 1, f"the live server answered on {len(threads)} threads at once"
