"""Buffered bulk writes of plain rows: COPY on PostgreSQL, batched INSERTs elsewhere.

The generator hands over tuples with explicit primary keys, so rows can reference each other
before they are written and no `RETURNING` round trip is needed. Tables are flushed in the order
they were declared (parents first), so foreign keys can be checked per statement.

Rows bypass `Model.save()` and `bulk_create()`: no signals, no `pre_save()` (so `auto_now`
fields keep the value given, which keeps the data deterministic). Values still go through a
field's `get_db_prep_save()` where the database needs it (always on the INSERT path; on the COPY
path only for fields that transform the value, such as the encrypted ones).
"""

from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model
from django.utils.functional import Promise
from encrypted_fields.fields import EncryptedFieldMixin


class Table:
    """Rows for one model: the declared columns first, the other fields at their defaults."""

    def __init__(self, writer, model: type[Model], columns: list[str]):
        self.writer = writer
        self.model = model
        fields = {field.attname: field for field in model._meta.concrete_fields}
        unknown = [name for name in columns if name not in fields]
        if unknown:
            raise ValueError(f"{model.__name__} has no column {', '.join(unknown)}")
        tail_fields = [field for name, field in fields.items() if name not in columns]
        self.tail = tuple(self._static_default(field) for field in tail_fields)
        self.fields = [fields[name] for name in columns] + tail_fields
        self.rows: list[tuple] = []
        self.count = 0

    @staticmethod
    def _static_default(field):
        """A value for a field the generator leaves out; refuses anything time- or random-based."""
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            raise ValueError(f"{field} is set on save: give it explicitly")
        if field.has_default():
            if callable(field.default):
                raise ValueError(f"{field} has a computed default: give it explicitly")
            value = field.default
            return str(value) if isinstance(value, Promise) else value
        value = field.get_default()
        if value is None and not field.null:
            raise ValueError(f"{field} has no default: give it explicitly")
        return value

    def add(self, row: tuple):
        self.rows.append(row + self.tail if self.tail else row)
        self.count += 1

    def flush(self):
        if self.rows:
            self.writer.write(self)
            self.rows = []


class Writer:
    """Declares tables (parents before children) and writes their buffered rows in batches."""

    def __init__(self, *, method: str, batch_size: int):
        if method == "copy" and connection.vendor != "postgresql":
            raise ValueError("COPY needs PostgreSQL")
        self.method = method
        self.batch_size = batch_size
        self.tables: dict[type[Model], Table] = {}

    def table(self, model: type[Model], columns: str) -> Table:
        table = Table(self, model, columns.split())
        self.tables[model] = table
        return table

    def maybe_flush(self):
        """Flush everything once any table holds a full batch; call between whole units."""
        if any(len(table.rows) >= self.batch_size for table in self.tables.values()):
            self.flush()

    def flush(self):
        for table in self.tables.values():
            table.flush()

    def counts(self) -> dict[type[Model], int]:
        return {model: table.count for model, table in self.tables.items()}

    def write(self, table: Table):
        columns = ", ".join(connection.ops.quote_name(field.column) for field in table.fields)
        name = connection.ops.quote_name(table.model._meta.db_table)
        with connection.cursor() as cursor:
            if self.method == "copy":
                self._copy(cursor, table, f"COPY {name} ({columns}) FROM STDIN")
            else:
                self._insert(cursor, table, name, columns)

    @staticmethod
    def _prepare(rows, fields, types):
        """Rows with the values of fields of `types` (or encrypted ones) made ready for the DB."""
        db = connections[DEFAULT_DB_ALIAS]
        preps = [
            (i, field)
            for i, field in enumerate(fields)
            if isinstance(field, EncryptedFieldMixin) or field.get_internal_type() in types
        ]
        if not preps:
            return rows
        prepared = []
        for row in rows:
            row = list(row)
            for i, field in preps:
                if row[i] is not None:
                    row[i] = field.get_db_prep_save(row[i], db)
            prepared.append(row)
        return prepared

    def _copy(self, cursor, table, sql):
        # psycopg adapts dates, times, decimals and UUIDs itself.
        with cursor.copy(sql) as copy:
            for row in self._prepare(table.rows, table.fields, ()):
                copy.write_row(row)

    def _insert(self, cursor, table, name, columns):
        placeholders = ", ".join(["%s"] * len(table.fields))
        sql = f"INSERT INTO {name} ({columns}) VALUES ({placeholders})"
        cursor.executemany(sql, self._prepare(table.rows, table.fields, _ADAPTED_BY_DJANGO))


#: Field types whose values Django converts for the database driver (SQLite's in particular).
_ADAPTED_BY_DJANGO = {
    "DateField",
    "DateTimeField",
    "DecimalField",
    "DurationField",
    "JSONField",
    "TimeField",
    "UUIDField",
}


def reset_sequences(models):
    """Point the id sequences past the explicit ids written (a no-op on SQLite)."""
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
