"""centers/resilience.py in process: the cache's behaviour on Redis errors, the 503 decision."""

import shutil

import pytest
import redis as redis_library
from django.core.cache.backends.redis import RedisCacheClient
from django.db import InterfaceError, OperationalError

from centers import resilience
from tests.loadtest.servers import PrivateRedis


@pytest.fixture
def cache(monkeypatch):
    if not shutil.which("redis-server"):
        pytest.skip("no redis-server")
    monkeypatch.setattr(resilience, "RETRY_SECONDS", 0)
    server = PrivateRedis()
    server.start()
    yield resilience.ResilientRedisCache(server.url, {})
    server.kill()


def _fail(*args, **kwargs):
    raise redis_library.ConnectionError("refused")


def test_errors_are_misses_and_unwritten_keys_are_dropped_when_redis_is_back(cache, monkeypatch):
    cache.set("generation", 41, timeout=None)
    cache.set("page", "old page", timeout=None)
    with monkeypatch.context() as patched:
        for name in ("get", "incr", "set", "add"):
            patched.setattr(RedisCacheClient, name, _fail)
        assert cache.get("page") is None
        # A bump that cannot be made: Redis keeps 41, which would serve old pages later.
        with pytest.raises(ValueError):
            cache.incr("generation")
        assert cache.add("counter", 1) is False
        cache.set("other", 1)
    # Redis answers again: the keys it could not change are gone, the rest is untouched.
    assert cache.get("generation") is None
    assert cache.get("other") is None
    assert cache.get("page") == "old page"


def test_a_failed_call_leaves_redis_alone_for_a_while(cache, monkeypatch):
    monkeypatch.setattr(resilience, "RETRY_SECONDS", 60)
    calls = []

    def counting_failure(*args, **kwargs):
        calls.append(1)
        raise redis_library.TimeoutError("timed out")

    monkeypatch.setattr(RedisCacheClient, "get", counting_failure)
    assert [cache.get("x", "default") for _ in range(5)] == ["default"] * 5
    assert calls == [1] and cache.available() is False


def test_database_errors_are_recognised_through_their_chain():
    assert resilience.database_unavailable(OperationalError("connection refused"))
    assert resilience.database_unavailable(InterfaceError("connection already closed"))
    try:
        try:
            raise OperationalError("server closed the connection")
        except OperationalError as exc:
            raise RuntimeError("while rendering") from exc
    except RuntimeError as outer:
        assert resilience.database_unavailable(outer)
    assert not resilience.database_unavailable(ValueError("a bug"))
    assert not resilience.database_unavailable(None)
