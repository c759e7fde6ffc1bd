"""Backups: a database dump and the media files in one folder, with a manifest to verify them.

A backup folder holds three files:

- ``database.dump``: ``pg_dump --format=custom`` of the whole database (PostgreSQL), or a copy of
  the database file made with SQLite's online backup (development installs);
- ``media.tar``: every file under ``MEDIA_ROOT``;
- ``manifest.json``: when it was made, the applied migrations per app, the row count of every
  table, a checksum of the aid stations' stock ledger, and the sha256 of the two files above.

On PostgreSQL the manifest's counts and checksum are read inside the very snapshot that pg_dump
dumps (``pg_export_snapshot``), so they describe the dump exactly even while the site takes
writes. ``restore`` checks the two sha256 first, restores into an empty database, and then reads
the counts and the checksum back from the restored database and compares them with the manifest.

The management commands ``backup`` and ``restore`` are thin wrappers over this module.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import environ
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA_TAR = "media.tar"
FORMAT_VERSION = 1
#: The stock ledger's columns, in the order the checksum reads them.
LEDGER_COLUMNS = [
    "id",
    "station_id",
    "item_id",
    "kind",
    "quantity",
    "balance_after",
    "reason",
    "actor_id",
    "donation_id",
    "distribution_id",
    "reverses_id",
    "counterpart_id",
    "created_at",
]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


# Databases -------------------------------------------------------------------------------------


def database_from_url(url):
    """A DATABASES entry for a database URL (as DATABASE_URL is written)."""
    try:
        return environ.Env.db_url_config(url)
    except (ImproperlyConfigured, KeyError, ValueError) as exc:
        raise BackupError(f"Cannot read the database URL {url!r}: {exc}") from exc


def vendor_of(db):
    engine = db["ENGINE"]
    if "postgresql" in engine:
        return "postgresql"
    if "sqlite3" in engine:
        return "sqlite"
    raise BackupError(
        f"Backups support PostgreSQL and SQLite; this database uses {engine}.",
    )


def describe(db):
    """The database's name for messages, without its password."""
    if vendor_of(db) == "sqlite":
        return f"SQLite file {db['NAME']}"
    host = db.get("HOST") or "local socket"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"PostgreSQL database {db['NAME']} on {host}{port}"


def pg_environment(db):
    """The environment for pg_dump/pg_restore: the connection comes from PG* variables.

    The password goes through PGPASSWORD rather than the command line, where other users of the
    machine could read it in the process list.
    """
    env = {**os.environ}
    values = {
        "PGHOST": db.get("HOST"),
        "PGPORT": db.get("PORT"),
        "PGUSER": db.get("USER"),
        "PGPASSWORD": db.get("PASSWORD"),
        "PGDATABASE": db.get("NAME"),
    }
    for key, value in values.items():
        if value:
            env[key] = str(value)
        else:
            env.pop(key, None)
    options = db.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = options["sslmode"]
    return env


def pg_connect(db, **kwargs):
    import psycopg

    options = db.get("OPTIONS") or {}
    params = {
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "dbname": db["NAME"],
        "sslmode": options.get("sslmode"),
    }
    try:
        return psycopg.connect(**{k: v for k, v in params.items() if v}, **kwargs)
    except psycopg.OperationalError as exc:
        raise BackupError(f"Cannot connect to {describe(db)}: {exc}".strip()) from exc


def sqlite_connect(db, *, must_exist=True):
    path = Path(db["NAME"])
    if must_exist and not path.exists():
        raise BackupError(f"The SQLite file {path} does not exist.")
    return sqlite3.connect(path)


def require_program(name):
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found on PATH. Install the PostgreSQL client programs "
            f"(Debian: apt-get install postgresql-client-<server major version>)."
        )
    return path


def program_major_version(program):
    out = subprocess.run([program, "--version"], capture_output=True, text=True, check=True)
    # "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)"
    return int(out.stdout.split(")")[1].split()[0].split(".")[0])


# What a database holds --------------------------------------------------------------------------


def list_tables(cursor, vendor):
    """Every table in the database (public schema on PostgreSQL), sorted by name."""
    if vendor == "postgresql":
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
    else:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    return [row[0] for row in cursor.fetchall()]


def quote(name):
    return '"' + name.replace('"', '""') + '"'


def row_counts(cursor, vendor, tables=None):
    """{table: rows} for the given tables (default: every table)."""
    if tables is None:
        tables = list_tables(cursor, vendor)
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT count(*) FROM {quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def applied_migrations(cursor):
    """{app: [migration names, in the order they were applied]} from django_migrations."""
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
    state = {}
    for app, name in cursor.fetchall():
        state.setdefault(app, []).append(name)
    return state


def _ledger_value(value):
    if isinstance(value, datetime):
        # Both databases and both drivers agree on the instant, not on the zone it is shown in.
        return value.astimezone(UTC).isoformat()
    return value


def ledger_checksum(cursor):
    """sha256 over every stock movement (ordered by id) and the number of movements.

    Each movement is one JSON array of LEDGER_COLUMNS; the hash covers one line per movement, so
    a changed, missing or extra movement changes it. Raw SQL rather than the ORM, so the same
    function reads the live database and a restored one through any DB-API cursor.
    """
    from assistance.models import StockMovement

    columns = ", ".join(quote(column) for column in LEDGER_COLUMNS)
    cursor.execute(f"SELECT {columns} FROM {quote(StockMovement._meta.db_table)} ORDER BY id")
    digest = hashlib.sha256()
    rows = 0
    while batch := cursor.fetchmany(2000):
        for row in batch:
            line = json.dumps([_ledger_value(value) for value in row], ensure_ascii=False)
            digest.update(line.encode() + b"\n")
            rows += 1
    return {"rows": rows, "sha256": digest.hexdigest()}


def inventory(cursor, vendor):
    """What the manifest records about a database's contents."""
    return {
        "migrations": applied_migrations(cursor),
        "tables": row_counts(cursor, vendor),
        "ledger": ledger_checksum(cursor),
    }


# Files ------------------------------------------------------------------------------------------


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def write_media_tar(media_root, target):
    """Tar every file under media_root (paths relative to it); returns the number of files."""
    media_root = Path(media_root)
    files = 0
    with tarfile.open(target, "w") as tar:
        if media_root.is_dir():
            for path in sorted(media_root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    tar.add(path, arcname=path.relative_to(media_root).as_posix())
                    files += 1
    return files


def media_files(media_root):
    root = Path(media_root)
    return [p for p in root.rglob("*") if p.is_file()] if root.is_dir() else []


# Backup -----------------------------------------------------------------------------------------


def make_backup(*, db, backup_dir, media_root, log=print):
    """Write a backup folder under backup_dir and return its path."""
    vendor = vendor_of(db)
    if vendor == "postgresql":
        pg_dump = require_program("pg_dump")
    backup_dir = Path(backup_dir)
    stamp = timezone.now().astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    final = backup_dir / stamp
    if final.exists():
        raise BackupError(f"{final} already exists; wait a second and run the backup again.")
    # Written under a temporary name and renamed when complete: a folder named by its timestamp
    # is always a whole backup.
    work = backup_dir / f".{stamp}.partial"
    work.mkdir(parents=True, exist_ok=False)
    try:
        log(f"Backing up {describe(db)}")
        if vendor == "postgresql":
            database = _dump_postgresql(db, work / DUMP, pg_dump)
        else:
            database = _dump_sqlite(db, work / DUMP)
        contents = database.pop("contents")
        log(f"Database: {len(contents['tables'])} tables, {sum(contents['tables'].values())} rows")
        storage = settings.STORAGES["default"]["BACKEND"]
        if storage != "django.core.files.storage.FileSystemStorage":
            log(f"Note: uploads are kept by {storage}; media.tar holds only files in MEDIA_ROOT.")
        media_count = write_media_tar(media_root, work / MEDIA_TAR)
        log(f"Media files: {media_count}, from {media_root}")
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": timezone.now().astimezone(UTC).isoformat(),
            "database": database,
            "media": {"root": str(media_root), "files": media_count},
            **contents,
            "files": {
                name: {"sha256": file_sha256(work / name), "bytes": (work / name).stat().st_size}
                for name in (DUMP, MEDIA_TAR)
            },
        }
        (work / MANIFEST).write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        )
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return final


def _dump_postgresql(db, target, pg_dump):
    import psycopg

    dump_major = program_major_version(pg_dump)
    with pg_connect(db) as conn:
        server_major = conn.info.server_version // 10000
        if dump_major < server_major:
            raise BackupError(
                f"pg_dump is version {dump_major} but the server runs PostgreSQL {server_major}; "
                f"pg_dump must be at least the server's version."
            )
        # One read-only snapshot for the counts, the checksum and pg_dump: the manifest then
        # describes the dump exactly, even with the site taking writes meanwhile.
        conn.rollback()
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        with conn.cursor() as cursor:
            try:
                contents = inventory(cursor, "postgresql")
            except psycopg.errors.UndefinedTable as exc:
                raise BackupError(
                    f"{describe(db)} has no dangqun tables (run migrate first): {exc}"
                ) from exc
        result = subprocess.run(
            [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={target}"],
            env=pg_environment(db),
            capture_output=True,
            text=True,
        )
        conn.rollback()
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed (exit {result.returncode}):\n{result.stderr.strip()}")
    return {
        "vendor": "postgresql",
        "name": db["NAME"],
        "server_version": server_major,
        "pg_dump_version": dump_major,
        "contents": contents,
    }


def _dump_sqlite(db, target):
    with sqlite_connect(db) as source:
        destination = sqlite3.connect(target)
        try:
            # SQLite's online backup copies a consistent state of the file, page by page.
            source.backup(destination)
        finally:
            destination.close()
    source.close()
    copy = sqlite3.connect(target)
    try:
        contents = inventory(copy.cursor(), "sqlite")
    finally:
        copy.close()
    return {"vendor": "sqlite", "name": str(db["NAME"]), "contents": contents}


# Restore ----------------------------------------------------------------------------------------


def read_manifest(folder):
    folder = Path(folder)
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"{folder} is not a backup folder: it has no {MANIFEST}.")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"{path} has format {manifest.get('format')!r}; expected 1.")
    return manifest


def check_files(folder, manifest):
    """Refuse a backup whose dump or media tar is not exactly what the manifest recorded."""
    for name, expected in manifest["files"].items():
        path = Path(folder) / name
        if not path.is_file():
            raise BackupError(f"The backup is incomplete: {path} is missing.")
        actual = file_sha256(path)
        if actual != expected["sha256"]:
            raise BackupError(
                f"{path} is damaged or was changed: its sha256 is {actual}, the manifest says "
                f"{expected['sha256']}. Nothing was restored; use another backup."
            )


def restore_backup(*, folder, db, media_root, force=False, log=print):
    """Restore a backup folder into db and media_root, then verify it against the manifest.

    Refuses a database that already has tables, and a media folder that already has files,
    unless force is true (then the backup's objects and files replace those of the same name).
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    vendor = vendor_of(db)
    if manifest["database"]["vendor"] != vendor:
        raise BackupError(
            f"This backup is of a {manifest['database']['vendor']} database; "
            f"the target is {describe(db)}."
        )
    check_files(folder, manifest)
    log(f"Checked the sha256 of {DUMP} and {MEDIA_TAR}")
    if vendor == "postgresql":
        pg_restore = require_program("pg_restore")

    # Every refusal comes before anything is written.
    existing = _existing_tables(db, vendor)
    if existing and not force:
        replace = (
            "Create a new one (createdb) or pass --force to replace the backup's tables in it."
            if vendor == "postgresql"
            else "Move the file away or pass --force to replace it."
        )
        raise BackupError(
            f"{describe(db)} already has {len(existing)} tables; restore writes only into an "
            f"empty database. {replace}"
        )
    if media_files(media_root) and not force:
        raise BackupError(
            f"The media folder {media_root} already has files; empty it or pass --force to "
            f"overwrite files of the same name."
        )

    log(f"Restoring into {describe(db)}")
    if vendor == "postgresql":
        _restore_postgresql(db, folder / DUMP, pg_restore, clean=bool(existing))
    else:
        _restore_sqlite(db, folder / DUMP)
    Path(media_root).mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / MEDIA_TAR) as tar:
        # The "data" filter refuses absolute paths, links out of the folder and device files.
        tar.extractall(media_root, filter="data")
    log(f"Media files: {manifest['media']['files']}, into {media_root}")
    return verify(db=db, manifest=manifest, log=log)


def _existing_tables(db, vendor):
    if vendor == "sqlite":
        if not Path(db["NAME"]).exists():
            return []
        conn = sqlite_connect(db)
        try:
            return list_tables(conn.cursor(), vendor)
        finally:
            conn.close()
    with pg_connect(db) as conn, conn.cursor() as cursor:
        return list_tables(cursor, vendor)


def _restore_postgresql(db, dump, pg_restore, *, clean):
    # Objects are owned by the restoring role and keep no grants of the old server's roles;
    # one transaction, so a failed restore leaves the database as it was.
    command = [
        pg_restore,
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        f"--dbname={db['NAME']}",
    ]
    if clean:
        command += ["--clean", "--if-exists"]
    result = subprocess.run(
        [*command, str(dump)], env=pg_environment(db), capture_output=True, text=True
    )
    if result.returncode != 0:
        raise BackupError(
            f"pg_restore failed (exit {result.returncode}); the database is unchanged:\n"
            f"{result.stderr.strip()}"
        )


def _restore_sqlite(db, dump):
    target = Path(db["NAME"])
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".restoring")
    shutil.copyfile(dump, partial)
    partial.replace(target)


def verify(*, db, manifest, log=print):
    """Compare the restored database with the manifest; raise BackupError on any difference."""
    vendor = vendor_of(db)
    if vendor == "postgresql":
        with pg_connect(db) as conn, conn.cursor() as cursor:
            contents = inventory(cursor, vendor)
    else:
        conn = sqlite_connect(db)
        try:
            contents = inventory(conn.cursor(), vendor)
        finally:
            conn.close()
    problems = []
    for table, rows in manifest["tables"].items():
        found = contents["tables"].get(table)
        if found != rows:
            problems.append(f"table {table}: {found} rows, the manifest says {rows}")
    if contents["ledger"] != manifest["ledger"]:
        problems.append(
            f"stock ledger: {contents['ledger']}, the manifest says {manifest['ledger']}"
        )
    if contents["migrations"] != manifest["migrations"]:
        problems.append("the applied migrations differ from the manifest's")
    if problems:
        details = "\n".join(problems)
        raise BackupError(f"The restored database does not match the backup:\n{details}")
    log(
        f"Verified: {len(manifest['tables'])} tables, {sum(manifest['tables'].values())} rows, "
        f"ledger {manifest['ledger']['rows']} movements sha256 {manifest['ledger']['sha256'][:12]}…"
    )
    return contents
