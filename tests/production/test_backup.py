"""Back up a modest data set, restore it into an empty database, compare counts and contents."""

import io
import sqlite3
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from federation.ops.backup import table_counts_postgres, table_counts_sqlite
from tests.factories import (
    ActivityFactory,
    ArticleFactory,
    BrandSessionFactory,
    EnterpriseFactory,
    ExemplarFactory,
    FederationFactory,
    ServiceSiteFactory,
    WomenGroupFactory,
)

ON_POSTGRES = connection.vendor == "postgresql"


def png(seed: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8 + seed, 6), (200, seed * 40, 46)).save(out, format="PNG")
    return out.getvalue()


def build_data_set(district):
    from activities.models import Photo

    federations = [
        FederationFactory(parent=district, contact_name=f"王{i}", contact_phone=f"1380000{i:04d}")
        for i in range(4)
    ]
    WomenGroupFactory.create_batch(3, parent=federations[0])
    for i in range(12):
        EnterpriseFactory(federation=federations[i % 4], contact_name="张三", note=f"备注{i}")
    ServiceSiteFactory.create_batch(3, federation=federations[1])
    ActivityFactory.create_batch(3, organizer=federations[2])
    ExemplarFactory.create_batch(2)
    BrandSessionFactory.create_batch(2)
    for i, article in enumerate(ArticleFactory.create_batch(3, federation=federations[3])):
        Photo.objects.create(
            article=article,
            caption=f"现场照片{i}",
            image=ContentFile(png(i), name=f"p{i}.png"),
        )


def rows(cursor, table: str) -> list:
    cursor.execute(f'SELECT * FROM "{table}"')
    return sorted(tuple(str(v) for v in row) for row in cursor.fetchall())


def raw_source():
    if ON_POSTGRES:
        params = connection.get_connection_params()
        keys = ("dbname", "host", "port", "user", "password")
        return psycopg.connect(**{k: params[k] for k in keys if params.get(k)})
    # The test database lives in shared-cache memory: a second plain connection sees it.
    return sqlite3.connect(connection.settings_dict["NAME"], uri=True)


@pytest.fixture
def empty_target(tmp_path):
    """An empty database of the same engine as the one under test, dropped afterwards."""
    if not ON_POSTGRES:
        path = tmp_path / "restored.sqlite3"
        yield f"sqlite:///{path}", lambda: sqlite3.connect(path)
        return
    params = connection.get_connection_params()
    admin = {k: params[k] for k in ("host", "port", "user", "password") if params.get(k)}
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as pg:
        pg.execute(f'CREATE DATABASE "{name}"')
    user = admin.get("user", "")
    password = f":{admin['password']}" if admin.get("password") else ""
    url = f"postgres://{user}{password}@{admin.get('host', '')}:{admin.get('port', 5432)}/{name}"
    yield url, lambda: psycopg.connect(dbname=name, **admin)
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as pg:
        pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_into_an_empty_database_reproduces_everything(
    district, settings, tmp_path, empty_target
):
    build_data_set(district)
    media_before = {
        p.relative_to(settings.MEDIA_ROOT): p.read_bytes()
        for p in Path(settings.MEDIA_ROOT).rglob("*")
        if p.is_file()
    }
    # Every file a record points to: the three originals and the renditions made after each save.
    from activities.models import Photo, Rendition

    referenced = {Path(p.image.name) for p in Photo.objects.all()} | {
        Path(r.file.name) for r in Rendition.objects.all()
    }
    assert Rendition.objects.exists() and set(media_before) == referenced

    call_command("backup_portal", output=str(tmp_path / "backups"))
    [folder] = (tmp_path / "backups").iterdir()
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["manifest.json", "media.tar.gz", "database.dump" if ON_POSTGRES else "database.sqlite3"]
    )

    url, connect = empty_target
    restored_media = tmp_path / "restored-media"
    call_command("restore_portal", str(folder), database_url=url, media_root=str(restored_media))

    # Both sides read through the plain driver, so values compare without Django's converters.
    tables = connection.introspection.table_names()
    with raw_source() as source_db:
        cursor = source_db.cursor()
        source = {t: rows(cursor, t) for t in tables}
    with connect() as target:
        counts = table_counts_postgres(target) if ON_POSTGRES else table_counts_sqlite(target)
        cursor = target.cursor()
        restored = {t: rows(cursor, t) for t in tables}
    assert counts == {t: len(r) for t, r in source.items()}
    assert counts["organizations_enterprise"] == 12
    assert counts["activities_photo"] == 3
    assert restored == source  # every row, every column
    media_after = {
        p.relative_to(restored_media): p.read_bytes()
        for p in restored_media.rglob("*")
        if p.is_file()
    }
    assert media_after == media_before


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_non_empty_database_and_a_damaged_backup(district, tmp_path, settings):
    EnterpriseFactory()
    call_command("backup_portal", output=str(tmp_path / "backups"))
    [folder] = (tmp_path / "backups").iterdir()
    if ON_POSTGRES:
        s = connection.settings_dict
        current = f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
    else:
        populated = tmp_path / "populated.sqlite3"
        with sqlite3.connect(populated) as db:
            db.execute("CREATE TABLE t (x)")
        current = f"sqlite:///{populated}"
    with pytest.raises(CommandError, match="不是空的"):
        call_command(
            "restore_portal", str(folder), database_url=current, media_root=str(tmp_path / "m")
        )
    damaged = folder / "media.tar.gz"
    damaged.write_bytes(damaged.read_bytes() + b"x")
    with pytest.raises(CommandError, match="已损坏"):
        call_command(
            "restore_portal", str(folder), database_url=current, media_root=str(tmp_path / "m")
        )
