"""A throwaway PostgreSQL primary and streaming replica for tests (issue 15), made with the
server's own tools: ``initdb``, ``pg_basebackup -R`` and ``pg_ctl``, in temporary
directories, on ports the OS hands out. The PostgreSQL everyone else uses (5432) is never
touched. As root the servers run as the ``postgres`` user (PostgreSQL refuses root).

    with streaming_pair() as pair:
        pair.primary.url("shkola")  # postgres://postgres@127.0.0.1:<port>/shkola
        pair.replica.sql("SELECT pg_wal_replay_pause()")
        pair.replica.stop()

Everything is stopped and removed when the block ends, whatever happened inside."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def postgres_bin() -> Path | None:
    """Debian's newest PostgreSQL server binaries (15 or later), or None."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_basebackup"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    for path in reversed(found):
        version = path.parent.parent.name
        if version.isdigit() and int(version) >= 15 and (path.parent / "initdb").exists():
            return path.parent
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    """Poll ``condition`` until it holds (a loaded CI machine gets a generous deadline)."""
    deadline = time.monotonic() + timeout
    delay = 0.05
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what} after {timeout:.0f} s")
        time.sleep(delay)
        delay = min(delay * 1.5, 0.5)


@dataclass
class Server:
    name: str
    bin: Path
    data: Path
    port: int
    as_postgres: bool
    running: bool = False

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if check and done.returncode != 0:
            raise RuntimeError(f"{self.name}: {' '.join(args[:2])} failed:\n{done.stderr}")
        return done

    @property
    def log(self) -> Path:
        return self.data.parent / f"{self.name}.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = (
            f"-c port={self.port} -c listen_addresses=127.0.0.1"
            f" -c unix_socket_directories={self.data}"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "120",
                  "-o", options, "start")  # fmt: skip
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        if self.running or (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)
        self.running = False

    def sql(self, statement: str, database: str = "postgres") -> str:
        done = self._run(
            "psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
            "-p", str(self.port), "-U", "postgres", "-d", database, "-c", statement,
        )  # fmt: skip
        return done.stdout.strip()


@dataclass
class Pair:
    primary: Server
    replica: Server

    def replica_lag_seconds(self) -> float:
        """The replica's own view: time since the last transaction it replayed."""
        value = self.replica.sql(
            "SELECT COALESCE(EXTRACT(EPOCH FROM clock_timestamp()"
            " - pg_last_xact_replay_timestamp()), 0)"
        )
        return float(value)

    def pause_replay(self) -> None:
        self.replica.sql("SELECT pg_wal_replay_pause()")
        wait_for(
            lambda: self.replica.sql("SELECT pg_get_wal_replay_pause_state()") == "paused",
            "the replica to pause its replay",
        )

    def resume_replay(self) -> None:
        self.replica.sql("SELECT pg_wal_replay_resume()")

    def wait_caught_up(self) -> None:
        target = self.primary.sql("SELECT pg_current_wal_lsn()")
        wait_for(
            lambda: self.replica.sql(f"SELECT pg_last_wal_replay_lsn() >= '{target}'") == "t",
            "the replica to replay the primary's WAL",
        )


# Throwaway clusters: durability is not wanted, speed is (the migration writes a lot).
_PRIMARY_SETTINGS = """
wal_level = replica
max_wal_senders = 4
hot_standby = on
fsync = off
synchronous_commit = off
shared_buffers = 32MB
max_connections = 40
"""


@contextmanager
def streaming_pair(prepare: Callable[[Server], None] | None = None) -> Iterator[Pair]:
    """Start a primary, run ``prepare(primary)`` (migrate, seed: the replica is cloned with
    the data), then clone and start the replica. Stopped and removed in any case."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL server binaries (15+) not found under /usr/lib/postgresql")
    as_postgres = os.geteuid() == 0
    # Not pytest's tmp_path: its parents are root's 0700 directories the postgres user
    # cannot enter.
    root = Path(tempfile.mkdtemp(prefix=f"shkola-pair-{os.getpid()}-"))
    primary = Server("primary", bin_dir, root / "primary", free_port(), as_postgres)
    replica = Server("replica", bin_dir, root / "replica", free_port(), as_postgres)
    try:
        if as_postgres:
            entry = pwd.getpwnam("postgres")
            os.chown(root, entry.pw_uid, entry.pw_gid)
        root.chmod(0o700)
        primary._run(
            "initdb", "-D", str(primary.data), "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        with (primary.data / "postgresql.conf").open("a") as conf:
            conf.write(_PRIMARY_SETTINGS)
        primary.start()
        if prepare is not None:
            prepare(primary)
        primary._run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
            "-D", str(replica.data), "-R", "-X", "stream", "-c", "fast", "--no-sync",
        )  # fmt: skip
        replica.start()
        pair = Pair(primary, replica)
        pair.wait_caught_up()
        yield pair
    finally:
        for server in (replica, primary):
            try:
                server.stop("immediate")
            except Exception:  # noqa: BLE001 - cleanup goes on whatever failed
                pass
        shutil.rmtree(root, ignore_errors=True)
