"""Scratch PostgreSQL databases for the backup and migration tests, created and dropped here."""

import uuid
from urllib.parse import quote

import pytest
from django.db import connection

from centers.backups import pg_connect


def database_url(db):
    """A DATABASE_URL for a DATABASES entry (what manage.py and `restore` read)."""
    user = quote(db.get("USER") or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    credentials = f"{user}{password}@" if user else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}{db.get('HOST') or ''}{port}/{db['NAME']}"


@pytest.fixture
def fresh_database():
    """A new empty database on the test server (unique name), dropped after the test.

    Made from template0: nobody connects to it, so concurrent test runs cannot block the copy.
    """
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (CI runs it)")
    server = {**connection.settings_dict, "NAME": "postgres"}
    db = {**connection.settings_dict, "NAME": f"dangqun_ops_{uuid.uuid4().hex[:12]}"}
    with pg_connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{db["NAME"]}" TEMPLATE template0')
    try:
        yield db
    finally:
        with pg_connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}" WITH (FORCE)')


def public_row_counts(cursor):
    """{table: rows} for every table in the public schema, read from information_schema."""
    cursor.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
    )
    counts = {}
    for (table,) in cursor.fetchall():
        cursor.execute(f'SELECT count(*) FROM public."{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts
