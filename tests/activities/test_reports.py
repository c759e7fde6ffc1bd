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


def test_figures_run_one_query_whatever_the_data(tree, django_assert_num_queries):
    today = timezone.localdate()
    _register(_past_occurrence(tree.community), 2, attended=1)
    # 1 the state of the monthly summary (none within summaries.reading()), 2 held and
    # participants, registrations, by category: one batch.
    with django_assert_num_queries(2):
        activity_figures(tree.district, today - timedelta(days=30), today)
    for _ in range(10):
        _register(_past_occurrence(CenterFactory(parent=tree.street)), 3, attended=2)
    with django_assert_num_queries(2):
        activity_figures(tree.district, today - timedelta(days=30), today)


def test_grouped_forms_run_the_same_queries_by_child_and_by_month(tree, django_assert_num_queries):
    for center in (tree.community, tree.sibling, tree.other_community, tree.street):
        _register(_past_occurrence(center, hours=1), 3, attended=2, hours=1)
    today = timezone.localdate()
    span = (today - timedelta(days=30), today)

    # 1 the summary's state, 2 held and participants, registrations, by category: one batch
    # grouped by child.
    with django_assert_num_queries(2):
        rows = activity_figures_by_child(tree.district, *span)
    # Held and participants, registrations: one batch grouped by month.
    with django_assert_num_queries(1):
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


# -- centers.reports.Batch: several aggregates in one UNION ---------------------------------


def test_a_batch_reads_each_value_as_its_own_type_whatever_its_neighbours(
    tree, django_assert_num_queries
):
    from decimal import Decimal

    from django.db.models import Count, Q, Sum

    from centers.reports import Batch, by_child_of

    _register(_past_occurrence(tree.community, hours=1.5), 3, attended=3, hours=Decimal("1.5"))
    _register(_past_occurrence(tree.other_community), 2, attended=1, hours=Decimal("0.5"))
    sessions = Occurrence.objects.in_subtree(tree.district)
    registrations = Registration.objects.filter(occurrence__in=sessions)
    hours = Sum("hours_credited", filter=Q(attended=True))
    for group in (None, by_child_of(tree.district)):
        # A count first, then a sum of hours in the same column; and the other way round.
        batch = Batch(group)
        counts = batch.aggregate(sessions, path="activity__center__path", n=Count("pk"))
        sums = batch.aggregate(
            registrations, path="occurrence__activity__center__path", hours=hours
        )
        first = Batch(group)
        sums_first = first.aggregate(
            registrations, path="occurrence__activity__center__path", hours=hours, n=Count("pk")
        )
        by_category = first.tally(
            sessions, "activity__category", Count("pk"), path="activity__center__path"
        )
        nothing = first.aggregate(
            sessions.filter(pk=None), path="activity__center__path", n=Count("pk"), h=Sum("pk")
        )
        with django_assert_num_queries(2):
            batch.run()
            first.run()
        if group is None:
            assert counts == {None: {"n": 2}}
            assert sums == {None: {"hours": Decimal("5.0")}}
            assert sums_first == {None: {"hours": Decimal("5.0"), "n": 5}}
            assert by_category == {None: {"culture": 2}}
            # An aggregate over no rows is a row, as QuerySet.aggregate gives.
            assert nothing == {None: {"n": 0, "h": None}}
        else:
            assert counts == {tree.street.path: {"n": 1}, tree.other_street.path: {"n": 1}}
            assert sums[tree.street.path] == {"hours": Decimal("4.5")}
            assert sums_first[tree.other_street.path] == {"hours": Decimal("0.5"), "n": 2}
            assert isinstance(sums_first[tree.other_street.path]["n"], int)
            assert by_category[tree.street.path] == {"culture": 1}
            assert nothing == {}
