"""A generated access test: every URL of the URL configuration, found by walking it.

The URLs are enumerated from the root resolver when the tests are collected, and every one of
them becomes test cases; `test_every_url_is_covered` fails, naming the URL, when a new one
is not yet described here. Each case builds chuangye's world (`tests.security.world`) and fills
the URL's arguments from `KWARGS`. Then, by kind of URL:

* Staff URLs (under /manage/). An anonymous visitor is sent to the login page; a resident gets
  403 or 404 (or 405 for a method the URL does not take); staff of another community
  (`outsider`, at 健康) get 404 from a URL that names one of chuangye's objects (never 403:
  out of scope looks like missing) and, from a list that names none, 200 with their own scope's
  rows and nothing of chuangye's. None of them may post to it and change anything: every
  table's rows are compared before and after. So that these refusals mean something, the owner
  (`community_worker`, editor at chuangye) then opens the same URL (200) and posts `PAYLOADS`
  to it, which must change something; a URL that takes POST without a payload here fails.
  A viewer at chuangye (read-only role) posting the same gets 403 and changes nothing.
* Admin URLs (/admin/): for superusers only; everybody else is sent to a login page and changes
  nothing. Their arguments are filled by rule (see `admin_url`), not by the table.
* Account URLs (signed in, no staff role needed), `ACCOUNT`: one resident's registration is 404
  for everybody else; "my" pages show the signed-in user's own rows only.
* Public URLs (`@login_not_required`), `PUBLIC`, listed on purpose: they answer an anonymous
  visitor without a login and never show the personal data in `world.PRIVATE`.
"""

import io
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import product
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from activities import exports
from activities.services import checkin_token
from centers import scoping
from centers.forms import CONTENT_KINDS
from centers.models import AuditEntry, Room, StaffRole, Team
from centers.sections import report_sections
from deliberation.staff_views import STEPS
from tests.conftest import _staff, make_tree
from tests.factories import UserFactory
from tests.security import world as world_module
from tests.security.conftest import signed_in
from tests.security.routes import walk
from tests.security.world import PRIVATE, RECORDS, jpeg_upload

pytestmark = pytest.mark.django_db

ROUTES = walk()
TODAY = timezone.localdate

# -- How to fill each URL's arguments -------------------------------------------------------


@dataclass(frozen=True)
class Obj:
    """An argument naming one of chuangye's objects: `get(world, the case's Param values)`."""

    get: object


@dataclass(frozen=True)
class Param:
    """An argument that names no object (a format, a kind, an action): one case per value."""

    values: tuple


SLUG = Obj(lambda w, kw: w.center.slug)
YEAR = Param((TODAY().year,))


def _issue_for_action(w, kw):
    # Each step starts from a status it is allowed from (see deliberation.models.TRANSITIONS).
    return {"deliberate": w.accepted, "decide": w.accepted, "resolve": w.in_progress}.get(
        kw["action"], w.issue
    ).pk


#: (URL name, argument) → how to fill it. Every argument of every non-admin URL is here.
KWARGS = {
    # centers
    ("centers:detail", "slug"): SLUG,
    ("manage:center", "slug"): SLUG,
    ("manage:center_edit", "slug"): SLUG,
    ("manage:content_add", "slug"): SLUG,
    ("manage:content_add", "kind"): Param(tuple(CONTENT_KINDS)),
    ("manage:content_edit", "slug"): SLUG,
    ("manage:content_edit", "kind"): Param(tuple(CONTENT_KINDS)),
    ("manage:content_edit", "pk"): Obj(lambda w, kw: w.content[kw["kind"]].pk),
    ("manage:content_delete", "slug"): SLUG,
    ("manage:content_delete", "kind"): Param(tuple(CONTENT_KINDS)),
    ("manage:content_delete", "pk"): Obj(lambda w, kw: w.content[kw["kind"]].pk),
    ("media/<path:path>", "path"): Obj(lambda w, kw: w.content["photos"].image.name),
    ("switch_language", "code"): Param(("en", "zh-hans")),
    # reports (centers.report_urls, centers.annual_views)
    ("reports:section", "key"): Param(tuple(section.key for section in report_sections)),
    ("annual_report", "slug"): SLUG,
    ("annual_report", "year"): YEAR,
    ("annual_report_docx", "slug"): SLUG,
    ("annual_report_docx", "year"): YEAR,
    ("reports:annual_report", "slug"): SLUG,
    ("reports:annual_report", "year"): YEAR,
    ("reports:annual_report_docx", "slug"): SLUG,
    ("reports:annual_report_docx", "year"): YEAR,
    ("open_data_csv", "year"): YEAR,
    ("reports:open_data_csv", "year"): YEAR,
    # activities
    ("activities:detail", "pk"): Obj(lambda w, kw: w.activity.pk),
    ("activities:occurrence", "pk"): Obj(lambda w, kw: w.occurrence.pk),
    ("activities:signup", "pk"): Obj(lambda w, kw: w.occurrence.pk),
    ("activities:registration", "pk"): Obj(lambda w, kw: w.registration.pk),
    ("activities:registration_cancel", "pk"): Obj(lambda w, kw: w.registration.pk),
    ("activities_manage:add", "slug"): SLUG,
    ("activities_manage:detail", "pk"): Obj(lambda w, kw: w.activity.pk),
    ("activities_manage:edit", "pk"): Obj(lambda w, kw: w.activity.pk),
    ("activities_manage:occurrence", "pk"): Obj(lambda w, kw: w.running.pk),
    ("activities_manage:attendance", "pk"): Obj(lambda w, kw: w.running.pk),
    ("activities_manage:cancel", "pk"): Obj(lambda w, kw: w.running.pk),
    ("activities_manage:move", "pk"): Obj(lambda w, kw: w.running.pk),
    ("activities_manage:record", "pk"): Obj(lambda w, kw: w.running.pk),
    ("activities_manage:export", "pk"): Obj(lambda w, kw: w.running.pk),
    ("activities_manage:export", "fmt"): Param(tuple(exports.FORMATS)),
    ("activities_manage:checkin", "token"): Obj(lambda w, kw: checkin_token(w.registration)),
    # deliberation
    ("deliberation:track", "code"): Obj(lambda w, kw: w.issue.tracking_code),
    ("deliberation:rate", "code"): Obj(lambda w, kw: w.resolved.tracking_code),
    ("deliberation:meeting", "pk"): Obj(lambda w, kw: w.published_meeting.pk),
    ("deliberation_manage:issue", "pk"): Obj(lambda w, kw: w.issue.pk),
    ("deliberation_manage:issue_contact", "pk"): Obj(lambda w, kw: w.issue.pk),
    ("deliberation_manage:issue_action", "pk"): Obj(_issue_for_action),
    ("deliberation_manage:issue_action", "action"): Param(tuple(STEPS)),
    ("deliberation_manage:meeting_new", "slug"): SLUG,
    ("deliberation_manage:meeting", "pk"): Obj(lambda w, kw: w.meeting.pk),
    ("deliberation_manage:meeting_edit", "pk"): Obj(lambda w, kw: w.meeting.pk),
    ("deliberation_manage:meeting_decide", "pk"): Obj(lambda w, kw: w.meeting.pk),
    ("deliberation_manage:meeting_decide", "item"): Obj(lambda w, kw: w.agenda_item.pk),
    ("deliberation_manage:meeting_publish", "pk"): Obj(lambda w, kw: w.meeting.pk),
    # assistance
    ("assistance:station", "slug"): SLUG,
    ("assistance:offer", "slug"): SLUG,
    ("assistance:ask", "slug"): SLUG,
    ("assistance_manage:beneficiary_new", "slug"): SLUG,
    ("assistance_manage:beneficiary_export", "fmt"): Param(("csv", "xlsx")),
    ("assistance_manage:beneficiary", "pk"): Obj(lambda w, kw: w.beneficiary.pk),
    ("assistance_manage:beneficiary_edit", "pk"): Obj(lambda w, kw: w.beneficiary.pk),
    ("assistance_manage:pairing_new", "pk"): Obj(lambda w, kw: w.beneficiary.pk),
    ("assistance_manage:visit_new", "pk"): Obj(lambda w, kw: w.beneficiary.pk),
    ("assistance_manage:pairing_end", "pk"): Obj(lambda w, kw: w.pairing.pk),
    ("assistance_manage:program_new", "slug"): SLUG,
    ("assistance_manage:program", "pk"): Obj(lambda w, kw: w.program.pk),
    ("assistance_manage:station", "slug"): SLUG,
    ("assistance_manage:station_edit", "slug"): SLUG,
    ("assistance_manage:donation_new", "slug"): SLUG,
    ("assistance_manage:stock_adjust", "slug"): SLUG,
    ("assistance_manage:stock_transfer", "slug"): SLUG,
    ("assistance_manage:movement_reverse", "slug"): SLUG,
    ("assistance_manage:movement_reverse", "pk"): Obj(lambda w, kw: w.movement.pk),
    ("assistance_manage:request_new", "slug"): SLUG,
    ("assistance_manage:distribution_new", "slug"): SLUG,
    ("assistance_manage:request", "pk"): Obj(lambda w, kw: w.pending_request.pk),
    ("assistance_manage:request_approve", "pk"): Obj(lambda w, kw: w.pending_request.pk),
    ("assistance_manage:request_decline", "pk"): Obj(lambda w, kw: w.pending_request.pk),
    ("assistance_manage:receipt", "pk"): Obj(lambda w, kw: w.distribution.pk),
    ("assistance_manage:offer_status", "pk"): Obj(lambda w, kw: w.offer.pk),
}

#: Query strings that point a URL at one of chuangye's objects (the URL is then object-specific).
QUERIES = {
    "reports:dashboard": lambda w: {"center": w.center.slug},
    "reports:section": lambda w: {"center": w.center.slug},
    "assistance_manage:request": lambda w: {"reveal": "1"},
}

# -- What the owner posts -------------------------------------------------------------------


def _content_data(w, kind):
    return {
        "rooms": {"name": "议事厅", "kind": Room.Kind.MEETING, "capacity": "20", "sort_order": "0"},
        "exhibitions": {"name": "社区历史展", "halls": "一号厅", "sort_order": "0"},
        "services": {"name": "代办医保", "sort_order": "0"},
        "teams": {
            "kind": Team.Kind.VOLUNTEER,
            "name": "访问测试志愿服务队",
            "member_count": "12",
            "sort_order": "0",
        },
        "photos": {"image": jpeg_upload(), "caption": "活动照片", "sort_order": "0"},
    }[kind]


def _activity_data(w, kw):
    return {
        "title": "访问测试新活动",
        "category": "culture",
        "audience": "elderly",
        "description": "老年人太极拳。",
        "start_date": (TODAY() + timedelta(days=5)).isoformat(),
        "start_time": "09:00",
        "duration_minutes": "90",
        "location": "社区广场",
        "capacity": "20",
        "registration_required": "on",
        "registration_closes_hours": "2",
        "volunteer_hours": "0",
        "is_published": "on",
    }


def _step_data(w, kw):
    issue = {"deliberate": w.accepted, "decide": w.accepted, "resolve": w.in_progress}.get(
        kw["action"], w.issue
    )
    data = {"expected_status": issue.status, "public_note": "已联系物业。", "internal_note": ""}
    data.update(
        {
            "accept": {"due_date": (TODAY() + timedelta(days=10)).isoformat()},
            "merge": {"code": w.accepted.tracking_code},
            "assign": {"assignee": str(w.worker.pk)},
            "resolve": {"resolution": "排水沟已疏通。"},
        }.get(kw["action"], {})
    )
    return data


def _meeting_data(w, kw):
    return {
        "title": "访问测试议事会",
        "held_date": (TODAY() + timedelta(days=3)).isoformat(),
        "held_time": "19:30",
        "place": "社区议事厅",
        "minutes": "",
        "issues": [str(w.deliberating.pk)],
        "party_member-names": "王建华",
        "party_member-count": "",
        "grid_worker-names": "",
        "grid_worker-count": "3",
        "volunteer-names": "",
        "volunteer-count": "",
        "resident_rep-names": "",
        "resident_rep-count": "6",
        "unit_rep-names": "",
        "unit_rep-count": "0",
        "staff-names": "",
        "staff-count": "1",
    }


def _beneficiary_data(w, kw):
    return {
        "name": "访问测试对象",
        "gender": "f",
        "birth_year": "1950",
        "types": ["elderly_alone"],
        "tier": "medium",
        "status": "active",
        "phone": "15800002222",
        "id_number": world_module.with_check_digit("15010219500101222"),
        "address": "测试小区2号楼",
        "needs": "",
        "health_notes": "",
        "guardian_name": "",
        "guardian_phone": "",
        "consent_purpose": "用于社区结对帮扶",
        "consent_on": TODAY().isoformat(),
        "consent_withdrawn_on": "",
    }


def _lines(*rows, **extra):
    data = {"lines-TOTAL_FORMS": str(len(rows)), "lines-INITIAL_FORMS": "0", **extra}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"lines-{i}-{key}"] = value
    return data


#: URL name → POST data that changes something when the owner sends it (a valid form).
PAYLOADS = {
    "manage:center_edit": lambda w, kw: {
        "name": w.center.name,
        "short_name": w.center.short_name,
        "intro": "访问测试修改的简介。",
        "address": w.center.address,
        "opening_hours": w.center.opening_hours,
        "is_published": "on",
    },
    "manage:content_add": lambda w, kw: _content_data(w, kw["kind"]),
    "manage:content_edit": lambda w, kw: _content_data(w, kw["kind"]),
    "manage:content_delete": lambda w, kw: {},
    "activities_manage:add": _activity_data,
    "activities_manage:edit": _activity_data,
    "activities_manage:attendance": lambda w, kw: {"attended": [str(w.registration.pk)]},
    "activities_manage:cancel": lambda w, kw: {"reason": "场地维修"},
    "activities_manage:move": lambda w, kw: {
        "start_date": (TODAY() + timedelta(days=6)).isoformat(),
        "start_time": "10:00",
        "room": "",
    },
    "activities_manage:record": lambda w, kw: {"summary": "二十位老人参加。", "head_count": "20"},
    "activities_manage:checkin": lambda w, kw: {},
    "deliberation_manage:issue_contact": lambda w, kw: {},
    "deliberation_manage:issue_action": _step_data,
    "deliberation_manage:meeting_new": _meeting_data,
    "deliberation_manage:meeting_edit": _meeting_data,
    "deliberation_manage:meeting_decide": lambda w, kw: {"decision": "由物业清理。"},
    "deliberation_manage:meeting_publish": lambda w, kw: {},
    "assistance_manage:beneficiary_new": _beneficiary_data,
    "assistance_manage:beneficiary_edit": _beneficiary_data,
    "assistance_manage:pairing_new": lambda w, kw: {
        "helper_user": str(w.worker.pk),
        "started_on": TODAY().isoformat(),
        "frequency": "monthly",
    },
    "assistance_manage:visit_new": lambda w, kw: {
        "visited_on": TODAY().isoformat(),
        "kind": "home",
        "pairing": str(w.pairing.pk),
        "helper_name": "",
        "findings": "精神不错。",
    },
    "assistance_manage:pairing_end": lambda w, kw: {"ended_on": TODAY().isoformat()},
    "assistance_manage:program_new": lambda w, kw: {
        "name": "访问测试慰问",
        "starts_on": TODAY().isoformat(),
        "ends_on": (TODAY() + timedelta(days=30)).isoformat(),
        "description": "",
    },
    "assistance_manage:items": lambda w, kw: {
        "category": "daily",
        "name": "访问测试毛巾",
        "unit": "条",
    },
    "assistance_manage:station_edit": lambda w, kw: {
        "name": w.station.name,
        "how_to_donate": "送到一楼大厅",
        "opening_hours": "周一至周五",
        "is_public": "on",
    },
    "assistance_manage:donation_new": lambda w, kw: _lines(
        {"item": str(w.coat.pk), "quantity": "2", "condition": "good"},
        donor_name="王先生",
        received_on=TODAY().isoformat(),
    ),
    "assistance_manage:stock_adjust": lambda w, kw: {
        "item": str(w.coat.pk),
        "quantity": "-1",
        "reason": "盘点破损",
    },
    "assistance_manage:stock_transfer": lambda w, kw: {
        "target": str(w.sibling_station.pk),
        "item": str(w.coat.pk),
        "quantity": "1",
        "reason": "调剂",
    },
    "assistance_manage:movement_reverse": lambda w, kw: {"reason": "录入重复"},
    "assistance_manage:request_new": lambda w, kw: _lines(
        {"item": str(w.coat.pk), "quantity": "1"},
        beneficiary=str(w.beneficiary.pk),
        reason="冬季御寒",
    ),
    "assistance_manage:distribution_new": lambda w, kw: _lines(
        {"item": str(w.coat.pk), "quantity": "1"},
        distributed_on=TODAY().isoformat(),
        recipient_name="王大爷",
    ),
    "assistance_manage:request_approve": lambda w, kw: {},
    "assistance_manage:request_decline": lambda w, kw: {"reason": "不符合条件，已转介民政救助"},
    "assistance_manage:offer_status": lambda w, kw: {"status": "contacted"},
}

#: POSTs that only read, which a viewer (read-only role) may therefore make, and why.
VIEWER_MAY_POST = {
    "deliberation_manage:issue_contact": "shows the submitter's contact (POST so it is logged)",
}

#: Who proves a payload works when chuangye's editor cannot (a transfer needs a second station
#: in the actor's scope: street staff have both communities' stations).
OWNERS = {"assistance_manage:stock_transfer": "street_staff"}

# -- Account and public URLs ----------------------------------------------------------------

#: Signed-in URLs that need no staff role: "owner" (one user's object: 404 for everybody else),
#: "own" (the signed-in user's own rows, nobody else's), "open" (any signed-in user may act:
#: signing up for an activity is what the URL is for).
ACCOUNT = {
    "activities:mine": "own",
    "activities:registration": "owner",
    "activities:registration_cancel": "owner",
    "activities:signup": "open",
    "deliberation:mine": "own",
    "account": "own",
    "welcome": "own",
    "logout": "own",
}


@dataclass(frozen=True)
class Public:
    """A public URL: the status an anonymous GET gets, and what may not be posted to it."""

    status: int | tuple = 200
    #: POST data that must change nothing (it lacks the proof the URL asks for).
    refused_post: object = None


#: Every `@login_not_required` URL, on purpose.
PUBLIC = {
    "home": Public(),
    "centers:list": Public(),
    "centers:detail": Public(),
    "activities:calendar": Public(),
    "activities:feed": Public(),
    "activities:detail": Public(),
    "activities:occurrence": Public(),
    "deliberation:new": Public(),
    "deliberation:track_lookup": Public(),
    "deliberation:track": Public(),
    # Rating needs the phone number the issue was raised with: a wrong one changes nothing.
    "deliberation:rate": Public(
        status=405,
        refused_post=lambda w: {"satisfaction": "unsatisfied", "phone": "13000000000"},
    ),
    "deliberation:meeting": Public(),
    "assistance:stations": Public(),
    "assistance:station": Public(),
    "assistance:offer": Public(),
    "assistance:ask": Public(),
    "open_data": Public(),
    "open_data_csv": Public(),
    "reports:open_data": Public(),
    "reports:open_data_csv": Public(),
    "login": Public(),
    "signup": Public(),
    "set_language": Public(status=302),
    "switch_language": Public(status=302),
    "healthz": Public(),
    "readyz": Public(),
    "robots_txt": Public(),
    "django.contrib.sitemaps.views.sitemap": Public(),
    # Development only (DEBUG): serves var/media, where the tests' uploads do not go.
    "media/<path:path>": Public(status=(200, 404)),
    "admin:login": Public(),
}

#: URLs of work in progress elsewhere whose failures here are known and reported; empty when
#: everything passes. Each entry says what is wrong.
KNOWN_PROBLEMS = {}

# -- Cases ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    route: object
    params: dict = field(default_factory=dict)

    @property
    def key(self):
        return self.route.key

    def __str__(self):
        suffix = ",".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.key}[{suffix}]" if suffix else self.key


def _missing_kwargs(route):
    return [name for name in route.kwargs if (route.key, name) not in KWARGS]


def cases(routes):
    """One case per route and combination of its `Param` values."""
    result = []
    for route in routes:
        specs = {name: KWARGS.get((route.key, name)) for name in route.kwargs}
        params = {name: spec.values for name, spec in specs.items() if isinstance(spec, Param)}
        for combo in product(*params.values()):
            result.append(Case(route, dict(zip(params, combo, strict=True))))
    return result


STAFF = cases(r for r in ROUTES if r.is_staff)
ADMIN = [Case(r) for r in ROUTES if r.is_admin and not r.is_public]
ACCOUNT_CASES = cases(r for r in ROUTES if not (r.is_staff or r.is_admin or r.is_public))
PUBLIC_CASES = cases(r for r in ROUTES if r.is_public)


def _ids(items):
    return [str(item) for item in items]


def test_every_url_is_covered():
    """Fails with the list of URLs that the tables above do not describe yet."""
    keys = {route.key for route in ROUTES}
    problems = []
    for route in ROUTES:
        if route.is_admin:
            continue
        for name in _missing_kwargs(route):
            problems.append(f"{route.key} ({route.route}): add KWARGS[({route.key!r}, {name!r})]")
        if route.is_public and route.key not in PUBLIC:
            problems.append(
                f"{route.key} ({route.route}) is @login_not_required: check that it shows no "
                "personal data, then list it in PUBLIC"
            )
        if not (route.is_public or route.is_staff) and route.key not in ACCOUNT:
            problems.append(f"{route.key} ({route.route}): say in ACCOUNT whose data it shows")
    for key in PUBLIC:
        route = next((r for r in ROUTES if r.key == key), None)
        if route is not None and not route.is_public:
            problems.append(f"{key} is in PUBLIC but needs a login now: take it out of PUBLIC")
    listed = {name for name, _arg in KWARGS} | set(PAYLOADS) | set(ACCOUNT) | set(QUERIES)
    # Entries for the reports' URLs stay while those move between the root and their namespace.
    moving = {"annual_report", "annual_report_docx", "open_data", "open_data_csv"}
    stale = listed - keys - moving - {f"reports:{name}" for name in moving}
    problems += [f"{key}: no such URL any more, remove it from the tables" for key in sorted(stale)]
    assert not problems, "URLs the access test does not cover:\n" + "\n".join(problems)


# -- Helpers --------------------------------------------------------------------------------

#: Rows that change with any request or login, not with the data: not compared.
UNCOMPARED = {"sessions.session", "contenttypes.contenttype", "auth.permission"}


def snapshot():
    """Every row of every table (the world is small), to see whether a request changed any.

    Raw SQL: the stored values as they are, without decrypting the encrypted columns.
    """
    quote = connection.ops.quote_name
    state = {}
    with connection.cursor() as cursor:
        for model in apps.get_models():
            label = model._meta.label_lower
            meta = model._meta
            if label in UNCOMPARED or meta.app_label == "axes" or meta.proxy or not meta.managed:
                continue
            table, pk = quote(meta.db_table), quote(meta.pk.column)
            cursor.execute(f"SELECT * FROM {table} ORDER BY {pk}")
            state[label] = cursor.fetchall()
    return state


def changed(before, after):
    return sorted(label for label in before if before[label] != after.get(label))


def text_of(response):
    """The response body as text: HTML, CSV, iCalendar, JSON, and the cells of an XLSX."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    content_type = response.get("Content-Type", "")
    if "spreadsheetml" in content_type:
        book = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    if "wordprocessingml" in content_type:
        document = Document(io.BytesIO(body))
        cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    if content_type.startswith(("text/", "application/json", "application/xml")):
        return body.decode("utf-8", errors="replace")
    return ""


def leaks(response, secrets):
    text = text_of(response)
    return sorted(name for name, value in secrets.items() if value in text)


def url_for(case, w):
    # Parameters first: an object may depend on one (the issue for an action, the item of a kind).
    kwargs = dict(case.params)
    for name in case.route.kwargs:
        if name not in kwargs:
            kwargs[name] = KWARGS[(case.key, name)].get(w, kwargs)
    path = "/" + case.route.route
    if case.route.key == case.route.route:  # unnamed: fill the converters by hand
        for name, value in kwargs.items():
            path = path.replace(f"<path:{name}>", str(value))
    else:
        path = reverse(case.key, kwargs=kwargs)
    query = QUERIES.get(case.key)
    if query is not None:
        path += "?" + urlencode(query(w))
    return path


def _without_own_entries(after, before, client):
    """The access log as it was, plus new entries not by `client`'s user at their own centers."""
    user = client.session_user
    own = set(
        AuditEntry.objects.filter(actor=user, center__in=scoping.home_centers(user)).values_list(
            "pk", flat=True
        )
    )
    return [
        row
        for row in after["centers.auditentry"]
        if row[0] not in own or row in before.get("centers.auditentry", [])
    ]


def is_login_redirect(response):
    location = response.get("Location", "")
    return response.status_code == 302 and (
        location.startswith(reverse("login")) or location.startswith(reverse("admin:login"))
    )


def _skip_uncovered(case):
    missing = _missing_kwargs(case.route)
    if missing:
        pytest.fail(f"{case.key}: no KWARGS entry for {missing} (see test_every_url_is_covered)")
    if case.key in KNOWN_PROBLEMS:
        pytest.xfail(KNOWN_PROBLEMS[case.key])


def _object_specific(case):
    specs = [KWARGS[(case.key, name)] for name in case.route.kwargs]
    return case.key in QUERIES or any(isinstance(spec, Obj) for spec in specs)


# -- One world for the module ---------------------------------------------------------------


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker, tmp_path_factory):
    """chuangye's world and the personas, built once for this module rather than once per URL,
    in a transaction rolled back at the end. Each test runs in a savepoint inside it (pytest-
    django's `db`), so what one test's owner posts, the next test does not see."""
    once = override_settings(
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    with django_db_blocker.unblock(), once, transaction.atomic():
        tree = make_tree()
        people = {
            "community_worker": _staff(tree.community, user__name="社区工作人员"),
            "community_viewer": _staff(tree.community, StaffRole.Role.VIEWER),
            "street_staff": _staff(tree.street, user__name="街道工作人员"),
            "outsider": _staff(tree.other_community, user__name="其他社区工作人员"),
            "resident": UserFactory(name="居民"),
        }
        world = world_module.build(
            tree, worker=people["community_worker"], street_staff=people["street_staff"]
        )
        yield SimpleNamespace(tree=tree, world=world, **people)
        transaction.set_rollback(True)


# The personas of tests/conftest.py and the world fixture, taken from the shared world.


@pytest.fixture
def tree(shared, db):
    return shared.tree


@pytest.fixture
def world(shared, db):
    return shared.world


@pytest.fixture
def community_worker(shared, db):
    return shared.community_worker


@pytest.fixture
def community_viewer(shared, db):
    return shared.community_viewer


@pytest.fixture
def street_staff(shared, db):
    return shared.street_staff


@pytest.fixture
def outsider(shared, db):
    return shared.outsider


@pytest.fixture
def resident(shared, db):
    return shared.resident


# -- Staff URLs -----------------------------------------------------------------------------


@pytest.mark.parametrize("case", STAFF, ids=_ids(STAFF))
def test_staff_url_keeps_everyone_else_out(case, world, visitors, request):
    _skip_uncovered(case)
    url = url_for(case, world)
    payload = PAYLOADS.get(case.key)
    specific = _object_specific(case)
    secrets = {**PRIVATE, **RECORDS}

    def post_data():
        return payload(world, case.params) if payload is not None else {}

    before = snapshot()
    anonymous = visitors["anonymous"]
    for method in ("get", "post"):
        response = getattr(anonymous, method)(url, post_data() if method == "post" else None)
        assert is_login_redirect(response), f"anonymous {method.upper()} {url}: {response}"

    resident = visitors["resident"]
    for method in ("get", "post"):
        response = getattr(resident, method)(url, post_data() if method == "post" else None)
        assert response.status_code in (403, 404, 405), f"resident {method.upper()} {url}"
        assert not leaks(response, secrets), f"resident sees {leaks(response, secrets)} at {url}"

    outsider = visitors["outsider"]
    get = outsider.get(url)
    # On a list page an outsider is staff in their own right: they post no change there.
    post = outsider.post(url, post_data() if specific else {})
    if specific:
        # Out of scope answers like missing: 404, never 403 and never the page.
        assert get.status_code in (404, 405), f"outsider GET {url}: {get.status_code}"
        assert post.status_code in (404, 405), f"outsider POST {url}: {post.status_code}"
    else:
        assert get.status_code in (200, 405), f"outsider GET {url}: {get.status_code}"
        assert post.status_code in (200, 405), f"outsider POST {url}: {post.status_code}"
    for response in (get, post):
        assert not leaks(response, secrets), f"outsider sees {leaks(response, secrets)} at {url}"
    after = snapshot()
    if not specific:
        # An export of the outsider's own scope is logged, at their own center: that is allowed.
        after["centers.auditentry"] = _without_own_entries(after, before, visitors["outsider"])
    assert not changed(before, after), f"{url} changed {changed(before, after)}"

    # A viewer at chuangye sees its records but may change none (403: in scope, too weak).
    if specific and payload is not None and case.key not in VIEWER_MAY_POST:
        viewer = signed_in(request.getfixturevalue("community_viewer"))
        before = snapshot()
        refused = viewer.post(url, post_data())
        assert refused.status_code in (403, 405), f"viewer POST {url}: {refused.status_code}"
        assert not changed(before, snapshot()), f"viewer's POST to {url} changed something"

    # The owner gets in: the refusals above were about the user, not a wrong URL.
    owner = signed_in(request.getfixturevalue(OWNERS.get(case.key, "community_worker")))
    opened = owner.get(url)
    assert opened.status_code in (200, 405), f"owner GET {url}: {opened.status_code}"
    accepts_post = post.status_code != 405
    if accepts_post or opened.status_code == 405:
        assert payload is not None, f"{case.key} takes POST: add what the owner posts to PAYLOADS"
        before = snapshot()
        done = owner.post(url, payload(world, case.params))
        assert done.status_code < 400, f"owner POST {url}: {done.status_code}"
        form = getattr(done, "context", None) and done.context.get("form")
        assert changed(before, snapshot()), (
            f"the owner's POST to {url} changed nothing, so refusing it proves nothing: "
            f"fix PAYLOADS[{case.key!r}] ({form.errors if form else done.status_code})"
        )


# -- Admin URLs -----------------------------------------------------------------------------


def admin_url(route, tree):
    """The URL of an admin page; the admin turns non-staff away before it reads any argument."""
    parts = route.route.split("/")
    model = None
    if len(parts) > 2:
        try:
            model = apps.get_model(parts[1], parts[2])
        except (LookupError, ValueError):
            model = None
    first = model._base_manager.order_by("pk").first() if model else None
    pk = str(first.pk) if first else "1"
    rule = {
        "object_id": pk,
        "id": pk,
        "parent_id": pk,
        "content_type_id": str(ContentType.objects.get_for_model(type(tree.community)).pk),
        "app_label": "centers",
        "url": "centers/nowhere/",
    }
    unknown = [name for name in route.kwargs if name not in rule]
    assert not unknown, f"{route.key}: no rule for the admin arguments {unknown}"
    path = "/" + route.route
    for name in route.kwargs:
        path = path.replace(f"<path:{name}>", rule[name]).replace(f"<{name}>", rule[name])
        path = path.replace(f"<str:{name}>", rule[name])
    if "(?P<" in path:
        path = reverse(route.key, kwargs={name: rule[name] for name in route.kwargs})
    return path


#: Admin URLs that answer signed-in users who are not staff, and why that is harmless.
ADMIN_OPEN = {
    "admin:javascript-catalog": "treebeard's JavaScript translation catalog: UI strings only",
}


@pytest.mark.parametrize("case", ADMIN, ids=_ids(ADMIN))
def test_admin_url_is_for_superusers_only(case, tree, visitors):
    # No world needed: the admin turns non-staff away before it looks at any object.
    url = admin_url(case.route, tree)
    before = snapshot()
    for who, client in visitors.items():
        for method in ("get", "post"):
            response = getattr(client, method)(url, {})
            # Signing out of the admin sends non-staff to the admin index, which asks for a login.
            to_index = response.get("Location") == reverse("admin:index")
            refused = is_login_redirect(response) or to_index or response.status_code in (404, 405)
            if case.key in ADMIN_OPEN and who != "anonymous":
                refused = response.status_code in (200, 405)
            assert refused, f"{who} {method.upper()} {url}: {response.status_code}"
            assert not leaks(response, {**PRIVATE, **RECORDS}), f"{who} {url}"
    assert not changed(before, snapshot()), f"{url} changed {changed(before, snapshot())}"


# -- Account URLs ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", ACCOUNT_CASES, ids=_ids(ACCOUNT_CASES))
def test_account_url_shows_only_the_users_own_data(case, world, visitors):
    _skip_uncovered(case)
    kind = ACCOUNT.get(case.key)
    assert kind is not None, f"{case.key}: say in ACCOUNT whose data it shows"
    url = url_for(case, world)
    before = snapshot()
    for method in ("get", "post"):
        response = getattr(visitors["anonymous"], method)(url, {})
        assert is_login_redirect(response), f"anonymous {method.upper()} {url}: {response}"
    registrant = {k: v for k, v in PRIVATE.items() if k.startswith("registrant")}
    for who in ("outsider", "resident"):
        client = visitors[who]
        got = client.get(url)
        assert not leaks(got, registrant), f"{who} sees {leaks(got, registrant)} at {url}"
        if kind == "owner":
            assert got.status_code in (404, 405), f"{who} GET {url}: {got.status_code}"
            assert client.post(url, {}).status_code in (404, 405), f"{who} POST {url}"
        elif kind == "own":
            assert got.status_code in (200, 302, 405), f"{who} GET {url}: {got.status_code}"
            posted = client.post(url, {})
            assert not leaks(posted, registrant), f"{who} POST {url} shows the registrant"
    if kind != "open":
        assert not changed(before, snapshot()), f"{url} changed {changed(before, snapshot())}"
    if kind == "owner":
        assert signed_in(world.registrant).get(url).status_code == 200, "the owner gets in"


# -- Public URLs ----------------------------------------------------------------------------


@pytest.mark.parametrize("case", PUBLIC_CASES, ids=_ids(PUBLIC_CASES))
def test_public_url_answers_without_login_and_shows_no_personal_data(case, world, visitors):
    _skip_uncovered(case)
    spec = PUBLIC.get(case.key)
    assert spec is not None, f"{case.key} is public: list it in PUBLIC"
    url = url_for(case, world)
    response = visitors["anonymous"].get(url)
    expected = spec.status if isinstance(spec.status, tuple) else (spec.status,)
    assert response.status_code in expected, f"anonymous GET {url}: {response.status_code}"
    assert not leaks(response, PRIVATE), f"{url} shows {leaks(response, PRIVATE)}"
    if spec.refused_post is not None:
        before = snapshot()
        for who, client in visitors.items():
            response = client.post(url, spec.refused_post(world))
            assert not leaks(response, PRIVATE), f"{who} POST {url} shows personal data"
        assert not changed(before, snapshot()), f"{url} changed {changed(before, snapshot())}"
