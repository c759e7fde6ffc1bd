from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from assistance import services
from assistance.models import Beneficiary, BeneficiaryType, Pairing, Visit
from assistance.reports import (
    assistance_figures,
    assistance_figures_by_child,
    assistance_figures_by_month,
)
from centers.sections import report_sections
from tests.factories import (
    AidStationFactory,
    BeneficiaryFactory,
    CenterFactory,
    ItemFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ADDITIVE = [
    "beneficiaries",
    "tier_high",
    "tier_medium",
    "tier_low",
    "type_disabled",
    "type_elderly_alone",
    "active_pairings",
    "visits",
    "visited",
    "distributions",
    "residents_reached",
    "donated",
    "distributed",
    "stock_on_hand",
    "donated_clothing",
    "distributed_clothing",
]


def _values(figures):
    return {f.key: f.value for f in figures}


def _days_ago(n):
    return timezone.localdate() - timedelta(days=n)


def _beneficiary(center, *types, tier="medium", **fields):
    beneficiary = BeneficiaryFactory(center=center, tier=tier, **fields)
    for kind in types or ("elderly_alone",):
        BeneficiaryType.objects.create(beneficiary=beneficiary, type=kind)
    return beneficiary


def _pairing(beneficiary, frequency, started_days_ago, ended_days_ago=None):
    return Pairing.objects.create(
        beneficiary=beneficiary,
        helper_user=UserFactory(),
        frequency=frequency,
        started_on=_days_ago(started_days_ago),
        ended_on=None if ended_days_ago is None else _days_ago(ended_days_ago),
    )


def _visit(beneficiary, days_ago, pairing=None):
    return Visit.objects.create(
        beneficiary=beneficiary,
        pairing=pairing,
        visited_on=_days_ago(days_ago),
        kind=Visit.Kind.HOME,
        helper_name="党员志愿者",
        recorded_by=UserFactory(),
    )


def _donate(actor, station, item, quantity, days_ago=5):
    services.donation_receive(
        actor=actor,
        station=station,
        data={"donor_name": "李女士", "received_on": _days_ago(days_ago)},
        lines=[(item, quantity, "good", True)],
    )


def _give(actor, station, item, quantity, days_ago=2, **recipient):
    return services.distribution_create(
        actor=actor,
        station=station,
        lines=[(item, quantity)],
        distributed_on=_days_ago(days_ago),
        **recipient,
    )


def _last_30_days(center):
    return _values(assistance_figures(center, _days_ago(30), timezone.localdate()))


def _some_of_everything(center, actor):
    """A beneficiary visited under a pairing, a station with a donation and a distribution."""
    beneficiary = _beneficiary(center, "disabled")
    _visit(beneficiary, 3, _pairing(beneficiary, "monthly", 60))
    station = AidStationFactory(center=center)
    clothes = ItemFactory(category="clothing")
    _donate(actor, station, clothes, 6)
    _give(actor, station, clothes, 2, recipient_name="王大爷")


def test_section_is_registered_for_the_district_reports():
    section = report_sections.items["assistance"]

    assert section.build is assistance_figures
    assert str(section.title) == "帮扶与援助"
    assert section.order == 30


def test_figures_count_register_pairings_visits_and_goods(tree, district_admin):
    weekly = _beneficiary(tree.community, "elderly_alone", "low_income", tier="high")
    monthly = _beneficiary(tree.community, "disabled")
    _beneficiary(tree.community, "disabled", status=Beneficiary.Status.CLOSED)
    quarterly = _beneficiary(tree.sibling, "empty_nest", tier="low")
    elsewhere = _beneficiary(tree.other_community, "disabled")
    # On time: visited 3 days ago, within the week.
    pairing = _pairing(weekly, "weekly", 100)
    _visit(weekly, 3, pairing)
    _visit(weekly, 10, pairing)
    # Overdue: the last visit under the pairing is 40 days old; a visit without it does not count.
    late = _pairing(monthly, "monthly", 100)
    _visit(monthly, 40, late)
    _visit(monthly, 50)
    # On time: started 10 days ago, not due yet.
    _pairing(quarterly, "quarterly", 10)
    # Ended: not counted.
    _pairing(monthly, "weekly", 100, ended_days_ago=20)
    _visit(elsewhere, 1, _pairing(elsewhere, "weekly", 30))

    station = AidStationFactory(center=tree.community)
    clothes, rice = ItemFactory(category="clothing"), ItemFactory(category="food", unit="袋")
    _donate(district_admin, station, clothes, 10)
    _donate(district_admin, station, rice, 5, days_ago=40)
    _give(district_admin, station, clothes, 3, beneficiary=monthly)
    _give(district_admin, station, rice, 2, recipient_name="王大爷")
    _give(district_admin, station, clothes, 1, recipient_name="王大爷")
    other_station = AidStationFactory(center=tree.other_community)
    _donate(district_admin, other_station, clothes, 50)

    values = _last_30_days(tree.street)

    assert values["beneficiaries"] == 3
    assert (values["tier_high"], values["tier_medium"], values["tier_low"]) == (1, 1, 1)
    assert values["type_elderly_alone"] == 1 and values["type_low_income"] == 1
    assert values["type_disabled"] == 1 and values["type_empty_nest"] == 1
    assert values["active_pairings"] == 3
    assert values["on_time_visit_rate"] == pytest.approx(2 / 3)
    assert values["visits"] == 2 and values["visited"] == 1
    assert values["distributions"] == 3
    # The weekly beneficiary (visited), the monthly one (given clothes), and 王大爷 once.
    assert values["residents_reached"] == 3
    assert values["donated"] == 10 and values["donated_clothing"] == 10
    assert values["donated_food"] == 0
    assert values["distributed_clothing"] == 4 and values["distributed_food"] == 2
    assert values["stock_on_hand"] == 15 - 6


def test_nothing_to_count_gives_zeros_and_no_rate(tree):
    values = _last_30_days(tree.street)

    assert values["on_time_visit_rate"] is None
    assert {key: values[key] for key in ADDITIVE} == dict.fromkeys(ADDITIVE, 0)


def test_district_figures_are_the_sum_of_the_streets(tree, district_admin):
    for center in (tree.community, tree.sibling, tree.other_community):
        _some_of_everything(center, district_admin)
    _beneficiary(tree.other_community, "elderly_alone", tier="high")

    district = _last_30_days(tree.district)
    streets = [_last_30_days(street) for street in (tree.street, tree.other_street)]

    for key in ADDITIVE:
        assert district[key] == sum(street[key] for street in streets), key
    assert district["beneficiaries"] == 4 and district["residents_reached"] == 6


def test_period_bounds_are_inclusive_dates(tree, district_admin):
    beneficiary = _beneficiary(tree.community)
    _visit(beneficiary, 10)
    station = AidStationFactory(center=tree.community)
    item = ItemFactory()
    _donate(district_admin, station, item, 4, days_ago=10)
    _give(district_admin, station, item, 1, days_ago=10, recipient_name="王大爷")
    day = _days_ago(10)

    def counted(start, end):
        values = _values(assistance_figures(tree.community, start, end))
        return values["visits"], values["donated"], values["distributed"]

    assert counted(day, day) == (1, 4, 1)
    assert counted(day - timedelta(days=5), day) == (1, 4, 1)
    assert counted(day, day + timedelta(days=5)) == (1, 4, 1)
    assert counted(day + timedelta(days=1), day + timedelta(days=2)) == (0, 0, 0)
    assert counted(day - timedelta(days=2), day - timedelta(days=1)) == (0, 0, 0)


def test_beneficiaries_count_if_registered_by_the_end_of_the_period(tree):
    beneficiary = _beneficiary(tree.community)
    # Registered at 00:30 Beijing time on a day: on that day, not on the day before.
    registered = timezone.make_aware(datetime.combine(_days_ago(10), time(0, 30)))
    Beneficiary.objects.filter(pk=beneficiary.pk).update(created_at=registered)

    def counted(end):
        return _values(assistance_figures(tree.community, _days_ago(60), end))["beneficiaries"]

    assert counted(_days_ago(10)) == 1
    assert counted(_days_ago(11)) == 0


def test_on_time_rate_is_taken_at_the_end_of_a_past_period(tree):
    beneficiary = _beneficiary(tree.community, tier="high")
    pairing = _pairing(beneficiary, "weekly", 100)
    _visit(beneficiary, 40, pairing)

    def rate(end_days_ago):
        values = _values(assistance_figures(tree.community, _days_ago(90), _days_ago(end_days_ago)))
        return values["on_time_visit_rate"]

    # A weekly window: the visit covers the 7 days after it, then the pairing is overdue.
    assert rate(40) == 1
    assert rate(33) == 1
    assert rate(32) == 0
    # A period that has not ended is taken today.
    future = _values(assistance_figures(tree.community, _days_ago(10), _days_ago(-30)))
    assert future["on_time_visit_rate"] == 0


def test_figures_are_aggregates_without_names(tree, district_admin):
    beneficiary = _beneficiary(tree.community, name="张桂兰")
    _visit(beneficiary, 2)
    station = AidStationFactory(center=tree.community)
    item = ItemFactory()
    _donate(district_admin, station, item, 3)
    _give(district_admin, station, item, 1, recipient_name="王大爷")

    figures = assistance_figures(tree.district, _days_ago(30), timezone.localdate())

    for figure in figures:
        assert isinstance(figure.value, int | float | None), figure.key
        assert "张桂兰" not in str(figure.label) and "王大爷" not in str(figure.label)
    assert len({figure.key for figure in figures}) == len(figures)


def test_figures_run_one_query_whatever_the_data(tree, district_admin, django_assert_num_queries):
    _some_of_everything(tree.community, district_admin)
    # Beneficiaries by tier, by type, pairings and on time, visits, residents reached,
    # distributions and unregistered recipients, donated by category, distributed by category,
    # stock on hand: one batch.
    with django_assert_num_queries(1):
        assistance_figures(tree.district, _days_ago(30), timezone.localdate())
    for _ in range(8):
        community = CenterFactory(parent=tree.street)
        _some_of_everything(community, district_admin)
        _beneficiary(community, "elderly_alone", "disabled", "low_income")
    with django_assert_num_queries(1):
        values = _values(assistance_figures(tree.district, _days_ago(30), timezone.localdate()))
    assert values["beneficiaries"] == 1 + 8 * 2
    assert values["distributions"] == 9


def test_grouped_forms_run_fixed_queries_and_add_up(
    tree, district_admin, django_assert_num_queries
):
    for center in (tree.community, tree.sibling, tree.other_community):
        _some_of_everything(center, district_admin)
    # Goods from 展览馆社区's station to 创业社区's beneficiary: reached in both communities.
    beneficiary = Beneficiary.objects.filter(center=tree.community).get()
    station = tree.sibling.aid_station
    _give(district_admin, station, station.levels.first().item, 1, beneficiary=beneficiary)
    start, end = _days_ago(30), timezone.localdate()

    # The batch of assistance_figures grouped by child, and the residents reached (a distinct
    # count across visits and goods).
    with django_assert_num_queries(2):
        rows = assistance_figures_by_child(tree.street, start, end)
    # Visits, distributions, units donated, units handed out: one batch by month.
    with django_assert_num_queries(1):
        months = assistance_figures_by_month(tree.street, start, end)

    whole = _last_30_days(tree.street)
    community = _values(rows[tree.community.path])
    sibling = _values(rows[tree.sibling.path])
    for key in ADDITIVE:
        if key != "residents_reached":
            assert community[key] + sibling[key] == whole[key], key
    # Each community: its beneficiary and 王大爷 at its station; 展览馆社区 also 创业社区's.
    assert (community["residents_reached"], sibling["residents_reached"]) == (2, 3)
    assert whole["residents_reached"] == 4
    assert sibling["on_time_pairings"] == sibling["active_pairings"] == 1
    assert _values(rows[tree.street.path])["beneficiaries"] == 0
    assert sum(_values(f)["distributed"] for f in months.values()) == whole["distributed"]
    assert sum(_values(f)["visits"] for f in months.values()) == whole["visits"]
