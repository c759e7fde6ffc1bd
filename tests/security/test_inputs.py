"""Bad input never breaks a page: property-based tests of every public form and filter.

Hypothesis drives each target below with submissions built from a valid one (see
`tests.security.strategies`): every field kept, left out, replaced by hostile text, a wrong
type, a far or impossible date, or repeated. For each submission:

* the answer is never a server error (the test client re-raises a view's exception, so a 500
  fails with its traceback), and a redirect never leaves the site;
* a GET changes no data (an export may add its access-log entry);
* a POST changes either nothing, or exactly the rows a valid submission changes (nothing
  half-written), and only when it is answered with a redirect.

Targets: the public pages (anonymous or resident) first, then every staff filter and form
(`PAYLOADS` of the access test, posted by the owner with hostile values). Each submission runs
in a savepoint rolled back afterwards, over one world built for the module, with the cache (and
with it every rate limit) cleared, so that one submission never changes what the next meets.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from centers.models import StaffRole
from tests.conftest import _staff, make_tree
from tests.factories import PASSWORD, UserFactory
from tests.security import world as world_module
from tests.security.strategies import MISSING, encode, form_data, hostile, path_segment
from tests.security.test_access import (
    OWNERS,
    PAYLOADS,
    ROUTES,
    VIEWER_MAY_POST,
    cases,
    url_for,
)
from tests.security.world import PRIVATE

pytestmark = pytest.mark.django_db

#: Inputs tried, by target: reported at the end of the run (tests/security/conftest.py).
TRIED = Counter()

#: Examples per target; the deterministic sweep below adds the classic values to every field.
PUBLIC_EXAMPLES = 10
STAFF_EXAMPLES = 3
PATH_EXAMPLES = 5
PROFILE = {
    "deadline": None,
    # Nothing written to .hypothesis/: every run starts from the same strategies.
    "database": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}

#: Tables not compared: they change with any login or request, not with the data.
UNCOUNTED = {"sessions.session", "contenttypes.contenttype", "auth.permission"}


@dataclass(frozen=True)
class Target:
    """One form or filter: where it is, who uses it, and a valid submission to start from."""

    name: str
    url: object  #: world → path
    valid: object  #: world → {field: value}
    method: str = "get"
    who: str = "anonymous"
    #: A POST that only reads: like a GET, it may add an access-log entry and nothing else.
    reads: bool = False
    #: Models whose row count may differ from a valid submission's when one is accepted (how
    #: many lines or choices were sent is part of the input).
    vary: frozenset = field(default_factory=frozenset)

    def __str__(self):
        return self.name


def today(days=0):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


PERIOD = {"period": "custom", "year": "2026", "quarter": "1", "month": "1", "start": today(-30)}

# -- Public pages ---------------------------------------------------------------------------

PUBLIC_FILTERS = [
    Target(
        "centers:list",
        lambda w: reverse("centers:list"),
        lambda w: {"q": "创业", "level": "community", "street": "zhongzhuanlu", "page": "1"},
    ),
    Target(
        "activities:calendar",
        lambda w: reverse("activities:calendar"),
        lambda w: {
            "view": "month",
            "center": w.center.slug,
            "category": "culture",
            "audience": "elderly",
            "date": today(),
            "page": "2",
        },
    ),
    Target(
        "activities:feed",
        lambda w: reverse("activities:feed"),
        lambda w: {"center": w.center.slug, "category": "culture"},
    ),
    Target(
        "deliberation:new (GET)",
        lambda w: reverse("deliberation:new"),
        lambda w: {"center": w.center.slug},
    ),
    Target(
        "deliberation:track_lookup",
        lambda w: reverse("deliberation:track_lookup"),
        lambda w: {"code": w.issue.tracking_code},
    ),
    Target(
        "deliberation:track (GET)",
        lambda w: reverse("deliberation:track", args=[w.issue.tracking_code]),
        lambda w: {"page": "1"},
    ),
    Target(
        "assistance:offer (GET)",
        lambda w: reverse("assistance:offer", args=[w.center.slug]),
        lambda w: {"sent": "1"},
    ),
    Target(
        "assistance:ask (GET)",
        lambda w: reverse("assistance:ask", args=[w.center.slug]),
        lambda w: {"sent": "1"},
    ),
    Target("login (GET)", lambda w: reverse("login"), lambda w: {"next": "/manage/"}),
    Target("signup (GET)", lambda w: reverse("signup"), lambda w: {"next": "/activities/"}),
    Target(
        "switch_language",
        lambda w: reverse("switch_language", args=["en"]),
        lambda w: {"next": "/activities/"},
    ),
    Target("sitemap", lambda w: "/sitemap.xml", lambda w: {"p": "1"}),
    Target("open_data", lambda w: reverse("open_data"), lambda w: {"year": "2026"}),
    Target("home", lambda w: reverse("home"), lambda w: {"q": "x"}),
]

PUBLIC_FORMS = [
    Target(
        "deliberation:new",
        lambda w: reverse("deliberation:new"),
        lambda w: {
            "center": w.center.slug,
            "title": "楼道灯坏了",
            "category": "lighting",
            "description": "三号楼二单元楼道灯坏了一周。",
            "location": "三号楼",
            "submitter_name": "王先生",
            "submitter_phone": "138 0013 8000",
            "is_anonymous": "",
            "website": "",
        },
        method="post",
    ),
    Target(
        "deliberation:new (resident)",
        lambda w: reverse("deliberation:new"),
        lambda w: {
            "center": w.center.slug,
            "title": "楼道灯坏了",
            "category": "lighting",
            "description": "三号楼二单元楼道灯坏了一周。",
            "is_anonymous": "on",
        },
        method="post",
        who="resident",
    ),
    Target(
        "deliberation:rate",
        lambda w: reverse("deliberation:rate", args=[w.resolved.tracking_code]),
        lambda w: {
            "satisfaction": "satisfied",
            "comment": "很及时",
            "phone": PRIVATE["submitter_phone"],
        },
        method="post",
    ),
    Target(
        "assistance:offer",
        lambda w: reverse("assistance:offer", args=[w.center.slug]),
        lambda w: {"name": "王女士", "phone": "13800138000", "items": "儿童冬衣 5 件"},
        method="post",
    ),
    Target(
        "assistance:ask",
        lambda w: reverse("assistance:ask", args=[w.center.slug]),
        lambda w: {
            "requester_name": "李大爷",
            "requester_phone": "13800138001",
            "reason": "冬季缺被褥",
            "items_wanted": "冬被 1 床",
        },
        method="post",
    ),
    Target(
        "login",
        lambda w: reverse("login"),
        lambda w: {"username": w.worker.phone, "password": PASSWORD, "next": "/manage/"},
        method="post",
    ),
    Target(
        "signup",
        lambda w: reverse("signup"),
        lambda w: {
            "phone": "13700001111",
            "name": "新居民",
            "password1": "qiang-mima-2026!",
            "password2": "qiang-mima-2026!",
            "consent": "on",
            "next": "/activities/",
        },
        method="post",
    ),
    Target(
        "set_language",
        lambda w: reverse("set_language"),
        lambda w: {"language": "en", "next": "/activities/"},
        method="post",
    ),
    Target(
        "activities:signup",
        lambda w: reverse("activities:signup", args=[w.occurrence.pk]),
        lambda w: {"note": "x"},
        method="post",
        who="resident",
    ),
    Target(
        "activities:registration_cancel",
        lambda w: reverse("activities:registration_cancel", args=[w.registration.pk]),
        lambda w: {"confirm": "1"},
        method="post",
        who="registrant",
    ),
    Target("account", lambda w: reverse("account"), lambda w: {"x": "1"}, "post", "resident"),
    Target(
        "deliberation:mine",
        lambda w: reverse("deliberation:mine"),
        lambda w: {"page": "1"},
        "get",
        "resident",
    ),
    Target(
        "activities:mine",
        lambda w: reverse("activities:mine"),
        lambda w: {"page": "1"},
        "get",
        "resident",
    ),
]

# -- Staff pages ----------------------------------------------------------------------------

STAFF_FILTERS = [
    Target("manage:dashboard", lambda w: reverse("manage:dashboard"), lambda w: {"q": "创业"}),
    Target(
        "activities_manage:list",
        lambda w: reverse("activities_manage:list"),
        lambda w: {"q": "测试", "page": "1"},
    ),
    Target(
        "deliberation_manage:inbox",
        lambda w: reverse("deliberation_manage:inbox"),
        lambda w: {
            "q": "积水",
            "status": "open",
            "category": "drainage",
            "center": w.center.slug,
            "overdue": "on",
            "mine": "on",
            "page": "1",
        },
    ),
    Target(
        "deliberation_manage:meetings",
        lambda w: reverse("deliberation_manage:meetings"),
        lambda w: {"page": "1"},
    ),
    Target(
        "assistance_manage:beneficiaries",
        lambda w: reverse("assistance_manage:beneficiaries"),
        lambda w: {
            "center": w.center.slug,
            "type": "elderly_alone",
            "tier": "medium",
            "status": "active",
            "q": "龚",
            "page": "1",
        },
    ),
    Target(
        "assistance_manage:beneficiary_export",
        lambda w: reverse("assistance_manage:beneficiary_export", args=["csv"]),
        lambda w: {"center": w.center.slug, "type": "elderly_alone", "q": "龚"},
    ),
    Target(
        "assistance_manage:programs",
        lambda w: reverse("assistance_manage:programs"),
        lambda w: {"page": "1"},
    ),
    Target(
        "assistance_manage:program",
        lambda w: reverse("assistance_manage:program", args=[w.program.pk]),
        lambda w: {"page": "1"},
    ),
    Target(
        "assistance_manage:station",
        lambda w: reverse("assistance_manage:station", args=[w.center.slug]),
        lambda w: {"page": "1"},
    ),
    Target(
        "assistance_manage:donation_new (GET)",
        lambda w: reverse("assistance_manage:donation_new", args=[w.center.slug]),
        lambda w: {"rows": "5"},
    ),
    Target(
        "assistance_manage:distribution_new (GET)",
        lambda w: reverse("assistance_manage:distribution_new", args=[w.center.slug]),
        lambda w: {"request": str(w.pending_request.pk), "rows": "5"},
    ),
    Target(
        "assistance_manage:request",
        lambda w: reverse("assistance_manage:request", args=[w.pending_request.pk]),
        lambda w: {"reveal": "1"},
    ),
    Target(
        "reports:dashboard",
        lambda w: reverse("reports:dashboard"),
        lambda w: {"center": w.center.slug, **PERIOD, "end": today()},
    ),
    Target(
        "reports:section",
        lambda w: reverse("reports:section", args=["deliberation"]),
        lambda w: {"center": w.center.slug, **PERIOD, "end": today(), "format": "csv"},
    ),
]

#: Models whose count depends on how many lines or choices a staff form was sent.
LINES = frozenset(
    {
        "assistance.donationline",
        "assistance.stockmovement",
        "assistance.aidrequestline",
        "assistance.distributionline",
        "assistance.beneficiarytype",
        "deliberation.agendaitem",
        "deliberation.meetingparticipant",
        "deliberation.issueevent",
        "activities.attendance",
        "activities.registration",
        "centers.auditentry",
    }
)


def _staff_forms():
    """One target per staff form of the access test's `PAYLOADS` (uploads are tested in
    test_uploads.py; a form with a file is left out here)."""
    targets = []
    for case in cases(r for r in ROUTES if r.is_staff and r.key in PAYLOADS):
        if case.params.get("kind") == "photos":
            continue
        targets.append(
            Target(
                str(case),
                lambda w, case=case: url_for(case, w),
                lambda w, case=case: PAYLOADS[case.key](w, case.params),
                method="post",
                who=OWNERS.get(case.key, "worker"),
                reads=case.key in VIEWER_MAY_POST,
                vary=LINES,
            )
        )
    return targets


STAFF_FORMS = _staff_forms()

# -- The world ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def w(django_db_setup, django_db_blocker, tmp_path_factory):
    """chuangye's world (tests.security.world), built once for the module in a transaction
    rolled back at the end; each submission runs in a savepoint inside it."""
    once = override_settings(
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    with django_db_blocker.unblock(), once, transaction.atomic():
        tree = make_tree()
        worker = _staff(tree.community, StaffRole.Role.EDITOR, user__name="社区工作人员")
        street_staff = _staff(tree.street, user__name="街道工作人员")
        world = world_module.build(tree, worker=worker, street_staff=street_staff)
        world.resident = UserFactory(name="居民")
        world.people = {
            "anonymous": None,
            "resident": world.resident,
            "registrant": world.registrant,
            "worker": worker,
            "street_staff": street_staff,
        }
        yield world
        transaction.set_rollback(True)


def _tables():
    quote = connection.ops.quote_name
    existing = set(connection.introspection.table_names())
    tables = {}
    for model in apps.get_models():
        meta = model._meta
        if meta.label_lower in UNCOUNTED or meta.app_label == "axes":
            continue
        if meta.proxy or not meta.managed or meta.db_table not in existing:
            continue
        tables[meta.label_lower] = quote(meta.db_table)
    return tables


TABLES = None
FORM = "application/x-www-form-urlencoded"


def counts():
    """The row count of every table, in one query."""
    global TABLES
    TABLES = TABLES or _tables()
    sql = ", ".join(f"(SELECT count(*) FROM {table})" for table in TABLES.values())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql}")
        return dict(zip(TABLES, cursor.fetchone(), strict=True))


def delta(before, after):
    return {
        label: after[label] - before[label] for label in before if after[label] != before[label]
    }


def client_for(w, who):
    client = Client()
    user = w.people[who]
    if user is not None:
        client.force_login(user)
    return client


def send(w, target, data):
    """One submission, in a savepoint that is rolled back: (response, rows changed)."""
    cache.clear()  # rate limits and cached pages start afresh for every example
    with transaction.atomic():
        client = client_for(w, target.who)
        before = counts()
        body = encode(data)
        if target.method == "get":
            response = client.get(f"{target.url(w)}?{body}")
        else:
            response = client.post(target.url(w), body, content_type=FORM)
        changed = delta(before, counts())
        transaction.set_rollback(True)
    return response, changed


def assert_stays_on_site(response):
    if response.status_code in (301, 302, 303, 307, 308):
        location = response["Location"]
        parts = urlsplit(location)
        # A relative path (even a strange one) stays on the site; browsers read a backslash
        # as a slash, so "/\\evil.example" would not.
        assert not parts.scheme and not parts.netloc, f"redirects off the site: {location!r}"
        assert not location.replace("\\", "/").startswith("//"), location


#: A valid submission's changes, per target, found on the first example.
REFERENCE = {}


def reference(w, target):
    if target.name not in REFERENCE:
        response, changed = send(w, target, target.valid(w))
        assert response.status_code in (200, 302), (target.name, response.status_code)
        REFERENCE[target.name] = changed
    return REFERENCE[target.name]


def check(w, target, data):
    TRIED[target.name] += 1
    response, changed = send(w, target, data)
    assert response.status_code < 500, (target.name, response.status_code)
    assert_stays_on_site(response)
    if target.method == "get" or target.reads:
        # Reading changes nothing, except the access log of an export or a revealed contact.
        assert set(changed) <= {"centers.auditentry"}, changed
        return
    if not changed:
        return
    # Something was written: then it was accepted (a redirect), and it is all of a valid
    # submission's changes, not part of them.
    expected = reference(w, target)
    assert response.status_code == 302, (response.status_code, changed)
    sent = "; ".join(f"{k}={repr(v)[:60]}" for k, v in data.items())
    assert set(changed) == set(expected), (changed, expected, sent)
    for label, rows in changed.items():
        if label not in target.vary:
            assert rows == expected[label], (label, changed, expected, sent)


# -- Tests ----------------------------------------------------------------------------------


@pytest.mark.parametrize("target", PUBLIC_FILTERS + PUBLIC_FORMS, ids=str)
@settings(max_examples=PUBLIC_EXAMPLES, **PROFILE)
@given(data=st.data())
def test_public_forms_and_filters_never_fail(w, target, data):
    check(w, target, data.draw(form_data(target.valid(w)), label="submission"))


@pytest.mark.parametrize("target", STAFF_FILTERS + STAFF_FORMS, ids=str)
@settings(max_examples=STAFF_EXAMPLES, **PROFILE)
@given(data=st.data())
def test_staff_forms_and_filters_never_fail(w, target, data):
    check(w, target, data.draw(form_data(target.valid(w)), label="submission"))


#: Public URLs with an argument in the path, and a staff one or two: '{}' takes the value.
PATHS = [
    ("get", "anonymous", "/centers/{}/"),
    ("get", "anonymous", "/activities/{}/"),
    ("get", "anonymous", "/activities/occurrences/{}/"),
    ("get", "anonymous", "/deliberation/track/{}/"),
    ("post", "anonymous", "/deliberation/track/{}/rate/"),
    ("get", "anonymous", "/deliberation/meetings/{}/"),
    ("get", "anonymous", "/assistance/stations/{}/"),
    ("post", "anonymous", "/assistance/stations/{}/ask/"),
    ("get", "anonymous", "/open-data/{}.csv"),
    ("get", "anonymous", "/i18n/{}/"),
    ("post", "resident", "/activities/occurrences/{}/signup/"),
    ("get", "resident", "/activities/registrations/{}/"),
    ("get", "worker", "/manage/activities/{}/"),
    ("get", "worker", "/manage/activities/checkin/{}/"),
    ("get", "worker", "/manage/centers/{}/"),
    ("get", "worker", "/manage/reports/annual/chuangye/{}/"),
    ("get", "worker", "/manage/reports/{}/"),
    ("get", "worker", "/manage/deliberation/issues/{}/"),
]

path_values = st.one_of(
    hostile,
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["0", "9223372036854775807", "9223372036854775808", "2147483648"]),
)


@pytest.mark.parametrize(("method", "who", "pattern"), PATHS, ids=[p[2] for p in PATHS])
@settings(max_examples=PATH_EXAMPLES, **PROFILE)
@given(value=path_values)
def test_hostile_path_arguments_answer_404_not_500(w, method, who, pattern, value):
    TRIED[pattern] += 1
    target = Target(pattern, lambda w: pattern.format(path_segment(value)), dict, method, who)
    response, changed = send(w, target, {})
    assert response.status_code < 500, response.status_code
    assert not changed, changed


#: Values every field gets for certain, whatever hypothesis draws, all fields at once.
CLASSICS = ["\x00", "9" * 30, "A" * 5001, "\ud800"]
#: Values a field of one kind gets alone, the others valid, so that the form is accepted and
#: the value reaches the code behind it: integers beyond bigint, dates at Python's limits (date
#: arithmetic overflows there), days and times that do not exist.
BY_KIND = [
    (re.compile(r"-?\d+"), ["9" * 30, "2147483648", "-1", "1.5"]),
    (re.compile(r"\d{4}-\d{2}-\d{2}"), ["0001-01-01", "9999-12-31", "2026-02-30"]),
    (re.compile(r"\d{2}:\d{2}"), ["24:00", "23:59:60"]),
]


def hostile_for(valid_value, *, nul):
    """NUL (if `nul`), and the values of `BY_KIND` for a field whose valid value is of that
    kind."""
    values = ["\x00"] if nul else []
    if isinstance(valid_value, str):
        for kind, hostile_values in BY_KIND:
            if kind.fullmatch(valid_value):
                values += hostile_values
    return values


@pytest.mark.parametrize(
    "target", PUBLIC_FILTERS + PUBLIC_FORMS + STAFF_FILTERS + STAFF_FORMS, ids=str
)
def test_classic_values_in_every_field(w, target):
    """Each classic value in all fields at once; then each field alone with the hostile values
    of its kind, the others valid, and NUL (the staff forms, which are many and long, have NUL
    in all fields at once only)."""
    valid = target.valid(w)
    nul = target not in STAFF_FORMS
    for value in CLASSICS:
        check(w, target, {**dict.fromkeys(valid, value), "website": MISSING})
    for name, valid_value in valid.items():
        if name == "website":
            continue
        for value in hostile_for(valid_value, nul=nul):
            check(w, target, {**valid, name: value})
    # A date and a time at the ends of Python's calendar: the time zone or a duration added to
    # them overflows.
    for day_field in [name for name in valid if name.endswith("_date")]:
        time_field = day_field.replace("_date", "_time")
        if time_field in valid:
            for day, at in (("0001-01-01", "00:00"), ("9999-12-31", "23:59")):
                check(w, target, {**valid, day_field: day, time_field: at})


NEXTS = ["home", "999", "javascript:alert(1)", "//evil.example/", "/\\evil.example/", "\x00", "%"]


@pytest.mark.parametrize("next_url", NEXTS)
def test_a_next_that_is_not_a_path_never_fails_and_stays_on_the_site(w, next_url):
    # redirect() took a next= without a slash for a URL name (NoReverseMatch, a 500).
    signup = next(t for t in PUBLIC_FORMS if t.name == "signup")
    switch = next(t for t in PUBLIC_FILTERS if t.name == "switch_language")
    for target in (signup, switch):
        response, changed = send(w, target, {**target.valid(w), "next": next_url})
        assert response.status_code == 302, (target.name, response.status_code)
        assert_stays_on_site(response)
        if target is signup:
            assert changed == {"centers.user": 1}


#: Bodies a browser never sends: (content type, body).
MALFORMED = [
    ("multipart/form-data", b"--x\r\nContent-Disposition: form-data; name=title\r\n\r\nA"),
    ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data; name="),
    ("multipart/form-data; boundary=" + "x" * 100, b"garbage"),
    ("application/json", b'{"title": "\\u0000", "center": [1, 2]}'),
    ("text/plain", b"\x00\xff\xfe" * 100),
    ("application/x-www-form-urlencoded", b"%zz=%ff&&=&a=%00&" + b"k=v&" * 1001),
    ("application/x-www-form-urlencoded", b"a=" + b"x" * (3 * 1024 * 1024)),
]

#: Odd headers a client may send with every form (django-axes stores the User-Agent of a login).
HEADERS = {
    "HTTP_USER_AGENT": "Mozilla \U0001f600 ' OR 1=1 -- <script>" + "A" * 1000,
    "HTTP_X_FORWARDED_FOR": "999.1.1.1, ' OR 1=1 --, ::ffff:zz",
    "HTTP_ACCEPT_LANGUAGE": "zz-ZZZZ;q=abc," * 50,
    "HTTP_REFERER": "javascript:alert(1)",
}


@pytest.mark.parametrize("target", [t for t in PUBLIC_FORMS if t.method == "post"], ids=str)
def test_malformed_bodies_and_headers_answer_400_or_a_form_error(w, target):
    for content_type, body in MALFORMED:
        cache.clear()
        with transaction.atomic():
            before = counts()
            response = client_for(w, target.who).post(
                target.url(w), body, content_type=content_type
            )
            changed = delta(before, counts())
            transaction.set_rollback(True)
        TRIED[target.name] += 1
        assert response.status_code < 500, (content_type, response.status_code)
        # A form that takes no fields (signing up for an activity) may still do its work.
        assert not changed or changed == reference(w, target), (content_type, changed)
    # A failed login and every form, with hostile headers (axes records the user agent).
    cache.clear()
    with transaction.atomic():
        client = client_for(w, target.who)
        data = {**target.valid(w), "password": "wrong-password"}
        response = client.post(target.url(w), encode(data), content_type=FORM, **HEADERS)
        transaction.set_rollback(True)
    TRIED[target.name] += 1
    assert response.status_code < 500, response.status_code


#: Control characters in a header: gunicorn refuses them (400) before Django sees them.
CONTROL_HEADERS = [
    {"HTTP_USER_AGENT": "Mozilla\x00"},
    {"HTTP_USER_AGENT": "Mozilla\x1b[31m"},
    {"HTTP_ACCEPT_LANGUAGE": "en\x00"},
    {"HTTP_X_FORWARDED_FOR": "10.0.0.1\x00"},
]
LOGIN_AND_SIGNUP = [t for t in PUBLIC_FORMS if t.name in ("login", "signup")]


def _with_headers(w, target, headers, **changes):
    cache.clear()
    with transaction.atomic():
        before = counts()
        data = encode({**target.valid(w), **changes})
        response = client_for(w, target.who).post(target.url(w), data, content_type=FORM, **headers)
        changed = delta(before, counts())
        transaction.set_rollback(True)
    return response, changed


@pytest.mark.parametrize("target", LOGIN_AND_SIGNUP, ids=str)
@pytest.mark.parametrize("headers", CONTROL_HEADERS, ids=repr)
def test_control_characters_in_a_header_are_refused(w, target, headers):
    for changes in ({}, {"password": "wrong-password"}):
        response, changed = _with_headers(w, target, headers, **changes)
        assert response.status_code == 400
        assert not changed


@pytest.mark.parametrize("target", LOGIN_AND_SIGNUP, ids=str)
def test_nul_in_a_header_is_no_server_error_with_the_settings_as_they_are(w, target):
    for changes in ({}, {"password": "wrong-password"}):
        response, changed = _with_headers(w, target, {"HTTP_USER_AGENT": "Mozilla\x00"}, **changes)
        assert response.status_code == 400
        assert not changed


#: The report's period selector with any dates Python has, and numbers around the valid ones.
period_query = st.fixed_dictionaries(
    {
        "period": st.sampled_from(["year", "quarter", "month", "custom", "", "week"]),
        "year": st.integers(-1, 10001).map(str),
        "quarter": st.integers(-1, 5).map(str),
        "month": st.integers(-1, 13).map(str),
        "start": st.dates().map(lambda d: d.isoformat()),
        "end": st.dates().map(lambda d: d.isoformat()),
    }
)
REPORTS = [t for t in STAFF_FILTERS if t.name.startswith("reports:")]


@pytest.mark.parametrize("target", REPORTS, ids=str)
@settings(max_examples=PUBLIC_EXAMPLES, **PROFILE)
@given(query=period_query)
def test_report_periods_of_any_dates_never_fail(w, target, query):
    check(w, target, {**target.valid(w), **query})
