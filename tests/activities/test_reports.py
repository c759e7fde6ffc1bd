from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from activities.models import Occurrence, Registration
from activities.reports import (
    activity_figures,
    activity_figures_by_child,
    activity_figures_by_month,
)
from tests.factories import ActivityFactory, CenterFactory, UserFactory

pytestmark = pytest.mark.django_db


def _past_occurrence(center, *, category="culture", hours=0, days_ago=3):
    start = timezone.now() - timedelta(days=days_ago)
    activity = ActivityFactory(
        center=center, category=category, starts_at=start, volunteer_hours=hours, capacity=None
    )
    return activity.occurrences.get()


def _register(occurrence, n, attended, hours=0):
    for i in range(n):
        Registration.objects.create(
            occurrence=occurrence,
            user=UserFactory(),
            status="confirmed",
            attended=i < attended,
            hours_credited=hours if i < attended else 0,
        )


def _values(figures):
    return {f.key: f.value for f in figures}


def test_figures_count_held_activities_signups_attendance_and_hours(tree):
    a = _past_occurrence(tree.community, category="volunteer", hours=2)
    _register(a, 4, attended=3, hours=2)
    b = _past_occurrence(tree.sibling, category="party")
    _register(b, 2, attended=2)
    Occurrence.objects.filter(pk=b.pk).update(head_count=25)  # staff counted walk-ins too
    cancelled = _past_occurrence(tree.community)
    Occurrence.objects.filter(pk=cancelled.pk).update(status="cancelled")
    elsewhere = _past_occurrence(tree.other_community)
    _register(elsewhere, 5, attended=5)
    today = timezone.localdate()
    values = _values(activity_figures(tree.street, today - timedelta(days=30), today))
    assert values["held"] == 2
    assert values["signups"] == 6
    assert values["attendance_rate"] == pytest.approx(5 / 6)
    assert values["participants"] == 3 + 25
    assert values["volunteer_hours"] == 6
    assert values["category_volunteer"] == 1 and values["category_party"] == 1


def test_district_total_equals_sum_of_streets(tree):
    for center in (tree.community, tree.sibling, tree.other_community):
        _register(_past_occurrence(center), 3, attended=2)
    today = timezone.localdate()
    span = (today - timedelta(days=30), today)
    district = _values(activity_figures(tree.district, *span))
    streets = [_values(activity_figures(s, *span)) for s in (tree.street, tree.other_street)]
    for key in ("held", "signups", "participants", "volunteer_hours"):
        assert district[key] == sum(s[key] for s in streets)


def test_period_bounds_are_inclusive_local_dates(tree):
    occurrence = _past_occurrence(tree.community, days_ago=10)
    day = timezone.localtime(occurrence.starts_at).date()
    assert _values(activity_figures(tree.community, day, day))["held"] == 1
    assert (
        _values(activity_figures(tree.community, day + timedelta(days=1), day + timedelta(days=2)))[
            "held"
        ]
        == 0
    )


def test_figures_run_three_queries_whatever_the_data(tree, django_assert_num_queries):
    today = timezone.localdate()
    _register(_past_occurrence(tree.community), 2, attended=1)
    # 1 held and participants, 2 registrations, 3 by category.
    with django_assert_num_queries(3):
        activity_figures(tree.district, today - timedelta(days=30), today)
    for _ in range(10):
        _register(_past_occurrence(CenterFactory(parent=tree.street)), 3, attended=2)
    with django_assert_num_queries(3):
        activity_figures(tree.district, today - timedelta(days=30), today)


def test_grouped_forms_run_the_same_queries_by_child_and_by_month(tree, django_assert_num_queries):
    for center in (tree.community, tree.sibling, tree.other_community, tree.street):
        _register(_past_occurrence(center, hours=1), 3, attended=2, hours=1)
    today = timezone.localdate()
    span = (today - timedelta(days=30), today)

    # 1 held and participants, 2 registrations, 3 by category: each grouped by child.
    with django_assert_num_queries(3):
        rows = activity_figures_by_child(tree.district, *span)
    # 1 held and participants, 2 registrations: each grouped by month.
    with django_assert_num_queries(2):
        months = activity_figures_by_month(tree.district, *span)

    assert _values(rows[tree.street.path])["held"] == 3
    assert _values(rows[tree.street.path])["volunteer_hours"] == 6
    assert _values(rows[tree.other_street.path])["attendance_rate"] == pytest.approx(2 / 3)
    # A branch without data answers the figures of nothing.
    assert _values(rows[tree.district.path])["held"] == 0
    assert _values(rows[tree.district.path])["attendance_rate"] is None
    assert sum(_values(figures)["held"] for figures in months.values()) == 4
    assert not any(key.startswith("category_") for key in _values(months[span[1].replace(day=1)]))


def test_days_are_the_districts_whatever_time_zone_is_active(tree):
    day = timezone.localdate() - timedelta(days=3)
    early = timezone.make_aware(datetime.combine(day, time(7)))  # 23:00 the day before in UTC
    ActivityFactory(center=tree.community, starts_at=early, capacity=None)
    with timezone.override("UTC"):
        held = _values(activity_figures(tree.district, day, day))["held"]
    assert held == 1
