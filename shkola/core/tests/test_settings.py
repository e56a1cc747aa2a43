"""Settings come from the environment; a production-like environment passes check --deploy."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "SHKOLA_", "DEBUG", "DATABASE_URL"))
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "SECRET_KEY": "x" * 20 + "-production-like-secret-with-enough-entropy-1234567890",
    "DEBUG": "0",
    "ALLOWED_HOSTS": "shkola.example.ru",
    "DATABASE_URL": "sqlite:////tmp/shkola-deploy-check.sqlite3",
    "EMAIL_URL": "smtp://mail.example.ru:587",
}


def test_check_deploy_passes_with_production_values():
    result = _run(PRODUCTION, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_without_a_secret_key_production_refuses_to_start():
    env = dict(PRODUCTION)
    env.pop("SECRET_KEY")
    result = _run(env, "manage.py", "check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_defaults_are_moscow_time_and_russian(settings):
    assert settings.TIME_ZONE == "Europe/Moscow"
    assert settings.LANGUAGE_CODE == "ru"
    assert settings.USE_TZ


def _tasks_backend(env: dict[str, str]) -> str:
    code = "import django; django.setup(); from django.conf import settings; "
    code += "print(settings.TASKS['default']['BACKEND'])"
    result = _run(env, "-c", code)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_demo_sends_letters_at_once_and_production_queues_them():
    demo = {"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1"}
    # `make demo` runs no worker: a confirmation letter must not wait in a queue forever.
    assert _tasks_backend(demo) == "django.tasks.backends.immediate.ImmediateBackend"
    assert _tasks_backend(PRODUCTION) == "django_tasks_db.DatabaseBackend"


def _caches(env: dict[str, str]) -> list[str]:
    code = "import django; django.setup(); from django.conf import settings as s; "
    code += "print(s.CACHES['default']['BACKEND'], s.CACHES['people']['BACKEND'], "
    code += "s.SESSION_ENGINE, s.SESSION_CACHE_ALIAS)"
    result = _run({k: v for k, v in env.items()}, "-c", code)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_sessions_and_people_are_shared_in_redis_or_never_cached_per_worker():
    no_redis = {**PRODUCTION, "REDIS_URL": "", "LOCAL_CACHE": "0"}
    default, people, engine, alias = _caches(no_redis)
    # several workers without Redis: an ended session must not live on in another worker
    assert people.endswith("DummyCache") and default.endswith("LocMemCache")
    assert engine.endswith("cached_db") and alias == "people"
    default, people, *_ = _caches({**no_redis, "LOCAL_CACHE": "1"})
    assert people.endswith("LocMemCache")
    default, people, *_ = _caches({**PRODUCTION, "REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert default.endswith("RedisCache") and people.endswith("RedisCache")
    # tests never touch a Redis named in the environment
    default, people, *_ = _caches(
        {"DJANGO_SETTINGS_MODULE": "config.settings", "SHKOLA_TESTING": "1", "REDIS_URL": "x"}
    )
    assert people.endswith("LocMemCache") and default.endswith("LocMemCache")
    # the demo's web server, task worker and destroyer are separate processes: one cache on disk
    demo = {"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1", "REDIS_URL": ""}
    default, people, *_ = _caches(demo)
    assert people.endswith("FileBasedCache") and default.endswith("LocMemCache")


def test_two_databases_sharing_one_redis_never_share_keys():
    code = "import django; django.setup(); from django.conf import settings as s; "
    code += "print(s.CACHES['people']['KEY_PREFIX'])"
    prefixes = set()
    for url in (
        "postgres://postgres@db-a:5432/region",
        "postgres://postgres@db-b:5432/region",
        "postgres://postgres@db-a:5432/staging",
    ):
        env = {**PRODUCTION, "REDIS_URL": "redis://127.0.0.1:6379/0", "DATABASE_URL": url}
        result = _run(env, "-c", code)
        assert result.returncode == 0, result.stderr
        prefixes.add(result.stdout.strip())
    assert len(prefixes) == 3
    explicit = {**PRODUCTION, "REDIS_URL": "redis://127.0.0.1:6379/0", "CACHE_KEY_PREFIX": "r1"}
    assert _run(explicit, "-c", code).stdout.strip() == "r1"
