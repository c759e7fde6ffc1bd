"""Benchmark harness: gunicorn with production settings on PostgreSQL and Redis, measured by wrk.

Run it with `make bench` (or `.venv/bin/python bench/run.py --help`). What it does:

1. checks that `wrk` is installed and that BENCH_DATABASE_URL holds the generated scale dataset;
2. runs `collectstatic` and starts gunicorn (2 sync workers, DEBUG=False, Redis page cache)
   bound to 127.0.0.1 on a free port;
3. logs in as the generated district admin with a real POST to /accounts/login/;
4. warms up, then measures each page with `wrk --latency`, alternating with the `/healthz`
   baseline measured right before it (healthz, page, healthz, page, ...), so that machine drift
   cancels out in the ratio;
5. counts the SQL queries of each page by rendering it once in this process with Django's test
   Client under `CaptureQueriesContext`, against the same database, with the page cache off:
   the figure is the cost of a full render (a cached hit makes none);
6. samples the resident memory (VmRSS) of the gunicorn workers during each page's run;
7. prints a table and writes JSON to bench/results/<timestamp>.json and bench/results/latest.json;
8. stops gunicorn, always.

The pure parts (parsing wrk's output, the table, the JSON document) are tested in
tests/bench/test_harness.py without running wrk.
"""

import argparse
import http.cookiejar
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:  # run as a script: the project root holds harness/
    sys.path.insert(0, str(BASE_DIR))

from harness import server  # noqa: E402
from harness.server import (  # noqa: E402
    CACHE_URL,
    HOST,
    collectstatic,
    free_port,
    production_env,
    start_gunicorn,
    stop_gunicorn,
    worker_pids,
)

RESULTS_DIR = BASE_DIR / "bench" / "results"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dangqun_scale"
ADMIN_PHONE = "19900000001"
ADMIN_PASSWORD = "dangqun-scale"
GENERATE_COMMAND = "python manage.py generate_scale_data --centers 2000 --years 3 --seed 1"
INSTALL_WRK = "wrk is not installed. Install it (Debian/Ubuntu): sudo apt-get install wrk"


# -- Pure parts (tested without wrk) ---------------------------------------------------------

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def parse_duration_ms(text):
    """wrk's latency figure ("812.00us", "1.52ms", "2.01s", "1.00m") in milliseconds."""
    match = re.fullmatch(r"\s*([\d.]+)\s*(us|ms|s|m|h)\s*", text)
    if match is None:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk(output):
    """The figures of one `wrk --latency` run: rps, p50/p99 in ms, requests, errors, non-2xx."""
    rps = re.search(r"^Requests/sec:\s*([\d.]+)", output, re.MULTILINE)
    if rps is None:
        raise ValueError("no Requests/sec line in wrk output")
    percentiles = {
        int(float(p)): parse_duration_ms(value)
        for p, value in re.findall(r"^\s*([\d.]+)%\s+([\d.]+\s*(?:us|ms|s|m|h))\s*$", output, re.M)
    }
    if 50 not in percentiles or 99 not in percentiles:
        raise ValueError("no latency distribution in wrk output (was --latency given?)")
    requests = re.search(r"^\s*(\d+) requests in", output, re.MULTILINE)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", output)
    count = int(requests.group(1)) if requests else None
    # No completed request (every one timed out): wrk prints 0 latencies, which mean nothing.
    measured = count != 0
    return {
        "rps": float(rps.group(1)),
        "p50_ms": percentiles[50] if measured else None,
        "p99_ms": percentiles[99] if measured else None,
        "requests": count,
        "errors": sum(int(n) for n in errors.groups()) if errors else 0,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
    }


def page_row(*, page, path, cached, run, baseline_rps, queries, rss_mb, invalidations=None):
    """One entry of the "pages" list: a page's wrk run next to the /healthz run before it."""
    return {
        "page": page,
        "path": path,
        "cached": cached,
        "rps": round(run["rps"], 1),
        "p50_ms": None if run["p50_ms"] is None else round(run["p50_ms"], 2),
        "p99_ms": None if run["p99_ms"] is None else round(run["p99_ms"], 2),
        "queries": queries,
        "ratio": round(run["rps"] / baseline_rps, 4) if baseline_rps else None,
        "rss_mb": round(rss_mb, 1) if rss_mb is not None else None,
        "healthz_rps": round(baseline_rps, 1),
        "errors": run.get("errors", 0),
        "non_2xx": run.get("non_2xx", 0),
        "cache_invalidations": invalidations,
    }


def build_document(*, machine, pages, run=None):
    """The JSON document written under bench/results/."""
    document = {"machine": machine, "pages": pages}
    if run is not None:
        document["run"] = run
    return document


def _cell(value, fmt):
    return "-" if value is None else format(value, fmt)


def format_table(pages):
    """The plain-text table printed at the end of a run."""
    header = ("page", "cached", "req/s", "p50 ms", "p99 ms", "queries", "/healthz", "RSS MB")
    rows = [
        (
            row["page"],
            "yes" if row["cached"] else "no",
            _cell(row["rps"], ".1f"),
            _cell(row["p50_ms"], ".2f"),
            _cell(row["p99_ms"], ".2f"),
            _cell(row["queries"], "d"),
            "-" if row["ratio"] is None else f"{row['ratio'] * 100:.1f}%",
            _cell(row["rss_mb"], ".1f"),
        )
        for row in pages
    ]
    widths = [max(len(str(line[i])) for line in [header, *rows]) for i in range(len(header))]

    def line(cells):
        first = str(cells[0]).ljust(widths[0])
        rest = (str(cell).rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([first, *rest])

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


# -- Environment -----------------------------------------------------------------------------


def fail(message):
    print(f"bench: {message}", file=sys.stderr)
    raise SystemExit(2)


def setup_django(database_url):
    """Configure Django in this process (page discovery, query counts) on the bench database."""
    # The page cache is off here: the query count is that of a full render.
    os.environ.update(
        production_env(
            database_url,
            allowed_hosts=f"{HOST},testserver",
            cache_url="locmemcache://bench",
            page_cache=0,
        )
    )
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def check_dataset():
    from django.db import connection
    from django.db.utils import OperationalError, ProgrammingError

    from centers.models import Center
    from scale.generate import PREFIX

    try:
        connection.ensure_connection()
        present = Center.objects.filter(slug__startswith=PREFIX, level="district").exists()
    except (OperationalError, ProgrammingError) as exc:
        fail(
            f"cannot read the benchmark database ({exc.__class__.__name__}: {exc}).\n"
            "Set BENCH_DATABASE_URL to a migrated PostgreSQL database holding the scale dataset."
        )
    if not present:
        fail(
            "the benchmark database holds no generated data. Generate it first:\n"
            f"  DATABASE_URL=<BENCH_DATABASE_URL> {GENERATE_COMMAND}"
        )


def discover_pages():
    """The pages of issue 7, with real slugs, ids and codes from the scale database."""
    from django.utils import timezone

    from activities.models import Activity
    from assistance.models import AidStation
    from centers.models import Center
    from deliberation.models import Issue
    from scale.generate import PREFIX

    district = Center.objects.get(slug__startswith=PREFIX, level="district")
    community = (
        Center.objects.published()
        .filter(slug__startswith=PREFIX, level="community")
        .order_by("path")
        .first()
    )
    activity = Activity.objects.published().filter(center=community).order_by("pk").first()
    issue = (
        Issue.objects.filter(center=community, status=Issue.Status.RESOLVED).order_by("pk").first()
        or Issue.objects.filter(center=community).order_by("pk").first()
    )
    station = (
        AidStation.objects.public().filter(center__slug__startswith=PREFIX).order_by("pk").first()
    )
    today = timezone.localdate()
    month = today.replace(day=1).isoformat()
    last_year = today.year - 1
    # (page, path, cached for anonymous visitors, logged in)
    return [
        ("home", "/", True, False),
        ("center directory", "/centers/", True, False),
        ("community page", f"/centers/{community.slug}/", True, False),
        (
            "district activity month",
            f"/activities/?view=month&center={district.slug}&date={month}",
            True,
            False,
        ),
        ("activity detail", f"/activities/{activity.pk}/", True, False),
        ("district iCalendar feed", f"/activities/feed.ics?center={district.slug}", True, False),
        ("issue tracking", f"/deliberation/track/{issue.tracking_code}/", True, False),
        ("aid station", f"/assistance/stations/{station.center.slug}/", True, False),
        ("staff issue inbox", "/manage/deliberation/", False, True),
        ("district report dashboard", "/manage/reports/", False, True),
        (
            "annual report",
            f"/manage/reports/annual/{district.slug}/{last_year}/",
            False,
            True,
        ),
    ]


def count_queries(pages):
    """SQL queries of one full render of each page, in process (test Client)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from centers.models import User

    anonymous, staff = Client(), Client()
    staff.force_login(User.objects.get(phone=ADMIN_PHONE))
    counts = {}
    for page, path, _cached, logged_in in pages:
        client = staff if logged_in else anonymous
        client.get(path)  # first render: per-process lookups (content types, ...) settle
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        if response.status_code != 200:
            fail(f"{page} ({path}) answered {response.status_code} in process, not 200")
        counts[page] = len(captured.captured_queries)
    return counts


def machine_info():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_mb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_mb = round(int(line.split()[1]) / 1024)
    except OSError:
        pass
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": model,
        "memory_mb": memory_mb,
        "python": platform.python_version(),
        "postgres": postgres,
        "platform": platform.platform(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


# -- gunicorn and wrk --------------------------------------------------------------------------


def wait_ready(base, process, timeout=30):
    try:
        server.wait_ready(base, process, timeout)
    except server.ServerError as exc:
        fail(str(exc))


def rss_mb(pid, field="VmRSS"):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class RssSampler:
    """Largest VmRSS of any gunicorn worker while the `with` block runs (sampled every 0.2 s)."""

    def __init__(self, master_pid, interval=0.2):
        self.master_pid, self.interval = master_pid, interval
        self.peak = None
        self._stop = threading.Event()

    def _sample(self):
        for pid in worker_pids(self.master_pid):
            value = rss_mb(pid)
            if value is not None and (self.peak is None or value > self.peak):
                self.peak = value

    def _loop(self):
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self):
        self._sample()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self._sample()


def wait_idle(base, timeout=180):
    """Wait until /healthz answers within a second: a slow page's queued requests are done."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            fetch(base, "/healthz", timeout=5)
            if time.monotonic() - started < 1:
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(1)
    fail(f"gunicorn still busy {timeout} s after the last run")


def cache_generation(cache_url):
    """The public-page cache generation (centers/caching.py) in Redis, None if unreadable.

    It must not move while an anonymous page is measured: if it does, something else writes to
    the portal's content (or shares this Redis database) and the page was rendered, not cached.
    """
    try:
        import redis

        value = redis.Redis.from_url(cache_url, socket_timeout=2).get(":1:public-pages:generation")
        return int(value) if value is not None else None
    except Exception:
        return None


def login(base):
    """A real login: GET the form for the CSRF cookie and token, POST the credentials."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(base + "/accounts/login/", timeout=10) as response:
        html = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if token is None:
        fail("no CSRF token on /accounts/login/")
    data = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token.group(1),
            "username": ADMIN_PHONE,
            "password": ADMIN_PASSWORD,
        }
    ).encode()
    request = urllib.request.Request(
        base + "/accounts/login/", data=data, headers={"Referer": base + "/accounts/login/"}
    )
    with opener.open(request, timeout=30) as response:
        response.read()
    cookies = {cookie.name: cookie.value for cookie in jar}
    if "sessionid" not in cookies:
        fail(f"login as {ADMIN_PHONE} failed (no session cookie); is the scale dataset complete?")
    return "; ".join(f"{name}={value}" for name, value in sorted(cookies.items()))


def fetch(base, path, cookie=None, timeout=60):
    request = urllib.request.Request(base + path, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        response.read()
        return response.status, response.headers


def run_wrk(url, *, duration, connections, threads, cookie=None):
    command = [
        "wrk",
        "--latency",
        "--timeout",
        "30s",
        "-d",
        f"{duration}s",
        "-c",
        str(connections),
        "-t",
        str(threads),
        # As browsers and calendar clients do: the feed is compressed for them.
        "-H",
        "Accept-Encoding: gzip, deflate",
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    result = subprocess.run(
        [*command, url], capture_output=True, text=True, timeout=duration + 30, check=False
    )
    if result.returncode != 0:
        fail(f"wrk failed on {url}: {result.stderr.strip() or result.stdout.strip()}")
    return parse_wrk(result.stdout)


# -- Main ------------------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (10)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (8)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of wrk warm-up per page")
    parser.add_argument(
        "--only", action="append", default=[], help="measure only pages whose name contains this"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL,
        help="the database holding the scale dataset (BENCH_DATABASE_URL)",
    )
    parser.add_argument(
        "--cache-url", default=CACHE_URL, help=f"the page cache of gunicorn ({CACHE_URL})"
    )
    parser.add_argument("--no-save", action="store_true", help="print only, write no JSON")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    server.stop_cleanly_on_signals()
    if shutil.which("wrk") is None:
        fail(INSTALL_WRK)
    setup_django(args.database_url)
    check_dataset()
    pages = discover_pages()
    if args.only:
        pages = [p for p in pages if any(word in p[0] for word in args.only)]
    env = production_env(args.database_url, cache_url=args.cache_url)
    # Before anything renders a page: the manifest storage needs the collected files.
    print("bench: collectstatic ...", flush=True)
    collectstatic(env)
    print(f"bench: counting SQL queries of {len(pages)} pages in process ...", flush=True)
    queries = count_queries(pages)
    port = free_port()
    base = f"http://{HOST}:{port}"
    wrk_options = {"connections": args.connections, "threads": args.threads}
    rows = []
    process = None
    with tempfile.TemporaryFile(mode="w+") as log:
        try:
            process = start_gunicorn(env, port, args.workers, log)
            wait_ready(base, process)
            print(f"bench: gunicorn ({args.workers} workers) on {base}", flush=True)
            cookie = login(base)
            # Warm up: every page twice (fills the page cache), then the baseline.
            warm_ms = {}
            for page, path, _cached, logged_in in pages:
                for _ in range(3):
                    started = time.perf_counter()
                    status, _headers = fetch(base, path, cookie if logged_in else None)
                    if status != 200:
                        fail(f"{page} ({path}) answered {status}")
                # The third fetch: a cache hit for anonymous pages.
                warm_ms[page] = round((time.perf_counter() - started) * 1000, 1)
            print(f"bench: single warm fetch (ms): {warm_ms}", flush=True)
            run_wrk(base + "/healthz", duration=args.warmup, **wrk_options)
            baselines = []
            for page, path, cached, logged_in in pages:
                page_cookie = cookie if logged_in else None
                wait_idle(base)
                baseline = run_wrk(base + "/healthz", duration=args.duration, **wrk_options)
                baselines.append(baseline["rps"])
                if args.warmup:
                    run_wrk(base + path, duration=args.warmup, cookie=page_cookie, **wrk_options)
                    # wrk drops its connections at the end, but the workers still render what
                    # was queued: let them finish before the measured run starts.
                    wait_idle(base)
                before = cache_generation(args.cache_url)
                with RssSampler(process.pid) as sampler:
                    result = run_wrk(
                        base + path, duration=args.duration, cookie=page_cookie, **wrk_options
                    )
                after = cache_generation(args.cache_url)
                invalidations = None if None in (before, after) else after - before
                row = page_row(
                    page=page,
                    path=path,
                    cached=cached,
                    run=result,
                    baseline_rps=baseline["rps"],
                    queries=queries[page],
                    rss_mb=sampler.peak,
                    invalidations=invalidations if cached else None,
                )
                rows.append(row)
                print(
                    f"  {page}: {row['rps']} req/s ({(row['ratio'] or 0) * 100:.1f}% of "
                    f"{row['healthz_rps']}), p50 {row['p50_ms']} ms, p99 {row['p99_ms']} ms"
                    + (f", {row['errors']} errors" if row["errors"] else "")
                    + (f", {row['non_2xx']} non-2xx" if row["non_2xx"] else "")
                    + (
                        f", cache invalidated {invalidations} times"
                        if cached and invalidations
                        else ""
                    ),
                    flush=True,
                )
            workers_after = {
                str(pid): {
                    "rss_mb": round(rss_mb(pid) or 0, 1),
                    "hwm_mb": round(rss_mb(pid, "VmHWM") or 0, 1),
                }
                for pid in worker_pids(process.pid)
            }
        except BaseException:
            log.seek(0)
            tail = log.read()[-3000:]
            if tail.strip():
                print("bench: gunicorn log (tail):\n" + tail, file=sys.stderr)
            raise
        finally:
            stop_gunicorn(process)

    machine = machine_info()
    healthz = sum(baselines) / len(baselines)
    run = {
        "duration_s": args.duration,
        "connections": args.connections,
        "threads": args.threads,
        "gunicorn_workers": args.workers,
        "healthz_rps_mean": round(healthz, 1),
        "healthz_rps_each": [round(x, 1) for x in baselines],
        "workers_after": workers_after,
        "single_warm_fetch_ms": warm_ms,
        "queries": "one full render in process (test Client, page cache off)",
    }
    print()
    print(format_table(rows))
    print(
        f"\n/healthz mean {healthz:.1f} req/s; {args.duration} s x {args.connections} connections"
        f" x {args.threads} threads; load average {machine['load_average']}"
    )
    print("workers after the run: " + json.dumps(workers_after))
    if not args.no_save:
        document = build_document(machine=machine, pages=rows, run=run)
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        (RESULTS_DIR / f"{stamp}.json").write_text(text)
        (RESULTS_DIR / "latest.json").write_text(text)
        print(f"bench: wrote bench/results/{stamp}.json and bench/results/latest.json")


if __name__ == "__main__":
    main()
