"""Two staff acting on one issue at once: exactly one transition applies."""

from datetime import timedelta

import pytest
from django.utils import timezone

from centers.models import StaffRole
from deliberation import services
from deliberation.models import Issue
from tests.concurrency import postgres_only, run_concurrently
from tests.factories import CenterFactory, IssueFactory, StaffRoleFactory

pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]


def test_two_staff_cannot_both_move_an_issue_from_the_same_state():
    center = CenterFactory()
    issue = IssueFactory(center=center)
    staff = [StaffRoleFactory(center=center, role=StaffRole.Role.EDITOR).user for _ in range(2)]
    due = timezone.localdate() + timedelta(days=5)
    errors = run_concurrently(
        [
            lambda: services.issue_transition(
                actor=staff[0],
                issue=issue,
                to_status="accepted",
                expected_status="submitted",
                due_date=due,
            ),
            lambda: services.issue_transition(
                actor=staff[1],
                issue=issue,
                to_status="rejected",
                expected_status="submitted",
                public_note="重复反映",
            ),
        ]
    )
    issue = Issue.objects.get(pk=issue.pk)
    assert issue.status in ("accepted", "rejected"), errors
    assert issue.status in ("accepted", "rejected")
    assert issue.events.count() == 1
    assert len(errors) == 1 and "刷新" in str(errors[0])
