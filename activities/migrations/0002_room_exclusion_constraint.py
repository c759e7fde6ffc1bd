"""On PostgreSQL, the database itself refuses two scheduled occurrences in one room at once.

The service checks first and shows a form error; this constraint is the backstop for races.
Other databases (SQLite in development) rely on the service check alone.
"""

from django.db import migrations

EXTENSION = "CREATE EXTENSION IF NOT EXISTS btree_gist"
CREATE = """
ALTER TABLE activities_occurrence ADD CONSTRAINT occurrence_room_no_overlap
    EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, ends_at) WITH &&)
    WHERE (status = 'scheduled' AND room_id IS NOT NULL)
"""
DROP = "ALTER TABLE activities_occurrence DROP CONSTRAINT IF EXISTS occurrence_room_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(EXTENSION)
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
