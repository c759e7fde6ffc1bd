"""The load test harness (loadtest/run.py): its pure parts, its check, and a tiny live run.

The live run starts gunicorn on a database of its own (<DATABASE_URL's name>_load, recreated)
and a private redis-server; it is skipped unless PostgreSQL, gunicorn and redis-server are there.
"""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

from tests.loadtest.servers import PrivateRedis

BASE_DIR = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("loadtest_run", BASE_DIR / "loadtest" / "run.py")
run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run)


@pytest.mark.parametrize(
    ("kind", "status", "location", "outcome"),
    [
        ("signup", 302, "/activities/registrations/17/", "ok"),
        ("signup", 302, "/activities/occurrences/5/", "refused"),
        ("signup", 200, "", "error"),
        ("issue submit", 302, "/deliberation/track/ABCD2345EFGH/", "ok"),
        ("issue submit", 429, "", "refused"),
        ("issue submit", 200, "", "error"),
        ("honeypot submit", 200, "", "ok"),
        ("login", 302, "/accounts/welcome/", "ok"),
        ("page: home", 200, "", "ok"),
        ("page: home", 503, "", "error"),
        ("page: home", 0, "", "error"),
        ("page: home", 404, "", "error"),
    ],
)
def test_classify_answers(kind, status, location, outcome):
    assert run.classify(kind, status, location)[0] == outcome


def test_percentile_nearest_rank():
    values = list(range(1, 101))
    assert run.percentile(values, 50) == 50
    assert run.percentile(values, 99) == 99
    assert run.percentile([], 50) is None


def test_summary_counts_5xx_and_unanswered_as_errors():
    results = [
        run.Result("page: home", 200, 10.0, "ok"),
        run.Result("page: home", 502, 20.0, "error", "502"),
        run.Result("issue submit", 429, 5.0, "refused"),
        run.Result("issue submit", 0, 30000.0, "error", "no answer"),
    ]
    rows, total = run.summarize(results, duration=2.0)
    assert [r["kind"] for r in rows] == ["issue submit", "page: home"]
    assert total["requests"] == 4 and total["errors"] == 2 and total["refused"] == 1
    assert total["status_5xx"] == 1 and total["no_answer"] == 1 and total["rps"] == 2.0
    # An unanswered request has no latency worth the name.
    assert rows[0]["p99_ms"] == 5.0
    table = run.format_table(rows, total).splitlines()
    assert table[0].split()[:3] == ["kind", "requests", "ok"] and table[-1].startswith("all")


@pytest.mark.django_db
def test_check_reports_accepted_writes_missing_from_the_database():
    _rows, total = run.summarize([run.Result("signup", 302, 1.0, "ok")], duration=1)
    accepted = run.Accepted(
        signups=[(10**9, "13900000001", 1)], issues=["LOST2345WXYZ"], flood_accepted=5
    )
    problems = run.check(accepted, total)
    assert len(problems) == 2
    assert "1 accepted sign-ups missing from the database: [1000000000]" in problems[0]
    assert "1 accepted issues missing from the database: ['LOST2345WXYZ']" in problems[1]


@pytest.mark.django_db
def test_check_refuses_more_accepted_submissions_than_the_limit_from_one_address():
    _rows, total = run.summarize([], duration=1)
    problems = run.check(run.Accepted(flood_accepted=6, flood_windows=1), total)
    assert problems == [
        "the single-address visitor got 6 submissions accepted, more than the limit allows (5)"
    ]


def _live_run_skip_reason():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return "needs DATABASE_URL on PostgreSQL"
    if not Path(sys.executable).with_name("gunicorn").exists() and not shutil.which("gunicorn"):
        return "needs gunicorn"
    if not shutil.which("redis-server"):
        return "needs redis-server (apt-get install redis-server) for a private Redis"
    return None


def test_tiny_live_run_passes_except_for_a_planted_lost_write(tmp_path):
    """10 clients for 5 s; the one problem found is the fake accepted issue planted in it."""
    reason = _live_run_skip_reason()
    if reason:
        print(f"skipped: {reason}")
        pytest.skip(reason)
    parts = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    database_url = urllib.parse.urlunsplit(parts._replace(path=parts.path + "_load"))
    redis = PrivateRedis()
    redis.start()
    output = tmp_path / "run.json"
    started = time.monotonic()
    try:
        completed = subprocess.run(
            [
                sys.executable,
                "loadtest/run.py",
                "--clients=10",
                "--duration=5",
                "--workers=2",
                "--no-save",
                f"--output={output}",
                f"--database-url={database_url}",
                f"--cache-url={redis.url}",
                "--fake-accepted-issue=LOST2345WXYZ",
            ],
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        redis.kill()
    elapsed = time.monotonic() - started
    assert output.exists(), completed.stdout[-2000:] + completed.stderr[-3000:]
    document = json.loads(output.read_text())
    # The planted code is the only problem: everything the server accepted is stored.
    assert document["problems"] == [
        "1 accepted issues missing from the database: ['LOST2345WXYZ']"
    ], completed.stdout[-3000:]
    assert completed.returncode == 1 and "FAILED" in completed.stderr
    total, outcome = document["total"], document["outcome"]
    assert total["requests"] > 50 and total["status_5xx"] == 0 and total["errors"] == 0
    assert outcome["signups_accepted"] > 0 and outcome["issues_accepted"] > 0
    # The single-address visitor met the limit; 429s are refusals, not errors.
    assert outcome["single_address_accepted"] <= 5
    # About 25 s on an idle 2-core machine (most of it migrate, seed_demo, collectstatic); the
    # margin is for a busy CI machine.
    assert elapsed < 60, f"the tiny run took {elapsed:.0f} s"
