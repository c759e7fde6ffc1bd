from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from activities import recurrence
from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db


def test_sync_occurrences_extends_the_horizon_and_is_idempotent(tree, monkeypatch):
    start = timezone.now().replace(microsecond=0) + timedelta(days=1)
    # Created when the horizon reached only five weeks ahead…
    monkeypatch.setattr(recurrence, "HORIZON", timedelta(days=35))
    activity = ActivityFactory(
        center=tree.community, starts_at=start, recurrence="FREQ=WEEKLY;COUNT=60", capacity=None
    )
    assert activity.occurrences.count() == 5
    # …the daily sync creates what the horizon now reaches, once.
    monkeypatch.setattr(recurrence, "HORIZON", timedelta(days=366))
    call_command("sync_occurrences", verbosity=0)
    extended = activity.occurrences.count()
    assert 52 <= extended <= 53
    call_command("sync_occurrences", verbosity=0)
    assert activity.occurrences.count() == extended
