"""`make bench SCHOOLS=N`: latency of the hot pages at a fixed load on a region of N schools
(issue 15), to compare region sizes.

1. The database ``shkola_bench_<N>`` (``--db`` to name another) is built once with
   ``seed_region --schools N`` (the COPY seeder) and reused; ``--rebuild`` builds it again.
2. django_side.py ``scale`` chooses the people, comparable between sizes: 7th-graders outside
   the demo school with the most common number of marks in their last full week, and the
   algebra teachers of 7th-grade classes of the most common size, spread evenly over the
   region (not the first ids), with the cells those teachers may save.
3. gunicorn serves as in the main bench. For each of the diary week, the journal grid and the
   mark save, a fixed load: ``--rate`` requests per second in total, sent on schedule over
   ``--connections`` keep-alive connections whatever the server's pace (an open-loop load, as
   wrk2 makes it; wrk itself only keeps connections busy, so its rate follows the server). A
   request's latency counts from the moment it was due, so a stalled server's queue is in the
   figures (no coordinated omission). CPU per request of the workers and PostgreSQL as in the
   main bench.
4. Writes test-output/bench-scale-<N>.json, and a table over every size measured so far —
   p50, p95, the ratio of p95 to the smallest size's, target ≤ 1.2 — to
   test-output/bench-scale.md."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import run as bench

TARGET_P95_RATIO = 1.2
# Fixed loads (requests per second). Chosen so that on 2 cores shared with other work the
# 30-school region runs well below saturation: latency, not queueing, is what is compared.
RATES = {"diary_week": 8.0, "journal_grid": 3.0, "mark_save": 4.0}
LABELS = {
    "diary_week": "Дневник: неделя",
    "journal_grid": "Журнал: сетка учителя",
    "mark_save": "Сохранение отметки",
}


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: str | None = None


@dataclass
class Measurement:
    page: str
    rate: float
    connections: int
    seconds: float
    sent: int
    ok: int
    bad: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    cpu_worker_ms: float = 0.0
    cpu_pg_ms: float = 0.0

    @property
    def per_core(self) -> float:
        """Requests one core serves per second at this CPU cost (workers + PostgreSQL)."""
        cost = self.cpu_worker_ms + self.cpu_pg_ms
        return 1000 / cost if cost else 0.0


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def fixed_rate(
    port: int, requests: list[Request], *, rate: float, seconds: float, connections: int
) -> tuple[list[float], list[int]]:
    """Send request i at start + i/rate on connection i % connections; latency from that
    moment to the end of the response, in milliseconds; status -1 for a broken connection."""
    total = int(rate * seconds)
    latencies = [0.0] * total
    statuses = [0] * total
    start = time.perf_counter() + 0.5

    def worker(lane: int) -> None:
        conn = http.client.HTTPConnection(bench.HOST, port, timeout=60)
        for i in range(lane, total, connections):
            due = start + i / rate
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            request = requests[i % len(requests)]
            try:
                conn.request(request.method, request.path, request.body, request.headers)
                response = conn.getresponse()
                response.read()
                statuses[i] = response.status
            except (OSError, http.client.HTTPException):
                statuses[i] = -1
                conn.close()
                conn = http.client.HTTPConnection(bench.HOST, port, timeout=60)
            latencies[i] = (time.perf_counter() - due) * 1000
        conn.close()

    threads = [threading.Thread(target=worker, args=(lane,)) for lane in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses


def measure(
    meter: bench.CpuMeter,
    port: int,
    page: str,
    requests: list[Request],
    *,
    rate: float,
    seconds: float,
    warmup: float,
    connections: int,
) -> Measurement:
    if warmup:
        fixed_rate(port, requests, rate=rate, seconds=warmup, connections=connections)
        # the saves' warm-up used the first cells: the measured run takes the next ones
        if page == "mark_save":
            requests = requests[int(rate * warmup) :]
    meter.wait_idle()
    before = meter.snapshot()
    latencies, statuses = fixed_rate(
        port, requests, rate=rate, seconds=seconds, connections=connections
    )
    spent = meter.spent(before, meter.snapshot())
    ok = sum(1 for s in statuses if 200 <= s < 300)
    done = len(statuses) or 1
    return Measurement(
        page=page,
        rate=rate,
        connections=connections,
        seconds=seconds,
        sent=len(statuses),
        ok=ok,
        bad=len(statuses) - ok,
        p50_ms=percentile(latencies, 0.50),
        p95_ms=percentile(latencies, 0.95),
        p99_ms=percentile(latencies, 0.99),
        max_ms=max(latencies, default=0.0),
        cpu_worker_ms=spent["worker"] * 1000 / done,
        cpu_pg_ms=spent["pg"] * 1000 / done,
    )


def ensure_region(db: str, schools: int, rebuild: bool) -> float | None:
    """Migrated database holding a region of ``schools`` schools; the seed's seconds when it
    had to build one."""
    import psycopg

    with psycopg.connect(f"{bench.PG}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db,)).fetchone()
        if exists and rebuild:
            bench.log(f"dropping {db}")
            conn.execute(f'DROP DATABASE "{db}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{db}"')
    bench.manage(db, "migrate", "--noinput", "-v", "0")
    found = bench.organisations(db)
    if found:
        if found != schools:
            raise SystemExit(f"{db} holds {found} schools, not {schools}: --rebuild")
        bench.log(f"reusing {db}: {found} schools (--rebuild to build it again)")
        return None
    bench.log(f"seeding {db}: seed_region --schools {schools}")
    started = time.monotonic()
    bench.manage(db, "seed_region", "--schools", str(schools))
    seconds = time.monotonic() - started
    bench.log(f"seeded {db} in {seconds:.0f} s")
    return seconds


def _cookie(cookies: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def main(options: argparse.Namespace) -> int:
    schools = options.scale
    db = options.db if options.db != "shkola_bench" else f"shkola_bench_{schools}"
    bench.USE_REDIS = not options.no_redis and bench.redis_available()
    if bench.USE_REDIS:
        bench.redis_flush()
    seeded = ensure_region(db, schools, options.rebuild)
    bench.vacuum_analyze(db)
    bench.manage(db, "collectstatic", "--noinput", "-v", "0")
    workdir = Path(tempfile.mkdtemp(prefix="shkola-scale-"))
    bench.log("choosing comparable people (django_side.py scale)")
    prep = bench.django_side(db, "scale", str(workdir), str(options.people))
    host = {"Host": bench.HOST}
    diary = [
        Request("GET", p["path"], {**host, "Cookie": _cookie(p["cookies"])}) for p in prep["diary"]
    ]
    grids = [
        Request("GET", p["path"], {**host, "Cookie": _cookie(p["cookies"])}) for p in prep["grids"]
    ]
    saves = []
    for line in (workdir / "cells.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        path, cookie, csrf, body = line.split("\t")
        saves.append(
            Request(
                "POST",
                path,
                {
                    **host,
                    "Cookie": cookie,
                    "X-CSRFToken": csrf,
                    "Content-Type": "application/x-www-form-urlencoded",
                    "HX-Request": "true",
                },
                body,
            )
        )
    rates = dict(RATES)
    for item in options.rates.split(","):
        if item.strip():
            key, value = item.split("=")
            rates[key.strip()] = float(value)
    needed = int(rates["mark_save"] * (options.scale_seconds + options.scale_warmup)) + 1
    if len(saves) < needed:
        bench.log(f"only {len(saves)} cells for {needed} saves: later saves repeat a cell (409)")
    server = bench.Server(db, options.workers, workdir)
    results: list[Measurement] = []
    load_before = os.getloadavg()[0]
    try:
        server.wait_ready()
        meter = bench.CpuMeter(server, db)
        try:
            for page, requests in (
                ("diary_week", diary),
                ("journal_grid", grids),
                ("mark_save", saves),
            ):
                if not requests:
                    bench.log(f"{page}: nothing to request")
                    continue
                result = measure(
                    meter,
                    server.port,
                    page,
                    requests,
                    rate=rates[page],
                    seconds=options.scale_seconds,
                    warmup=options.scale_warmup,
                    connections=options.scale_connections,
                )
                results.append(result)
                bench.log(
                    f"{page}: {result.ok}/{result.sent} ok at {result.rate}/s, "
                    f"p50 {result.p50_ms:.0f} ms, p95 {result.p95_ms:.0f} ms, CPU "
                    f"{result.cpu_worker_ms:.1f} + {result.cpu_pg_ms:.1f} ms"
                )
        finally:
            meter.close()
    finally:
        server.stop()
    out_dir = Path(options.out).parent
    out_dir.mkdir(parents=True, exist_ok=True)
    record = {
        "schools": schools,
        "db": db,
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "seed_seconds": seeded,
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        "workers": options.workers,
        "redis": bench.USE_REDIS,
        "people": {k: v for k, v in prep.items() if k not in ("diary", "grids")}
        | {"students": len(diary), "teachers": len(grids)},
        "results": [asdict(r) | {"per_core": r.per_core} for r in results],
    }
    (out_dir / f"bench-scale-{schools}.json").write_text(
        json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    # every run also kept, to report repeated runs
    runs = out_dir / "bench-scale-runs.jsonl"
    with runs.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    text = compare(out_dir)
    print()
    print(text)
    (out_dir / "bench-scale.md").write_text(text + "\n", encoding="utf-8")
    bench.log(f"written to {out_dir / 'bench-scale.md'}")
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


def compare(out_dir: Path) -> str:
    """The table over every size measured (the latest run of each)."""
    records = sorted(
        (json.loads(p.read_text(encoding="utf-8")) for p in out_dir.glob("bench-scale-*.json")),
        key=lambda r: r["schools"],
    )
    if not records:
        return "no scale runs"
    smallest = records[0]
    reference = {r["page"]: r for r in smallest["results"]}
    lines = [
        "# Shkola at a fixed load, by region size (make bench SCHOOLS=N)",
        "",
        "| schools | students | marks | DB size | seeding |",
        "|---|---|---|---|---|",
    ]
    for r in records:
        data = r["people"]["data"]
        seed = f"{r['seed_seconds']:.0f} s" if r.get("seed_seconds") else "reused"
        lines.append(
            f"| {r['schools']} | {data['students']:,} | {data['marks']:,} | "
            f"{r['people']['db_bytes'] / 2**30:.1f} GiB | {seed} |".replace(",", " ")
        )
    lines += [
        "",
        "| page | schools | load | ok | p50 ms | p95 ms | p99 ms | CPU ms/req (worker + PG) "
        f"| req/s per core | p95 / p95({smallest['schools']}) | target ≤ {TARGET_P95_RATIO} |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for page in LABELS:
        for r in records:
            row = next((x for x in r["results"] if x["page"] == page), None)
            if row is None:
                continue
            base = reference.get(page)
            ratio = row["p95_ms"] / base["p95_ms"] if base and base["p95_ms"] else 0.0
            verdict = (
                "—"
                if r is smallest
                else ("PASS" if ratio <= TARGET_P95_RATIO and not row["bad"] else "FAIL")
            )
            lines.append(
                f"| {LABELS[page]} | {r['schools']} | {row['rate']:g}/s × {row['seconds']:g} s, "
                f"{row['connections']} conn | {row['ok']}/{row['sent']} | {row['p50_ms']:.0f} | "
                f"{row['p95_ms']:.0f} | {row['p99_ms']:.0f} | {row['cpu_worker_ms']:.1f} + "
                f"{row['cpu_pg_ms']:.1f} | {row['per_core']:.0f} | "
                f"{ratio:.2f} | {verdict} |"
            )
    lines.append("")
    for r in records:
        people = r["people"]
        lines.append(
            f"- {r['schools']} schools ({r['when']}, load average {r['load_before']:.1f} → "
            f"{r['load_after']:.1f}): diary week of {people['week']}, {people['students']} "
            f"students with {people['diary_marks']} marks that week (of {people['diary_candidates']} "
            f"such); grids of 7th-grade classes of {people['class_size']} students, "
            f"{people['grid_marks_mean']:.0f} marks in the period on average; {people['cells']} "
            "cells to save."
        )
    return "\n".join(lines)
