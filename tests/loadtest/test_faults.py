"""Faults under a running gunicorn: PostgreSQL stopped and started again, Redis killed.

Both servers are private (tests/loadtest/servers.py): a cluster initdb'd into a temporary
directory and a redis-server on free ports, so that stopping them disturbs nobody. Skipped, with
the reason printed, when the PostgreSQL binaries, redis-server or gunicorn are missing.
"""

import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import pytest

from centers import resilience
from harness import server
from tests.loadtest.servers import PrivatePostgres, PrivateRedis, postgres_bin

BASE_DIR = Path(__file__).resolve().parents[2]
RESIDENT = "13900000001"
PASSWORD = "dangqun2026"


def _skip_reason():
    if postgres_bin() is None:
        return "no PostgreSQL binaries (/usr/lib/postgresql/*/bin/initdb, pg_ctl)"
    if not shutil.which("redis-server"):
        return "no redis-server"
    if not Path(sys.executable).with_name("gunicorn").exists():
        return "no gunicorn in the virtualenv"
    return None


@pytest.fixture(scope="module")
def postgres():
    reason = _skip_reason()
    if reason:
        print(f"skipped: {reason}")
        pytest.skip(reason)
    cluster = PrivatePostgres(postgres_bin())
    try:
        cluster.init()
        cluster.start()
        cluster.create_database("dangqun_faults")
        env = server.production_env(cluster.url("dangqun_faults"), cache_url="locmemcache://x")
        for command in (["migrate", "--no-input", "-v", "0"], ["seed_demo"]):
            subprocess.run(
                [sys.executable, "manage.py", *command],
                cwd=BASE_DIR,
                env={**os.environ, **env},
                check=True,
                timeout=300,
                stdout=subprocess.DEVNULL,
            )
        server.collectstatic(env)
        yield cluster
    finally:
        cluster.cleanup()


@pytest.fixture
def redis():
    instance = PrivateRedis()
    instance.start()
    yield instance
    instance.kill()


class Gunicorn:
    def __init__(self, env, workers):
        self.port = server.free_port()
        self.log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed in stop())
        self.process = server.start_gunicorn(env, self.port, workers, self.log)
        server.wait_ready(f"http://{server.HOST}:{self.port}", self.process)
        self.cookies = {}

    def request(self, method, path, form=None, address="192.0.2.1", timeout=30):
        """(status, headers, body text, seconds) of one request, keeping cookies."""
        headers = {"X-Forwarded-For": address}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(server.HOST, self.port, timeout=timeout)
        started = time.monotonic()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for header in response.msg.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response, text, time.monotonic() - started

    def log_tail(self):
        self.log.seek(0)
        return self.log.read()[-3000:]

    def stop(self):
        server.stop_gunicorn(self.process)
        self.log.close()


def _env(postgres, cache_url, page_cache):
    env = server.production_env(
        postgres.url("dangqun_faults"), cache_url=cache_url, page_cache=page_cache
    )
    env["TRUSTED_PROXY_COUNT"] = "1"
    return env


def test_postgres_down_answers_503_fast_and_recovers_without_restart(postgres, redis):
    # Page cache off: every request needs the database.
    app = Gunicorn(_env(postgres, redis.url, page_cache=0), workers=2)
    try:
        # Persistent connections are open in both workers before PostgreSQL goes away.
        for _ in range(4):
            assert app.request("GET", "/")[0] == 200
            assert app.request("GET", "/centers/")[0] == 200

        postgres.stop()
        times = []
        for path in ["/", "/centers/", "/deliberation/new/", "/activities/", "/", "/centers/"]:
            status, response, text, seconds = app.request("GET", path)
            times.append(seconds)
            assert status == 503, (path, status, app.log_tail())
            assert "服务暂时不可用" in text and "12345" in text
            assert response.getheader("Retry-After") == "10"
            assert seconds < 5, f"{path} took {seconds:.1f} s to answer 503"
        # /readyz says so too; /healthz (no database) stays up for the process manager.
        assert app.request("GET", "/readyz")[0] == 503
        assert app.request("GET", "/healthz")[0] == 200
        # A form POST while the database is down: 503, not 500.
        status, _response, _text, _seconds = app.request(
            "POST", "/deliberation/new/", {"title": "x"}
        )
        assert status in (403, 503)  # no CSRF cookie: refused before the view, or 503

        postgres.start()
        back = time.monotonic()
        recovered = None
        while time.monotonic() - back < 15:
            if app.request("GET", "/")[0] == 200 and app.request("GET", "/centers/")[0] == 200:
                recovered = time.monotonic() - back
                break
            time.sleep(0.1)
        print(
            f"time to 503: max {max(times) * 1000:.0f} ms; recovery after PostgreSQL came back:"
            f" {recovered if recovered is None else round(recovered, 2)} s"
        )
        assert recovered is not None, "not recovered within 15 s: " + app.log_tail()
        # Every worker recovered, not only the one that answered first.
        assert all(app.request("GET", "/activities/")[0] == 200 for _ in range(6))
    finally:
        app.stop()
        if not postgres.is_running():
            postgres.start()


def _login(app):
    status, _response, text, _seconds = app.request("GET", "/accounts/login/")
    assert status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text).group(1)
    status, _response, _text, _seconds = app.request(
        "POST",
        "/accounts/login/",
        {"csrfmiddlewaretoken": token, "username": RESIDENT, "password": PASSWORD},
    )
    assert status == 302 and "sessionid" in app.cookies


def _submit_issue(app, address, community):
    app.cookies.clear()
    status, _response, text, _seconds = app.request("GET", "/deliberation/new/", address=address)
    assert status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text).group(1)
    form = {
        "csrfmiddlewaretoken": token,
        "center": community,
        "title": "路灯不亮",
        "category": "safety",
        "description": "小区东门路灯坏了。",
        "is_anonymous": "on",
    }
    return app.request("POST", "/deliberation/new/", form, address=address)[0]


def test_redis_down_pages_render_sessions_stay_and_limits_count_per_worker(postgres, redis):
    # One worker: "per worker" counting is then exactly the limit.
    app = Gunicorn(_env(postgres, redis.url, page_cache=600), workers=1)
    try:
        _login(app)
        signed_in = dict(app.cookies)
        app.cookies.clear()
        for _ in range(2):  # the second comes from the page cache
            assert app.request("GET", "/")[0] == 200

        redis.kill()
        for path in ["/", "/centers/", "/activities/", "/deliberation/new/"]:
            app.cookies.clear()
            status, _response, text, seconds = app.request("GET", path)
            assert status == 200, (path, status, app.log_tail())
            assert seconds < 3, f"{path} took {seconds:.1f} s with Redis down"
        # Sessions are in the database: the resident is still signed in, and can sign in anew.
        app.cookies = dict(signed_in)
        status, _response, text, _seconds = app.request("GET", "/accounts/")
        assert status == 200 and RESIDENT[-4:] in text
        app.cookies.clear()
        _login(app)

        # Rate limits fail to per-worker counting, not open: an address gets its 5 issues,
        # then 429. Another address is not affected.
        community = re.search(r'<option value="([\w-]+)"', _form_page(app)).group(1)
        statuses = [_submit_issue(app, "198.51.100.7", community) for _ in range(6)]
        assert statuses == [302] * 5 + [429], app.log_tail()
        assert _submit_issue(app, "198.51.100.8", community) == 302
        print("Redis down: pages 200, sessions kept, issue submissions 5 then 429 per address")

        # Redis back (empty, as after a restart): the cache fills again once the worker's
        # pause after the failure (RETRY_SECONDS) is over.
        redis.start()
        time.sleep(resilience.RETRY_SECONDS + 0.5)
        app.cookies.clear()
        for _ in range(2):
            assert app.request("GET", "/")[0] == 200
        import redis as redis_library

        assert redis_library.Redis.from_url(redis.url).dbsize() > 0
    finally:
        app.stop()


def _form_page(app):
    app.cookies.clear()
    return app.request("GET", "/deliberation/new/")[2]
