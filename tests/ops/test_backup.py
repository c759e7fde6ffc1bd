"""`backup` and `restore`: a round trip of the demo district through a fresh PostgreSQL database."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from assistance.models import StockMovement
from centers.backups import DUMP, ledger_checksum, pg_connect
from centers.models import Center
from tests.concurrency import postgres_only
from tests.factories import PhotoFactory
from tests.ops.conftest import database_url, public_row_counts

# pg_dump reads the database from another process: the test's rows must be committed.
pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]


def backup(tmp_path):
    out = StringIO()
    call_command("backup", dir=str(tmp_path / "backups"), stdout=out)
    (folder,) = (tmp_path / "backups").iterdir()
    assert f"Backup written to {folder}" in out.getvalue()
    return folder


def restore(folder, db, media_root, **options):
    out = StringIO()
    call_command(
        "restore",
        str(folder),
        database_url=database_url(db),
        media_root=str(media_root),
        stdout=out,
        **options,
    )
    return out.getvalue()


def ledger_rows(cursor):
    cursor.execute(f"SELECT * FROM {StockMovement._meta.db_table} ORDER BY id")
    return cursor.fetchall()


def test_round_trip_restores_every_table_the_ledger_and_the_photos(
    tmp_path, settings, fresh_database
):
    call_command("seed_demo", stdout=StringIO())
    photo = PhotoFactory(center=Center.objects.order_by("pk").last())
    photo_files = {
        name: (Path(settings.MEDIA_ROOT) / name).read_bytes()
        for name in (photo.image.name, photo.thumbnail.name)
    }

    folder = backup(tmp_path)
    output = restore(folder, fresh_database, tmp_path / "restored-media")

    with connection.cursor() as cursor:
        source_counts = public_row_counts(cursor)
        source_ledger = ledger_checksum(cursor)
        source_movements = ledger_rows(cursor)
    with pg_connect(fresh_database) as conn, conn.cursor() as cursor:
        restored_counts = public_row_counts(cursor)
        restored_ledger = ledger_checksum(cursor)
        restored_movements = ledger_rows(cursor)
    assert restored_counts == source_counts
    assert len(source_counts) >= 40 and sum(source_counts.values()) > 1000
    assert restored_ledger == source_ledger and source_ledger["rows"] > 0
    assert restored_movements == source_movements
    for name, content in photo_files.items():
        assert (tmp_path / "restored-media" / name).read_bytes() == content
    assert f"Verified: {len(source_counts)} tables" in output
    print(
        f"\nround trip: {len(source_counts)} tables, {sum(source_counts.values())} rows, "
        f"ledger {source_ledger['rows']} movements sha256 {source_ledger['sha256']}"
    )


def test_restore_refuses_a_database_that_has_tables(tmp_path, fresh_database):
    folder = backup(tmp_path)
    restore(folder, fresh_database, tmp_path / "first")

    with pytest.raises(CommandError, match=r"already has \d+ tables.*--force"):
        restore(folder, fresh_database, tmp_path / "second")

    assert not (tmp_path / "second").exists()


def test_restore_refuses_a_damaged_dump_before_touching_the_database(tmp_path, fresh_database):
    folder = backup(tmp_path)
    dump = folder / DUMP
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))

    damaged = r"database.dump is damaged.*sha256.*Nothing was restored"
    with pytest.raises(CommandError, match=damaged):
        restore(folder, fresh_database, tmp_path / "media")

    with pg_connect(fresh_database) as conn, conn.cursor() as cursor:
        assert public_row_counts(cursor) == {}
    assert not (tmp_path / "media").exists()


def test_backup_says_so_when_pg_dump_is_missing(tmp_path, monkeypatch):
    monkeypatch.setattr("centers.backups.shutil.which", lambda name: None)

    with pytest.raises(CommandError, match="pg_dump was not found"):
        call_command("backup", dir=str(tmp_path), stdout=StringIO())

    assert list(tmp_path.iterdir()) == []
