"""Fail loudly when the PostgreSQL that the test run needs is not reachable.

Usage: python scripts/check_postgres.py <postgres-url>
Connects to the server's maintenance database and creates the named database when it is
missing (pytest-django creates test_<name> itself; the named one is handy for migrate/demo).
"""

from __future__ import annotations

import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg


def main(url: str) -> int:
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "postgres"
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(maintenance, connect_timeout=5, autocommit=True) as conn:
            version = conn.execute("SHOW server_version").fetchone()
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        safe = urlunsplit(parts._replace(netloc=parts.hostname or "")) if parts.password else url
        print(
            f"PostgreSQL at {safe} is not reachable: {exc}".strip()
            + "\nStart it (pg_ctlcluster <version> main start) or point TEST_DATABASE_URL at one.",
            file=sys.stderr,
        )
        return 1
    print(f"PostgreSQL {version[0] if version else '?'} reachable; database {name!r} ready.")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
