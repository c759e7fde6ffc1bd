"""The issue workflow: every state pair, allowed and refused, through the one service."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from deliberation import services
from deliberation.models import RESIDENT_TRANSITIONS, TRANSITIONS, Issue, IssueEvent
from tests.factories import IssueFactory

pytestmark = pytest.mark.django_db
S = Issue.Status


def kwargs_for(to_status, other=None):
    """What each target state needs from staff."""
    return {
        S.ACCEPTED: {"due_date": timezone.localdate() + timedelta(days=7)},
        S.REJECTED: {"public_note": "不属于社区职责范围，已告知居民向12345反映。"},
        S.RESOLVED: {"resolution": "已协调市政疏通排水管网。"},
        S.MERGED: {"merged_into": other},
    }.get(to_status, {})


def issue_in(tree, status, other=None):
    if status == S.MERGED:
        other = other or IssueFactory(center=tree.community)
        return IssueFactory(center=tree.community, status=status, merged_into=other)
    return IssueFactory(center=tree.community, status=status)


STAFF_PAIRS = [
    (a, b) for a in S.values for b in S.values if (a, b) not in RESIDENT_TRANSITIONS and a != b
]


@pytest.mark.parametrize(("from_status", "to_status"), STAFF_PAIRS)
def test_staff_transition_table(tree, community_worker, from_status, to_status):
    other = IssueFactory(center=tree.community)
    issue = issue_in(tree, from_status, other)
    allowed = to_status in TRANSITIONS[from_status]
    if allowed:
        services.issue_transition(
            actor=community_worker, issue=issue, to_status=to_status, **kwargs_for(to_status, other)
        )
        issue.refresh_from_db()
        assert issue.status == to_status
        event = issue.events.get()
        assert (event.from_status, event.to_status) == (from_status, to_status)
        assert event.actor == community_worker
    else:
        with pytest.raises(ValidationError):
            services.issue_transition(
                actor=community_worker,
                issue=issue,
                to_status=to_status,
                **kwargs_for(to_status, other),
            )
        issue.refresh_from_db()
        assert issue.status == from_status
        assert not issue.events.exists()


@pytest.mark.parametrize(
    ("satisfaction", "expected"),
    [("satisfied", S.CLOSED), ("basic", S.CLOSED), ("unsatisfied", S.REOPENED)],
)
def test_rating_closes_or_reopens(tree, satisfaction, expected):
    issue = IssueFactory(center=tree.community, status=S.RESOLVED)
    services.issue_rate(issue=issue, satisfaction=satisfaction, phone=issue.submitter_phone)
    issue.refresh_from_db()
    assert issue.status == expected and issue.rated_at
    assert issue.events.get().kind == IssueEvent.Kind.RATING


@pytest.mark.parametrize("status", [s for s in S.values if s != S.RESOLVED])
def test_rating_anything_but_a_resolved_issue_is_refused(tree, status):
    issue = issue_in(tree, status)
    with pytest.raises(ValidationError, match="只有已办结"):
        services.issue_rate(issue=issue, satisfaction="satisfied", phone=issue.submitter_phone)


def test_rating_needs_the_submitters_phone(tree):
    issue = IssueFactory(center=tree.community, status=S.RESOLVED)
    with pytest.raises(ValidationError):
        services.issue_rate(issue=issue, satisfaction="unsatisfied", phone="13900000000")
    issue.refresh_from_db()
    assert issue.status == S.RESOLVED


def test_staff_cannot_close_an_issue_for_the_resident(tree, community_worker):
    issue = IssueFactory(center=tree.community, status=S.RESOLVED)
    with pytest.raises(ValidationError, match="居民评价"):
        services.issue_transition(actor=community_worker, issue=issue, to_status=S.CLOSED)


def test_accepting_twice_is_refused(tree, community_worker):
    issue = IssueFactory(center=tree.community)
    services.issue_transition(
        actor=community_worker, issue=issue, to_status=S.ACCEPTED, **kwargs_for(S.ACCEPTED)
    )
    with pytest.raises(ValidationError):
        services.issue_transition(
            actor=community_worker, issue=issue, to_status=S.ACCEPTED, **kwargs_for(S.ACCEPTED)
        )


def test_acting_on_a_stale_status_is_refused(tree, community_worker):
    issue = IssueFactory(center=tree.community)
    Issue.objects.filter(pk=issue.pk).update(status=S.REJECTED)
    with pytest.raises(ValidationError, match="刷新"):
        services.issue_transition(
            actor=community_worker,
            issue=issue,
            to_status=S.ACCEPTED,
            expected_status=S.SUBMITTED,
            **kwargs_for(S.ACCEPTED),
        )


def test_escalation_moves_the_issue_to_the_parent_center(tree, community_worker, street_staff):
    issue = IssueFactory(center=tree.community)
    services.issue_transition(
        actor=community_worker, issue=issue, to_status=S.ESCALATED, public_note="涉及多个社区"
    )
    issue.refresh_from_db()
    assert issue.center == tree.street and issue.status == S.ESCALATED
    # The community can no longer act on it; the street can.
    with pytest.raises(PermissionDenied):
        services.issue_transition(
            actor=community_worker, issue=issue, to_status=S.ACCEPTED, **kwargs_for(S.ACCEPTED)
        )
    services.issue_transition(
        actor=street_staff, issue=issue, to_status=S.ACCEPTED, **kwargs_for(S.ACCEPTED)
    )


def test_rejecting_needs_a_public_reason_and_accepting_a_due_date(tree, community_worker):
    issue = IssueFactory(center=tree.community)
    with pytest.raises(ValidationError):
        services.issue_transition(actor=community_worker, issue=issue, to_status=S.REJECTED)
    with pytest.raises(ValidationError):
        services.issue_transition(actor=community_worker, issue=issue, to_status=S.ACCEPTED)
    with pytest.raises(ValidationError):
        services.issue_transition(
            actor=community_worker,
            issue=issue,
            to_status=S.ACCEPTED,
            due_date=timezone.localdate() - timedelta(days=1),
        )


def test_staff_of_another_community_cannot_act(tree, outsider, community_viewer):
    issue = IssueFactory(center=tree.community)
    for user in (outsider, community_viewer):
        with pytest.raises(PermissionDenied):
            services.issue_transition(
                actor=user, issue=issue, to_status=S.ACCEPTED, **kwargs_for(S.ACCEPTED)
            )


def test_submission_gets_a_code_a_deadline_and_a_first_event(tree):
    issue = services.issue_submit(
        center=tree.community,
        data={
            "title": "化粪池堵塞",
            "description": "化粪池堵塞外溢。",
            "category": "sanitation",
            "submitter_name": "李",
            "submitter_phone": "13812341234",
        },
    )
    assert len(issue.tracking_code) == 12
    assert issue.response_due > issue.created_at
    assert timezone.localtime(issue.response_due).weekday() < 5
    assert issue.events.get().to_status == S.SUBMITTED


def test_the_open_issues_index_covers_exactly_the_open_states():
    # The partial index is written out in Issue.Meta, where Issue.OPEN_STATES is not in scope.
    [index] = [i for i in Issue._meta.indexes if i.name == "issue_open_by_center"]
    _lookup, states = index.condition.children[0]
    assert sorted(states) == sorted(Issue.OPEN_STATES)
