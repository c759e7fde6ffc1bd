"""Running functions at the same moment, each in its own thread and database connection."""

import threading

import pytest
from django.db import connection, connections

#: Mark for tests that need PostgreSQL's row locks (CI runs them; SQLite skips).
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL (CI runs it)"
)


def run_concurrently(functions):
    """Start every function at once (behind a barrier); return the exceptions they raised."""
    barrier = threading.Barrier(len(functions))
    errors = []

    def worker(fn):
        try:
            barrier.wait()
            fn()
        except Exception as exc:  # collected for the test to assert on
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(fn,)) for fn in functions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return errors
