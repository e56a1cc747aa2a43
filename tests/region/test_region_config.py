"""The config rendering of `make region` (scripts/region/regionlib.py): the deploy/ files an
operator adapts become the local region's files without losing what makes them work."""

from __future__ import annotations

import configparser
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts" / "region"))

import regionlib  # noqa: E402


def test_render_template_fills_our_placeholders_and_keeps_nginx_variables():
    text = "listen ${SHKOLA_LISTEN};\nproxy_set_header Host $host;\nx ${host};\n"

    rendered = regionlib.render_template(text, {"SHKOLA_LISTEN": "127.0.0.1:8480"})

    assert rendered == "listen 127.0.0.1:8480;\nproxy_set_header Host $host;\nx ${host};\n"


def test_render_template_refuses_a_placeholder_without_a_value():
    with pytest.raises(KeyError, match="SHKOLA_STATIC_ROOT"):
        regionlib.render_template("alias ${SHKOLA_STATIC_ROOT}/;", {})


def test_the_nginx_site_renders_with_failover_and_forwarded_headers():
    template = (ROOT / "deploy" / "nginx" / "shkola.conf.template").read_text()
    values = {
        "SHKOLA_LISTEN": "127.0.0.1:8480",
        "SHKOLA_SERVER_NAME": "localhost",
        "SHKOLA_UPSTREAM": "server 127.0.0.1:8481; server 127.0.0.1:8482;",
        "SHKOLA_STATIC_ROOT": "/srv/static",
        "SHKOLA_ERROR_ROOT": "/srv/deploy/nginx",
    }

    site = regionlib.render_template(template, values)

    assert "${SHKOLA_" not in site
    assert "proxy_next_upstream error timeout http_502;" in site
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in site
    assert "X-Forwarded-Proto $scheme" in site
    assert "alias /srv/static/;" in site


def test_ini_override_replaces_uncomments_and_adds_keys_in_their_sections():
    text = "[databases]\nshkola = host=db\n\n[pgbouncer]\nlisten_port = 6432\n;logfile = x\n"

    result = regionlib.ini_override(
        text,
        {
            "databases": {"shkola": "host=127.0.0.1 port=5432"},
            "pgbouncer": {"listen_port": "6433", "logfile": "/tmp/l", "auth_type": "trust"},
            "users": {"postgres": "pool_size=2"},
        },
    )

    parsed = configparser.ConfigParser(interpolation=None)
    parsed.read_string(result)
    assert parsed["databases"]["shkola"] == "host=127.0.0.1 port=5432"
    assert dict(parsed["pgbouncer"]) == {
        "listen_port": "6433",
        "logfile": "/tmp/l",
        "auth_type": "trust",
    }
    assert parsed["users"]["postgres"] == "pool_size=2"


def test_the_region_pgbouncer_keeps_transaction_pooling_and_short_timeouts():
    text = (ROOT / "deploy" / "pgbouncer" / "pgbouncer.ini").read_text()

    result = regionlib.ini_override(text, {"pgbouncer": {"listen_port": "6433"}})

    parsed = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=(";",))
    parsed.read_string(result)
    section = parsed["pgbouncer"]
    assert section["listen_port"] == "6433"
    assert section["pool_mode"] == "transaction"
    assert int(section["query_wait_timeout"]) <= 10
    assert int(section["server_connect_timeout"]) <= 5
    assert int(section["server_login_retry"]) <= 2


def test_the_drill_table_aligns_numbers_right():
    import drill

    table = drill.format_table(
        ["step", "requests", "recovery time"],
        [["1. kill app server 1", "7", "2.0 s"], ["all", "1234", ""]],
    )

    assert table.splitlines() == [
        "| step                 | requests | recovery time |",
        "|----------------------|----------|---------------|",
        "| 1. kill app server 1 |        7 | 2.0 s         |",
        "| all                  |     1234 |               |",
    ]
