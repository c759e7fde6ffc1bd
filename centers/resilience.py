"""Staying up when PostgreSQL or Redis is not: a 503 page for the one, cache misses for the other.

**PostgreSQL down.** A request that needs the database fails with `OperationalError` (no
connection: refused, or `connect_timeout` in settings.DATABASES passed) or `InterfaceError` (the
connection died under it). Wherever that happens (a view, the session middleware, a template),
Django ends up in the 500 handler; `server_error()` below answers those with templates/503.html
and a Retry-After header instead, so that browsers, nginx and monitors see "try again" rather
than "broken". Nothing needs restarting once PostgreSQL is back: a failed connection is closed
at the end of its request (Django's `close_if_unusable_or_obsolete`) and CONN_HEALTH_CHECKS
makes the next request check a kept connection before using it.

**Redis down.** Django's RedisCache raises on every connection error, which would turn a cache
outage into a site outage. `ResilientRedisCache` treats an unreachable Redis as an empty cache:
reads miss, writes are dropped, both logged. After a failure it leaves Redis alone for
`RETRY_SECONDS` (each worker on its own), so that a Redis that times out instead of refusing
does not cost every request a timeout. A write it could not make leaves Redis holding a stale
value (the public pages' generation counter, centers/caching.py, missing a bump would let old
pages be served after Redis comes back), so such keys are deleted as soon as Redis answers again.
"""

import logging
import sys
import threading
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.db import InterfaceError, OperationalError
from django.shortcuts import render

logger = logging.getLogger(__name__)

#: Seconds a browser (or nginx) should wait before retrying after a 503.
RETRY_AFTER_SECONDS = 10
#: Seconds a worker leaves Redis alone after a failed call.
RETRY_SECONDS = 5


# -- PostgreSQL down: 503 ----------------------------------------------------------------------


def database_unavailable(exc):
    """Whether `exc` (or what it was raised from) means "no usable database connection"."""
    while exc is not None:
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def service_unavailable():
    """The friendly 503 page, rendered without the request (nothing of it can leak, and
    context processors might need the database)."""
    response = render(None, "503.html", status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request):
    """handler500: 503 when the database is unreachable, the usual 500 page otherwise.

    Django calls it from inside the `except` block that caught the exception, so the exception
    is the one being handled (`sys.exception()`).
    """
    from centers.views import server_error as plain_server_error

    if database_unavailable(sys.exception()):
        return service_unavailable()
    return plain_server_error(request)


# -- Redis down: an empty cache ------------------------------------------------------------------


class _Outage:
    """One Redis server's state in this process: down until when, and keys left stale."""

    def __init__(self):
        self.lock = threading.Lock()
        self.down_until = 0.0
        self.stale_keys = set()


_outages = {}
_outages_lock = threading.Lock()


def _outage_for(servers):
    key = tuple(servers)
    with _outages_lock:
        return _outages.setdefault(key, _Outage())


class ResilientRedisCacheClient(RedisCacheClient):
    def __init__(self, servers, **options):
        super().__init__(servers, **options)
        self._outage = _outage_for(servers)

    def _call(self, name, *args, default=None, writes=()):
        """Run RedisCacheClient.<name>; on a Redis error, log it and return `default`.

        `writes` are the keys the call would change: if it cannot, they are remembered and
        deleted once Redis answers again.
        """
        outage = self._outage
        if time.monotonic() < outage.down_until:
            with outage.lock:
                outage.stale_keys.update(writes)
            return default
        try:
            if outage.stale_keys:
                with outage.lock:
                    stale, outage.stale_keys = list(outage.stale_keys), set()
                try:
                    super().delete_many(stale)
                except self._lib.RedisError:
                    with outage.lock:
                        outage.stale_keys.update(stale)
                    raise
            result = getattr(super(), name)(*args)
        except self._lib.RedisError as exc:
            with outage.lock:
                first = outage.down_until == 0.0
                outage.down_until = time.monotonic() + RETRY_SECONDS
                outage.stale_keys.update(writes)
            if first:
                logger.warning(
                    "Redis unreachable (%s): the cache is treated as empty, retrying every %s s",
                    exc,
                    RETRY_SECONDS,
                )
            return default
        if outage.down_until:
            with outage.lock:
                outage.down_until = 0.0
            logger.warning("Redis answers again")
        return result

    def available(self):
        """False while this process leaves Redis alone after a failure."""
        return time.monotonic() >= self._outage.down_until

    # Reads miss; writes report that nothing was written.

    def add(self, key, value, timeout):
        return self._call("add", key, value, timeout, default=False, writes=[key])

    def get(self, key, default):
        return self._call("get", key, default, default=default)

    def set(self, key, value, timeout):
        return self._call("set", key, value, timeout, writes=[key])

    def touch(self, key, timeout):
        return self._call("touch", key, timeout, default=False)

    def delete(self, key):
        return self._call("delete", key, default=False, writes=[key])

    def get_many(self, keys):
        return self._call("get_many", keys, default={})

    def has_key(self, key):
        return self._call("has_key", key, default=False)

    def incr(self, key, delta):
        missing = object()
        value = self._call("incr", key, delta, default=missing, writes=[key])
        if value is missing:
            # What a cache without the key answers: callers already handle it.
            raise ValueError(f"Key '{key}' not found.")
        return value

    def set_many(self, data, timeout):
        return self._call("set_many", data, timeout, writes=list(data))

    def delete_many(self, keys):
        return self._call("delete_many", keys, writes=list(keys))

    def clear(self):
        return self._call("clear", default=False)


class ResilientRedisCache(RedisCache):
    """Django's RedisCache, with an unreachable Redis behaving as an empty cache."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ResilientRedisCacheClient

    def available(self):
        """False for a few seconds after Redis failed (see RETRY_SECONDS)."""
        return self._cache.available()
