"""Backups: the database and the uploaded files in one dated archive, and back again.

    wulian backup -o /srv/backups/            # → wulian-backup-20261202-1930.tar.gz
    wulian restore /srv/backups/wulian-backup-20261202-1930.tar.gz --yes

The archive holds `database.sqlite3` (SQLite's online backup: consistent while the site runs)
or `database.dump` (`pg_dump --format=custom`), the `media/` folder, and `manifest.json` with
the row count of every table and the SHA-256 of every file. A restore replaces the database and
the files with the archive's, then counts and hashes again: it reports any difference, so a
restore that did not take is never mistaken for one that did.

With the uploads in an object store (MEDIA_STORAGE=s3) the archive holds the database only:
the store keeps the files, and their versions, itself (turn on its versioning).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

FORMAT = 1


class BackupError(Exception):
    pass


@dataclass
class Manifest:
    created_at: str
    engine: str
    tables: dict[str, int]
    files: dict[str, str]
    format: int = FORMAT

    def as_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=1, sort_keys=True)


@dataclass
class Restored:
    manifest: Manifest
    tables_differ: dict[str, tuple[int, int]] = field(default_factory=dict)
    files_differ: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.tables_differ and not self.files_differ


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {vendor}")
    return vendor


def table_counts() -> dict[str, int]:
    """Rows in every table of the database, Django's own included."""
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table.startswith("sqlite_"):
                continue
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = int(cursor.fetchone()[0])
    return counts


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def media_on_disk() -> bool:
    return getattr(settings, "MEDIA_STORAGE", "filesystem") == "filesystem"


def file_hashes(root: Path | None = None) -> dict[str, str]:
    hashes: dict[str, str] = {}
    if root is None and not media_on_disk():
        return hashes
    root = root or _media_root()
    if not root.exists():
        return hashes
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        hashes[path.relative_to(root).as_posix()] = digest.hexdigest()
    return hashes


def _pg_env() -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump/pg_restore from the connection Django uses."""
    params = connection.settings_dict
    args = ["--dbname", str(params["NAME"])]
    if params.get("HOST"):
        args += ["--host", str(params["HOST"])]
    if params.get("PORT"):
        args += ["--port", str(params["PORT"])]
    if params.get("USER"):
        args += ["--username", str(params["USER"])]
    env = {**os.environ}
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = str(params["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(
            f"{command[0]} is not installed (apt-get install postgresql-client)"
        ) from exc
    if result.returncode:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def backup(target: Path) -> tuple[Path, Manifest]:
    """Write the archive to `target` (a folder: a dated name is chosen; or a file name)."""
    engine = _engine()
    if target.is_dir():
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        target = target / f"wulian-backup-{stamp}.tar.gz"
    target.parent.mkdir(parents=True, exist_ok=True)
    manifest = Manifest(
        created_at=timezone.now().isoformat(timespec="seconds"),
        engine=engine,
        tables=table_counts(),
        files=file_hashes(),
    )
    with tempfile.TemporaryDirectory(prefix="wulian-backup-") as scratch:
        dump = Path(scratch) / ("database.sqlite3" if engine == "sqlite" else "database.dump")
        if engine == "sqlite":
            connection.ensure_connection()
            live = connection.connection
            copy = sqlite3.connect(dump)
            try:
                live.backup(copy)
            finally:
                copy.close()
        else:
            args, env = _pg_env()
            _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(dump), *args], env)
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            _add_bytes(archive, "manifest.json", manifest.as_json().encode())
            archive.add(dump, arcname=dump.name)
            media = _media_root()
            for name in manifest.files:
                archive.add(media / name, arcname=f"media/{name}")
        partial.replace(target)  # never a half-written archive under the final name
    return target, manifest


def read_manifest(source: Path) -> Manifest:
    try:
        with tarfile.open(source, "r:gz") as archive:
            member = archive.extractfile("manifest.json")
            if member is None:
                raise KeyError("manifest.json")
            data: dict[str, Any] = json.loads(member.read())
    except (OSError, KeyError, tarfile.TarError, ValueError) as exc:
        raise BackupError(f"{source} is not a Wulian backup: {exc}") from exc
    if data.get("format") != FORMAT:
        raise BackupError(f"{source} has backup format {data.get('format')}, not {FORMAT}")
    return Manifest(**data)


def restore(source: Path) -> Restored:
    """Replace the database and the uploaded files with the archive's, then check them."""
    engine = _engine()
    manifest = read_manifest(source)
    if manifest.engine != engine:
        raise BackupError(f"this backup is of a {manifest.engine} database; the site uses {engine}")
    with tempfile.TemporaryDirectory(prefix="wulian-restore-") as scratch:
        folder = Path(scratch)
        with tarfile.open(source, "r:gz") as archive:
            archive.extractall(folder, filter="data")  # no absolute paths, no links out
        if engine == "sqlite":
            connection.ensure_connection()
            copy = sqlite3.connect(folder / "database.sqlite3")
            try:
                copy.backup(connection.connection)
            finally:
                copy.close()
        else:
            connection.close()
            args, env = _pg_env()
            _run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    *args,
                    str(folder / "database.dump"),
                ],
                env,
            )
        if media_on_disk():
            media = _media_root()
            fresh = folder / "media"
            if media.exists():
                shutil.rmtree(media)
            media.parent.mkdir(parents=True, exist_ok=True)
            if fresh.exists():
                shutil.move(str(fresh), str(media))
            else:
                media.mkdir()
    restored = Restored(manifest)
    now = table_counts()
    for table in sorted(set(manifest.tables) | set(now)):
        before, after = manifest.tables.get(table, -1), now.get(table, -1)
        if before != after:
            restored.tables_differ[table] = (before, after)
    hashes = file_hashes()
    restored.files_differ = sorted(
        name
        for name in set(manifest.files) | set(hashes)
        if manifest.files.get(name) != hashes.get(name)
    )
    return restored
