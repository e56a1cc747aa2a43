"""`make region` / `make region-down`: a whole Shkola region on this machine (issue 15).

    python scripts/region/region.py up      bring every part up (idempotent) and say where
    python scripts/region/region.py down    stop every part, remove the replica cluster
                                            (--drop-database drops shkola_region too)
    python scripts/region/region.py status  what runs

The parts, each in the background with its pid file under var/region/run (or the cluster's
postmaster.pid), its log under var/region/log:

    PostgreSQL primary   the cluster on 127.0.0.1:5432 (15/main), database shkola_region
    streaming replica    pg_basebackup -R of the primary into var/region/replica, port 5433
    PgBouncer            deploy/pgbouncer/pgbouncer.ini, transaction pooling, port 6433
    Redis                a private redis-server on port 6380 (the shared 6379 is not touched)
    app servers          gunicorn -c deploy/gunicorn.conf.py on ports 8481 and 8482
    nginx                deploy/nginx/shkola.conf.template on port 8480, own config and pid
    workers              two of WORKER_COMMAND (regionlib), kept running by supervise.py
    digest ticker        manage.py send_digests --loop 60

Runs as root: it installs nginx and pgbouncer with apt-get when missing and runs the
PostgreSQL binaries as the postgres user."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from regionlib import (  # noqa: E402
    DB,
    DEPLOY,
    LOG,
    PG_BIN,
    PG_CLUSTER,
    PG_VERSION,
    PORTS,
    PYTHON,
    REPLICA_DIR,
    RESTORE_DIR,
    ROOT,
    RUN,
    TICKER_COMMAND,
    VAR,
    WEB_WORKERS,
    WORKER_COMMAND,
    WORKERS,
    app_env,
    as_postgres,
    command_line,
    http_ok,
    ini_override,
    log,
    manage,
    pg_ready,
    pid_path,
    port_open,
    psql,
    reachable_by_postgres,
    read_pid,
    region_secrets,
    render_template,
    start_background,
    stop_named,
    stop_pid,
    wait_for,
)

PACKAGES = {"nginx": "/usr/sbin/nginx", "pgbouncer": "/usr/sbin/pgbouncer"}
HBA = Path(f"/etc/postgresql/{PG_VERSION}/{PG_CLUSTER}/pg_hba.conf")
HBA_LINE = "host    replication     postgres        127.0.0.1/32            trust"
NGINX_DIR = VAR / "nginx"
PGBOUNCER_DIR = VAR / "pgbouncer"
REDIS_DIR = VAR / "redis"


# ------------------------------------------------------------------------------------------
# Packages and the primary
# ------------------------------------------------------------------------------------------


def install_packages() -> None:
    missing = [name for name, path in PACKAGES.items() if not Path(path).exists()]
    if not missing:
        return
    if os.geteuid() != 0:
        raise SystemExit(f"{', '.join(missing)} missing: run as root, or apt-get install them")
    log(f"installing {' '.join(missing)} with apt-get ...")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def allow_replication() -> None:
    """The primary accepts replication connections from loopback (pg_basebackup and the
    replica's walreceiver): one line in pg_hba.conf, added once, then a reload."""
    text = HBA.read_text()
    if any(
        line.split()[:2] == ["host", "replication"] and "127.0.0.1/32" in line
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    ):
        return
    log(f"allowing replication from 127.0.0.1 in {HBA} and reloading the primary")
    HBA.write_text(
        text.rstrip("\n") + "\n# make region (Shkola): the streaming replica\n" + HBA_LINE + "\n"
    )
    subprocess.run(["pg_ctlcluster", PG_VERSION, PG_CLUSTER, "reload"], check=True)
    time.sleep(1)


def prepare_database() -> None:
    """shkola_region migrated and seeded with a small demo region; reused when it has one."""
    if not psql(PORTS.primary, f"SELECT 1 FROM pg_database WHERE datname = '{DB}'", "postgres"):
        psql(PORTS.primary, f'CREATE DATABASE "{DB}"', "postgres")
    log(f"migrate {DB}")
    manage("migrate", "--noinput", "-v", "0")
    seeded = psql(
        PORTS.primary,
        "SELECT CASE WHEN to_regclass('schools_organisation') IS NULL THEN 0 "
        "ELSE (SELECT count(*) FROM schools_organisation) END",
    )
    if int(seeded or 0):
        log(f"reusing {DB}: {seeded} organisations")
    else:
        log(f"seeding {DB}: seed_demo --schools {int(os.environ.get('REGION_SCHOOLS', '2'))}")
        seed = subprocess.run(
            [PYTHON, "manage.py", "seed_demo", "--schools", os.environ.get("REGION_SCHOOLS", "2")],
            cwd=ROOT,
            env=app_env(direct=True),
            check=True,
            capture_output=True,
            text=True,
        )
        # the seed's own table of logins has the demo password, which DEBUG off refuses
        log("seeded: " + " ".join(seed.stdout.splitlines()[:2]))
    subprocess.run(
        [
            PYTHON,
            str(Path(__file__).with_name("side.py")),
            "accounts",
            region_secrets()["REGION_PASSWORD"],
        ],
        cwd=ROOT,
        env=app_env(direct=True),
        check=True,
    )
    log("collectstatic")
    manage("collectstatic", "--noinput", "-v", "0")


# ------------------------------------------------------------------------------------------
# Replica, PgBouncer, Redis
# ------------------------------------------------------------------------------------------


def replica_conf() -> str:
    """postgresql.conf of the replica: Debian keeps the primary's in /etc, so the copy has
    none; a small one for a hot standby on its own port (primary_conninfo is in
    postgresql.auto.conf, written by pg_basebackup -R)."""
    return "\n".join(
        [
            "# make region: streaming replica of 127.0.0.1:5432",
            f"port = {PORTS.replica}",
            "listen_addresses = '127.0.0.1'",
            f"unix_socket_directories = '{REPLICA_DIR}'",
            "hot_standby = on",
            "hot_standby_feedback = on",
            "max_connections = 100",
            "shared_buffers = 32MB",
            "max_wal_senders = 10",
            "wal_level = replica",
            "logging_collector = off",
            f"hba_file = '{REPLICA_DIR}/pg_hba.conf'",
            f"ident_file = '{REPLICA_DIR}/pg_ident.conf'",
            "",
        ]
    )


def replica_start() -> None:
    if not (REPLICA_DIR / "standby.signal").exists():
        if REPLICA_DIR.exists():
            shutil.rmtree(REPLICA_DIR)
        REPLICA_DIR.mkdir(parents=True)
        shutil.chown(REPLICA_DIR, "postgres", "postgres")
        REPLICA_DIR.chmod(0o700)
        log(f"pg_basebackup -R of the primary into {REPLICA_DIR}")
        as_postgres(
            "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            str(PORTS.primary),
            "-U",
            "postgres",
            "-D",
            REPLICA_DIR,
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
        )
        (REPLICA_DIR / "postgresql.conf").write_text(replica_conf())
        (REPLICA_DIR / "pg_hba.conf").write_text(
            "local all all trust\nhost all all 127.0.0.1/32 trust\n"
            "host replication all 127.0.0.1/32 trust\n"
        )
        (REPLICA_DIR / "pg_ident.conf").write_text("")
        subprocess.run(["chown", "-R", "postgres:postgres", str(REPLICA_DIR)], check=True)
        REPLICA_DIR.chmod(0o700)
    if pg_ready(PORTS.replica):
        return
    start_replica()


def start_replica() -> None:
    LOG.mkdir(parents=True, exist_ok=True)
    logfile = LOG / "replica.log"
    logfile.touch()
    shutil.chown(logfile, "postgres", "postgres")
    as_postgres(
        PG_BIN / "pg_ctl",
        "-D",
        REPLICA_DIR,
        "-l",
        logfile,
        "-w",
        "-t",
        "60",
        "start",
        stdout=subprocess.DEVNULL,
    )


def stop_replica() -> None:
    if (REPLICA_DIR / "postmaster.pid").exists():
        as_postgres(
            PG_BIN / "pg_ctl",
            "-D",
            REPLICA_DIR,
            "-m",
            "fast",
            "-w",
            "stop",
            check=False,
            stdout=subprocess.DEVNULL,
        )


def replica_streaming() -> bool:
    return psql(
        PORTS.primary,
        "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming' "
        "AND application_name <> 'pg_basebackup' AND client_port IS NOT NULL",
        "postgres",
    ) not in {"", "0"}


def pgbouncer_start() -> None:
    if read_pid(pid_path("pgbouncer")):
        return
    PGBOUNCER_DIR.mkdir(parents=True, exist_ok=True)
    ini = ini_override(
        (DEPLOY / "pgbouncer" / "pgbouncer.ini").read_text(),
        {
            "databases": {
                DB: f"host=127.0.0.1 port={PORTS.primary} dbname={DB}",
                "shkola": f"host=127.0.0.1 port={PORTS.primary} dbname={DB}",
            },
            "pgbouncer": {
                "listen_port": str(PORTS.pgbouncer),
                "unix_socket_dir": "",
                # the primary trusts loopback here; a region uses scram-sha-256 and userlist
                "auth_type": "trust",
                "auth_file": str(PGBOUNCER_DIR / "userlist.txt"),
                "logfile": str(LOG / "pgbouncer.log"),
                "pidfile": str(pid_path("pgbouncer")),
                "default_pool_size": "8",
                "max_db_connections": "16",
            },
        },
    )
    (PGBOUNCER_DIR / "pgbouncer.ini").write_text(ini)
    (PGBOUNCER_DIR / "userlist.txt").write_text('"postgres" ""\n')
    for path in (PGBOUNCER_DIR, RUN, LOG):
        path.mkdir(parents=True, exist_ok=True)
    (LOG / "pgbouncer.log").touch()
    # PgBouncer refuses to run as root: as postgres, which must write its pid and log
    for path in (RUN, LOG / "pgbouncer.log"):
        shutil.chown(path, "postgres", "postgres")
    as_postgres("pgbouncer", "-d", PGBOUNCER_DIR / "pgbouncer.ini")
    wait_for("PgBouncer", lambda: port_open(PORTS.pgbouncer), 20)


def redis_start() -> None:
    if read_pid(pid_path("redis")):
        return
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    # No persistence: sessions are cached_db (the database has them), the rest is cache.
    start_background(
        "redis",
        [
            "redis-server",
            "--port",
            str(PORTS.redis),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(REDIS_DIR),
            "--save",
            "",
            "--appendonly",
            "no",
            "--maxmemory",
            "128mb",
            "--maxmemory-policy",
            "allkeys-lru",
        ],
        os.environ,
    )
    wait_for("Redis", lambda: port_open(PORTS.redis), 20)


# ------------------------------------------------------------------------------------------
# App servers, nginx, workers
# ------------------------------------------------------------------------------------------


def app_name(index: int) -> str:
    return f"app{index + 1}"


def app_start(index: int) -> None:
    """One gunicorn app server (the drill kills and starts them by this too)."""
    port = PORTS.app[index]
    name = app_name(index)
    env = app_env()
    env.update(
        {
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": str(WEB_WORKERS),
            "GUNICORN_PROC_NAME": f"shkola-region-{name}",
        }
    )
    start_background(name, [PYTHON, "-m", "gunicorn", "-c", str(DEPLOY / "gunicorn.conf.py")], env)


def app_wait(index: int, timeout: float = 90) -> None:
    wait_for(
        f"app server {index + 1}",
        lambda: http_ok(f"http://127.0.0.1:{PORTS.app[index]}/healthz"),
        timeout,
    )


def nginx_conf() -> str:
    site = render_template(
        (DEPLOY / "nginx" / "shkola.conf.template").read_text(),
        {
            "SHKOLA_LISTEN": f"127.0.0.1:{PORTS.nginx}",
            "SHKOLA_SERVER_NAME": "127.0.0.1 localhost",
            "SHKOLA_UPSTREAM": "\n    ".join(
                f"server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in PORTS.app
            ),
            "SHKOLA_STATIC_ROOT": str(ROOT / "staticfiles"),
            "SHKOLA_ERROR_ROOT": str(DEPLOY / "nginx"),
        },
    )
    (NGINX_DIR / "shkola.conf").write_text(site)
    temp = NGINX_DIR / "temp"
    user = "user www-data;\n" if os.geteuid() == 0 else ""
    return (
        f"# make region: nginx of the region on its own (not the system's site)\n{user}"
        "worker_processes 1;\n"
        f"pid {pid_path('nginx')};\n"
        f"error_log {LOG / 'nginx-error.log'} warn;\n"
        "events { worker_connections 1024; }\n"
        "http {\n"
        "    include /etc/nginx/mime.types;\n"
        "    default_type application/octet-stream;\n"
        "    sendfile on;\n"
        "    keepalive_timeout 65;\n"
        f"    access_log {LOG / 'nginx-access.log'};\n"
        f"    client_body_temp_path {temp}/body;\n"
        f"    proxy_temp_path {temp}/proxy;\n"
        f"    fastcgi_temp_path {temp}/fastcgi;\n"
        f"    uwsgi_temp_path {temp}/uwsgi;\n"
        f"    scgi_temp_path {temp}/scgi;\n"
        f"    include {NGINX_DIR / 'shkola.conf'};\n"
        "}\n"
    )


def nginx_start() -> None:
    NGINX_DIR.mkdir(parents=True, exist_ok=True)
    (NGINX_DIR / "temp").mkdir(exist_ok=True)
    conf = NGINX_DIR / "nginx.conf"
    conf.write_text(nginx_conf())
    if not (DEPLOY / "nginx" / "50x.html").exists():
        log("warning: deploy/nginx/50x.html is missing (nginx will answer its own 502 page)")
    base = ["nginx", "-p", str(NGINX_DIR), "-e", str(LOG / "nginx-error.log"), "-c", str(conf)]
    subprocess.run([*base, "-t", "-q"], check=True)
    if read_pid(pid_path("nginx")):
        subprocess.run([*base, "-s", "reload"], check=True)
        return
    subprocess.run(base, check=True)
    wait_for("nginx", lambda: port_open(PORTS.nginx), 20)


def worker_start(index: int) -> None:
    name = f"worker{index + 1}"
    start_background(
        name,
        [
            PYTHON,
            str(Path(__file__).with_name("supervise.py")),
            name,
            *command_line(WORKER_COMMAND),
        ],
        app_env(),
    )


def ticker_start() -> None:
    start_background(
        "ticker",
        [
            PYTHON,
            str(Path(__file__).with_name("supervise.py")),
            "ticker",
            *command_line(TICKER_COMMAND),
        ],
        app_env(),
    )


# ------------------------------------------------------------------------------------------
# Commands
# ------------------------------------------------------------------------------------------


def up() -> int:
    started = time.monotonic()
    if os.geteuid() != 0:
        log("make region runs as root (apt-get, runuser -u postgres); run it with sudo")
        return 2
    install_packages()
    reachable_by_postgres()
    if not pg_ready(PORTS.primary):
        log("the PostgreSQL primary on 127.0.0.1:5432 does not answer; starting it")
        subprocess.run(["pg_ctlcluster", PG_VERSION, PG_CLUSTER, "start"], check=True)
    allow_replication()
    region_secrets()
    # first: saving people drops their cached copies in Redis (the seed does it too)
    redis_start()
    prepare_database()
    replica_start()
    wait_for("replica streaming from the primary", replica_streaming, 60)
    pgbouncer_start()
    for index in range(len(PORTS.app)):
        app_start(index)
    for index in range(WORKERS):
        worker_start(index)
    ticker_start()
    for index in range(len(PORTS.app)):
        app_wait(index)
    nginx_start()
    wait_for("nginx → app", lambda: http_ok(f"http://127.0.0.1:{PORTS.nginx}/healthz"), 30)
    log(f"the region is up in {time.monotonic() - started:.0f} s")
    print(where())
    return 0


def where() -> str:
    password = region_secrets()["REGION_PASSWORD"]
    accounts = subprocess.run(
        [PYTHON, str(Path(__file__).with_name("side.py")), "logins"],
        cwd=ROOT,
        env=app_env(direct=True),
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return "\n".join(
        [
            "",
            f"  Shkola (nginx)        http://127.0.0.1:{PORTS.nginx}/",
            *(
                f"  app server {i + 1}          http://127.0.0.1:{port}/  (gunicorn, "
                f"{WEB_WORKERS} workers)"
                for i, port in enumerate(PORTS.app)
            ),
            f"  PostgreSQL primary    127.0.0.1:{PORTS.primary}  database {DB}",
            f"  streaming replica     127.0.0.1:{PORTS.replica}  ({REPLICA_DIR})",
            f"  PgBouncer             127.0.0.1:{PORTS.pgbouncer}  (transaction pooling)",
            f"  Redis                 127.0.0.1:{PORTS.redis}",
            f"  workers               {WORKERS} × {WORKER_COMMAND}",
            f"  digest ticker         {TICKER_COMMAND}",
            f"  letters go to         smtp://127.0.0.1:{PORTS.smtp} (make region-drill listens there)",
            f"  pid files and logs    {RUN}, {LOG}",
            "",
            f"  Accounts (password {password}; DEBUG is off, so the demo password is refused):",
            *(f"    {line}" for line in accounts.splitlines()),
            "",
            "  make region-drill    the failure drill;  make region-down    stop it all",
        ]
    )


def down(drop_database: bool) -> int:
    if nginx_pid := read_pid(pid_path("nginx")):
        stop_pid(nginx_pid, group=False)
        pid_path("nginx").unlink(missing_ok=True)
    for name in ("ticker", "worker1", "worker2", "app1", "app2", "redis"):
        if stop_named(name):
            log(f"stopped {name}")
    if pid := read_pid(pid_path("pgbouncer")):
        stop_pid(pid, group=False)
        log("stopped pgbouncer")
    pid_path("pgbouncer").unlink(missing_ok=True)
    if (RESTORE_DIR / "postmaster.pid").exists():
        as_postgres(PG_BIN / "pg_ctl", "-D", RESTORE_DIR, "-m", "immediate", "stop", check=False)
    shutil.rmtree(RESTORE_DIR, ignore_errors=True)
    stop_replica()
    if REPLICA_DIR.exists():
        shutil.rmtree(REPLICA_DIR)
        log(f"removed the replica cluster {REPLICA_DIR}")
    if drop_database and pg_ready(PORTS.primary):
        psql(PORTS.primary, f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)', "postgres")
        log(f"dropped {DB}")
    else:
        log(
            f"kept {DB} on 127.0.0.1:5432 (the next make region reuses it; "
            "REGION_ARGS=--drop-database drops it)"
        )
    return 0


def status() -> int:
    for name in ("nginx", "app1", "app2", "worker1", "worker2", "ticker", "pgbouncer", "redis"):
        pid = read_pid(pid_path(name))
        print(f"{name:10} {'pid ' + str(pid) if pid else 'stopped'}")
    print(f"{'replica':10} {'ready' if pg_ready(PORTS.replica) else 'stopped'}")
    print(f"{'primary':10} {'ready' if pg_ready(PORTS.primary) else 'DOWN'}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["up", "down", "status"])
    parser.add_argument("--drop-database", action="store_true")
    options = parser.parse_args()
    if options.command == "up":
        return up()
    if options.command == "down":
        return down(options.drop_database)
    return status()


if __name__ == "__main__":
    sys.exit(main())
