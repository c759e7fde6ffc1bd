"""The monthly report summaries: the dashboard reads ended months from them, and every write
that touches a summarised month keeps them equal to the live count."""

from datetime import date, datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from activities import services as activity_services
from activities.models import ActivityMonth, Registration
from assistance import services as assistance_services
from assistance.models import AidStation, Visit
from centers import summaries
from centers.models import SummaryState
from centers.reports import spec_of
from centers.sections import report_sections
from deliberation import services as deliberation_services
from deliberation.models import Issue
from tests.centers.test_reports import (
    _beneficiary,
    _issue,
    _occurrence,
    _superuser,
    _visit,
    some_of_everything,
)
from tests.concurrency import postgres_only, run_concurrently
from tests.factories import ItemFactory, UserFactory

pytestmark = pytest.mark.django_db


def months_ago(n, day=10):
    """A day `n` months before this one (always in an ended month for n >= 1)."""
    month = summaries.this_month()
    for _ in range(n):
        month = summaries.first_of(month - timedelta(days=1))
    return month.replace(day=day)


def at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def period():
    return months_ago(6, day=1), timezone.localdate()


def key_figures(center, start, end):
    """{section: {branch: {key: value}}} as the dashboard computes them, and as the full live
    figures give them."""
    dashboard, live = {}, {}
    for section in report_sections:
        spec = spec_of(section)
        if spec.key_by_child is None:
            continue
        keyed = spec.key_by_child(center, start, end)
        with summaries.live_only():
            full = spec.by_child(center, start, end)
        branches = {*keyed, *full, center.path}
        dashboard[section.key] = {b: {f.key: f.value for f in keyed[b]} for b in branches}
        live[section.key] = {
            b: {f.key: f.value for f in full[b] if f.key in dashboard[section.key][b]}
            for b in branches
        }
    return dashboard, live


def assert_summary_is_live(tree):
    start, end = period()
    for center in (tree.district, tree.street):
        dashboard, live = key_figures(center, start, end)
        assert dashboard == live, center


def build_all():
    for key in summaries.summaries:
        summaries.build(key)


# -- Cutting a period ---------------------------------------------------------------------------


def test_a_year_so_far_reads_its_ended_months_from_the_summary(tree):
    today = date(2026, 11, 28)
    SummaryState.objects.create(section="activities", built_through=date(2026, 10, 1))
    part = summaries.split("activities", date(2026, 1, 1), today)
    assert part.months == (date(2026, 1, 1), date(2026, 10, 1))
    assert part.live == [(date(2026, 11, 1), today)]


def test_a_custom_period_reads_its_partial_months_live(tree):
    SummaryState.objects.create(section="activities", built_through=date(2026, 10, 1))
    part = summaries.split("activities", date(2026, 3, 15), date(2026, 9, 10))
    assert part.months == (date(2026, 4, 1), date(2026, 8, 1))
    assert part.live == [
        (date(2026, 3, 15), date(2026, 3, 31)),
        (date(2026, 9, 1), date(2026, 9, 10)),
    ]


def test_without_a_summary_everything_is_live(tree):
    part = summaries.split("activities", date(2026, 1, 1), date(2026, 6, 30))
    assert part.months is None and part.live == [(date(2026, 1, 1), date(2026, 6, 30))]
    SummaryState.objects.create(section="activities", built_through=date(2025, 12, 1))
    part = summaries.split("activities", date(2026, 1, 1), date(2026, 6, 30))
    assert part.months is None and part.live == [(date(2026, 1, 1), date(2026, 6, 30))]


def test_a_period_within_one_month_is_live(tree):
    SummaryState.objects.create(section="activities", built_through=date(2026, 10, 1))
    part = summaries.split("activities", date(2026, 5, 3), date(2026, 5, 20))
    assert part.months is None and part.live == [(date(2026, 5, 3), date(2026, 5, 20))]


# -- Building and reading -----------------------------------------------------------------------


def _world(tree):
    actor = _superuser()
    some_of_everything(tree.community, actor, day=months_ago(2))
    some_of_everything(tree.sibling, actor, day=months_ago(3, day=20))
    some_of_everything(tree.street, actor, day=months_ago(1, day=3))
    some_of_everything(tree.other_community, actor, day=months_ago(4))
    some_of_everything(
        tree.community,
        actor,
        day=max(timezone.localdate() - timedelta(days=1), summaries.this_month()),
    )
    return actor


def test_built_summaries_give_the_live_figures(tree):
    _world(tree)
    build_all()
    assert ActivityMonth.objects.count() == 4
    assert_summary_is_live(tree)


def test_a_month_ended_since_the_last_build_is_read_live(tree):
    _world(tree)
    for key in summaries.summaries:
        summaries.build(key, through=months_ago(3, day=1))
    assert_summary_is_live(tree)


def test_the_command_extends_the_summaries_and_rebuilds_them(tree, capsys):
    _world(tree)
    for key in summaries.summaries:
        summaries.build(key, through=months_ago(3, day=1))
    call_command("build_report_summaries")
    assert set(SummaryState.objects.values_list("built_through", flat=True)) == {months_ago(1, 1)}
    ActivityMonth.objects.update(held=99)
    call_command("build_report_summaries", "--rebuild")
    assert not ActivityMonth.objects.filter(held=99).exists()
    assert "summarised through" in capsys.readouterr().out
    assert_summary_is_live(tree)


# -- Writes to summarised months ----------------------------------------------------------------


def test_sign_ups_attendance_and_records_in_an_ended_month_keep_the_summary_right(tree):
    actor = _world(tree)
    build_all()
    occurrence = _occurrence(tree.community, when=at(months_ago(2, day=12)), signups=0)
    assert_summary_is_live(tree)  # a new session in a summarised month (signals)
    for _ in range(3):
        Registration.objects.create(occurrence=occurrence, user=UserFactory(), status="confirmed")
    assert_summary_is_live(tree)
    ticked = list(occurrence.registrations.values_list("pk", flat=True)[:2])
    activity_services.attendance_record(actor=actor, occurrence=occurrence, attended_ids=ticked)
    assert_summary_is_live(tree)  # a bulk update: the service recounts
    activity_services.occurrence_record(
        actor=actor, occurrence=occurrence, summary="书法讲座圆满结束。", head_count=30
    )
    assert_summary_is_live(tree)
    occurrence.registrations.first().delete()
    assert_summary_is_live(tree)
    occurrence.activity.delete()
    assert_summary_is_live(tree)


def test_a_session_moved_between_ended_months_leaves_both_right(tree):
    _world(tree)
    occurrence = _occurrence(tree.sibling, when=at(months_ago(3, day=5)))
    build_all()
    # Out of the reports' period: the summary must forget it there.
    occurrence.starts_at = at(months_ago(8, day=5))
    occurrence.ends_at = occurrence.starts_at + timedelta(hours=2)
    occurrence.save()
    assert_summary_is_live(tree)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_writes_to_one_summarised_cell_are_all_counted(tree):
    _world(tree)
    day = months_ago(2, day=14)
    occurrences = [_occurrence(tree.community, when=at(day, 8 + i), signups=0) for i in range(8)]
    build_all()
    users = [UserFactory() for _ in occurrences]

    def sign_up(occurrence, user):
        return lambda: Registration.objects.create(
            occurrence=occurrence, user=user, status="confirmed", attended=True
        )

    errors = run_concurrently([sign_up(o, u) for o, u in zip(occurrences, users, strict=True)])
    assert errors == []
    cell = ActivityMonth.objects.get(center=tree.community, month=summaries.first_of(day))
    assert cell.present == 8 + 2  # the eight new ones and the world's two at chuangye that month
    assert_summary_is_live(tree)


def test_steps_on_issues_received_in_an_ended_month_keep_the_summary_right(tree, community_worker):
    _world(tree)
    received = at(months_ago(2, day=8))
    issue = _issue(tree.community, created=received)
    build_all()
    today = timezone.localdate()
    issue = deliberation_services.issue_transition(
        actor=community_worker,
        issue=issue,
        to_status=Issue.Status.ACCEPTED,
        due_date=today + timedelta(days=7),
    )
    assert_summary_is_live(tree)
    issue = deliberation_services.issue_transition(
        actor=community_worker, issue=issue, to_status=Issue.Status.IN_PROGRESS
    )
    issue = deliberation_services.issue_transition(
        actor=community_worker,
        issue=issue,
        to_status=Issue.Status.RESOLVED,
        resolution="已协调物业疏通。",
    )
    assert_summary_is_live(tree)
    # Escalated: the issue now counts at the street, and no more at the community.
    late = _issue(tree.community, created=received + timedelta(days=1))
    deliberation_services.issue_transition(
        actor=community_worker, issue=late, to_status=Issue.Status.ESCALATED
    )
    assert Issue.objects.get(pk=late.pk).center == tree.street
    assert_summary_is_live(tree)
    Issue.objects.get(pk=issue.pk).delete()
    assert_summary_is_live(tree)


def test_an_issue_of_this_month_costs_no_summary_query(tree, django_assert_num_queries):
    build_all()
    issue = _issue(tree.community, created=timezone.now())
    issue.title = "楼道灯不亮"
    # 1 the update itself: the cell is this month's, read live.
    with django_assert_num_queries(1):
        issue.save(update_fields=["title"])


def test_visits_and_goods_in_an_ended_month_keep_the_summary_right(tree):
    actor = _world(tree)
    build_all()
    day = months_ago(2, day=15)
    beneficiary = _beneficiary(tree.community, "disabled", registered=day - timedelta(days=40))
    visit = _visit(beneficiary, day)
    assert_summary_is_live(tree)
    visit.visited_on = months_ago(8, day=3)  # out of the reports' period
    visit.save()
    assert_summary_is_live(tree)
    _visit(beneficiary, months_ago(2, day=16))
    beneficiary.center = tree.sibling  # moved: the visits' counts go along
    beneficiary.save()
    assert_summary_is_live(tree)
    station = AidStation.objects.get(center=tree.community)
    rice = ItemFactory(category="food")
    assistance_services.donation_receive(
        actor=actor,
        station=station,
        data={"donor_name": "王先生", "received_on": day},
        lines=[(rice, 10, "new", True)],
    )
    assistance_services.distribution_create(
        actor=actor,
        station=station,
        lines=[(rice, 4)],
        distributed_on=day,
        recipient_name="刘奶奶",
    )
    assert_summary_is_live(tree)
    Visit.objects.filter(beneficiary=beneficiary).delete()
    assert_summary_is_live(tree)
