"""Backup and restore of the whole portal: a database dump plus an archive of the media.

A backup is a folder ``teda-<timestamp>/`` holding ``database.dump`` (PostgreSQL, pg_dump custom
format) or ``database.sqlite3`` (SQLite online backup), ``media.tar.gz`` when media live on local
disk, and ``manifest.json`` with the row count of every table and a SHA-256 of every file. A
restore goes into an EMPTY database, checks the checksums first and the row counts last.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from django.utils.translation import gettext as _

from federation.ops.env import parse_database_url
from federation.ops.storage import media_is_local

POSTGRES = "django.db.backends.postgresql"
SQLITE = "django.db.backends.sqlite3"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the administrator."""


@dataclass(frozen=True)
class Target:
    engine: str
    settings: dict

    @classmethod
    def from_url(cls, url: str) -> Target:
        config = parse_database_url(url, Path(settings.BASE_DIR))
        return cls(config["ENGINE"], config)

    @classmethod
    def default(cls) -> Target:
        config = connections[DEFAULT_DB_ALIAS].settings_dict
        return cls(config["ENGINE"], config)


def _pg_env(config: dict) -> dict:
    env = dict(os.environ)
    for key, var in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if config.get(key):
            env[var] = str(config[key])
    return env


def _pg_connect(config: dict):
    import psycopg

    return psycopg.connect(
        dbname=config["NAME"],
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        autocommit=True,
    )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_counts_sqlite(conn: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    return {n: conn.execute(f"SELECT COUNT(*) FROM {_quote(n)}").fetchone()[0] for n in names}


def table_counts_postgres(conn) -> dict[str, int]:
    names = [
        row[0]
        for row in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
    ]
    return {n: conn.execute(f"SELECT COUNT(*) FROM {_quote(n)}").fetchone()[0] for n in names}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def backup(output_dir: Path) -> Path:
    """Write a complete backup into a new folder under ``output_dir`` and return it."""
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    folder = Path(output_dir) / f"teda-{stamp}"
    partial = folder.with_name(folder.name + ".partial")
    partial.mkdir(parents=True, exist_ok=False)
    connection = connections[DEFAULT_DB_ALIAS]
    engine = connection.settings_dict["ENGINE"]
    files: dict[str, str] = {}
    try:
        if engine == POSTGRES:
            dump = partial / "database.dump"
            with _pg_connect(connection.settings_dict) as pg:
                # Count the rows and dump them from one snapshot, so the manifest matches the dump
                # even while visitors keep writing sessions.
                pg.autocommit = False
                pg.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                snapshot = pg.execute("SELECT pg_export_snapshot()").fetchone()[0]
                result = subprocess.run(
                    [
                        "pg_dump",
                        "--format=custom",
                        "--no-owner",
                        "--no-privileges",
                        f"--snapshot={snapshot}",
                        "--file",
                        str(dump),
                    ],
                    env=_pg_env(connection.settings_dict),
                    capture_output=True,
                    text=True,
                )
                if result.returncode:
                    raise BackupError(
                        _("pg_dump 失败：%(error)s") % {"error": result.stderr.strip()}
                    )
                counts = table_counts_postgres(pg)
                pg.rollback()
            files["database.dump"] = _sha256(dump)
        elif engine == SQLITE:
            copy_path = partial / "database.sqlite3"
            connection.ensure_connection()
            # SQLite's online backup: a consistent copy while the portal keeps running.
            with sqlite3.connect(copy_path) as copy:
                connection.connection.backup(copy)
                counts = table_counts_sqlite(copy)
            copy.close()
            files["database.sqlite3"] = _sha256(copy_path)
        else:
            raise BackupError(_("不支持的数据库引擎：%(engine)s") % {"engine": engine})

        media_root = Path(settings.MEDIA_ROOT)
        if media_is_local():
            archive = partial / "media.tar.gz"
            with tarfile.open(archive, "w:gz") as tar:
                if media_root.is_dir():
                    tar.add(media_root, arcname="media")
            files["media.tar.gz"] = _sha256(archive)

        manifest = {
            "format": 1,
            "created_at": timezone.now().isoformat(),
            "engine": engine,
            "media": "media.tar.gz" if media_is_local() else "object storage (not archived)",
            "tables": counts,
            "files": files,
        }
        (partial / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8"
        )
        partial.rename(folder)  # complete backups only ever appear under their final name
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return folder


def read_manifest(folder: Path) -> dict:
    path = Path(folder) / "manifest.json"
    if not path.is_file():
        raise BackupError(_("%(folder)s 不是完整的备份：缺少 manifest.json。") % {"folder": folder})
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for name, digest in manifest["files"].items():
        if _sha256(Path(folder) / name) != digest:
            raise BackupError(
                _("备份文件 %(name)s 已损坏（校验值不符），已停止恢复。") % {"name": name}
            )
    return manifest


def restore(folder: Path, *, target: Target, media_root: Path | None) -> dict[str, int]:
    """Restore the backup in ``folder`` into the EMPTY database ``target``; return row counts."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    if manifest["engine"] != target.engine:
        raise BackupError(
            _("备份来自 %(source)s，不能恢复到 %(target)s。")
            % {"source": manifest["engine"], "target": target.engine}
        )
    if target.engine == POSTGRES:
        with _pg_connect(target.settings) as pg:
            if table_counts_postgres(pg):
                raise BackupError(
                    _("目标数据库 %(name)s 不是空的：请恢复到新建的空数据库。")
                    % {"name": target.settings["NAME"]}
                )
        result = subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                "--dbname",
                target.settings["NAME"],
                str(folder / "database.dump"),
            ],
            env=_pg_env(target.settings),
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise BackupError(_("pg_restore 失败：%(error)s") % {"error": result.stderr.strip()})
        with _pg_connect(target.settings) as pg:
            counts = table_counts_postgres(pg)
    else:
        path = Path(target.settings["NAME"])
        if path.exists() and path.stat().st_size:
            with sqlite3.connect(path) as existing:
                if table_counts_sqlite(existing):
                    raise BackupError(
                        _("目标数据库 %(name)s 不是空的：请恢复到新的数据库文件。") % {"name": path}
                    )
        path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(folder / "database.sqlite3") as source, sqlite3.connect(path) as dest:
            source.backup(dest)
            counts = table_counts_sqlite(dest)
        source.close()
        dest.close()

    if counts != manifest["tables"]:
        differ = sorted(
            t
            for t in set(counts) | set(manifest["tables"])
            if counts.get(t) != manifest["tables"].get(t)
        )
        raise BackupError(_("恢复后行数与备份不符：%(tables)s") % {"tables": ", ".join(differ)})

    if "media.tar.gz" in manifest["files"] and media_root is not None:
        media_root = Path(media_root)
        media_root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(folder / "media.tar.gz", "r:gz") as tar:
            members = []
            for member in tar.getmembers():
                if member.name == "media":
                    continue
                member.name = member.name.removeprefix("media/")
                members.append(member)
            # The "data" filter refuses absolute paths, "..", devices and links outside.
            tar.extractall(media_root, members=members, filter="data")
    return counts


def prune(output_dir: Path, keep_days: int) -> list[Path]:
    """Delete complete backups older than ``keep_days`` days; return what was removed."""
    limit = timezone.now() - datetime.timedelta(days=keep_days)
    removed = []
    for folder in sorted(Path(output_dir).glob("teda-*")):
        if folder.name.endswith(".partial") or not (folder / "manifest.json").is_file():
            continue
        created = datetime.datetime.fromisoformat(read_created_at(folder))
        if created < limit:
            shutil.rmtree(folder)
            removed.append(folder)
    return removed


def read_created_at(folder: Path) -> str:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["created_at"]
