"""The deliberation report section: 12345-style figures for a center subtree and period."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from centers.models import Center
from centers.sections import report_sections
from deliberation.models import Issue
from deliberation.reports import issue_figures, issue_figures_by_child, issue_figures_by_month
from tests.factories import CenterFactory, IssueFactory

pytestmark = pytest.mark.django_db
S = Issue.Status

YEAR = (date(2026, 1, 1), date(2026, 12, 31))


def at(month, day, hour=10, minute=0):
    return timezone.make_aware(datetime(2026, month, day, hour, minute))


def issue(center, *, created=(3, 2), accept_hours=None, status=S.SUBMITTED, **fields):
    """An issue raised at `created` (month, day) 10:00 with a one-day acceptance limit,
    accepted `accept_hours` later if given."""
    created_at = at(*created)
    fields.setdefault("response_due", created_at + timedelta(days=1))
    if accept_hours is not None:
        fields["accepted_at"] = created_at + timedelta(hours=accept_hours)
    return IssueFactory(center=center, created_at=created_at, status=status, **fields)


def resolved(center, days, *, created=(3, 2), status=S.CLOSED, satisfaction="", **fields):
    """An issue accepted on time and resolved `days` after it was raised."""
    created_at = at(*created)
    return issue(
        center,
        created=created,
        accept_hours=2,
        status=status,
        resolved_at=created_at + timedelta(days=days),
        satisfaction=satisfaction,
        rated_at=created_at + timedelta(days=days + 1) if satisfaction else None,
        **fields,
    )


def values(figures):
    return {f.key: f.value for f in figures}


def test_section_is_registered_for_the_district_reports():
    section = report_sections.items["deliberation"]

    assert section.build is issue_figures
    assert str(section.title) == "居民议事"
    assert section.order == 20


def test_figures_follow_the_12345_definitions(tree):
    community = tree.community
    resolved(community, 4, satisfaction="satisfied", category="roads")
    resolved(community, 10, status=S.RESOLVED)  # awaiting the resident's rating
    resolved(community, 6, satisfaction="basic")
    # Rated unsatisfied and reopened: back at work, not resolved.
    resolved(community, 3, status=S.IN_PROGRESS, satisfaction="unsatisfied")
    issue(community, accept_hours=30, status=S.IN_PROGRESS)  # accepted late
    issue(community)  # not taken in yet
    issue(community, status=S.REJECTED, public_reason="不属于社区职责。")
    # Outside the subtree, or before the period: not counted.
    resolved(tree.other_community, 2, satisfaction="unsatisfied")
    issue(community, created=(3, 1), accept_hours=1)

    got = values(issue_figures(community, date(2026, 3, 2), date(2026, 3, 31)))

    assert got["received"] == 7
    assert got["accepted"] == 5
    assert got["accepted_on_time"] == 4
    assert got["response_rate"] == pytest.approx(4 / 7)
    assert got["resolved"] == 3
    assert got["resolution_rate"] == pytest.approx(3 / 5)
    assert got["rated"] == 3
    assert got["satisfaction_rate"] == pytest.approx(2 / 3)
    # Days to resolve of the three resolved issues: 4, 6, 10.
    assert got["median_days_to_resolve"] == 6.0
    assert got["category_roads"] == 1
    assert got["category_drainage"] == 6  # the factory's category
    assert sum(v for k, v in got.items() if k.startswith("category_")) == 7


def test_median_of_an_even_number_interpolates(tree):
    resolved(tree.community, 3)
    resolved(tree.community, 8)

    got = values(issue_figures(tree.community, *YEAR))

    assert got["median_days_to_resolve"] == 5.5


def test_rates_are_none_without_a_denominator(tree):
    issue(tree.community, status=S.REJECTED, public_reason="重复反映。")

    got = values(issue_figures(tree.community, *YEAR))

    assert got["received"] == 1 and got["response_rate"] == 0
    assert got["resolution_rate"] is None
    assert got["satisfaction_rate"] is None
    assert got["median_days_to_resolve"] is None
    empty = values(issue_figures(tree.sibling, *YEAR))
    assert empty["received"] == 0 and empty["response_rate"] is None


def test_overdue_counts_the_subtree_now_whatever_the_period(tree):
    today = timezone.localdate()
    IssueFactory(center=tree.community, status=S.IN_PROGRESS, due_date=today - timedelta(days=1))
    IssueFactory(center=tree.sibling, response_due=timezone.now() - timedelta(hours=1))
    IssueFactory(center=tree.community, status=S.ACCEPTED, due_date=today)
    IssueFactory(center=tree.other_community, response_due=timezone.now() - timedelta(hours=1))

    assert values(issue_figures(tree.street, *YEAR))["overdue"] == 2
    assert values(issue_figures(tree.community, *YEAR))["overdue"] == 1


def test_an_escalated_issue_counts_at_the_center_it_went_up_to(tree):
    issue(tree.street, status=S.ESCALATED)

    assert values(issue_figures(tree.community, *YEAR))["received"] == 0
    street = values(issue_figures(tree.street, *YEAR))
    assert street["received"] == 1
    assert street["own_received"] == 1
    assert street["child_chuangye_received"] == 0


def test_by_child_center_counts_each_direct_child_and_the_center_itself(tree):
    deeper = CenterFactory(parent=tree.community, slug="jinhan", short_name="金汉御园")
    resolved(tree.community, 5)
    resolved(deeper, 5)
    issue(tree.sibling)
    issue(tree.other_community)
    issue(tree.district, status=S.ESCALATED)

    district = issue_figures(tree.district, *YEAR)
    got = values(district)

    assert got["child_zhongzhuanlu_received"] == 3
    assert got["child_zhongzhuanlu_resolved"] == 2
    assert got["child_renminlu_received"] == 1
    assert got["child_renminlu_resolved"] == 0
    assert got["own_received"] == 1
    labels = {f.key: str(f.label) for f in district}
    assert labels["child_zhongzhuanlu_received"] == "中专路街道：收到（件）"
    assert labels["own_resolved"] == "本级：办结（件）"
    street = values(issue_figures(tree.street, *YEAR))
    assert street["child_chuangye_received"] == 2
    assert street["child_zhanlanguan_received"] == 1
    assert "child_jinhan_received" not in street
    # A center without children has no rows by child.
    assert not any(k.startswith(("child_", "own_")) for k in values(issue_figures(deeper, *YEAR)))


ADDITIVE = [
    "received",
    "accepted",
    "accepted_on_time",
    "resolved",
    "rated",
    "overdue",
    *(f"category_{value}" for value in Issue.Category.values),
]


def test_district_total_equals_the_sum_of_its_streets(tree):
    for center in (tree.community, tree.sibling, tree.other_community):
        resolved(center, 5, satisfaction="satisfied", category="sanitation")
        resolved(center, 9, status=S.RESOLVED)
        issue(center, accept_hours=40, status=S.IN_PROGRESS, due_date=date(2026, 3, 20))
        issue(center, status=S.REJECTED, public_reason="不属于社区职责。")

    district = values(issue_figures(tree.district, *YEAR))
    streets = [values(issue_figures(s, *YEAR)) for s in (tree.street, tree.other_street)]

    for key in ADDITIVE:
        assert district[key] == sum(s[key] for s in streets), key
    assert district["received"] == 12 and district["overdue"] == 3
    rows = [k for k in district if k.startswith(("child_", "own_")) and k.endswith("_received")]
    assert sum(district[k] for k in rows) == district["received"]


def test_period_bounds_are_inclusive_dates_in_shanghai(tree):
    # 00:30 on 1 March in Shanghai is still 28 February in UTC.
    first = IssueFactory(center=tree.community, created_at=at(3, 1, 0, 30))
    IssueFactory(center=tree.community, created_at=at(3, 31, 23, 59))
    assert first.created_at.astimezone(UTC).day == 28

    def received(start, end):
        return values(issue_figures(tree.community, start, end))["received"]

    assert received(date(2026, 3, 1), date(2026, 3, 31)) == 2
    assert received(date(2026, 3, 1), date(2026, 3, 1)) == 1
    assert received(date(2026, 3, 31), date(2026, 3, 31)) == 1
    assert received(date(2026, 2, 28), date(2026, 2, 28)) == 0
    assert received(date(2026, 4, 1), date(2026, 4, 1)) == 0


def test_figures_run_three_queries_whatever_the_data(tree, django_assert_num_queries):
    resolved(tree.community, 4, satisfaction="satisfied")
    # 1 the cohort's counts, overdue now, by category, received and resolved by child (one
    # batch), 2 median time to resolve, 3 the direct children.
    with django_assert_num_queries(3):
        issue_figures(tree.district, *YEAR)
    for n in range(12):
        community = CenterFactory(parent=tree.other_street)
        resolved(community, 3 + n, satisfaction="basic", category=Issue.Category.values[n % 9])
        issue(community, accept_hours=30, status=S.IN_PROGRESS, due_date=date(2026, 3, 10))
        issue(community, status=S.MERGED, merged_into=Issue.objects.first())
    district = Center.objects.get(pk=tree.district.pk)  # children not read yet
    with django_assert_num_queries(3):
        figures = values(issue_figures(district, *YEAR))
    assert figures["received"] == 37
    with django_assert_num_queries(3):
        issue_figures(tree.community, *YEAR)


def test_grouped_forms_run_fixed_queries_and_match_the_rows_by_child(
    tree, django_assert_num_queries
):
    resolved(tree.community, 4, satisfaction="satisfied")
    resolved(tree.sibling, 6, satisfaction="unsatisfied", created=(4, 8))
    issue(tree.other_community, accept_hours=30, status=S.IN_PROGRESS, due_date=date(2026, 3, 5))
    issue(tree.district, status=S.ESCALATED)

    # 1 the cohort's counts, overdue now, by category (one batch), 2 median days: grouped by
    # child.
    with django_assert_num_queries(2):
        rows = issue_figures_by_child(tree.district, *YEAR)
    # 1 the cohort's counts, 2 median days: grouped by month.
    with django_assert_num_queries(2):
        months = issue_figures_by_month(tree.district, *YEAR)

    whole = values(issue_figures(tree.district, *YEAR))
    street = values(rows[tree.street.path])
    assert street["received"] == whole["child_zhongzhuanlu_received"] == 2
    assert street["resolved"] == whole["child_zhongzhuanlu_resolved"] == 2
    assert street["satisfied"] == 1 and street["satisfaction_rate"] == pytest.approx(1 / 2)
    assert street["median_days_to_resolve"] == 5.0
    assert values(rows[tree.district.path])["received"] == whole["own_received"] == 1
    assert values(rows[tree.other_street.path])["overdue"] == 1
    assert "overdue" not in values(months[date(2026, 3, 1)])
    assert values(months[date(2026, 3, 1)])["received"] == 3
    assert values(months[date(2026, 4, 1)])["received"] == 1
    assert values(months[date(2026, 5, 1)])["received"] == 0
