"""`make bench`: how fast Shkola serves its busiest pages on a region-sized database (issue 4).

1. Builds the PostgreSQL database ``shkola_bench`` with ``seed_demo --schools 30`` (or reuses
   it when it already holds a region; ``--rebuild`` drops it first) and a one-school
   ``shkola_bench_small`` to compare query counts with.
2. Serves Shkola with gunicorn as in production (DEBUG off, manifest static files, persistent
   database connections) on 127.0.0.1 only.
3. Measures with wrk on loopback, every run of a fixed duration: the trivial endpoint
   (/healthz: no database, no template) and each page, one after another in the same server,
   so each page is reported as a ratio to the trivial endpoint of the same run; then marks
   saved per second through the journal's save endpoint by 16 concurrent clients, each save a
   different cell, counted by the MarkHistory rows it wrote.
4. Counts SQL queries per page with the Django test client on both databases.
5. Prints a table (metric, value, target, pass/fail) and writes it to test-output/bench.md.

It is a measurement: it exits 0 when a target is missed and says so in the table. A page that
does not exist in this build is reported as missing, never given a figure."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
# BENCH_PG: another server for the bench databases (e.g. a cluster of their own, away from a
# primary that a drill restarts or a replica that would copy them).
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
HOST = "127.0.0.1"

# Issue 14 targets (they replace issue 4's): throughput as a share of the trivial endpoint's,
# saves per second as a share of its requests per second, queries.
TARGET_RATIO = {"frame": 0.15, "diary_week": 0.12, "report_card": 0.06, "journal_grid": 0.03}
TARGET_SAVE_RATIO = 0.06
# The Redis database the bench's server uses when Redis answers on 127.0.0.1:6379 (flushed
# before each run: cached sessions and people of an older build must not be read back).
REDIS_DB = 7
# issue 10: a million parents get their digest within an hour on a handful of workers
TARGET_DIGESTS = 300.0
TARGET_QUERIES = {"diary_week": 12}
# One message to every family of a school: the request returns within this (issue 10).
TARGET_SEND_SECONDS = 1.0


def log(message: str) -> None:
    print(f"[bench] {message}", flush=True)


# ------------------------------------------------------------------------------------------
# Environment and databases
# ------------------------------------------------------------------------------------------


def redis_available() -> bool:
    try:
        with socket.create_connection((HOST, 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def redis_flush() -> None:
    with socket.create_connection((HOST, 6379), timeout=5) as sock:
        sock.sendall(f"SELECT {REDIS_DB}\r\nFLUSHDB\r\n".encode())
        answer = b""
        while answer.count(b"\r\n") < 2:
            chunk = sock.recv(64)
            if not chunk:
                break
            answer += chunk
    if answer.count(b"+OK") < 2:
        raise RuntimeError(f"Redis did not flush database {REDIS_DB}: {answer!r}")


USE_REDIS = False


def server_env(db: str) -> dict[str, str]:
    """Production-like settings, but plain HTTP on loopback (no TLS proxy in front); the
    shared cache in Redis when Redis runs here, as a region runs it."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SHKOLA_TESTING", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdef",
            "ALLOWED_HOSTS": HOST,
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "DATABASE_URL": f"{PG}/{db}",
            "DB_CONN_MAX_AGE": "600",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.pop("REDIS_URL", None)
    if USE_REDIS:
        env["REDIS_URL"] = f"redis://{HOST}:6379/{REDIS_DB}"
        # the big and the small database share the Redis database: ids repeat between them
        env["CACHE_KEY_PREFIX"] = f"bench-{db}"
    return env


def manage(db: str, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=server_env(db), check=True)


def organisations(db: str) -> int:
    with psycopg.connect(f"{PG}/{db}") as conn:
        row = conn.execute("SELECT to_regclass('schools_organisation') IS NOT NULL").fetchone()
        if not row or not row[0]:
            return 0
        count = conn.execute("SELECT count(*) FROM schools_organisation").fetchone()
        return int(count[0]) if count else 0


def ensure_db(db: str, schools: int, rebuild: bool) -> float | None:
    """Migrated database with a demo region; the seed's seconds when it had to build one."""
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db,)).fetchone()
        if exists and rebuild:
            log(f"dropping {db}")
            conn.execute(f'DROP DATABASE "{db}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{db}"')
    manage(db, "migrate", "--noinput", "-v", "0")
    found = organisations(db)
    if found:
        log(f"reusing {db}: {found} organisations (--rebuild to build it again)")
        seconds = None
    else:
        log(f"seeding {db}: seed_demo --schools {schools}")
        started = time.monotonic()
        manage(db, "seed_demo", "--schools", str(schools))
        seconds = time.monotonic() - started
        log(f"seeded {db} in {seconds:.0f} s")
    vacuum_analyze(db)
    return seconds


def vacuum_analyze(db: str) -> None:
    """Give the planner the statistics autovacuum would have gathered in production. Without
    them (autovacuum can be off, or not yet run after a bulk seed) PostgreSQL guesses and,
    for instance, scans all marks sequentially for one journal page."""
    with psycopg.connect(f"{PG}/{db}", autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_user_tables WHERE n_live_tup > 1000 "
            "AND coalesce(last_analyze, last_autoanalyze) IS NULL"
        ).fetchone()
        if row and row[0]:
            log(f"VACUUM (ANALYZE) {db}: {row[0]} large tables without statistics")
            started = time.monotonic()
            conn.execute("VACUUM (ANALYZE)")
            log(f"VACUUM (ANALYZE) {db} took {time.monotonic() - started:.0f} s")


def django_side(db: str, *args: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, str(HERE / "django_side.py"), *args],
        cwd=ROOT,
        env=server_env(db),
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"django_side {args} failed:\n{proc.stderr[-3000:]}")
    for line in proc.stdout.splitlines():
        if line.startswith("BENCH-JSON "):
            return json.loads(line[len("BENCH-JSON ") :])
    raise RuntimeError(f"django_side {args} printed no result:\n{proc.stdout}\n{proc.stderr}")


# ------------------------------------------------------------------------------------------
# The server
# ------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, db: str, workers: int, logdir: Path) -> None:
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.log_path = logdir / "gunicorn.log"
        # Django logs a failing request's traceback to stderr: kept to say why a page failed.
        self.output_path = logdir / "gunicorn.out"
        self.output = self.output_path.open("w")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--workers",
                str(workers),
                "--bind",
                f"{HOST}:{self.port}",
                "--backlog",
                "2048",
                "--error-logfile",
                str(self.log_path),
            ],
            cwd=ROOT,
            env=server_env(db),
            stdout=self.output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer in {timeout} s; see {self.log_path}")

    def last_error(self) -> str:
        """The last exception line the server logged, e.g. a template's missing static file."""
        self.output.flush()
        text = self.output_path.read_text(errors="replace")
        found = re.findall(r"^(\w[\w.]*(?:Error|Exception|DoesNotExist)\b.*)$", text, re.M)
        return found[-1][:200] if found else ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.output.close()


class CpuMeter:
    """CPU seconds of the gunicorn workers and of the bench database's PostgreSQL backends,
    read from /proc around each load run: per request, steadier than throughput on a machine
    that others share (their work takes wall time from the bench, not CPU time from it)."""

    def __init__(self, server: Server, db: str) -> None:
        self.master = server.proc.pid
        self.db = db
        self.tick = float(os.sysconf("SC_CLK_TCK"))
        self.conn = psycopg.connect(f"{PG}/postgres", autocommit=True)

    def _cpu(self, pid: int) -> float:
        try:
            text = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return 0.0
        fields = text[text.rindex(")") + 2 :].split()
        return (int(fields[11]) + int(fields[12])) / self.tick

    def _workers(self) -> list[int]:
        try:
            children = Path(f"/proc/{self.master}/task/{self.master}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in children.split()]

    def _backends(self) -> list[int]:
        rows = self.conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (self.db,),
        ).fetchall()
        return [int(row[0]) for row in rows]

    def wait_idle(self, timeout: float = 60.0) -> None:
        """Until no query of the bench database runs: a slow page's requests that wrk gave up
        on keep PostgreSQL busy after its run and would be charged to the next page."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            row = self.conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND state = 'active' "
                "AND pid <> pg_backend_pid()",
                (self.db,),
            ).fetchone()
            if not row or not row[0]:
                return
            time.sleep(0.2)

    def snapshot(self) -> dict[str, dict[int, float]]:
        return {
            "worker": {pid: self._cpu(pid) for pid in self._workers()},
            "pg": {pid: self._cpu(pid) for pid in self._backends()},
        }

    @staticmethod
    def spent(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]) -> dict:
        """Seconds used between two snapshots; a process that appeared in between counts from 0
        (a gunicorn worker or a database connection is never replaced during a run)."""
        return {
            side: sum(max(0.0, cpu - before[side].get(pid, 0.0)) for pid, cpu in now.items())
            for side, now in after.items()
        }

    def close(self) -> None:
        self.conn.close()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def fetch_status(url: str, cookie: str) -> int:
    """Status of one GET without following redirects (a 302 to the login page is a failure)."""
    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with opener.open(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


# ------------------------------------------------------------------------------------------
# Load
# ------------------------------------------------------------------------------------------


@dataclass
class LoadResult:
    ok: int
    bad: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    extra: dict[str, int] = field(default_factory=dict)
    # CPU seconds spent by the gunicorn workers and by PostgreSQL during the run
    cpu_worker: float = 0.0
    cpu_pg: float = 0.0

    def cpu_ms(self) -> tuple[float, float]:
        """Milliseconds of CPU per request (worker, PostgreSQL)."""
        done = self.ok + self.bad
        if not done:
            return 0.0, 0.0
        return self.cpu_worker * 1000 / done, self.cpu_pg * 1000 / done

    @property
    def per_second(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


def wrk(
    url: str,
    *,
    script: str,
    seconds: int,
    connections: int,
    threads: int,
    headers: list[str],
    script_args: list[str] | None = None,
) -> LoadResult:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "-s",
        str(HERE / script),
    ]
    for header in headers:
        command += ["-H", header]
    command.append(url)
    if script_args:
        command += ["--", *script_args]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
    match = re.search(r"^BENCH-WRK (.*)$", proc.stdout, re.M)
    if proc.returncode != 0 or not match:
        raise RuntimeError(f"wrk failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    if proc.stderr.strip():
        log("wrk: " + proc.stderr.strip().replace("\n", "\n[bench] wrk: "))
    values = dict(item.split("=") for item in match.group(1).split())
    return LoadResult(
        ok=int(values.pop("ok")),
        bad=int(values.pop("bad")),
        seconds=float(values.pop("seconds")),
        p50_ms=float(values.pop("p50_ms")),
        p99_ms=float(values.pop("p99_ms")),
        errors=int(values.pop("errors")),
        extra={k: int(v) for k, v in values.items()},
    )


def merge(parts: list[LoadResult]) -> LoadResult:
    """One result from several rounds: counts and time add up; the median latency is the mean of
    the rounds' medians, the tail the worst round's."""
    return LoadResult(
        ok=sum(p.ok for p in parts),
        bad=sum(p.bad for p in parts),
        seconds=sum(p.seconds for p in parts),
        p50_ms=sum(p.p50_ms for p in parts) / len(parts),
        p99_ms=max(p.p99_ms for p in parts),
        errors=sum(p.errors for p in parts),
        cpu_worker=sum(p.cpu_worker for p in parts),
        cpu_pg=sum(p.cpu_pg for p in parts),
    )


def measured(meter: CpuMeter | None, run: Any) -> LoadResult:
    """``run()`` (a wrk load) with the CPU it cost the server and the database."""
    if meter:
        meter.wait_idle()
    before = meter.snapshot() if meter else None
    result: LoadResult = run()
    if meter and before is not None:
        spent = meter.spent(before, meter.snapshot())
        result.cpu_worker, result.cpu_pg = spent["worker"], spent["pg"]
    return result


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


# ------------------------------------------------------------------------------------------
# Report
# ------------------------------------------------------------------------------------------


@dataclass
class Row:
    metric: str
    value: str
    target: str = ""
    verdict: str = ""


def verdict(passed: bool | None) -> str:
    return "—" if passed is None else ("PASS" if passed else "FAIL")


def fmt(number: float, digits: int = 1) -> str:
    return f"{number:,.{digits}f}".replace(",", " ")


def table(rows: list[Row]) -> str:
    header = Row("metric", "value", "target", "pass/fail")
    widths = [
        max(len(getattr(r, name)) for r in [header, *rows])
        for name in ("metric", "value", "target", "verdict")
    ]

    def line(r: Row) -> str:
        cells = [r.metric, r.value, r.target, r.verdict]
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


# ------------------------------------------------------------------------------------------
# Main
# ------------------------------------------------------------------------------------------


def main() -> int:
    cpus = os.cpu_count() or 2
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="shkola_bench")
    parser.add_argument("--small-db", default="shkola_bench_small")
    parser.add_argument("--schools", type=int, default=30)
    parser.add_argument("--rebuild", action="store_true", help="drop and seed the databases")
    parser.add_argument("--duration", type=int, default=12, help="seconds of load per page")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per page")
    parser.add_argument("--warmup", type=int, default=2, help="seconds before each page run")
    parser.add_argument("--save-duration", type=int, default=15)
    parser.add_argument("--save-clients", type=int, default=16)
    parser.add_argument("--connections", type=int, default=8, help="clients per page run")
    parser.add_argument("--workers", type=int, default=2 * cpus + 1, help="gunicorn workers")
    parser.add_argument("--out", default=str(ROOT / "test-output" / "bench.md"))
    parser.add_argument(
        "--pages",
        default="",
        help="only these page keys, comma-separated (/healthz always); skips the saves, "
        "digests and the send to every family",
    )
    parser.add_argument(
        "--no-redis", action="store_true", help="cache in worker memory even if Redis runs"
    )
    parser.add_argument(
        "--scale",
        type=int,
        default=0,
        help="schools: instead of the pages above, the scale run (scale.py) on a region of this "
        "many schools seeded with seed_region, database shkola_bench_<N> unless --db names one",
    )
    parser.add_argument("--people", type=int, default=20, help="scale run: students and teachers")
    parser.add_argument("--scale-seconds", type=float, default=30, help="scale run: per page")
    parser.add_argument("--scale-warmup", type=float, default=5)
    parser.add_argument("--scale-connections", type=int, default=4)
    parser.add_argument(
        "--rates",
        default="",
        help="scale run: requests/s per page, e.g. diary_week=8,journal_grid=3,mark_save=4",
    )
    options = parser.parse_args()

    if options.scale:
        import scale

        return scale.main(options)

    if shutil.which("wrk") is None:
        log("wrk is not installed: apt-get install -y wrk")
        return 2

    global USE_REDIS
    USE_REDIS = not options.no_redis and redis_available()
    if USE_REDIS:
        redis_flush()
        log(f"shared cache and sessions in Redis (127.0.0.1:6379/{REDIS_DB})")
    else:
        log("no Redis: the server caches in each worker's memory (--no-redis or not running)")
    seed_big = ensure_db(options.db, options.schools, options.rebuild)
    seed_small = ensure_db(options.small_db, 1, options.rebuild)
    log("collectstatic (manifest storage is used with DEBUG off)")
    manage(options.db, "collectstatic", "--noinput", "-v", "0")

    load_before = os.getloadavg()[0]
    workdir = Path(tempfile.mkdtemp(prefix="shkola-bench-"))
    log("sessions, page addresses, journal cells and query counts (big database)")
    prep = django_side(options.db, "prepare", str(workdir))
    log("query counts (small database)")
    small = django_side(options.small_db, "queries")
    pages = prep["pages"]
    cookies = prep["cookies"]
    only = {key.strip() for key in options.pages.split(",") if key.strip()}
    skipped = {"available": False, "why_missing": "не измерялось (--pages)"}
    if only:
        pages = [page for page in pages if page["key"] in only | {"healthz"}]
        prep["digests"] = skipped
    else:
        log("daily digests built per second (big database, nothing sent)")
        prep["digests"] = django_side(options.db, "digests")

    server = Server(options.db, options.workers, workdir)
    results: dict[str, LoadResult] = {}
    problems: dict[str, str] = {}
    save_result: LoadResult | None = None
    saved_rows = 0
    meter: CpuMeter | None = None
    try:
        server.wait_ready()
        meter = CpuMeter(server, options.db)
        log(f"gunicorn: {options.workers} workers at {server.base}")
        ready: list[tuple[str, str, list[str]]] = []
        for page in pages:
            if page["path"] is None:
                problems[page["key"]] = page["why_missing"] or "страницы нет"
                continue
            cookie = cookie_header(cookies[page["login"]]) if page["login"] else ""
            url = server.base + page["path"]
            status = fetch_status(url, cookie)
            if status != 200:
                why = server.last_error() if status >= 500 else ""
                problems[page["key"]] = f"HTTP {status} вместо 200" + (f": {why}" if why else "")
                log(f"{page['key']}: {url} answered {status}, not measured {why}")
                continue
            ready.append((page["key"], url, [f"Cookie: {cookie}"] if cookie else []))
        # Rounds interleave the pages with the trivial endpoint, so a neighbour's load that
        # comes and goes during the run weighs on every page alike and the ratios stay fair.
        runs: dict[str, list[LoadResult]] = {key: [] for key, _, _ in ready}
        per_round = max(1, round(options.duration / options.rounds))
        for round_number in range(options.rounds):
            for key, url, headers in ready:
                load: dict[str, Any] = dict(
                    connections=options.connections, threads=2, headers=headers
                )
                if round_number == 0:
                    wrk(url, script="count.lua", seconds=options.warmup, **load)
                runs[key].append(
                    measured(
                        meter,
                        lambda url=url, load=load: wrk(
                            url, script="count.lua", seconds=per_round, **load
                        ),
                    )
                )
        for key, parts in runs.items():
            result = merge(parts)
            results[key] = result
            log(
                f"{key}: {result.per_second:.1f}/s ok={result.ok} bad={result.bad} "
                f"p50={result.p50_ms:.0f} ms p99={result.p99_ms:.0f} ms"
            )

        save = skipped if only else prep["save"]
        if save.get("available"):
            before = django_side(options.db, "history")["history"]
            save_result = measured(
                meter,
                lambda: wrk(
                    server.base + "/",
                    script="save.lua",
                    seconds=options.save_duration,
                    connections=options.save_clients,
                    threads=2,
                    headers=[],
                    script_args=[str(workdir / "cells.txt"), "2"],
                ),
            )
            saved_rows = django_side(options.db, "history")["history"] - before
            log(
                f"saves: ok={save_result.ok} bad={save_result.bad} history rows={saved_rows} "
                f"in {save_result.seconds:.1f} s"
            )
        else:
            problems["save"] = save.get("why_missing") or "сохранения отметки нет"
    finally:
        if meter is not None:
            meter.close()
        server.stop()
    if only:
        send: dict[str, Any] = skipped
    else:
        log("one message to every family of the largest school")
        send = django_side(options.db, "send")

    rows = build_rows(
        options,
        pages,
        results,
        problems,
        prep,
        small,
        save_result,
        saved_rows,
        seed_big,
        seed_small,
    )
    rows.append(send_row(send))
    text = table(rows)
    print()
    print(text)
    out = Path(options.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        "# Shkola benchmark (make bench)\n\n"
        f"{time.strftime('%Y-%m-%d %H:%M:%S')}, {cpus} CPUs, gunicorn {options.workers} sync "
        f"workers, wrk {options.connections} connections × {options.duration} s per page, "
        f"{options.save_clients} clients × {options.save_duration} s of saves, cache and "
        f"sessions {'in Redis' if USE_REDIS else 'in worker memory'}. Load average "
        f"{load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end (the bench's own "
        "load included; other work on the machine moves absolute figures, the ratios much "
        "less).\n\n"
        f"{text}\n",
        encoding="utf-8",
    )
    log(f"written to {out}")
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


def send_row(send: dict[str, Any]) -> Row:
    label = "message to every family of a school: request time"
    if not send.get("available"):
        why = send.get("why_missing") or f"HTTP {send.get('status')}"
        return Row(label, f"NOT MEASURED — {why}", f"< {TARGET_SEND_SECONDS:.0f} s", "FAIL")
    return Row(
        label,
        f"{send['seconds'] * 1000:.0f} ms ({fmt(send['copies'], 0)} copies to "
        f"{fmt(send['parents'], 0)} parents of {fmt(send['students'], 0)} students)",
        f"< {TARGET_SEND_SECONDS:.0f} s",
        verdict(send["seconds"] < TARGET_SEND_SECONDS),
    )


def build_rows(
    options: argparse.Namespace,
    pages: list[dict[str, Any]],
    results: dict[str, LoadResult],
    problems: dict[str, str],
    prep: dict[str, Any],
    small: dict[str, Any],
    save_result: LoadResult | None,
    saved_rows: int,
    seed_big: float | None,
    seed_small: float | None,
) -> list[Row]:
    def size(db: str, data: dict[str, int]) -> str:
        return (
            f"{db}: {data['organisations']} schools, {fmt(data['students'], 0)} students, "
            f"{fmt(data['lessons'], 0)} lessons, {fmt(data['marks'], 0)} marks"
        )

    rows = [
        Row("database", size(options.db, prep["data"])),
        Row("small database (query counts)", size(options.small_db, small["data"])),
        Row(
            "seed_demo time",
            f"{fmt(seed_big, 0)} s (--schools {options.schools})"
            if seed_big is not None
            else "reused (run with --rebuild to time the seed)",
        ),
    ]
    if seed_small is not None:
        rows.append(Row("seed_demo time, small database", f"{fmt(seed_small, 0)} s (--schools 1)"))
    trivial = results.get("healthz")
    for page in pages:
        key, label = page["key"], page["label"]
        result = results.get(key)
        if result is None:
            rows.append(
                Row(f"{label}: req/s", f"NOT MEASURED — {problems.get(key, '')}", "", "FAIL")
            )
            continue
        note = f" ({result.bad} non-200)" if result.bad or result.errors else ""
        worker_ms, pg_ms = result.cpu_ms()
        rows.append(
            Row(
                f"{label}: req/s",
                f"{fmt(result.per_second)} (p50 {fmt(result.p50_ms, 0)} ms, "
                f"p99 {fmt(result.p99_ms, 0)} ms; CPU {worker_ms:.1f} ms worker + "
                f"{pg_ms:.1f} ms PostgreSQL per request){note}",
            )
        )
        if key != "healthz" and trivial and trivial.per_second:
            ratio = result.per_second / trivial.per_second
            target = TARGET_RATIO.get(key)
            rows.append(
                Row(
                    f"{label}: ratio to /healthz",
                    # a report over every school is far below 0.001: show its digits
                    f"{ratio:.3f}" if ratio >= 0.001 else f"{ratio:.1e}",
                    f"≥ {target}" if target else "",
                    verdict(ratio >= target if target else None),
                )
            )
    if save_result is not None:
        # wrk's 2xx count is the figure; the history rows prove each was a real change (a few
        # more rows than responses are the saves still in flight when wrk stopped counting).
        honest = saved_rows >= save_result.ok
        worker_ms, pg_ms = save_result.cpu_ms()
        rows.append(
            Row(
                f"marks saved/s, {options.save_clients} clients",
                f"{fmt(save_result.per_second)} ({save_result.ok} saved in "
                f"{fmt(save_result.seconds)} s, {save_result.bad} failed, {saved_rows} history "
                f"rows, p50 {fmt(save_result.p50_ms, 0)} ms, p99 {fmt(save_result.p99_ms, 0)} ms; "
                f"CPU {worker_ms:.1f} ms worker + {pg_ms:.1f} ms PostgreSQL per save)",
            )
        )
        if trivial and trivial.per_second:
            ratio = save_result.per_second / trivial.per_second
            rows.append(
                Row(
                    "marks saved/s: ratio to /healthz req/s",
                    f"{ratio:.3f}",
                    f"≥ {TARGET_SAVE_RATIO}",
                    verdict(ratio >= TARGET_SAVE_RATIO and save_result.bad == 0 and honest),
                )
            )
    else:
        rows.append(
            Row(
                "marks saved/s",
                f"NOT MEASURED — {problems.get('save', '')}",
                f"≥ {TARGET_SAVE_RATIO} × /healthz",
                "FAIL",
            )
        )
    digest = prep.get("digests") or {}
    if digest.get("available"):
        rows.append(
            Row(
                "daily digests built/s",
                f"{fmt(digest['per_second'])} ({digest['families']} families, "
                f"{digest['letters']} letters with {digest['marks']} marks in "
                f"{fmt(digest['seconds'])} s)",
                f"≥ {TARGET_DIGESTS:.0f}",
                verdict(digest["per_second"] >= TARGET_DIGESTS),
            )
        )
    else:
        rows.append(
            Row(
                "daily digests built/s",
                f"NOT MEASURED — {digest.get('why_missing', '')}",
                f"≥ {TARGET_DIGESTS:.0f}",
                "FAIL",
            )
        )
    for page in pages:
        key = page["key"]
        if not page["login"]:
            continue
        big_q = prep["queries"].get(key)
        small_q = small["queries"].get(key)
        if big_q is None:
            rows.append(Row(f"{page['label']}: SQL queries", "MISSING", "", "FAIL"))
            continue
        same = small_q is not None and small_q["queries"] == big_q["queries"]
        value = f"{big_q['queries']} (small DB: {small_q['queries'] if small_q else '—'})"
        if big_q["status"] != 200:
            value += f", HTTP {big_q['status']}"
        budget = TARGET_QUERIES.get(key)
        target = f"≤ {budget}, same on both" if budget else "same on both"
        passed = same and big_q["status"] == 200 and (budget is None or big_q["queries"] <= budget)
        rows.append(Row(f"{page['label']}: SQL queries", value, target, verdict(passed)))
    return rows


if __name__ == "__main__":
    sys.exit(main())
