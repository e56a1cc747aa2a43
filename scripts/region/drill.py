"""`make region-drill`: break the parts of the running region one by one under a mixed load
and show what the people using it saw (issue 15). Needs `make region` first; runs as root.

The load, on loopback through nginx, for the whole drill: families signed in with their own
accounts read their children's diary weeks, teachers signed in with theirs save marks (each
save a different cell, a real change). Every request and every error is counted; every save
acknowledged with 200 is remembered and looked for in the database at the end.

    0  baseline          the load alone
    1  kill app server   SIGKILL to app server 1 (gunicorn and its workers): nginx sends the
                         requests to app server 2; then app server 1 is started again
    2  stop replica      the streaming replica stops: family pages must stay 200 (served by
                         the primary); then it is started again and streams
    3  restart primary   PostgreSQL on 5432 stops for a few seconds: requests get the friendly
                         503 page; the app recovers without restarting gunicorn (always
                         started again, whatever fails)
    4  kill a worker     the evening digests are built and sent to an SMTP sink started here;
                         a worker is killed with SIGKILL in the middle: every letter arrives,
                         none twice
    5  restore backup    pg_dump -Fc of the database, restored into a fresh cluster on 5434;
                         the number of marks and an md5 of all of them must equal the live ones

Prints a table (step, requests, errors, lost marks, duplicate letters, recovery time) and
exits 1 on a lost mark, a lost or duplicated letter, a family page that failed while the
replica was down, or a restore that differs; 2 when the region is not up."""

from __future__ import annotations

import argparse
import asyncio
import collections
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import region  # noqa: E402
from regionlib import (  # noqa: E402
    BACKUP_DIR,
    DB,
    HOST,
    LOG,
    PG_BIN,
    PG_CLUSTER,
    PG_VERSION,
    PORTS,
    PYTHON,
    RESTORE_DIR,
    ROOT,
    RUN,
    app_env,
    as_postgres,
    pg_ready,
    pid_path,
    psql,
    read_pid,
    region_secrets,
    wait_for,
)

SIDE = Path(__file__).with_name("side.py")
CYRILLIC = re.compile("[а-яА-ЯёЁ]")
# Marks, in a fixed order, as text: what the restore must reproduce exactly.
MARKS_CHECKSUM_SQL = (
    "SELECT count(*) || ' ' || coalesce(md5(string_agg(concat_ws(':', id, student_id, "
    "lesson_id, journal, value, points, control_form_id, weight, version, updated_at), ',' "
    "ORDER BY id)), '-') FROM journal_mark"
)


def say(message: str) -> None:
    print(f"[drill {time.strftime('%H:%M:%S')}] {message}", flush=True)


# ------------------------------------------------------------------------------------------
# The load
# ------------------------------------------------------------------------------------------


@dataclass
class Event:
    at: float
    kind: str  # "family" or "save"
    status: int  # 0: no HTTP answer (connection refused, reset, timeout)
    friendly: bool = False  # a 503 with the Russian page


@dataclass
class Ack:
    at: float
    lesson: int
    student: int
    text: str


class Browser:
    """One person's browser: its own connection to nginx and its own cookies (set by hand:
    the session cookie is Secure with DEBUG off, and this is plain HTTP on loopback)."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def request(
        self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, str]:
        all_headers = dict(headers or {})
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, PORTS.nginx, timeout=30)
            try:
                self.conn.request(method, path, body=body, headers=all_headers)
                response = self.conn.getresponse()
                text = response.read().decode("utf-8", "replace")
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # nginx closed an idle keep-alive connection: a browser opens a new one
                self.close()
                if attempt == 2 or method != "GET":
                    raise
                continue
            except Exception:
                self.close()
                raise
            for header in response.headers.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(header)
                for name, morsel in jar.items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return response.status, text
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def login(self, login_path: str, username: str, password: str) -> None:
        self.request("GET", login_path)
        token = self.cookies.get("csrftoken", "")
        status, _ = self.request(
            "POST",
            login_path,
            urllib.parse.urlencode(
                {"username": username, "password": password, "csrfmiddlewaretoken": token}
            ),
            {"X-CSRFToken": token},
        )
        if status != 302:
            raise RuntimeError(f"{username} could not sign in (HTTP {status})")


class Load:
    """Family readers and teacher savers in threads until ``stop()``."""

    def __init__(self, plan: dict[str, Any], password: str, families: int, teachers: int) -> None:
        self.plan = plan
        self.password = password
        self.events: list[Event] = []
        self.acks: list[Ack] = []
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []
        self.families = families
        self.teachers = teachers
        self.browsers: list[Browser] = []
        self.failures: list[str] = []

    def record(
        self,
        kind: str,
        browser: Browser,
        method: str,
        path: str,
        body: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> int:
        try:
            status, text = browser.request(method, path, body, headers)
        except Exception:
            status, text = 0, ""
        friendly = status == 503 and bool(CYRILLIC.search(text))
        self.events.append(Event(time.monotonic(), kind, status, friendly))
        return status

    def sign_in(self) -> tuple[list[list[tuple[Browser, str]]], list[tuple[Browser, list[Any]]]]:
        """Sessions first (a real login each: the password hash is slow on purpose)."""
        families = self.plan["families"][: self.families * 3]
        readers: list[list[tuple[Browser, str]]] = [[] for _ in range(self.families)]
        for n, family in enumerate(families):
            browser = Browser()
            browser.login(self.plan["login_path"], family["login"], self.password)
            status, _ = browser.request("GET", family["choose"])
            if status != 302:
                raise RuntimeError(f"{family['login']}: choosing the child gave HTTP {status}")
            self.browsers.append(browser)
            readers[n % self.families].append((browser, family["path"]))
        savers = []
        for teacher in self.plan["teachers"][: self.teachers]:
            browser = Browser()
            browser.login(self.plan["login_path"], teacher["login"], self.password)
            self.browsers.append(browser)
            savers.append((browser, teacher["cells"]))
        return readers, savers

    def start(self) -> None:
        readers, savers = self.sign_in()
        say(f"signed in {len(self.browsers)} people: {len(savers)} teachers, the rest families")
        for pages in readers:
            self.threads.append(threading.Thread(target=self.read, args=(pages,), daemon=True))
        for browser, cells in savers:
            self.threads.append(
                threading.Thread(target=self.save, args=(browser, cells), daemon=True)
            )
        for thread in self.threads:
            thread.start()

    def read(self, pages: list[tuple[Browser, str]]) -> None:
        n = 0
        while not self.stopping.is_set():
            browser, path = pages[n % len(pages)]
            n += 1
            self.record("family", browser, "GET", path)
            self.stopping.wait(0.15)

    def save(self, browser: Browser, cells: list[dict[str, Any]]) -> None:
        for cell in cells:
            if self.stopping.is_set():
                return
            body = urllib.parse.urlencode(
                {
                    "lesson": cell["lesson"],
                    "student": cell["student"],
                    "text": cell["text"],
                    "fp": cell["fp"],
                }
            )
            headers = {"X-CSRFToken": browser.cookies.get("csrftoken", ""), "HX-Request": "true"}
            status = self.record("save", browser, "POST", self.plan["save_path"], body, headers)
            if status == 200:
                self.acks.append(
                    Ack(time.monotonic(), cell["lesson"], cell["student"], cell["text"])
                )
            self.stopping.wait(0.3)
        self.failures.append("a teacher ran out of cells")

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)
        for browser in self.browsers:
            browser.close()


# ------------------------------------------------------------------------------------------
# The SMTP sink
# ------------------------------------------------------------------------------------------


class Sink:
    """aiosmtpd on the port the region's EMAIL_URL names, counting letters per recipient.
    Each letter takes a little time (a real mail server does too), so a digest run lasts long
    enough for a worker to be killed in the middle of it."""

    def __init__(self, delay: float) -> None:
        from aiosmtpd.controller import Controller

        self.received: collections.Counter[str] = collections.Counter()
        # arm(): the next sender is held in the middle of its letter until release()
        self.armed = False
        self.held: int | None = None
        self.released = False
        sink = self

        class Handler:
            async def handle_RCPT(
                self, server: Any, session: Any, envelope: Any, address: str, options: Any
            ) -> str:
                # The time a letter takes is spent before its text is sent: a sender killed
                # now is in the middle of its task, and the letter was not sent. (A sender
                # killed after the final "." and before it commits would send it twice when
                # the task is done again: at-least-once, a window of milliseconds; the drill
                # kills in the wide window, where the outbox must make it exactly once.)
                port = int(session.peer[1])
                if sink.armed and sink.held is None:
                    # the drill's victim: kept here until it has been killed
                    sink.held = port
                    deadline = time.monotonic() + 60
                    while not sink.released and time.monotonic() < deadline:
                        await asyncio.sleep(0.01)
                else:
                    await asyncio.sleep(delay)
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                for rcpt in envelope.rcpt_tos:
                    sink.received[rcpt] += 1
                return "250 OK"

        self.controller = Controller(Handler(), hostname=HOST, port=PORTS.smtp)

    def __enter__(self) -> Sink:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


# ------------------------------------------------------------------------------------------
# Steps
# ------------------------------------------------------------------------------------------


@dataclass
class Step:
    number: int
    name: str
    started: float = 0.0
    ended: float = 0.0
    recovery: str = ""
    notes: list[str] = field(default_factory=list)
    duplicate_letters: int | None = None
    lost_letters: int = 0
    failed: list[str] = field(default_factory=list)


def replica_transactions() -> int:
    try:
        return int(
            psql(
                PORTS.replica,
                f"SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '{DB}'",
            )
        )
    except (subprocess.CalledProcessError, ValueError):
        return 0


def parent_of(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def worker_of(pid: int) -> str | None:
    """Which region worker ``pid`` is, or belongs to (a worker may run tasks in children)."""
    ours = {
        found: name
        for name in ("worker1", "worker2")
        for path in (RUN / f"{name}.child.pid", RUN / f"{name}.pid")
        if (found := read_pid(path))
    }
    while pid > 1:
        if pid in ours:
            return ours[pid]
        pid = parent_of(pid)
    return None


def wait_for_sender(sink: Sink, timeout: float = 60.0) -> tuple[str, int]:
    """A worker held in the middle of a task: the sink keeps its SMTP conversation waiting;
    the process is found by the client port of that connection (ss). Returns (name, pid)."""
    sink.armed = True
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sink.held is not None:
            pid = socket_owner(sink.held, PORTS.smtp)
            if pid is not None:
                name = worker_of(pid)
                if name is None:
                    raise RuntimeError(
                        f"the letter held at the sink came from pid {pid}, not a region worker"
                    )
                return name, pid
        time.sleep(0.005)
    raise RuntimeError("no worker was caught sending a letter")


def socket_owner(local_port: int, remote_port: int) -> int | None:
    """The process holding the loopback TCP connection local_port → remote_port (from /proc,
    as ss -p does it: the socket's inode, then the process with that inode among its fds)."""
    inode = ""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1].split(":"), fields[2].split(":")
        if int(local[1], 16) == local_port and int(remote[1], 16) == remote_port:
            inode = fields[9]
            break
    if not inode or inode == "0":
        return None
    target = f"socket:[{inode}]"
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                if os.readlink(fd) == target:
                    return int(proc.name)
        except OSError:
            continue
    return None


def side(*args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    proc = subprocess.run(
        [PYTHON, str(SIDE), *args],
        cwd=ROOT,
        env=env or app_env(direct=True),
        capture_output=True,
        text=True,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("REGION-JSON "):
            return dict(json.loads(line[len("REGION-JSON ") :]))
    raise RuntimeError(f"side.py {args[0]} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")


class Drill:
    def __init__(self, options: argparse.Namespace) -> None:
        self.options = options
        self.steps: list[Step] = []
        self.load: Load | None = None

    @contextmanager
    def step(self, number: int, name: str) -> Iterator[Step]:
        step = Step(number, name, started=time.monotonic())
        self.steps.append(step)
        say(f"step {number}: {name}")
        try:
            yield step
        finally:
            step.ended = time.monotonic()

    def events(self, step: Step, kind: str | None = None) -> list[Event]:
        assert self.load is not None
        ended = step.ended or time.monotonic()  # the step still running: up to now
        return [
            e
            for e in list(self.load.events)
            if step.started <= e.at < ended and (kind is None or e.kind == kind)
        ]

    def hold(self, seconds: float) -> None:
        time.sleep(seconds)

    # -------------------------------------------------------------------------- 1 app server

    def kill_app_server(self, step: Step) -> None:
        pid = read_pid(pid_path("app1"))
        if pid is None:
            raise RuntimeError("app server 1 is not running")
        killed = time.monotonic()
        os.killpg(pid, signal.SIGKILL)
        step.notes.append(f"SIGKILL gunicorn pid {pid} and its workers")
        self.hold(self.options.hold)
        region.app_start(0)
        region.app_wait(0)
        back = time.monotonic() - killed
        self.hold(2)
        errors = [e.at for e in self.events(step) if e.status != 200 and e.at >= killed]
        step.recovery = f"{max(errors) - killed:.1f} s of errors" if errors else "no failed request"
        step.notes.append(f"app server 1 answering again {back:.0f} s after the kill")

    # -------------------------------------------------------------------------- 2 replica

    def stop_replica(self, step: Step) -> None:
        region.stop_replica()
        stopped = time.monotonic()
        step.notes.append("replica stopped (pg_ctl stop -m fast)")
        try:
            self.hold(self.options.hold)
        finally:
            region.start_replica()
        seconds = wait_for("replica streaming again", region.replica_streaming, 120)
        step.recovery = f"{seconds:.1f} s to stream again"
        family = self.events(step, "family")
        bad = [e for e in family if e.status != 200 and e.at >= stopped]
        step.notes.append(
            f"family pages while it was down and catching up: {len(family)}, not 200: {len(bad)}"
        )
        if bad:
            step.failed.append(f"{len(bad)} family pages failed without the replica")

    # -------------------------------------------------------------------------- 3 primary

    def restart_primary(self, step: Step) -> None:
        assert self.load is not None
        stopped = time.monotonic()
        try:
            subprocess.run(["pg_ctlcluster", PG_VERSION, PG_CLUSTER, "stop"], check=True)
            step.notes.append(f"primary stopped for {self.options.primary_down:.0f} s")
            self.hold(self.options.primary_down)
        finally:
            # never leave the shared 5432 down, whatever happened above
            subprocess.run(["pg_ctlcluster", PG_VERSION, PG_CLUSTER, "start"], check=False)
        wait_for("primary back", lambda: pg_ready(PORTS.primary), 120, 0.1)
        ready = time.monotonic()
        # recovered: a mark saved (200) through nginx → gunicorn → PgBouncer → primary
        deadline = ready + 120
        first_save: float | None = None
        while time.monotonic() < deadline and first_save is None:
            first_save = next(
                (
                    e.at
                    for e in list(self.load.events)
                    if e.kind == "save" and e.status == 200 and e.at >= ready
                ),
                None,
            )
            time.sleep(0.1)
        if first_save is None:
            step.failed.append("no mark saved within 120 s of the primary being back")
            step.recovery = "> 120 s"
        else:
            step.recovery = f"{first_save - ready:.1f} s after the primary was up"
            step.notes.append(f"{first_save - stopped:.1f} s from the stop to the first save")
        self.hold(2)
        down = [e for e in self.events(step) if stopped <= e.at <= ready]
        statuses = collections.Counter(
            "503 page" if e.friendly else (str(e.status) if e.status else "no answer")
            for e in down
            if e.status != 200
        )
        step.notes.append(
            f"while down: {len(down)} requests, "
            + (", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())) or "all 200")
        )
        after = [e for e in self.events(step) if e.at > ready and e.status != 200]
        step.notes.append(f"failed after the primary was up: {len(after)}")
        unfriendly = sum(v for k, v in statuses.items() if k != "503 page")
        if unfriendly:
            step.failed.append(f"{unfriendly} answers while it was down were not the 503 page")

    # -------------------------------------------------------------------------- 4 worker

    def kill_worker(self, step: Step, sink: Sink) -> None:
        reset = side("digest-reset")
        step.notes.append(f"today's digests reset ({reset['deleted']} rows)")
        env = app_env()
        build = subprocess.run(
            [PYTHON, "manage.py", "send_digests", "--hour", "18"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        made = re.search(r"digests: (\d+)", build.stdout)
        total = int(made.group(1)) if made else 0
        step.notes.append(f"digests built and enqueued: {total}")
        if not total:
            step.failed.append("no digest was built: nothing to deliver")
            return
        target = max(1, total // 4)
        wait_for(
            f"{target} letters at the sink",
            lambda: sum(sink.received.values()) >= target,
            120,
            0.02,
        )
        killed = time.monotonic()
        try:
            name, pid = wait_for_sender(sink)
            killed = time.monotonic()
            os.kill(pid, signal.SIGKILL)
            step.notes.append(
                f"SIGKILL {name} (pid {pid}) in the middle of sending a letter, at "
                f"{sum(sink.received.values())}/{total} letters"
            )
        except RuntimeError as error:
            step.failed.append(f"no worker killed: {error}")
        finally:
            sink.released = True

        def delivered() -> bool:
            rows = side("outbox")["letters"]
            return all(r["status"] == "sent" for r in rows) and all(
                sink.received[r["email"]] for r in rows
            )

        try:
            wait_for("every digest delivered", delivered, self.options.letters_timeout, 2)
            step.recovery = f"{time.monotonic() - killed:.1f} s to deliver all"
        except RuntimeError:
            step.recovery = f"> {self.options.letters_timeout:.0f} s"
        rows = side("outbox")["letters"]
        emails = {r["email"] for r in rows}
        step.lost_letters = sum(
            1 for r in rows if r["status"] != "sent" or not sink.received[r["email"]]
        )
        step.duplicate_letters = sum(max(sink.received[e] - 1, 0) for e in emails)
        pending = collections.Counter(r["status"] for r in rows)
        step.notes.append(
            f"outbox: {dict(pending)}; at the sink: {sum(sink.received[e] for e in emails)} "
            f"digests to {sum(1 for e in emails if sink.received[e])} of {len(emails)} people"
        )
        if step.lost_letters:
            step.failed.append(f"{step.lost_letters} letters lost")
        if step.duplicate_letters:
            step.failed.append(f"{step.duplicate_letters} duplicate letters")

    # -------------------------------------------------------------------------- 5 restore

    def restore(self, step: Step) -> None:
        started = time.monotonic()
        BACKUP_DIR.mkdir(parents=True, exist_ok=True)
        dump = BACKUP_DIR / f"{DB}.dump"
        subprocess.run(
            [
                "pg_dump",
                "-h",
                HOST,
                "-p",
                str(PORTS.primary),
                "-U",
                "postgres",
                "-Fc",
                "-f",
                str(dump),
                DB,
            ],
            check=True,
        )
        live = psql(PORTS.primary, MARKS_CHECKSUM_SQL)
        dumped = time.monotonic() - started
        size = dump.stat().st_size / 1e6
        shutil.chown(dump, "postgres", "postgres")
        self.drop_restore_cluster()
        RESTORE_DIR.mkdir(parents=True)
        shutil.chown(RESTORE_DIR, "postgres", "postgres")
        RESTORE_DIR.chmod(0o700)
        locale = psql(
            PORTS.primary, f"SELECT datcollate FROM pg_database WHERE datname = '{DB}'", "postgres"
        )
        as_postgres(
            PG_BIN / "initdb",
            "-D",
            RESTORE_DIR,
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            f"--locale={locale}",
            stdout=subprocess.DEVNULL,
        )
        logfile = LOG / "restore.log"
        logfile.touch()
        shutil.chown(logfile, "postgres", "postgres")
        as_postgres(
            PG_BIN / "pg_ctl",
            "-D",
            RESTORE_DIR,
            "-l",
            logfile,
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {PORTS.restore} -k {RESTORE_DIR} -c listen_addresses=127.0.0.1",
            "start",
            stdout=subprocess.DEVNULL,
        )
        psql(PORTS.restore, f'CREATE DATABASE "{DB}"', "postgres")
        as_postgres(
            "pg_restore",
            "-h",
            HOST,
            "-p",
            str(PORTS.restore),
            "-U",
            "postgres",
            "-d",
            DB,
            "--no-owner",
            "-j",
            "2",
            dump,
        )
        restored = psql(PORTS.restore, MARKS_CHECKSUM_SQL)
        seconds = time.monotonic() - started
        step.recovery = f"{seconds:.0f} s (dump {dumped:.0f} s, {size:.0f} MB)"
        count, digest = live.split()
        step.notes.append(
            f"marks: live {count} md5 {digest[:12]}…; restored {restored.split()[0]}"
            f" md5 {restored.split()[1][:12]}…"
        )
        if restored != live:
            step.failed.append("the restored marks differ from the live ones")
        env = app_env(direct=True)
        env["DATABASE_URL"] = f"postgres://postgres@{HOST}:{PORTS.restore}/{DB}"
        env["REDIS_URL"] = ""
        missing = side("marks", str(self.acks_file()), env=env)
        step.notes.append(
            f"acknowledged saves missing from the restored copy: "
            f"{len(missing['lost'])} of {missing['checked']}"
        )
        if missing["lost"]:
            step.failed.append("the backup lacks acknowledged marks")
        self.drop_restore_cluster()

    def drop_restore_cluster(self) -> None:
        if (RESTORE_DIR / "postmaster.pid").exists():
            as_postgres(
                PG_BIN / "pg_ctl",
                "-D",
                RESTORE_DIR,
                "-m",
                "fast",
                "-w",
                "stop",
                check=False,
                stdout=subprocess.DEVNULL,
            )
        shutil.rmtree(RESTORE_DIR, ignore_errors=True)

    # -------------------------------------------------------------------------- all

    def acks_file(self) -> Path:
        assert self.load is not None
        path = Path(tempfile.gettempdir()) / f"region-drill-acks-{os.getpid()}.json"
        path.write_text(json.dumps([a.__dict__ for a in self.load.acks]))
        return path

    def run(self) -> int:
        wanted = {int(s) for s in self.options.steps.split(",") if s.strip()}
        plan = side("plan")
        if not plan["teachers"] or not plan["families"]:
            say("the region has no teachers with cells or no family accounts: make region")
            return 2
        self.load = Load(
            plan, region_secrets()["REGION_PASSWORD"], self.options.families, self.options.teachers
        )
        started = time.monotonic()
        with Sink(self.options.smtp_delay) as sink:
            self.load.start()
            try:
                with self.step(0, "baseline (load only)") as step:
                    # Every family has just written (its sign-in and choice of child): for
                    # READ_YOUR_WRITES_SECONDS they read from the primary by design. The
                    # baseline counts the replica's work after that window.
                    self.hold(float(app_env().get("READ_YOUR_WRITES_SECONDS", "15")))
                    before = replica_transactions()
                    self.hold(self.options.baseline)
                    served = replica_transactions() - before
                    step.notes.append(
                        f"transactions on the replica: {served} (the families' diary weeks)"
                    )
                    if served == 0:
                        step.failed.append("no family page was read from the replica")
                if 1 in wanted:
                    with self.step(1, "kill app server 1") as step:
                        self.kill_app_server(step)
                if 2 in wanted:
                    with self.step(2, "stop the replica") as step:
                        self.stop_replica(step)
                if 3 in wanted:
                    with self.step(3, "restart the primary") as step:
                        self.restart_primary(step)
                if 4 in wanted:
                    with self.step(4, "kill a worker mid-digests") as step:
                        self.kill_worker(step, sink)
            finally:
                self.load.stop()
                # whatever failed above, leave the region whole
                if not pg_ready(PORTS.primary):
                    subprocess.run(["pg_ctlcluster", PG_VERSION, PG_CLUSTER, "start"], check=False)
                if not pg_ready(PORTS.replica):
                    region.start_replica()
                if read_pid(pid_path("app1")) is None:
                    region.app_start(0)
        if 5 in wanted:
            with self.step(5, "restore from a backup") as step:
                try:
                    self.restore(step)
                finally:
                    self.drop_restore_cluster()
        lost = side("marks", str(self.acks_file()))
        lost_keys = {(m["lesson"], m["student"]) for m in lost["lost"]}
        total = time.monotonic() - started
        print()
        print(self.table(lost_keys))
        print()
        for step in self.steps:
            answers = collections.Counter(
                f"{e.kind} {e.status or 'no answer'}" for e in self.events(step)
            )
            if answers:
                step.notes.insert(0, ", ".join(f"{k}: {v}" for k, v in sorted(answers.items())))
            for note in step.notes:
                print(f"  {step.number}. {note}")
        failures = [f"step {s.number}: {f}" for s in self.steps for f in s.failed]
        if lost_keys:
            failures.append(f"{len(lost_keys)} acknowledged marks are not in the database")
        print()
        print(
            f"  acknowledged saves: {len(self.load.acks)}, lost: {len(lost_keys)}; "
            f"the drill took {total:.0f} s"
        )
        if failures:
            print("  FAILED: " + "; ".join(failures))
            return 1
        checked = ["no lost mark"]
        if 4 in wanted:
            checked.append("no lost or duplicate letter")
        if 5 in wanted:
            checked.append("the restore matches")
        print("  PASSED: " + ", ".join(checked))
        return 0

    def table(self, lost_keys: set[tuple[int, int]]) -> str:
        assert self.load is not None
        rows = []
        for step in self.steps:
            events = self.events(step)
            lost = sum(
                1
                for a in self.load.acks
                if step.started <= a.at < step.ended and (a.lesson, a.student) in lost_keys
            )
            rows.append(
                [
                    f"{step.number}. {step.name}",
                    str(len(events)),
                    str(sum(1 for e in events if e.status != 200)),
                    str(lost),
                    "—" if step.duplicate_letters is None else str(step.duplicate_letters),
                    step.recovery or "—",
                ]
            )
        all_events = self.load.events
        rows.append(
            [
                "all",
                str(len(all_events)),
                str(sum(1 for e in all_events if e.status != 200)),
                str(len(lost_keys)),
                str(sum(s.duplicate_letters or 0 for s in self.steps)),
                "",
            ]
        )
        return format_table(
            ["step", "requests", "errors", "lost marks", "duplicate letters", "recovery time"],
            rows,
        )


def format_table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table, columns as wide as their widest cell (numbers right-aligned)."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        out = []
        for cell, width in zip(cells, widths, strict=True):
            numeric = cell.replace(" ", "").isdigit()
            out.append(cell.rjust(width) if numeric else cell.ljust(width))
        return "| " + " | ".join(out) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", default="1,2,3,4,5", help="which steps (0 always runs)")
    parser.add_argument("--families", type=int, default=4, help="family reader threads")
    parser.add_argument("--teachers", type=int, default=3, help="teacher saver threads")
    parser.add_argument("--baseline", type=float, default=8.0, help="seconds of load alone")
    parser.add_argument("--hold", type=float, default=8.0, help="seconds a part stays down")
    parser.add_argument("--primary-down", type=float, default=5.0, help="seconds 5432 is down")
    parser.add_argument("--smtp-delay", type=float, default=0.1, help="seconds per letter")
    parser.add_argument("--letters-timeout", type=float, default=150.0)
    options = parser.parse_args()

    def interrupted(signum: int, frame: object) -> None:
        # a SIGTERM unwinds like Ctrl+C: the finally blocks start 5432 and the replica again
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    if os.geteuid() != 0:
        say("run as root (it stops and starts PostgreSQL clusters)")
        return 2
    if not (read_pid(pid_path("nginx")) and pg_ready(PORTS.replica)):
        say("the region is not up: make region")
        return 2
    return Drill(options).run()


if __name__ == "__main__":
    sys.exit(main())
