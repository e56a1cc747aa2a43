"""Playwright (sync API) fixtures driving Debian's Chromium at /usr/bin/chromium.

No browser is downloaded (`playwright install` is never run): the pip package brings only its
driver. Without a usable Chromium the browser tests are skipped with one line of reason, except
when SHKOLA_REQUIRE_BROWSER=1 or CI=true, where that is a failure.

Fixtures: `browser` (one per worker), `viewport` (override with
`@pytest.mark.parametrize("viewport", [360, 1280])` or a dict), `page` (a fresh context per
test), `live_url` (pytest-django's live_server), `screenshot` (saves
test-output/screenshots/<name>.png), `axe` (``axe(page)`` lists the page's serious and critical
WCAG 2.x A/AA violations, axe-core from tests/a11y). The live server needs a transactional
database, which `live_server` arranges; it answers one request at a time (see `live_server`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.servers.basehttp import WSGIServer
from django.db import connections

# Playwright's sync API runs an asyncio loop in this thread; Django would otherwise refuse
# ORM calls from the test body with SynchronousOnlyOperation.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("SHKOLA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
DEFAULT_VIEWPORT = {"width": 1280, "height": 900}


def browser_required() -> bool:
    return os.environ.get("SHKOLA_REQUIRE_BROWSER") == "1" or os.environ.get("CI") == "true"


def _unavailable(reason: str) -> None:
    if browser_required():
        pytest.fail(f"browser tests need Chromium, but {reason}", pytrace=False)
    pytest.skip(f"no usable Chromium ({reason}); install chromium to run browser tests")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def _playwright() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - dev group not installed
        _unavailable(f"playwright is not importable: {exc}")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(_playwright: Any) -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} does not exist")
    try:
        instance = _playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
    except Exception as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
        _unavailable(f"{CHROMIUM} did not start: {first_line}")
    yield instance
    instance.close()


A11Y_DIR = Path(__file__).resolve().parents[1] / "a11y"
# What the tour holds every page to: WCAG 2.x levels A and AA, as axe-core tags its rules.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_FAILING_IMPACTS = {"serious", "critical"}


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script (tests/a11y, pinned in package-lock.json, ``npm ci`` once)."""
    import fcntl
    import shutil
    import subprocess
    import tempfile

    script = A11Y_DIR / "node_modules" / "axe-core" / "axe.min.js"
    npm = shutil.which("npm")
    if not npm:
        message = "npm is needed to install axe-core for the accessibility check"
        if browser_required():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    # Several xdist workers may arrive together: a file lock orders them.
    with open(Path(tempfile.gettempdir()) / "shkola-a11y-npm.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not script.exists():
            subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund"],
                cwd=A11Y_DIR,
                check=True,
                timeout=600,
                stdout=subprocess.DEVNULL,
            )
    return script.read_text(encoding="utf-8")


def axe_violations(page: Any, source: str) -> list[str]:
    """The serious and critical WCAG A/AA violations axe-core finds on the page as it is now,
    one line each: rule, impact, how many elements, the first few selectors.

    The script goes in through Playwright's evaluate (the DevTools protocol), which the page's
    Content-Security-Policy does not govern; the page's own context keeps its CSP, so a tour's
    check for CSP refusals in the console still sees every refusal of the page itself."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(source)
    results = page.evaluate(
        """async (tags) => {
            // An htmx fragment opened on its own (a journal cell's panel) is no document and
            // has no styles: its content is checked, but not the document rules (title, lang)
            // nor target sizes, which the host page's CSS sets.
            const fragment = !document.querySelector('main#main');
            const rules = fragment ? {'document-title': {enabled: false},
                                      'html-has-lang': {enabled: false},
                                      'target-size': {enabled: false}} : {};
            const r = await window.axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                      rules, resultTypes: ['violations']});
            // For contrast, name the colours too: "selector (#fg on #bg, 3.9:1)".
            const describe = (n) => {
                const d = (n.any[0] || {}).data || {};
                const colours = d.fgColor ? ` (${d.fgColor} on ${d.bgColor}, ${d.contrastRatio}:1)` : '';
                return n.target.join(' ') + colours;
            };
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                           targets: v.nodes.map(describe)}));
        }""",
        AXE_TAGS,
    )
    return [
        f"{v['id']} ({v['impact']}, {len(v['targets'])}×): {v['help']} — "
        + "; ".join(v["targets"][: int(os.environ.get("SHKOLA_AXE_SHOW", "4"))])
        for v in results
        if v["impact"] in AXE_FAILING_IMPACTS
    ]


@pytest.fixture
def axe(axe_source: str) -> Any:
    """``axe(page)`` → the page's serious and critical WCAG A/AA violations (see above)."""
    return lambda page: axe_violations(page, axe_source)


@pytest.fixture
def viewport() -> dict[str, int]:
    return dict(DEFAULT_VIEWPORT)


def _as_viewport(value: Any) -> dict[str, int]:
    if isinstance(value, int):
        return {"width": value, "height": DEFAULT_VIEWPORT["height"]}
    return dict(value)


@pytest.fixture
def page(browser: Any, viewport: Any) -> Iterator[Any]:
    """A page in a fresh context (no cookies shared between tests), Russian locale."""
    # Reduced motion: charts are drawn at once, so screenshots show their final state.
    context = browser.new_context(
        viewport=_as_viewport(viewport),
        locale="ru-RU",
        timezone_id="Europe/Moscow",
        reduced_motion="reduce",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors  # tests may assert `page.js_errors == []`
    # CSP refusals and failed loads show up only in the console.
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.console_errors = console
    yield page
    context.close()


@pytest.fixture
def diary_world(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The diary's hand-computed world (shkola/diary/tests/world.py) on its own "today", with a
    long one-word subject name: such names are what squeeze tables on a phone."""
    from shkola.diary.tests.world import TODAY, build_world

    monkeypatch.setenv("SHKOLA_TODAY", TODAY.isoformat())
    world = build_world()
    world.russian.name = "Изобразительное искусство"
    world.russian.save()
    return world


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest) -> Iterator[Any]:
    """pytest-django's live server, but answering one request at a time.

    On SQLite the test database lives in memory, and pytest-django hands the live server the
    test's own connection. Django's default ThreadedWSGIServer then runs each request in a new
    thread on that one connection: a browser asking for a page and /favicon.ico together made
    two threads use it at once (``sqlite3.InterfaceError: bad parameter or other API misuse``,
    by chance, on a busy machine). A server without request threads serves the browser's
    parallel requests in turn (Django closes each connection, so none waits on a keep-alive).
    """
    from pytest_django.live_server_helper import LiveServer

    addr = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    server = LiveServer(addr, start=False)
    server.thread.server_class = SerialWSGIServer
    server.start()
    yield server
    server.stop()


class SerialWSGIServer(WSGIServer):
    """Django's WSGIServer (no thread per request) with the constructor LiveServerThread calls.

    The connection override is already installed in the server thread by LiveServerThread.run,
    and every request is handled in that thread."""

    def __init__(self, *args: Any, connections_override: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.connections_override = connections_override

    def close_request(self, request: Any) -> None:
        # As ThreadedWSGIServer does: no connection outlives its request (on PostgreSQL an open
        # one would keep the test database from being dropped; an in-memory SQLite one ignores
        # the close).
        connections.close_all()
        super().close_request(request)


@pytest.fixture
def live_url(live_server: Any) -> str:
    return str(live_server.url)


def screenshot(page: Any, name: str) -> Path:
    """Full-page screenshot to test-output/screenshots/<name>.png; returns the path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(name="screenshot")
def screenshot_fixture() -> Any:
    return screenshot


def sign_in(page: Any, base: str, username: str, password: str | None = None) -> None:
    """Through the login form, as a person would (the factories' password by default)."""
    from shkola.core.testing.factories import TEST_PASSWORD

    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password or TEST_PASSWORD)
    # Wait for the form's own navigation: on a busy machine wait_for_load_state() alone could
    # return before the POST left, and the next goto() cancelled the sign-in.
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.fixture(name="sign_in")
def sign_in_fixture() -> Any:
    return sign_in
