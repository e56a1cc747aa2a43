"""gunicorn settings of a Shkola app server: `gunicorn -c deploy/gunicorn.conf.py`.

Every value comes from the environment so one file serves every app server of a region
(deploy/README.md lists the variables); the command line still overrides any of them."""

from __future__ import annotations

import multiprocessing
import os

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")

# Sync workers: Shkola's requests are short and spend their time in PostgreSQL and in
# templates (CPU), so 2 per core plus one keeps the cores busy while some wait on the
# database. GUNICORN_WORKERS fixes the number (a small test region, a shared machine).
workers = int(os.environ.get("GUNICORN_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"
backlog = int(os.environ.get("GUNICORN_BACKLOG", "2048"))

# A request longer than this is killed and its worker replaced: a page that hangs on a dead
# database must not hold a worker for minutes (PgBouncer's short timeouts answer first).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# nginx keeps connections to the upstream alive (keepalive in deploy/nginx): a little longer
# than nginx's idle time would race it; 5 s is nginx's keepalive_timeout default order.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))

# Replace each worker after this many requests (with jitter, so they do not restart
# together): bounds the memory a slow leak in a library could take.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "500"))

# X-Forwarded-Proto is believed only from nginx's address (https behind TLS termination).
# The client address in X-Forwarded-For is read by Django (TRUSTED_PROXY_COUNT), not here.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Workers' heartbeat files in memory: a busy disk must not make the master kill workers.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

proc_name = os.environ.get("GUNICORN_PROC_NAME", "shkola")
pidfile = os.environ.get("GUNICORN_PIDFILE") or None
errorlog = os.environ.get("GUNICORN_ERRORLOG", "-")
# nginx writes the access log of the region; set GUNICORN_ACCESSLOG=- to have both
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")

# gunicorn ≥ 25's control socket defaults to one path per user ($HOME/.gunicorn/gunicorn.ctl):
# two app servers of one user on one machine would share it, so each names its own, or
# none (GUNICORN_CONTROL_SOCKET unset: disabled; systemd and signals manage the server).
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True
