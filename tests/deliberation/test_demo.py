"""seed_demo's deliberation: 创业社区's 21 resolved issues, 惠民社区's meetings, open issues."""

from datetime import date, datetime
from io import StringIO
from itertools import pairwise

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from centers.sections import demo_loaders
from deliberation import demo
from deliberation.models import (
    RESIDENT_TRANSITIONS,
    TRANSITIONS,
    Issue,
    IssueEvent,
    Meeting,
    MeetingParticipant,
)
from deliberation.reports import issue_figures

pytestmark = pytest.mark.django_db
S = Issue.Status

SEED_TITLES = [
    "金汉御园小区门前规划路的归属问题",
    "园艺所西巷雨天路面积水",
    "煤田小区穿衣带帽工程后续问题",
    "小区安装燃气申请破路审批问题",
]


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker):
    """One seed_demo for the module (it takes seconds), rolled back after the module's tests;
    each test runs in a savepoint inside it, so what a test changes is undone after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed()
        transaction.set_rollback(True)


@pytest.fixture
def seeded(seeded_once, db):
    return seeded_once


def in_year(queryset, field, year=demo.DEMO_YEAR):
    start, end = (timezone.make_aware(datetime(y, 1, 1)) for y in (year, year + 1))
    return queryset.filter(**{f"{field}__gte": start, f"{field}__lt": end})


def test_loader_is_registered_for_seed_demo():
    loader = demo_loaders.items["deliberation"]

    assert loader.load is demo.load_demo_deliberation
    assert loader.order == 20


def test_chuangye_resolved_21_hot_issues_in_the_demo_year(seeded):
    chuangye = Issue.objects.filter(center__slug="chuangye")
    resolved = in_year(chuangye, "resolved_at")

    assert resolved.count() == 21
    assert set(resolved.values_list("status", flat=True)) == {S.RESOLVED, S.CLOSED}
    assert set(SEED_TITLES) <= set(resolved.values_list("title", flat=True))
    assert "议题 " in seeded
    for item in resolved:
        days = (item.resolved_at - item.created_at).days
        assert 3 <= days <= 40, item
        assert item.resolution and item.accepted_at and item.due_date, item


def test_most_issues_are_accepted_within_a_working_day_a_few_late(seeded):
    hot = Issue.objects.filter(
        center__slug="chuangye", title__in=[s["title"] for s in demo.HOT_ISSUES]
    )
    late = [i for i in hot if i.accepted_at > i.response_due]

    assert hot.count() == 21
    assert 1 <= len(late) <= 4
    for item in hot:
        assert item.created_at < item.accepted_at <= item.resolved_at, item


def test_ratings_are_mostly_satisfied_and_one_or_two_reopened(seeded):
    hot = Issue.objects.filter(
        center__slug="chuangye", title__in=[s["title"] for s in demo.HOT_ISSUES]
    )
    ratings = list(hot.exclude(satisfaction="").values_list("satisfaction", flat=True))
    reopened = IssueEvent.objects.filter(issue__in=hot, to_status=S.REOPENED)

    assert len(ratings) >= 15
    assert sum(r in ("satisfied", "basic") for r in ratings) >= len(ratings) - 2
    assert 1 <= reopened.count() <= 2
    for event in reopened:
        assert event.issue.events.filter(to_status=S.RESOLVED).count() == 2


def test_report_figures_for_chuangye_in_the_demo_year(seeded):
    from centers.models import Center

    chuangye = Center.objects.get(slug="chuangye")
    year = (date(demo.DEMO_YEAR, 1, 1), date(demo.DEMO_YEAR, 12, 31))
    figures = {f.key: f.value for f in issue_figures(chuangye, *year)}

    assert figures["resolved"] == 21
    assert 0.5 < figures["response_rate"] < 1
    assert 0.8 < figures["satisfaction_rate"] < 1
    assert 3 <= figures["median_days_to_resolve"] <= 40


def test_huimin_publishes_its_consultation_meetings_with_decisions(seeded):
    meetings = Meeting.objects.filter(center__slug="huimin").published()

    assert 2 <= meetings.count() <= 3
    agenda_titles = set()
    for meeting in meetings:
        assert meeting.minutes and meeting.published_at > meeting.held_at
        roles = set(meeting.participants.values_list("role", flat=True))
        assert {
            MeetingParticipant.Role.PARTY_MEMBER,
            MeetingParticipant.Role.GRID_WORKER,
            MeetingParticipant.Role.VOLUNTEER,
            MeetingParticipant.Role.RESIDENT_REP,
        } <= roles
        assert all(p.count > 0 for p in meeting.participants.all())
        for item in meeting.agenda.select_related("issue"):
            assert item.decision, item
            agenda_titles.add(item.issue.title)
            # The decision moved the issue on, in an event written at the meeting.
            moved = item.issue.events.get(public_note__startswith=f"经{meeting.title}协商")
            assert (moved.from_status, moved.to_status) == (S.DELIBERATING, S.IN_PROGRESS)
            assert meeting.held_at < moved.created_at < meeting.published_at
            assert item.issue.status in (S.RESOLVED, S.CLOSED)
    assert any("化粪池" in title for title in agenda_titles)
    assert any(word in title for title in agenda_titles for word in ("圈占", "私装", "堆放"))


def test_every_history_is_a_legal_path_through_the_workflow(seeded):
    issues = Issue.objects.prefetch_related("events")

    assert issues.count() >= 30
    for item in issues:
        moves = [e for e in item.events.all() if e.to_status]
        assert (moves[0].from_status, moves[0].to_status) == ("", S.SUBMITTED), item
        for previous, event in pairwise(moves):
            pair = (event.from_status, event.to_status)
            assert event.from_status == previous.to_status, (item, pair)
            assert event.to_status in TRANSITIONS[event.from_status] or pair in (
                RESIDENT_TRANSITIONS
            ), (item, pair)
        assert moves[-1].to_status == item.status, item


def test_event_times_follow_each_history_and_stay_in_the_past(seeded):
    now = timezone.now()
    for item in Issue.objects.prefetch_related("events"):
        times = [e.created_at for e in item.events.all()]  # in pk order: as played
        assert times == sorted(times), item
        assert times[0] == item.created_at and times[-1] <= now, item
        if item.status == S.CLOSED:
            assert item.resolved_at < item.rated_at <= now, item


def test_open_issues_in_every_working_state_at_several_communities(seeded):
    issues = Issue.objects.select_related("center")
    states = set(issues.values_list("status", flat=True))

    assert {S.SUBMITTED, S.ACCEPTED, S.DELIBERATING, S.IN_PROGRESS, S.ESCALATED} <= states
    assert {S.REJECTED, S.MERGED, S.RESOLVED, S.CLOSED} <= states
    open_centers = set(issues.filter(status__in=Issue.OPEN_STATES).values_list("center__slug"))
    assert len(open_centers) >= 4
    assert issues.overdue().count() == 1
    escalated = issues.get(status=S.ESCALATED)
    assert escalated.center.slug == "zhongzhuanlu" and not escalated.is_overdue
    assert escalated.events.filter(center__slug="chuangye").exists()
    rejected = issues.get(status=S.REJECTED)
    assert rejected.public_reason
    merged = issues.get(status=S.MERGED)
    assert merged.merged_into.title == "园艺所西巷雨天路面积水"


def test_submitters_are_invented_and_nobody_is_texted(seeded, django_capture_on_commit_callbacks):
    Meeting.objects.all().delete()
    Issue.objects.filter(status=S.MERGED).delete()
    Issue.objects.all().delete()
    with django_capture_on_commit_callbacks() as callbacks:
        demo.load_demo_deliberation()

    assert not callbacks
    phones = set(
        Issue.objects.exclude(submitter_phone="").values_list("submitter_phone", flat=True)
    )
    assert phones and all(p.startswith("1370000") and len(p) == 11 for p in phones)


def snapshot():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_second_run_creates_nothing(seeded, django_assert_num_queries):
    counts = snapshot()

    output = seed()

    assert snapshot() == counts
    assert "没有需要新建的内容" in output
    # savepoint; issues by title and center raised at; meetings by title and center; release
    with django_assert_num_queries(4):
        assert demo.load_demo_deliberation() == {}


def test_rerun_restores_a_deleted_issue_and_keeps_the_rest(seeded):
    Issue.objects.filter(title="创业巷路灯夜间不亮").delete()
    count = Issue.objects.count()

    demo.load_demo_deliberation()

    assert Issue.objects.count() == count + 1
    assert in_year(Issue.objects.filter(center__slug="chuangye"), "resolved_at").count() == 21
