"""Load test: many clients browsing, signing up and raising issues on gunicorn, then a check.

Run it with `make loadtest` (or `.venv/bin/python loadtest/run.py --help`). What it does:

1. recreates LOADTEST_DATABASE_URL (its name must contain "load": it is dropped first),
   migrates it and loads `seed_demo`, then adds resident accounts so that every resident client
   has its own (password dangqun2026, like the demo residents);
2. runs `collectstatic` and starts gunicorn with production settings on 127.0.0.1, Redis as
   the cache, and TRUSTED_PROXY_COUNT=1 as behind nginx, so that each simulated visitor can
   have its own address in X-Forwarded-For;
3. logs every resident client in with a real POST to /accounts/login/ (before the clock starts);
4. runs the clients for --duration seconds, one thread each (stdlib http.client):
   - residents open an activity session and sign up (POST), then open their sign-up;
   - visitors open the issue form and submit it (POST) from an address of their own, then open
     the tracking page; one visitor in ten fills the honeypot instead, and one visitor keeps
     a single address throughout to run into the per-address limit (5 an hour): its 429s are
     expected refusals, not errors;
   - browsers fetch public pages (home, directory, center pages, calendar, an activity and a
     session, an aid station, an iCalendar feed);
   writes are bounded in count (--max-signups, --max-issues) as well as time;
5. stops gunicorn and checks against the database: no 5xx and no transport errors, every
   sign-up and issue the server accepted (its id or tracking code is in the redirect) is there,
   no honeypot submission was saved, no session has more confirmed sign-ups than places
   (and each session's counter equals its confirmed rows), and the single-address visitor got
   no more accepted submissions than the limit allows;
6. prints a table and writes JSON to loadtest/results/<timestamp>.json and latest.json.

The exit status is 1 when the check fails. The pure parts (classifying answers, summaries,
the checks over a given set of accepted writes) are tested in tests/loadtest/.
"""

import argparse
import http.client
import ipaddress
import json
import math
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:  # run as a script: the project root holds harness/
    sys.path.insert(0, str(BASE_DIR))

from harness import server  # noqa: E402

RESULTS_DIR = BASE_DIR / "loadtest" / "results"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dangqun_load"
# Not the benchmark's database 1: its page-cache generation must not move under it.
DEFAULT_CACHE_URL = "redis://127.0.0.1:6379/3"
PASSWORD = "dangqun2026"
DEMO_RESIDENTS = [f"139000000{n:02d}" for n in range(1, 31)]
EXTRA_RESIDENT_PREFIX = "1370000"
#: Per-address limit on anonymous submissions (deliberation/views.py SUBMIT_LIMIT).
SUBMIT_LIMIT = 5
SUBMIT_WINDOW_SECONDS = 60 * 60
TITLE_MARK = "压力测试"
HONEYPOT_MARK = "压力测试蜜罐"

SIGNUP_ACCEPTED = re.compile(r"^/activities/registrations/(\d+)/$")
ISSUE_ACCEPTED = re.compile(r"^/deliberation/track/([^/]+)/$")


# -- Pure parts (tested without a server) -----------------------------------------------------


@dataclass
class Result:
    kind: str
    status: int  # 0: no answer (connection refused or reset, timeout)
    ms: float
    outcome: str  # "ok", "refused" (an expected refusal), "error"
    note: str = ""


def classify(kind, status, location=""):
    """What an answer means for the load test: ("ok" | "refused" | "error", note).

    Refusals are answers the portal gives on purpose under load: a sign-up refused (already
    signed up, closed), an issue refused by the per-address limit (429). Anything 5xx, no
    answer at all, or an unexpected status is an error.
    """
    path = urllib.parse.urlsplit(location).path if location else ""
    if status == 0:
        return "error", "no answer"
    if status >= 500:
        return "error", f"{status}"
    if kind == "login":
        return ("ok", "") if status == 302 else ("error", f"{status}")
    if kind == "signup":
        if status == 302 and SIGNUP_ACCEPTED.match(path):
            return "ok", "accepted"
        if status == 302 and path.startswith("/activities/occurrences/"):
            return "refused", "not accepted (already signed up or closed)"
        return "error", f"{status} {path}"
    if kind == "issue submit":
        if status == 302 and ISSUE_ACCEPTED.match(path):
            return "ok", "accepted"
        if status == 429:
            return "refused", "rate limited (429)"
        return "error", f"{status} {path}"
    if kind == "honeypot submit":
        # The fake success page: the script is told nothing.
        return ("ok", "") if status == 200 else ("error", f"{status}")
    return ("ok", "") if status == 200 else ("error", f"{status} {path}")


def percentile(values, q):
    """The q-th percentile (0-100) by the nearest-rank method; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def summarize(results, *, duration):
    """Per kind and overall: requests, ok, refused, errors, 5xx, p50/p99 in ms, requests/s."""

    def row(kind, items):
        latencies = [r.ms for r in items if r.status]
        p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
        return {
            "kind": kind,
            "requests": len(items),
            "ok": sum(r.outcome == "ok" for r in items),
            "refused": sum(r.outcome == "refused" for r in items),
            "errors": sum(r.outcome == "error" for r in items),
            "status_5xx": sum(r.status >= 500 for r in items),
            "no_answer": sum(r.status == 0 for r in items),
            "p50_ms": None if p50 is None else round(p50, 1),
            "p99_ms": None if p99 is None else round(p99, 1),
            "rps": round(len(items) / duration, 1) if duration else None,
            "error_notes": dict(
                Counter(r.note for r in items if r.outcome == "error").most_common(3)
            ),
        }

    kinds = {}
    for result in results:
        kinds.setdefault(result.kind, []).append(result)
    rows = [row(kind, items) for kind, items in sorted(kinds.items())]
    return rows, row("all", results)


def _cell(value):
    return "-" if value is None else str(value)


def format_table(rows, total):
    header = ("kind", "requests", "ok", "refused", "errors", "5xx", "p50 ms", "p99 ms", "req/s")
    keys = ("kind", "requests", "ok", "refused", "errors", "status_5xx", "p50_ms", "p99_ms", "rps")
    lines = [tuple(_cell(r[k]) for k in keys) for r in [*rows, total]]
    widths = [max(len(x[i]) for x in [header, *lines]) for i in range(len(header))]

    def line(cells):
        rest = (c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([cells[0].ljust(widths[0]), *rest])

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *map(line, lines[:-1]), rule, line(lines[-1])])


@dataclass
class Accepted:
    """Writes the server said it accepted, as read from its redirects."""

    signups: list = field(default_factory=list)  # (registration id, phone, occurrence id)
    issues: list = field(default_factory=list)  # tracking codes
    honeypots: int = 0  # honeypot submissions answered with the fake success page
    flood_accepted: int = 0  # accepted submissions of the single-address visitor
    flood_refused: int = 0
    flood_windows: int = 1  # rate-limit windows its submissions spanned


def check(accepted, summary_total):
    """Check the run against the database; returns a list of problems (empty: passed).

    Needs Django set up on the load test's database.
    """
    from django.db.models import Count, F, Q

    from activities.models import Occurrence, Registration
    from deliberation.models import Issue

    problems = []
    if summary_total["status_5xx"]:
        problems.append(f"{summary_total['status_5xx']} answers with a 5xx status")
    if summary_total["no_answer"]:
        problems.append(f"{summary_total['no_answer']} requests got no answer")
    other = summary_total["errors"] - summary_total["status_5xx"] - summary_total["no_answer"]
    if other:
        problems.append(f"{other} unexpected answers (see the errors per kind)")

    ids = [pk for pk, _phone, _occurrence in accepted.signups]
    found = {
        pk: (phone, occurrence, status)
        for pk, phone, occurrence, status in Registration.objects.filter(pk__in=ids).values_list(
            "pk", "user__phone", "occurrence_id", "status"
        )
    }
    lost = [pk for pk in ids if pk not in found]
    if lost:
        problems.append(f"{len(lost)} accepted sign-ups missing from the database: {lost[:10]}")
    wrong = [
        pk
        for pk, phone, occurrence in accepted.signups
        if pk in found
        and (
            found[pk][:2] != (phone, occurrence)
            or found[pk][2] not in (Registration.Status.CONFIRMED, Registration.Status.WAITLISTED)
        )
    ]
    if wrong:
        problems.append(f"{len(wrong)} sign-ups stored for another resident or session: {wrong}")
    if len(set(ids)) != len(ids):
        problems.append("the server gave the same sign-up id to two accepted sign-ups")

    codes = set(accepted.issues)
    stored = set(Issue.objects.filter(tracking_code__in=codes).values_list("tracking_code", flat=1))
    missing = sorted(codes - stored)
    if missing:
        problems.append(f"{len(missing)} accepted issues missing from the database: {missing[:10]}")
    if len(codes) != len(accepted.issues):
        problems.append("the server gave the same tracking code to two accepted issues")
    honeypot_saved = Issue.objects.filter(title__startswith=HONEYPOT_MARK).count()
    if honeypot_saved:
        problems.append(f"{honeypot_saved} honeypot submissions were saved")

    over = list(
        Occurrence.objects.filter(capacity__isnull=False, confirmed_count__gt=F("capacity"))
        .values_list("pk", "confirmed_count", "capacity")
        .order_by("pk")
    )
    if over:
        problems.append(f"sessions over capacity (id, confirmed, capacity): {over[:10]}")
    drift = list(
        Occurrence.objects.annotate(
            confirmed=Count("registrations", filter=Q(registrations__status="confirmed"))
        )
        .exclude(confirmed=F("confirmed_count"))
        .values_list("pk", "confirmed_count", "confirmed")
        .order_by("pk")
    )
    if drift:
        problems.append(f"sessions whose counter differs from their rows: {drift[:10]}")

    allowed = SUBMIT_LIMIT * accepted.flood_windows
    if accepted.flood_accepted > allowed:
        problems.append(
            f"the single-address visitor got {accepted.flood_accepted} submissions accepted,"
            f" more than the limit allows ({allowed})"
        )
    return problems


# -- The HTTP client ---------------------------------------------------------------------------


class Client:
    """One simulated person: a connection, cookies, an address (X-Forwarded-For)."""

    def __init__(self, port, address, results, timeout):
        self.port, self.address, self.results, self.timeout = port, address, results, timeout
        self.cookies = {}
        self.connection = None

    def _connection(self):
        if self.connection is None:
            self.connection = http.client.HTTPConnection(
                server.HOST, self.port, timeout=self.timeout
            )
        return self.connection

    def request(self, kind, method, path, form=None):
        """Send one request, record it; returns (status, location, body)."""
        headers = {"X-Forwarded-For": self.address, "User-Agent": "dangqun-loadtest"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            connection = self._connection()
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            status = response.status
            location = response.getheader("Location", "")
            for header in response.msg.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                value = rest.split(";", 1)[0]
                if value in ("", '""') or "max-age=0" in header.lower():
                    self.cookies.pop(name.strip(), None)
                else:
                    self.cookies[name.strip()] = value
            if response.will_close:
                self.close()
        except (OSError, http.client.HTTPException):
            self.close()
            status, location, content = 0, "", b""
        ms = (time.perf_counter() - started) * 1000
        outcome, note = classify(kind, status, location)
        self.results.append(Result(kind, status, ms, outcome, note))
        return status, urllib.parse.urlsplit(location).path, content

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def form_token(body):
    match = _TOKEN.search(body)
    return match.group(1).decode() if match else ""


# -- The run -----------------------------------------------------------------------------------


class Plan:
    """What the clients share: pages, sessions to sign up for, budgets, the accepted writes."""

    def __init__(self, *, pages, occurrences, communities, max_signups, max_issues):
        self.pages, self.occurrences, self.communities = pages, occurrences, communities
        self.deadline = 0.0  # time.monotonic() at which the clients stop
        self.accepted = Accepted()
        self._lock = threading.Lock()
        self._budget = {"signup": max_signups, "issue": max_issues}
        self._address = int(ipaddress.IPv4Address("10.0.0.0")) + random.randrange(1 << 23)

    def take(self, what):
        """One unit of a write budget; False when it is spent."""
        with self._lock:
            if self._budget[what] <= 0:
                return False
            self._budget[what] -= 1
            return True

    def new_address(self):
        with self._lock:
            self._address += 1
            return str(ipaddress.IPv4Address(self._address))

    def record(self, attribute, value):
        with self._lock:
            getattr(self.accepted, attribute).append(value)

    def running(self):
        return time.monotonic() < self.deadline


def browse(client, plan, rng, think):
    page = rng.choice(plan.pages)
    client.request("page: " + page[0], "GET", page[1])
    pause(rng, think)


def pause(rng, think):
    if think:
        time.sleep(rng.uniform(0, 2 * think))


def run_browser(client, plan, rng, think):
    while plan.running():
        browse(client, plan, rng, think)


def run_resident(client, plan, rng, think, phone):
    pending = list(plan.occurrences)
    rng.shuffle(pending)
    while plan.running():
        if not pending or not plan.take("signup"):
            browse(client, plan, rng, think)
            continue
        occurrence = pending.pop()
        client.request("occurrence page", "GET", f"/activities/occurrences/{occurrence}/")
        pause(rng, think)
        status, location, _body = client.request(
            "signup",
            "POST",
            f"/activities/occurrences/{occurrence}/signup/",
            {"csrfmiddlewaretoken": client.cookies.get("csrftoken", "")},
        )
        match = SIGNUP_ACCEPTED.match(location) if status == 302 else None
        if match:
            plan.record("signups", (int(match.group(1)), phone, occurrence))
            client.request("registration page", "GET", location)
        pause(rng, think)


def run_visitor(client, plan, rng, think, number, *, flood):
    visit = 0
    first_window = int(time.time() // SUBMIT_WINDOW_SECONDS)
    while plan.running():
        if not plan.take("issue"):
            browse(client, plan, rng, think)
            continue
        visit += 1
        if not flood:  # a new visitor: own address, no cookies
            client.close()
            client.cookies.clear()
            client.address = plan.new_address()
        honeypot = not flood and (number + visit) % 10 == 0  # one visit in ten
        status, _location, body = client.request("issue form", "GET", "/deliberation/new/")
        token = form_token(body)
        if status != 200 or not token:
            continue
        pause(rng, think)
        title = f"{HONEYPOT_MARK if honeypot else TITLE_MARK} {number}-{visit}"
        form = {
            "csrfmiddlewaretoken": token,
            "center": rng.choice(plan.communities),
            "title": title,
            "category": "safety",
            "description": "楼道灯坏了一个多月，晚上上下楼看不见，老人容易摔倒。",
            "location": "3号楼2单元",
            "submitter_name": "",
            "submitter_phone": "",
            "is_anonymous": "on",
        }
        if honeypot:
            form["website"] = "http://spam.example.com/"
        kind = "honeypot submit" if honeypot else "issue submit"
        status, location, _body = client.request(kind, "POST", "/deliberation/new/", form)
        match = ISSUE_ACCEPTED.match(location) if status == 302 else None
        if honeypot and status == 200:
            with plan._lock:
                plan.accepted.honeypots += 1
        if match:
            plan.record("issues", match.group(1))
            client.request("issue tracking", "GET", location)
        if flood:
            with plan._lock:
                if match:
                    plan.accepted.flood_accepted += 1
                elif status == 429:
                    plan.accepted.flood_refused += 1
                plan.accepted.flood_windows = (
                    int(time.time() // SUBMIT_WINDOW_SECONDS) - first_window + 1
                )
        pause(rng, think)


def login(client, phone):
    status, _location, body = client.request("login form", "GET", "/accounts/login/")
    token = form_token(body)
    if status != 200 or not token:
        return False
    status, _location, _body = client.request(
        "login",
        "POST",
        "/accounts/login/",
        {"csrfmiddlewaretoken": token, "username": phone, "password": PASSWORD},
    )
    return status == 302 and "sessionid" in client.cookies


def run_clients(*, port, plan, clients, duration, think, timeout, residents, seed):
    """Start every client thread, log the residents in first; returns (results, login results)."""
    rng = random.Random(seed)
    n_residents = min(len(residents), max(1, clients * 3 // 10))
    n_visitors = max(1, clients * 2 // 10)
    n_browsers = max(0, clients - n_residents - n_visitors)
    login_results = []
    resident_clients = [
        (Client(port, plan.new_address(), login_results, timeout), phone)
        for phone in residents[:n_residents]
    ]
    # Logging in hashes the password (PBKDF2, on purpose slow): done before the clock
    # starts, a few at a time, so that it does not count against the pages.
    queue = list(resident_clients)
    failed = []

    def login_worker():
        while True:
            try:
                client, phone = queue.pop()
            except IndexError:
                return
            if not login(client, phone):
                failed.append(phone)

    workers = [threading.Thread(target=login_worker) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if failed:
        raise RuntimeError(f"{len(failed)} residents could not log in, e.g. {failed[:3]}")
    say(f"{len(resident_clients)} residents logged in; load starts")

    per_client = []
    threads = []

    def start(target, client, *args, **kwargs):
        results = []
        client.results = results
        per_client.append(results)
        rng_client = random.Random(rng.random())
        thread = threading.Thread(
            target=target, args=(client, plan, rng_client, think, *args), kwargs=kwargs
        )
        thread.daemon = True
        threads.append(thread)

    for client, phone in resident_clients:
        start(run_resident, client, phone)
    for number in range(n_visitors):
        client = Client(port, plan.new_address(), None, timeout)
        start(run_visitor, client, number, flood=number == 0)
    for _ in range(n_browsers):
        start(run_browser, Client(port, plan.new_address(), None, timeout))
    started = time.monotonic()
    plan.deadline = started + duration
    for thread in threads:
        thread.start()
    for thread in threads:
        # Bounded: a request times out after `timeout` s, the loop ends at the deadline.
        thread.join(timeout=max(0.0, plan.deadline - time.monotonic()) + 2 * timeout + 5)
    elapsed = time.monotonic() - started
    stuck = sum(thread.is_alive() for thread in threads)
    results = [r for items in per_client for r in list(items)]
    counts = {"residents": n_residents, "visitors": n_visitors, "browsers": n_browsers}
    return results, login_results, elapsed, stuck, counts


# -- Setup -------------------------------------------------------------------------------------


def fail(message):
    print(f"loadtest: {message}", file=sys.stderr)
    raise SystemExit(2)


_STARTED = time.monotonic()


def say(message):
    print(f"loadtest [{time.monotonic() - _STARTED:5.1f} s]: {message}", flush=True)


def database_name(database_url):
    return urllib.parse.urlsplit(database_url).path.lstrip("/")


def recreate_database(database_url):
    """Drop and create the load test's database (its name must contain "load")."""
    import psycopg

    name = database_name(database_url)
    if "load" not in name or not re.fullmatch(r"[A-Za-z0-9_]+", name):
        fail(
            f"refusing to recreate database {name!r}: the load test drops its database first,"
            " so its name must contain 'load' (letters, digits and _ only)"
        )
    parts = urllib.parse.urlsplit(database_url)
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def manage(env, *args):
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**os.environ, **env},
        check=True,
        timeout=600,
        stdout=subprocess.DEVNULL,
    )


def setup_django(database_url):
    """Django in this process, on the load test's database (for the setup and the check)."""
    os.environ.update(
        server.production_env(
            database_url,
            allowed_hosts=f"{server.HOST},testserver",
            cache_url="locmemcache://loadtest",
            page_cache=0,
        )
    )
    import django

    django.setup()


def prepare_data(*, residents_needed, occurrences_wanted, margin):
    """Residents beyond the demo's 30, the sessions to sign up for, the public pages.

    Sessions: published, open for sign-up until well after the run, with a capacity; the ones
    with the fewest places first, so that they fill up and the waiting list is used.
    """
    from django.db import connection
    from django.utils import timezone

    from activities.models import Occurrence
    from assistance.models import AidStation
    from centers.models import Center, User

    demo = User.objects.get(phone=DEMO_RESIDENTS[0])
    extra = max(0, residents_needed - len(DEMO_RESIDENTS))
    phones = [f"{EXTRA_RESIDENT_PREFIX}{n:04d}" for n in range(1, extra + 1)]
    # The demo residents' password hash: one PBKDF2 run instead of one per account.
    User.objects.bulk_create(
        [
            User(phone=phone, name=f"压测居民{n}", password=demo.password)
            for n, phone in enumerate(phones, 1)
        ],
        ignore_conflicts=True,
    )
    now = timezone.now()
    candidates = (
        Occurrence.objects.filter(
            activity__is_published=True,
            activity__registration_required=True,
            status=Occurrence.Status.SCHEDULED,
            capacity__isnull=False,
            starts_at__gt=now + margin,
        )
        .select_related("activity")
        .order_by("capacity", "starts_at", "pk")
    )
    occurrences = [
        o.pk for o in candidates[:500] if o.registration_deadline(o.activity) > now + margin
    ][:occurrences_wanted]
    if not occurrences:
        fail("the demo data has no session open for sign-up")
    district = Center.objects.get(level=Center.Level.DISTRICT, depth=1)
    communities = list(
        Center.objects.filter(level=Center.Level.COMMUNITY, is_published=True)
        .order_by("path")
        .values_list("slug", flat=True)
    )
    street = Center.objects.filter(level=Center.Level.STREET, is_published=True).first()
    first = Occurrence.objects.get(pk=occurrences[0])
    station = AidStation.objects.public().select_related("center").order_by("pk").first()
    pages = [
        ("home", "/"),
        ("center directory", "/centers/"),
        ("street page", f"/centers/{street.slug}/"),
        ("community page", f"/centers/{communities[0]}/"),
        ("activity calendar", "/activities/"),
        ("activity month", f"/activities/?view=month&center={district.slug}"),
        ("activity detail", f"/activities/{first.activity_id}/"),
        ("occurrence page", f"/activities/occurrences/{first.pk}/"),
        ("community iCalendar feed", f"/activities/feed.ics?center={communities[0]}"),
    ]
    if station is not None:
        pages.append(("aid station", f"/assistance/stations/{station.center.slug}/"))
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return [*DEMO_RESIDENTS, *phones], occurrences, communities, pages, postgres


def cache_generation(cache_url):
    """The public-page cache generation (centers/caching.py) in Redis, None if unreadable."""
    try:
        import redis

        value = redis.Redis.from_url(cache_url, socket_timeout=2).get(":1:public-pages:generation")
        return int(value) if value is not None else None
    except Exception:
        return None


def machine_info(postgres):
    return {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "postgres": postgres,
        "platform": platform.platform(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--clients", type=int, default=200, help="concurrent clients (200)")
    parser.add_argument("--duration", type=int, default=60, help="seconds of load (60)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (4)")
    parser.add_argument(
        "--think", type=float, default=0.2, help="mean pause between a client's steps, s (0.2)"
    )
    parser.add_argument("--timeout", type=float, default=30, help="per request, seconds (30)")
    parser.add_argument("--max-signups", type=int, default=5000, help="sign-up budget (5000)")
    parser.add_argument("--max-issues", type=int, default=2000, help="issue budget (2000)")
    parser.add_argument(
        "--occurrences", type=int, default=12, help="sessions the residents sign up for (12)"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("LOADTEST_DATABASE_URL") or DEFAULT_DATABASE_URL,
        help="recreated for the run; its name must contain 'load' (LOADTEST_DATABASE_URL)",
    )
    parser.add_argument(
        "--cache-url",
        default=os.environ.get("LOADTEST_CACHE_URL") or DEFAULT_CACHE_URL,
        help=f"Redis for gunicorn (LOADTEST_CACHE_URL, {DEFAULT_CACHE_URL})",
    )
    parser.add_argument("--no-save", action="store_true", help="write nothing to loadtest/results")
    parser.add_argument("--output", type=Path, help="also write the JSON document here")
    parser.add_argument(
        "--fake-accepted-issue",
        metavar="CODE",
        help="add a tracking code the server never gave to the accepted issues (the check"
        " must then fail: proves that it would catch a lost write)",
    )
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    server.stop_cleanly_on_signals()
    database_url = args.database_url
    env = server.production_env(database_url, cache_url=args.cache_url)
    # As behind nginx: rate limits and login throttling count the address in X-Forwarded-For,
    # which gives each simulated visitor its own (the limits themselves are unchanged).
    env["TRUSTED_PROXY_COUNT"] = "1"
    say(f"recreating {database_name(database_url)}, migrate, seed_demo ...")
    try:
        recreate_database(database_url)
    except Exception as exc:  # psycopg's errors, without importing it at the top
        fail(f"cannot recreate the database ({exc.__class__.__name__}: {exc})")
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "seed_demo")
    setup_django(database_url)
    n_residents = max(1, args.clients * 3 // 10)
    residents, occurrences, communities, pages, postgres = prepare_data(
        residents_needed=n_residents,
        occurrences_wanted=args.occurrences,
        margin=timedelta(hours=2),
    )
    say("collectstatic ...")
    server.collectstatic(env)
    port = server.free_port()
    base = f"http://{server.HOST}:{port}"
    plan = Plan(
        pages=pages,
        occurrences=occurrences,
        communities=communities,
        max_signups=args.max_signups,
        max_issues=args.max_issues,
    )
    process = None
    with tempfile.TemporaryFile(mode="w+") as log:
        try:
            process = server.start_gunicorn(env, port, args.workers, log)
            server.wait_ready(base, process)
            say(
                f"gunicorn ({args.workers} workers) on {base}; logging in, then {args.clients}"
                f" clients for {args.duration} s"
            )
            generation_before = cache_generation(args.cache_url)
            results, login_results, elapsed, stuck, counts = run_clients(
                port=port,
                plan=plan,
                clients=args.clients,
                duration=args.duration,
                think=args.think,
                timeout=args.timeout,
                residents=residents,
                seed=args.seed,
            )
            generation_after = cache_generation(args.cache_url)
        except BaseException:
            log.seek(0)
            tail = log.read()[-3000:]
            if tail.strip():
                print("loadtest: gunicorn log (tail):\n" + tail, file=sys.stderr)
            raise
        finally:
            server.stop_gunicorn(process)
        log.seek(0)
        tracebacks = log.read().count("Traceback")

    say("checking the database ...")
    accepted = plan.accepted
    if args.fake_accepted_issue:
        accepted.issues.append(args.fake_accepted_issue)
    rows, total = summarize(results, duration=elapsed)
    _login_rows, login_total = summarize(login_results, duration=elapsed)
    problems = check(accepted, total)
    if stuck:
        problems.append(f"{stuck} clients still running after the deadline")
    if login_total["errors"]:
        problems.append(f"{login_total['errors']} login requests failed")

    from django.db.models import F

    from activities.models import Occurrence, Registration

    accepted_ids = [pk for pk, _phone, _occurrence in accepted.signups]
    statuses = Counter(
        Registration.objects.filter(pk__in=accepted_ids).values_list("status", flat=True)
    )
    outcome = {
        "signups_accepted": len(accepted.signups),
        "signups_confirmed": statuses["confirmed"],
        "signups_waitlisted": statuses["waitlisted"],
        "sessions": len(occurrences),
        "sessions_full": Occurrence.objects.filter(
            pk__in=occurrences, capacity__lte=F("confirmed_count")
        ).count(),
        "issues_accepted": len(set(accepted.issues)),
        "honeypot_answered_as_success": accepted.honeypots,
        "single_address_accepted": accepted.flood_accepted,
        "single_address_refused_429": accepted.flood_refused,
        "gunicorn_tracebacks": tracebacks,
        # Every committed write makes all cached public pages stale (centers/caching.py).
        "page_cache_invalidations": None
        if None in (generation_before, generation_after)
        else generation_after - generation_before,
        "lost_writes": sum("missing from the database" in p for p in problems),
    }
    document = {
        "machine": machine_info(postgres),
        "run": {
            "clients": args.clients,
            **counts,
            "duration_s": args.duration,
            "elapsed_s": round(elapsed, 1),
            "think_s": args.think,
            "gunicorn_workers": args.workers,
            "logins": login_total["ok"],
            "login_p50_ms": login_total["p50_ms"],
            "rate_limits": "unchanged; TRUSTED_PROXY_COUNT=1, one X-Forwarded-For per visitor",
        },
        "kinds": rows,
        "total": total,
        "outcome": outcome,
        "passed": not problems,
        "problems": problems,
    }
    print()
    print(format_table(rows, total))
    print()
    print("loadtest: " + json.dumps(outcome, ensure_ascii=False))
    if not args.no_save:
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        (RESULTS_DIR / f"{stamp}.json").write_text(text)
        (RESULTS_DIR / "latest.json").write_text(text)
        print(f"loadtest: wrote loadtest/results/{stamp}.json and loadtest/results/latest.json")
    if args.output:
        args.output.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    if problems:
        print("loadtest: FAILED\n  " + "\n  ".join(problems), file=sys.stderr)
        raise SystemExit(1)
    print(f"loadtest: passed ({total['requests']} requests, no 5xx, no lost writes)")


if __name__ == "__main__":
    main()
