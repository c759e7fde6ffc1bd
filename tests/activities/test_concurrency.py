"""Capacity under concurrent sign-ups, with real threads against PostgreSQL."""

import pytest

from activities import services
from activities.models import Occurrence, Registration
from tests.concurrency import postgres_only, run_concurrently
from tests.factories import ActivityFactory, CenterFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]


def test_50_concurrent_signups_for_10_places_give_10_confirmed_and_40_waitlisted():
    occurrence = ActivityFactory(center=CenterFactory(), capacity=10).occurrences.get()
    users = [UserFactory() for _ in range(50)]
    errors = run_concurrently(
        [lambda u=u: services.registration_create(user=u, occurrence=occurrence) for u in users]
    )
    assert errors == []
    statuses = list(Registration.objects.values_list("status", flat=True))
    assert statuses.count("confirmed") == 10
    assert statuses.count("waitlisted") == 40
    assert Occurrence.objects.get(pk=occurrence.pk).confirmed_count == 10


def test_concurrent_cancellations_promote_exactly_one_each():
    occurrence = ActivityFactory(center=CenterFactory(), capacity=5).occurrences.get()
    registrations = [
        services.registration_create(user=UserFactory(), occurrence=occurrence) for _ in range(15)
    ]
    confirmed = [r for r in registrations if r.status == "confirmed"]
    errors = run_concurrently(
        [lambda r=r: services.registration_cancel(user=r.user, registration=r) for r in confirmed]
    )
    assert errors == []
    statuses = list(Registration.objects.values_list("status", flat=True))
    assert statuses.count("cancelled") == 5
    assert statuses.count("confirmed") == 5
    assert statuses.count("waitlisted") == 5
    assert Occurrence.objects.get(pk=occurrence.pk).confirmed_count == 5
    promoted = Registration.objects.filter(promoted_at__isnull=False)
    # The first five in line were promoted, in order.
    assert sorted(promoted.values_list("pk", flat=True)) == [r.pk for r in registrations[5:10]]


def test_one_resident_double_clicking_gets_one_signup():
    occurrence = ActivityFactory(center=CenterFactory(), capacity=10).occurrences.get()
    user = UserFactory()
    errors = run_concurrently(
        [lambda: services.registration_create(user=user, occurrence=occurrence) for _ in range(5)]
    )
    assert Registration.objects.filter(user=user).count() == 1
    assert len(errors) == 4 and all("已经报名" in str(e) for e in errors)
