"""The report framework: periods, the dashboard and section pages, exports, and the invariant
that figures agree at every level (a center's total is the sum of its children and its own
rows), on random data and on the demo district."""

import csv
import dataclasses
import io
import random
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from activities.models import Occurrence, Registration
from assistance import services as assistance_services
from assistance.models import AidStation, Beneficiary, BeneficiaryType, Pairing, Visit
from centers import reports, summaries
from centers.models import AuditEntry, Center
from centers.reports import PeriodForm, by_key, combine, number, spec_of
from centers.sections import Figure, ReportSection, report_sections
from deliberation.models import Issue
from tests.conftest import client_for
from tests.factories import (
    ActivityFactory,
    AidStationFactory,
    BeneficiaryFactory,
    CenterFactory,
    IssueFactory,
    ItemFactory,
    StaffRoleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("reports:dashboard")
TODAY = date(2026, 11, 28)


def section_url(key):
    return reverse("reports:section", args=[key])


def table_of(response):
    return response.context["dashboard"].table


def column(table, key):
    return [c.key for c in table.columns].index(key)


# -- Data ------------------------------------------------------------------------------------------


def _superuser():
    return UserFactory(is_superuser=True, is_staff=True, name="数据录入")


def _occurrence(center, *, when, category="culture", hours=0, signups=3, attended=2):
    activity = ActivityFactory(
        center=center, category=category, starts_at=when, volunteer_hours=hours, capacity=None
    )
    occurrence = activity.occurrences.get()
    for i in range(signups):
        Registration.objects.create(
            occurrence=occurrence,
            user=UserFactory(),
            status="confirmed",
            attended=i < attended,
            hours_credited=hours if i < attended else 0,
        )
    return occurrence


def _issue(center, *, created, status=Issue.Status.SUBMITTED, accept_hours=None, **fields):
    fields.setdefault("response_due", created + timedelta(days=1))
    if accept_hours is not None:
        fields["accepted_at"] = created + timedelta(hours=accept_hours)
    if status == Issue.Status.REJECTED:
        fields.setdefault("public_reason", "不属于社区职责。")
    return IssueFactory(center=center, created_at=created, status=status, **fields)


def _beneficiary(center, *types, tier="medium", registered=None):
    beneficiary = BeneficiaryFactory(center=center, tier=tier)
    for kind in types or ("elderly_alone",):
        BeneficiaryType.objects.create(beneficiary=beneficiary, type=kind)
    if registered is not None:
        Beneficiary.objects.filter(pk=beneficiary.pk).update(
            created_at=timezone.make_aware(datetime.combine(registered, time(9)))
        )
    return beneficiary


def _visit(beneficiary, day, pairing=None):
    return Visit.objects.create(
        beneficiary=beneficiary,
        pairing=pairing,
        visited_on=day,
        kind=Visit.Kind.HOME,
        helper_name="党员志愿者",
        recorded_by=beneficiary_recorder(),
    )


def beneficiary_recorder():
    return UserFactory()


def recent_day(days=5):
    """A few days ago, but this year: the reports default to this year so far."""
    today = timezone.localdate()
    return max(today - timedelta(days=days), date(today.year, 1, 1))


def some_of_everything(center, actor, *, day=None):
    """One of each thing the sections count, at `center`, on `day` (a recent past day)."""
    day = day or recent_day()
    when = timezone.make_aware(datetime.combine(day, time(10)))
    _occurrence(center, when=when, hours=2)
    _issue(
        center,
        created=when,
        status=Issue.Status.CLOSED,
        accept_hours=2,
        resolved_at=when + timedelta(days=3),
        satisfaction="satisfied",
        rated_at=when + timedelta(days=4),
    )
    beneficiary = _beneficiary(center, "disabled", registered=day - timedelta(days=30))
    pairing = Pairing.objects.create(
        beneficiary=beneficiary,
        helper_user=UserFactory(),
        frequency="monthly",
        started_on=day - timedelta(days=60),
    )
    _visit(beneficiary, day, pairing)
    station = AidStation.objects.filter(center=center).first() or AidStationFactory(center=center)
    clothes = ItemFactory(category="clothing")
    assistance_services.donation_receive(
        actor=actor,
        station=station,
        data={"donor_name": "李女士", "received_on": day},
        lines=[(clothes, 6, "good", True)],
    )
    assistance_services.distribution_create(
        actor=actor,
        station=station,
        lines=[(clothes, 2)],
        distributed_on=day,
        beneficiary=beneficiary,
    )


ISSUE_STATES = [
    Issue.Status.SUBMITTED,
    Issue.Status.ACCEPTED,
    Issue.Status.IN_PROGRESS,
    Issue.Status.RESOLVED,
    Issue.Status.CLOSED,
    Issue.Status.REJECTED,
    Issue.Status.ESCALATED,
    Issue.Status.REOPENED,
]


def random_data(rng, centers, *, start=date(2025, 6, 1), end=None):
    """Random activities, issues, beneficiaries, pairings, visits, donations and distributions
    at the given centers, between the dates; one station per center."""
    end = end or timezone.localdate() - timedelta(days=1)
    actor = _superuser()
    span = (end - start).days

    def day():
        return start + timedelta(days=rng.randrange(span + 1))

    def moment():
        return timezone.make_aware(
            datetime.combine(day(), time(rng.randrange(24), rng.randrange(60)))
        )

    beneficiaries = []
    for center in centers:
        for _ in range(rng.randrange(3)):
            occurrence = _occurrence(
                center,
                when=moment(),
                category=rng.choice(["party", "culture", "volunteer", "study"]),
                hours=rng.choice([0, 1, 2]),
                signups=rng.randrange(5),
                attended=rng.randrange(4),
            )
            if rng.random() < 0.2:
                Occurrence.objects.filter(pk=occurrence.pk).update(status="cancelled")
            elif rng.random() < 0.3:
                Occurrence.objects.filter(pk=occurrence.pk).update(head_count=rng.randrange(60))
        for _ in range(rng.randrange(4)):
            created = moment()
            status = rng.choice(ISSUE_STATES)
            fields = {"category": rng.choice(Issue.Category.values)}
            accepted = status not in (
                Issue.Status.SUBMITTED,
                Issue.Status.REJECTED,
                Issue.Status.ESCALATED,
            )
            if accepted:
                fields["due_date"] = (created + timedelta(days=rng.randrange(1, 40))).date()
            if status in (Issue.Status.RESOLVED, Issue.Status.CLOSED, Issue.Status.REOPENED):
                fields["resolved_at"] = created + timedelta(days=rng.randrange(1, 30))
            if status in (Issue.Status.CLOSED, Issue.Status.REOPENED):
                fields["satisfaction"] = (
                    "unsatisfied"
                    if status == Issue.Status.REOPENED
                    else rng.choice(["satisfied", "basic", "unsatisfied"])
                )
                fields["rated_at"] = fields["resolved_at"] + timedelta(days=1)
            _issue(
                center,
                created=created,
                status=status,
                accept_hours=rng.randrange(48) if accepted else None,
                **fields,
            )
        for _ in range(rng.randrange(3)):
            beneficiary = _beneficiary(
                center,
                *rng.sample(["disabled", "elderly_alone", "low_income", "empty_nest"], 2),
                tier=rng.choice(["high", "medium", "low"]),
                registered=day(),
            )
            beneficiaries.append(beneficiary)
            pairing = Pairing.objects.create(
                beneficiary=beneficiary,
                helper_user=UserFactory(),
                frequency=rng.choice(["weekly", "monthly", "quarterly"]),
                started_on=day(),
            )
            for _ in range(rng.randrange(4)):
                _visit(beneficiary, day(), pairing if rng.random() < 0.7 else None)
        if rng.random() < 0.7:
            station = AidStationFactory(center=center)
            items = [ItemFactory(category=c) for c in ("clothing", "food")]
            for item in items:
                assistance_services.donation_receive(
                    actor=actor,
                    station=station,
                    data={"donor_name": "爱心企业", "received_on": start},
                    lines=[(item, 100, "good", True)],
                )
            for _ in range(rng.randrange(4)):
                # Now and then goods go to a resident of another community: reached twice.
                recipient = (
                    {"beneficiary": rng.choice(beneficiaries)}
                    if beneficiaries and rng.random() < 0.5
                    else {"recipient_name": rng.choice(["王大爷", "李阿姨", "赵奶奶"])}
                )
                assistance_services.distribution_create(
                    actor=actor,
                    station=station,
                    lines=[(rng.choice(items), rng.randrange(1, 5))],
                    distributed_on=day(),
                    **recipient,
                )


def assert_figures_agree(center, start, end, *, depth=None):
    """For every section and figure that adds up: the center's figures (its own `build`) are
    the sum of its children's (their own `build`) and its own rows; rates are the ratio of the
    sums; the grouped form, the per-child fallback and the months agree with `build`. Then the
    same for each child with children of its own, `depth` levels down (all the way without
    it)."""
    children = center.children_in_order
    for section in report_sections:
        spec = spec_of(section)
        whole = by_key(section.build(center, start, end))
        rows = reports.branches(section, center, children, start, end)
        combined = combine(rows.values(), spec)
        checked = [key for key in combined if key in whole]
        assert checked, section.key
        for key in checked:
            figure = whole[key]
            if spec.is_additive(figure) or key in spec.rates:
                assert combined[key] == pytest.approx(number(figure.value)), (
                    center.short_name,
                    section.key,
                    key,
                )
            elif key in spec.not_additive and isinstance(combined[key], int):
                # A distinct count: never less than the whole, once per branch that counts it.
                assert combined[key] >= number(figure.value)

        # The framework's fallback for a section without grouped forms (each child's own
        # `build`, the center's own rows as the rest) agrees with the grouped rows.
        def plain_build(at, first, last, build=section.build):
            return build(at, first, last)

        plain_build.report = dataclasses.replace(spec, by_child=None)
        plain = ReportSection(section.key, section.title, plain_build)
        fallback = reports.branches(plain, center, children, start, end)
        for path, figures in rows.items():
            for key, figure in figures.items():
                if spec.is_additive(figure) or key in spec.rates:
                    assert number(fallback[path][key].value) == pytest.approx(
                        number(figure.value)
                    ), (path, section.key, key)
        # Months add up to the period.
        if spec.by_month is not None:
            monthly = spec.by_month(center, start, end)
            months = combine([by_key(monthly[m]) for m in reports.months_in(start, end)], spec)
            for key, value in months.items():
                if key in whole and (spec.is_additive(whole[key]) or key in spec.rates):
                    assert value == pytest.approx(number(whole[key].value)), (section.key, key)
    if depth is None or depth > 0:
        for child in children:
            if Center.objects.filter(child.children_q()).exists():
                assert_figures_agree(child, start, end, depth=None if depth is None else depth - 1)


# -- Periods ---------------------------------------------------------------------------------------


def period(today=TODAY, **data):
    form = PeriodForm({k: str(v) for k, v in data.items()}, today=today)
    return form.result, form.errors


@pytest.mark.parametrize(
    ("data", "start", "end", "label"),
    [
        ({}, date(2026, 1, 1), TODAY, "2026年"),
        ({"period": "year", "year": 2025}, date(2025, 1, 1), date(2025, 12, 31), "2025年"),
        ({"period": "year"}, date(2026, 1, 1), TODAY, "2026年"),
        (
            {"period": "quarter", "year": 2026, "quarter": 1},
            date(2026, 1, 1),
            date(2026, 3, 31),
            "2026年第一季度",
        ),
        ({"period": "quarter", "year": 2026}, date(2026, 10, 1), TODAY, "2026年第四季度"),
        (
            {"period": "month", "year": 2024, "month": 2},
            date(2024, 2, 1),
            date(2024, 2, 29),
            "2024年2月",
        ),
        (
            {"period": "custom", "start": "2025-12-15", "end": "2026-01-15"},
            date(2025, 12, 15),
            date(2026, 1, 15),
            "2025-12-15 至 2026-01-15",
        ),
    ],
)
def test_period_selector_reads_year_quarter_month_or_dates(data, start, end, label):
    result, errors = period(**data)

    assert not errors
    assert (result.start, result.end, result.label) == (start, end, label)


def test_no_period_given_means_this_year_so_far():
    form = PeriodForm(None, today=TODAY)

    assert form.result == reports.this_year(TODAY)
    assert (form.result.start, form.result.end) == (date(2026, 1, 1), TODAY)
    # A query with only the center is no period either.
    assert PeriodForm({"center": "district"}, today=TODAY).result == reports.this_year(TODAY)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"period": "custom", "start": "2026-05-01", "end": "2026-04-01"}, "end", "不能早于"),
        ({"period": "custom", "start": "3000-01-01", "end": "3000-12-31"}, "start", "之间"),
        ({"period": "custom", "start": "2026-01-01", "end": "2026-12-31"}, "end", "之间"),
        ({"period": "custom", "start": "1999-12-31", "end": "2000-01-31"}, "start", "之间"),
        ({"period": "custom", "start": "2020-01-01", "end": "2026-01-31"}, "end", "五年"),
        ({"period": "custom", "start": "yesterday", "end": "2026-01-31"}, "start", "有效"),
        ({"period": "custom", "end": "2026-01-31"}, "start", "请填写"),
        ({"period": "year", "year": 3000}, "year", "有效"),
        ({"period": "year", "year": "abc"}, "year", "有效"),
        ({"period": "month", "year": 2026, "month": 13}, "month", "有效"),
        ({"period": "month", "year": 2026, "month": 12}, "month", "尚未开始"),
        ({"period": "weekly"}, "period", "有效"),
    ],
)
def test_a_bad_period_is_a_form_error(data, field, message):
    result, errors = period(**data)

    assert result is None
    assert message in " ".join(errors[field])


def test_a_bad_period_gets_a_clear_message_never_a_500(client, district_admin):
    client_for(client, district_admin)

    for query in (
        {"period": "custom", "start": "2026-05-01", "end": "2026-04-01"},
        {"period": "custom", "start": "3000-01-01", "end": "3000-01-02"},
        {"period": "year", "year": "3000"},
        {"period": "custom", "start": "garbage", "end": "%00"},
        {"period": "quarter", "quarter": "9"},
    ):
        for url in (URL, section_url("activities")):
            response = client.get(url, query)
            assert response.status_code == 400, (url, query)
            assert "统计期间有误" in response.content.decode()
            # An export of a bad period answers the same form, not a file.
            response = client.get(url, {**query, "format": "csv"})
            assert response.status_code == 400
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


# -- Who sees what -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "center", "rows"),
    [
        ("district_admin", "district", ["中专路街道", "人民路街道"]),
        ("street_staff", "street", ["创业社区", "展览馆社区"]),
        ("community_worker", "community", []),
    ],
)
def test_dashboard_opens_at_the_top_of_the_users_scope(
    client, tree, request, persona, center, rows
):
    client_for(client, request.getfixturevalue(persona))

    response = client.get(URL)

    assert response.status_code == 200
    assert response.context["center"] == getattr(tree, center)
    table = table_of(response)
    assert [r.label for r in table.rows if r.kind == "child"] == rows
    assert [r.kind for r in table.rows][-1] == "own"
    assert (table.total is not None) == bool(rows)


def test_drilling_down_keeps_the_period_and_breadcrumbs_lead_back_up(client, tree, district_admin):
    client_for(client, district_admin)
    query = {"period": "quarter", "year": "2026", "quarter": "2"}

    district = client.get(URL, query).content.decode()
    assert "?center=zhongzhuanlu&amp;period=quarter&amp;year=2026&amp;quarter=2" in district

    response = client.get(URL, {"center": "chuangye", **query})
    page = response.content.decode()
    assert response.context["crumbs"] == [tree.district, tree.street]
    assert response.context["other_homes"] == []
    assert "?center=district&amp;period=quarter" in page
    assert "?center=zhongzhuanlu&amp;period=quarter" in page
    assert response.context["period"].label == "2026年第二季度"


def test_breadcrumbs_stop_at_the_top_of_the_users_scope(client, tree, street_staff):
    client_for(client, street_staff)

    response = client.get(URL, {"center": "chuangye"})

    assert response.context["crumbs"] == [tree.street]
    assert "?center=district" not in response.content.decode()


def test_staff_of_two_centers_start_at_the_first_and_see_the_other(client, tree):
    user = StaffRoleFactory(center=tree.community).user
    StaffRoleFactory(center=tree.other_community, user=user)
    client_for(client, user)

    first = client.get(URL)
    other = client.get(URL, {"center": "jiankang"})

    assert first.context["center"] == tree.community
    assert first.context["other_homes"] == [tree.other_community]
    assert other.context["other_homes"] == [tree.community]
    assert client.get(URL, {"center": "zhongzhuanlu"}).status_code == 404


@pytest.mark.parametrize("url", [URL, section_url("deliberation")])
def test_a_center_outside_the_scope_is_404(client, tree, outsider, street_staff, url):
    client_for(client, outsider)
    assert client.get(url, {"center": "chuangye"}).status_code == 404
    assert client.get(url, {"center": "no-such-center"}).status_code == 404
    client_for(client, street_staff)
    assert client.get(url, {"center": "renminlu"}).status_code == 404
    assert client.get(url, {"center": "district"}).status_code == 404
    assert client.get(url, {"center": "district", "format": "csv"}).status_code == 404


@pytest.mark.parametrize("url", [URL, section_url("assistance")])
def test_residents_get_403_and_anonymous_users_the_login_page(client, resident, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))

    client_for(client, resident)
    assert client.get(url).status_code == 403
    assert client.get(url, {"format": "xlsx"}).status_code == 403


def test_an_unknown_section_is_404(client, district_admin):
    client_for(client, district_admin)

    assert client.get(section_url("annual-bonus")).status_code == 404


def test_street_staff_never_see_a_figure_of_another_street(client, tree, street_staff):
    actor = _superuser()
    some_of_everything(tree.community, actor)
    for _ in range(3):
        some_of_everything(tree.other_community, actor)
    client_for(client, street_staff)

    table = table_of(client.get(URL))
    held = column(table, "activities.held")
    received = column(table, "deliberation.received")
    beneficiaries = column(table, "assistance.beneficiaries")

    assert table.total.values[held] == 1
    assert table.total.values[received] == 1
    assert table.total.values[beneficiaries] == 1
    assert {r.label for r in table.rows} == {"创业社区", "展览馆社区", "本级（中专路街道）"}


# -- The dashboard's figures ---------------------------------------------------------------------


def test_dashboard_rows_are_children_own_rows_and_a_total_of_every_section(
    client, tree, district_admin
):
    actor = _superuser()
    some_of_everything(tree.community, actor)
    some_of_everything(tree.other_community, actor)
    # The street's own: an issue escalated to it, an activity it held.
    when = timezone.make_aware(datetime.combine(recent_day(3), time(9)))
    _issue(tree.street, created=when, status=Issue.Status.ESCALATED)
    _occurrence(tree.street, when=when, signups=4, attended=1)
    client_for(client, district_admin)

    table = table_of(client.get(URL))

    groups = [title for title, _span in table.groups]
    assert groups == ["活动", "居民议事", "帮扶与援助"]
    keys = [c.key for c in table.columns]
    assert keys == [
        "activities.held",
        "activities.participants",
        "activities.attendance_rate",
        "activities.volunteer_hours",
        "deliberation.received",
        "deliberation.response_rate",
        "deliberation.resolution_rate",
        "deliberation.satisfaction_rate",
        "deliberation.overdue",
        "assistance.beneficiaries",
        "assistance.visits",
        "assistance.on_time_visit_rate",
        "assistance.distributed",
    ]
    assert table.value("中专路街道", "activities.held") == 2
    assert table.value("中专路街道", "deliberation.received") == 2
    assert table.value("人民路街道", "assistance.distributed") == 2
    assert table.value("total", "activities.held") == 3
    # Sign-ups 3 + 3 + 4, attended 2 + 2 + 1: the ratio of the sums, not a mean of rates.
    assert table.value("total", "activities.attendance_rate") == pytest.approx(5 / 10)
    assert table.value("total", "deliberation.response_rate") == pytest.approx(2 / 3)
    assert table.value("total", "assistance.on_time_visit_rate") == 1


def test_the_total_row_is_the_sections_own_figures_for_the_center(client, tree, district_admin):
    random_data(random.Random(6), [tree.district, tree.street, tree.community, tree.sibling])
    client_for(client, district_admin)
    start, end = date(2025, 1, 1), timezone.localdate()

    table = table_of(
        client.get(URL, {"period": "custom", "start": start.isoformat(), "end": end.isoformat()})
    )

    for section in report_sections:
        whole = by_key(section.build(tree.district, start, end))
        for c in table.columns:
            section_key, key = c.key.split(".", 1)
            if section_key == section.key:
                assert table.total.values[column(table, c.key)] == pytest.approx(
                    number(whole[key].value)
                ), c.key


def test_a_leaf_center_shows_its_own_row(client, tree, community_worker):
    some_of_everything(tree.community, _superuser())
    client_for(client, community_worker)

    table = table_of(client.get(URL))

    assert [(r.kind, r.label) for r in table.rows] == [("own", "创业社区")]
    assert table.caption == "创业社区主要指标"
    assert table.total is None
    assert table.value("own", "activities.held") == 1


def _street_with_data(district, actor):
    street = CenterFactory(parent=district, level=Center.Level.STREET)
    some_of_everything(CenterFactory(parent=street), actor)
    return street


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    rows = table_of(response).rows if url == URL else response.context["report"].tables[0].rows
    return len(captured.captured_queries), len(rows)


@pytest.mark.parametrize("url", [URL, section_url("activities"), section_url("assistance")])
def test_queries_do_not_grow_with_the_number_of_children(client, url):
    actor = _superuser()
    district = CenterFactory(level=Center.Level.DISTRICT, slug="qu")
    for _ in range(3):
        _street_with_data(district, actor)
    client_for(client, StaffRoleFactory(center=district, role="manager").user)
    client.get(url)
    with_three, rows = _queries(client, url)
    assert rows == 3 + 1
    for _ in range(27):
        _street_with_data(district, actor)

    with_thirty, rows = _queries(client, url)

    assert rows == 30 + 1
    assert with_thirty == with_three


def test_dashboard_runs_a_fixed_number_of_queries(
    client, tree, district_admin, django_assert_num_queries
):
    some_of_everything(tree.community, _superuser())
    client_for(client, district_admin)
    client.get(URL)
    # 1 session, 2 user, 3 the user's roles, 4 home centers, 5 children, 6 the state of the
    # monthly summaries (none built: every figure live); the key figures only: activities:
    # 7 sessions with their sign-ups; deliberation: 8 the cohort with the overdue count;
    # assistance: 9 visits, units handed out, beneficiaries and pairings (one batch). Each
    # grouped by child.
    with django_assert_num_queries(9):
        client.get(URL)
    # With the summaries built, a period of ended months and this one reads the summarised
    # months in each section's batch: the same nine queries.
    for section in summaries.summaries:
        summaries.build(section)
    today = timezone.localdate()
    start = (today.replace(day=1) - timedelta(days=40)).replace(day=1)
    period = {"period": "custom", "start": start.isoformat(), "end": today.isoformat()}
    with django_assert_num_queries(9):
        client.get(URL, period)


def test_the_dashboards_key_figures_are_those_of_the_full_figures(tree):
    some_of_everything(tree.community, _superuser())
    start, end = date(2000, 1, 1), timezone.localdate()
    for center in (tree.district, tree.street):
        for section in report_sections:
            spec = reports.spec_of(section)
            if spec.key_by_child is None:
                continue
            full, key = spec.by_child(center, start, end), spec.key_by_child(center, start, end)
            for branch in {*full, *key, center.path}:
                wanted = {f.key: f.value for f in full[branch]}
                got = {f.key: f.value for f in key[branch]}
                assert got, section.key
                assert got == {k: wanted[k] for k in got}, (section.key, branch)


def test_a_section_without_grouped_forms_is_asked_once_per_child(
    client, tree, district_admin, monkeypatch
):
    def centers_below(center, start, end):
        subtree = Center.objects.filter(path__startswith=center.path)
        return [
            Figure("centers", "中心（个）", subtree.count()),
            Figure(
                "share",
                "社区占比",
                subtree.filter(level="community").count() / subtree.count(),
                "%",
            ),
        ]

    monkeypatch.setitem(
        report_sections.items,
        "network",
        ReportSection("network", "阵地", centers_below, order=5),
    )
    client_for(client, district_admin)

    table = table_of(client.get(URL))

    assert table.groups[0][0] == "阵地"
    assert table.value("中专路街道", "network.centers") == 3
    assert table.value("人民路街道", "network.centers") == 2
    # The center's own row is its whole subtree less its children.
    assert table.value("own", "network.centers") == 1
    assert table.value("total", "network.centers") == 6
    # A rate the section did not explain cannot be totalled: no made-up average.
    assert table.value("total", "network.share") is None


# -- Section pages -----------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["activities", "deliberation", "assistance"])
def test_section_page_has_a_table_beside_every_chart(client, tree, district_admin, key):
    some_of_everything(tree.community, _superuser())
    client_for(client, district_admin)

    response = client.get(section_url(key), {"period": "year", "year": timezone.localdate().year})

    assert response.status_code == 200
    report = response.context["report"]
    page = response.content.decode()
    ids = [t.id for t in report.tables]
    assert ids[:2] == ["by-child", "by-month"]
    assert any(i.startswith("breakdown-") for i in ids)
    assert report.charts
    for chart in report.charts:
        assert chart["table"] in ids
        assert f'id="{chart["id"]}"' in page
    for table in report.tables:
        assert f'id="{table.id}-caption"' in page
        assert f'<caption id="{table.id}-caption">{table.caption}</caption>' in page
    assert '<th scope="col">' in page and '<th scope="row">' in page
    # The data for the charts as JSON, which the CSP's script-src 'self' does not run.
    assert '<script id="report-chart-data" type="application/json">' in page
    assert "<script>" not in page and "style=" not in page
    assert "vendor/chartjs/chart.umd.min.js" in page and "js/report-charts.js" in page
    months = next(t for t in report.tables if t.id == "by-month")
    assert len(months.rows) == timezone.localdate().month


def test_section_page_breakdown_and_months_add_up(client, tree, district_admin):
    when = timezone.make_aware(datetime.combine(recent_day(2), time(10)))
    _occurrence(tree.community, when=when, category="party")
    _occurrence(tree.sibling, when=when, category="party")
    _occurrence(tree.other_community, when=when, category="study")
    client_for(client, district_admin)

    report = client.get(section_url("activities")).context["report"]

    tables = {t.id: t for t in report.tables}
    assert tables["breakdown-category"].value("党性锤炼", "value") == 2
    assert tables["breakdown-category"].value("学习教育", "value") == 1
    assert tables["by-month"].value("total", "held") == 3
    assert tables["by-child"].value("total", "held") == 3
    assert tables["by-child"].value("total", "attendance_rate") == pytest.approx(6 / 9)


# -- Exports -------------------------------------------------------------------------------------


def test_csv_export_has_a_bom_the_page_totals_and_an_audit_entry(client, tree, district_admin):
    some_of_everything(tree.community, _superuser())
    client_for(client, district_admin)
    page = table_of(client.get(URL))

    response = client.get(URL, {"format": "csv", "table": "summary"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="report-district-')
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0].startswith("测试区党群服务中心")
    header = rows[2]
    assert header[:2] == ["中心", "活动：举办活动（场）"]
    total = next(r for r in rows if r[0] == "合计")
    assert total[1:] == [
        "" if value is None else text if c.is_rate else str(value)
        for value, text, c in zip(page.total.values, page.total.texts, page.columns, strict=True)
    ]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.actor == district_admin and entry.center == tree.district
    assert "CSV" in entry.summary and f"{timezone.localdate().year}年" in entry.summary


def test_xlsx_export_opens_with_bold_frozen_headers_rate_formats_and_page_totals(
    client, tree, district_admin
):
    some_of_everything(tree.community, _superuser())
    some_of_everything(tree.sibling, _superuser())
    client_for(client, district_admin)
    page = table_of(client.get(URL, {"center": "zhongzhuanlu"}))

    response = client.get(URL, {"center": "zhongzhuanlu", "format": "xlsx"})

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows())
    header = next(r for r in rows if r[0].value == "中心")
    assert all(cell.font.bold for cell in header)
    assert sheet.freeze_panes == f"B{header[0].row + 1}"
    total = next(r for r in rows if r[0].value == "合计")
    assert all(cell.font.bold for cell in total)
    assert [cell.value for cell in total[1:]] == pytest.approx(page.total.values)
    rate = total[1 + column(page, "activities.attendance_rate")]
    assert rate.number_format == "0.0%" and rate.value == pytest.approx(4 / 6)
    assert total[1 + column(page, "activities.held")].number_format == "0"
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.center == tree.street and "XLSX" in entry.summary


def test_section_xlsx_has_a_sheet_per_table_and_each_table_exports_alone(
    client, tree, district_admin
):
    some_of_everything(tree.community, _superuser())
    client_for(client, district_admin)
    tables = client.get(section_url("deliberation")).context["report"].tables

    workbook = load_workbook(
        io.BytesIO(client.get(section_url("deliberation"), {"format": "xlsx"}).content)
    )
    assert len(workbook.sheetnames) == len(tables)
    for table in tables:
        response = client.get(section_url("deliberation"), {"format": "csv", "table": table.id})
        assert response.status_code == 200
        assert table.caption in response.content.decode("utf-8-sig")
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).count() == 1 + len(tables)
    assert client.get(section_url("deliberation"), {"format": "pdf"}).status_code == 404
    assert (
        client.get(section_url("deliberation"), {"format": "csv", "table": "x"}).status_code == 404
    )


def test_exports_escape_cells_that_look_like_formulas(client, tree, district_admin):
    CenterFactory(parent=tree.district, short_name='=HYPERLINK("http://x")', slug="evil")
    client_for(client, district_admin)

    content = client.get(URL, {"format": "csv"}).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in content
    sheet = load_workbook(io.BytesIO(client.get(URL, {"format": "xlsx"}).content)).active
    labels = [row[0].value for row in sheet.iter_rows()]
    assert '\'=HYPERLINK("http://x")' in labels
    assert not any(isinstance(v, str) and v.startswith("=") for v in labels)


# -- Figures agree everywhere --------------------------------------------------------------------


@pytest.fixture
def deep_tree(tree):
    """The test district with a building under a community: four levels."""
    building = CenterFactory(
        parent=tree.community, short_name="商贸楼宇", slug="building", level=Center.Level.BUILDING
    )
    return SimpleNamespace(**vars(tree), building=building)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_figures_agree_at_every_level_on_random_data(deep_tree, seed):
    rng = random.Random(seed)
    centers = [
        deep_tree.district,
        deep_tree.street,
        deep_tree.other_street,
        deep_tree.community,
        deep_tree.sibling,
        deep_tree.other_community,
        deep_tree.building,
    ]
    random_data(rng, centers)
    today = timezone.localdate()
    periods = [
        (date(2025, 1, 1), today),
        (date(today.year, 1, 1), today),
        (date(2025, 10, 1), date(2025, 12, 31)),
    ]
    for _ in range(2):
        start = date(2025, 6, 1) + timedelta(days=rng.randrange(300))
        periods.append((start, min(today, start + timedelta(days=rng.randrange(200)))))
    for start, end in periods:
        assert_figures_agree(deep_tree.district, start, end)


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """seed_demo once for the class (it takes seconds), rolled back after it; each test runs
    in a savepoint inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", verbosity=0)
        yield Center.objects.get(depth=1)
        transaction.set_rollback(True)


@pytest.mark.usefixtures("demo")
class TestDemoDistrict:
    """Kept last in the module: the class's seed stays in place until its last test."""

    def test_figures_agree_from_district_to_streets_to_communities(self, demo):
        today = timezone.localdate()
        assert_figures_agree(demo, date(today.year, 1, 1), today)

    @pytest.mark.parametrize(
        "span",
        [
            (date(2026, 1, 1), date(2026, 3, 31)),
            (date(2026, 10, 1), date(2026, 10, 31)),
            (date(2025, 12, 1), None),
        ],
    )
    def test_figures_agree_for_other_periods(self, demo, span):
        start, end = span
        assert_figures_agree(demo, start, end or timezone.localdate(), depth=1)

    def test_dashboard_and_xlsx_totals_are_the_districts_figures(self, demo, client):
        admin = get_demo_admin()
        client.force_login(admin)
        today = timezone.localdate()

        response = client.get(URL)
        table = table_of(response)
        workbook = load_workbook(io.BytesIO(client.get(URL, {"format": "xlsx"}).content))

        assert len([r for r in table.rows if r.kind == "child"]) == 9
        received = column(table, "deliberation.received")
        whole = by_key(
            report_sections.items["deliberation"].build(demo, date(today.year, 1, 1), today)
        )
        assert table.total.values[received] == whole["received"].value > 0
        total = next(r for r in workbook.active.iter_rows() if r[0].value == "合计")
        assert [cell.value for cell in total[1:]] == pytest.approx(table.total.values)
        page = response.content.decode()
        for text in table.total.texts:
            assert f"<td>{text}</td>" in page


def get_demo_admin():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(phone="13800000001")
