"""What `make region`, `make region-down` and `make region-drill` share: where each part of the
region answers on this machine, the environment the app processes get, the rendering of the
deploy/ templates and the handling of the background processes and their pid files.

The region's ports sit together and away from the shared services (PostgreSQL 5432 is the
primary and is used as it is; the Redis on 6379 belongs to others and is never touched)."""

from __future__ import annotations

import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
VAR = ROOT / "var" / "region"
RUN = VAR / "run"  # pid files
LOG = VAR / "log"
HOST = "127.0.0.1"
PYTHON = sys.executable

PG_BIN = Path(os.environ.get("REGION_PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_VERSION, PG_CLUSTER = "15", "main"
DB = os.environ.get("REGION_DB", "shkola_region")
SCHOOLS = int(os.environ.get("REGION_SCHOOLS", "2"))
# Families given an account (and a confirmed address) in the demo region: they read diaries in
# the drill and receive the evening digest. The seed gives accounts only to the demo logins.
FAMILY_ACCOUNTS = int(os.environ.get("REGION_FAMILIES", "300"))
TEACHER_ACCOUNTS = int(os.environ.get("REGION_TEACHERS", "8"))

# The worker command of the region, in one place (issue 15's `manage.py worker` replaces it).
WORKER_COMMAND = os.environ.get("REGION_WORKER_COMMAND", "manage.py worker --interval 1")
TICKER_COMMAND = "manage.py send_digests --loop 60"
WORKERS = 2
WEB_WORKERS = int(os.environ.get("REGION_WEB_WORKERS", "2"))  # per app server: 2 cores here


@dataclass(frozen=True)
class Ports:
    primary: int = 5432
    replica: int = int(os.environ.get("REGION_REPLICA_PORT", "5433"))
    restore: int = int(os.environ.get("REGION_RESTORE_PORT", "5434"))
    pgbouncer: int = int(os.environ.get("REGION_PGBOUNCER_PORT", "6433"))
    redis: int = int(os.environ.get("REGION_REDIS_PORT", "6380"))
    nginx: int = int(os.environ.get("REGION_NGINX_PORT", "8480"))
    app: tuple[int, ...] = (
        int(os.environ.get("REGION_APP1_PORT", "8481")),
        int(os.environ.get("REGION_APP2_PORT", "8482")),
    )
    smtp: int = int(os.environ.get("REGION_SMTP_PORT", "8025"))


PORTS = Ports()
REPLICA_DIR = VAR / "replica"
RESTORE_DIR = VAR / "restore"
BACKUP_DIR = VAR / "backup"
SECRETS = VAR / "secrets.env"


def log(message: str) -> None:
    print(f"[region] {message}", flush=True)


def pg_url(port: int, db: str = DB) -> str:
    return f"postgres://postgres@{HOST}:{port}/{db}"


def public_url() -> str:
    return f"http://{HOST}:{PORTS.nginx}"


# ------------------------------------------------------------------------------------------
# Secrets and the environment of the app processes
# ------------------------------------------------------------------------------------------


def read_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            if "=" in line and not line.lstrip().startswith("#"):
                key, value = line.split("=", 1)
                values[key.strip()] = value.strip()
    return values


def region_secrets() -> dict[str, str]:
    """SECRET_KEY and the password of the region's accounts, made once per machine (the
    demo's published password is refused with DEBUG off, as in production)."""
    values = read_env_file(SECRETS)
    if {"SECRET_KEY", "REGION_PASSWORD"} <= values.keys():
        return values
    VAR.mkdir(parents=True, exist_ok=True)
    values = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "REGION_PASSWORD": "region-" + secrets.token_hex(4),
    }
    SECRETS.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    SECRETS.chmod(0o600)
    return values


def app_env(*, direct: bool = False) -> dict[str, str]:
    """Production settings (DEBUG off) as deploy/README.md describes them, on loopback: the
    primary through PgBouncer, the replica for family pages, Redis for cache and sessions,
    nginx as the one trusted proxy. ``direct``: straight to the primary, for migrate and the
    seed (schema changes and bulk loads do not go through a transaction pooler)."""
    keep_out = {"DEBUG", "SHKOLA_TESTING", "DJANGO_SETTINGS_MODULE", "REDIS_URL", "DATABASE_URL"}
    env = {k: v for k, v in os.environ.items() if k not in keep_out}
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": region_secrets()["SECRET_KEY"],
            "ALLOWED_HOSTS": f"{HOST},localhost",
            # plain HTTP on loopback; deploy/nginx terminates TLS in a real region
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "TRUSTED_PROXY_COUNT": "1",
            "REDIS_URL": f"redis://{HOST}:{PORTS.redis}/0",
            "CACHE_KEY_PREFIX": f"region-{DB}",
            "EMAIL_URL": f"smtp://{HOST}:{PORTS.smtp}",
            "SHKOLA_PUBLIC_URL": public_url(),
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            # `manage.py worker` (docs/workers.md): a killed worker's task is taken back after
            # 10 s, not a minute, so the drill stays short (a region keeps the defaults)
            "WORKER_HEARTBEAT_SECONDS": "2",
            "WORKER_STALE_SECONDS": "10",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if direct:
        env.update({"DATABASE_URL": pg_url(PORTS.primary), "DB_CONN_MAX_AGE": "0"})
    else:
        env.update(
            {
                "DATABASE_URL": pg_url(PORTS.pgbouncer),
                "DB_CONN_MAX_AGE": "600",
                "CONN_HEALTH_CHECKS": "1",
                # transaction pooling: no server-side cursors, no prepared statements
                "DB_DISABLE_SERVER_SIDE_CURSORS": "1",
                "DB_PREPARED_STATEMENTS": "0",
                "DATABASE_REPLICA_URLS": pg_url(PORTS.replica),
                "REPLICA_MAX_LAG_SECONDS": "10",
                "READ_YOUR_WRITES_SECONDS": "15",
            }
        )
    return env


def manage(*args: str, direct: bool = True, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=app_env(direct=direct), check=check
    )


# ------------------------------------------------------------------------------------------
# Templates of deploy/
# ------------------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\$\{(SHKOLA_[A-Z0-9_]+)\}")


def render_template(text: str, values: Mapping[str, str]) -> str:
    """``${SHKOLA_…}`` placeholders replaced (what ``envsubst`` with a list of names does);
    nginx's own ``$host`` and friends stay. A placeholder without a value is an error, not
    an empty string in a config file."""
    missing = sorted({name for name in _PLACEHOLDER.findall(text) if name not in values})
    if missing:
        raise KeyError(f"no value for {', '.join(missing)}")
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def ini_override(text: str, changes: Mapping[str, Mapping[str, str]]) -> str:
    """An ini file (PgBouncer's) with some keys of some sections given other values: a key
    present (or commented out as ``;key =``) is replaced in place, a missing one is added at
    the end of its section, a missing section at the end. Comments and order stay, so the
    result reads like the file in deploy/ it came from."""
    pending = {section: dict(keys) for section, keys in changes.items()}
    out: list[str] = []
    section = ""

    def flush(name: str) -> None:
        for key, value in pending.pop(name, {}).items():
            out.append(f"{key} = {value}")

    for line in text.splitlines():
        header = re.match(r"^\s*\[([^\]]+)\]\s*$", line)
        if header:
            flush(section)
            section = header.group(1)
            out.append(line)
            continue
        entry = re.match(r"^\s*;?\s*([A-Za-z0-9_.*-]+)\s*=", line)
        wanted = pending.get(section, {})
        if entry and entry.group(1) in wanted:
            out.append(f"{entry.group(1)} = {wanted.pop(entry.group(1))}")
            continue
        out.append(line)
    flush(section)
    for name in list(pending):
        out += ["", f"[{name}]"]
        flush(name)
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------------------------
# Processes
# ------------------------------------------------------------------------------------------


def reachable_by_postgres() -> None:
    """The postgres user must reach var/region/ (the replica's and the restore's clusters live
    there): var/ may have been made 0700 before, e.g. by Django's file cache of `make demo`.
    Only the search bit is added, inside the project; nothing becomes readable."""
    VAR.mkdir(parents=True, exist_ok=True)
    for directory in (ROOT, ROOT / "var", VAR):
        mode = directory.stat().st_mode
        if not mode & 0o001:
            directory.chmod(mode | 0o001)
    for directory in ROOT.parents:
        if not directory.stat().st_mode & 0o001:
            raise SystemExit(
                f"the postgres user cannot enter {directory}: the replica lives under "
                f"{VAR}; allow it (chmod o+x {directory}) or clone the project elsewhere"
            )


def pid_path(name: str) -> Path:
    return RUN / f"{name}.pid"


def read_pid(path: Path) -> int | None:
    try:
        pid = int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pid if alive(pid) else None


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child of ours is dead for every purpose here
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def start_background(name: str, command: Sequence[str], env: Mapping[str, str]) -> int:
    """Start ``command`` in its own session, output to var/region/log/<name>.log, pid in
    var/region/run/<name>.pid. Already running: left alone (idempotent)."""
    running = read_pid(pid_path(name))
    if running:
        return running
    RUN.mkdir(parents=True, exist_ok=True)
    LOG.mkdir(parents=True, exist_ok=True)
    with (LOG / f"{name}.log").open("ab") as output:
        proc = subprocess.Popen(
            list(command),
            cwd=ROOT,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    pid_path(name).write_text(f"{proc.pid}\n")
    return proc.pid


def stop_pid(pid: int, *, timeout: float = 20.0, group: bool = True) -> None:
    """SIGTERM (to its process group: gunicorn's and the supervisors' children go too), then
    SIGKILL when it outlives ``timeout``."""

    def send(sig: int) -> None:
        try:
            if group:
                os.killpg(pid, sig)
            else:
                os.kill(pid, sig)
        except ProcessLookupError:
            pass
        except PermissionError:
            os.kill(pid, sig)

    send(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if alive(pid):
        send(signal.SIGKILL)
        while alive(pid):
            time.sleep(0.1)


def stop_named(name: str, *, timeout: float = 20.0) -> bool:
    path = pid_path(name)
    pid = read_pid(path)
    if pid:
        stop_pid(pid, timeout=timeout)
    path.unlink(missing_ok=True)
    return pid is not None


def port_open(port: int, host: str = HOST) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def wait_for(what: str, check: object, timeout: float = 60.0, pause: float = 0.3) -> float:
    """Seconds until ``check()`` is true; RuntimeError after ``timeout``."""
    started = time.monotonic()
    while not check():  # type: ignore[operator]
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"{what}: not ready after {timeout:.0f} s")
        time.sleep(pause)
    return time.monotonic() - started


def http_ok(url: str, timeout: float = 3.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status) == 200
    except (urllib.error.URLError, OSError):
        return False


def as_postgres(
    *command: str | Path, check: bool = True, **kwargs: object
) -> subprocess.CompletedProcess:
    """A PostgreSQL binary as the postgres user (it refuses root; data dirs are its own)."""
    args = [str(part) for part in command]
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    return subprocess.run(args, check=check, **kwargs)  # type: ignore[call-overload]


def pg_ready(port: int) -> bool:
    return (
        subprocess.run(
            ["pg_isready", "-q", "-h", HOST, "-p", str(port)], stdout=subprocess.DEVNULL
        ).returncode
        == 0
    )


def psql(port: int, sql: str, db: str = DB) -> str:
    result = subprocess.run(
        [
            "psql",
            "-X",
            "-At",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            HOST,
            "-p",
            str(port),
            "-U",
            "postgres",
            "-d",
            db,
            "-c",
            sql,
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


def command_line(text: str) -> list[str]:
    """``manage.py …`` run by this venv's python; anything else as written."""
    parts = shlex.split(text)
    if parts and parts[0].endswith(".py"):
        return [PYTHON, *parts]
    return parts
