"""Every migration reverses: migrate a new database forward, to zero app by app, and forward again.

The migrations run in `manage.py` subprocesses against a database of their own, so pytest's test
database and connection are not touched.
"""

import os
import subprocess
import sys
from graphlib import TopologicalSorter

from django.conf import settings
from django.db.migrations.loader import MigrationLoader

from centers.backups import pg_connect
from tests.ops.conftest import database_url, public_row_counts

PROJECT_APPS = ["centers", "activities", "deliberation", "assistance"]


def manage(db, *args):
    result = subprocess.run(
        [sys.executable, "manage.py", *args, "--no-input"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": database_url(db)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stderr}"
    return result.stdout


def apps_dependents_first():
    """Every app with migrations, each one before the apps its migrations depend on."""
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    depends_on = {app: set() for app, _name in graph.nodes}
    for app, name in graph.nodes:
        for parent_app, _parent in graph.node_map[app, name].parents:
            if parent_app != app:
                depends_on[app].add(parent_app)
    return list(reversed(list(TopologicalSorter(depends_on).static_order())))


def tables(db):
    with pg_connect(db) as conn, conn.cursor() as cursor:
        return public_row_counts(cursor)


def test_every_migration_reverses_to_zero_and_applies_again(fresh_database):
    manage(fresh_database, "migrate")
    migrated = tables(fresh_database)
    applied = migrated["django_migrations"]
    assert all(any(t.startswith(f"{app}_") for t in migrated) for app in PROJECT_APPS)

    order = apps_dependents_first()
    assert order.index("activities") < order.index("centers")
    reversed_count = 0
    for app in order:
        output = manage(fresh_database, "migrate", app, "zero")
        reversed_count += output.count("Unapplying ")

    # Only Django's own bookkeeping table is left, and it records nothing as applied.
    assert tables(fresh_database) == {"django_migrations": 0}
    assert reversed_count == applied

    manage(fresh_database, "migrate")
    manage(fresh_database, "migrate", "--check")
    assert tables(fresh_database).keys() == migrated.keys()
    print(f"\nmigrations: {applied} applied, {reversed_count} reversed, order {order}")
