"""A small fixed-window rate limiter on Django's cache (Redis in production, shared by all hosts).

Keys name what is limited and for whom, e.g. "track:<client ip>". A window is a fixed slice of
wall-clock time (`window_seconds` long); its counter lives in the cache and expires with it.
A burst straddling two windows can get up to twice the limit through: fine for turning away
scripts, not meant as an exact quota.

While the shared cache is unreachable (Redis down, see centers/resilience.py), each process
counts on its own, with the same limits. That is a deliberate middle way between failing open
(a script could flood the intake forms for as long as Redis is down) and failing closed (every
resident would be turned away from raising an issue, which the deliberation station exists for,
while the database that keeps it is fine): a script gets at most `limit` per worker process per
window, residents are served, and the outage is logged.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache

#: This process's own counters, used while the shared cache is unreachable.
_local = LocMemCache("ratelimit-fallback", {"OPTIONS": {"MAX_ENTRIES": 10_000}})


def _shared_available():
    available = getattr(cache, "available", None)  # centers.resilience.ResilientRedisCache
    return available is None or available()


def _counters():
    """The shared cache, or this process's counters while the shared cache is unreachable."""
    return cache if _shared_available() else _local


def _window(window_seconds, now=None):
    now = time.time() if now is None else now
    return int(now // window_seconds)


def _cache_key(key, window_seconds, now=None):
    return f"ratelimit:{window_seconds}:{_window(window_seconds, now)}:{key}"


def hit(key, *, limit, window_seconds):
    """Count one hit for `key` in the current window; True while the count is within `limit`."""
    cache_key = _cache_key(key, window_seconds)
    counters = _counters()
    count = _count(counters, cache_key, window_seconds)
    if counters is cache and not _shared_available():
        # The shared cache failed during this hit: count it here instead.
        count = _count(_local, cache_key, window_seconds)
    return count <= limit


def _count(counters, cache_key, window_seconds):
    # add() is atomic: only the first hit of a window creates the counter.
    if counters.add(cache_key, 1, timeout=window_seconds + 1):
        return 1
    try:
        return counters.incr(cache_key)
    except ValueError:
        # The counter expired between add() and incr(): this hit starts a new window.
        counters.set(cache_key, 1, timeout=window_seconds + 1)
        return 1


def is_exceeded(key, *, limit, window_seconds):
    """Whether `key` has already used up its `limit` in the current window (counts nothing)."""
    return (_counters().get(_cache_key(key, window_seconds)) or 0) >= limit


def retry_after(window_seconds):
    """Whole seconds until the current window ends (for a Retry-After header)."""
    now = time.time()
    return max(1, int((_window(window_seconds, now) + 1) * window_seconds - now))


def client_ip(request):
    """The client's address: REMOTE_ADDR, or the address a trusted proxy saw.

    Behind nginx, REMOTE_ADDR is the proxy itself. With `TRUSTED_PROXY_COUNT = n` (the number
    of proxies in front of the app that append to X-Forwarded-For), the n-th address from the
    right of that header is the client as the outermost trusted proxy saw it; addresses further
    left were written by the client and are not trusted.
    """
    hops = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if hops:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "") or "unknown"
