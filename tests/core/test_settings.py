import os
import subprocess
import sys

import pytest


def _run(env):
    code = (
        "import django, os; "
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'wulian.settings'); django.setup()"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS"}}
    return subprocess.run(
        [sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _run({"WULIAN_ENV": "production", "ALLOWED_HOSTS": "example.org"})
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_a_malformed_boolean_fails_loudly():
    result = _run({"WULIAN_ENV": "test", "DEBUG": "perhaps"})
    assert result.returncode != 0 and "DEBUG must be true or false" in result.stderr


def test_sqlite_runs_in_wal_mode(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("WAL is SQLite's")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
