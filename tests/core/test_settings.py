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


def test_the_production_environment_file_passes_djangos_deployment_checks(tmp_path):
    """deploy/wulian.env.example, with its placeholders filled in, is what the guide installs:
    `wulian check --deploy` finds nothing to warn about."""
    import secrets
    from pathlib import Path

    example = Path(__file__).parents[2] / "deploy" / "wulian.env.example"
    values = dict(
        line.split("=", 1)
        for line in example.read_text().splitlines()
        if "=" in line and not line.startswith("#")
    )
    values |= {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "REPLICA_DATABASE_URL": "",
        "WULIAN_DATA_DIR": str(tmp_path),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    # The browser journeys set DJANGO_ALLOW_ASYNC_UNSAFE for the test run; a server never has it.
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("WULIAN_", "DATABASE", "DJANGO_"))
    }
    result = subprocess.run(
        [sys.executable, "-m", "wulian.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env={**clean, **values},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


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


def test_collectstatic_succeeds_with_the_production_storage(tmp_path, settings):
    """The guide's `wulian collectstatic`: WhiteNoise's manifest storage rewrites every
    reference in the CSS and refuses one to a file that is not shipped (a source map)."""
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--no-input", verbosity=0)  # the storage follows settings
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert "vendor/swagger-ui-5.35.0/swagger-ui.css" in manifest
    assert "wulian/app.css" in manifest
