"""seed_demo's help programs: 展览馆社区's pairings, 金宇文苑社区's aid station, 桥华社区's
rehabilitation service."""

import time as clock
from datetime import date
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Max, Sum
from django.test import override_settings
from django.utils import timezone

from assistance import demo
from assistance.models import (
    AidRequest,
    AidStation,
    Beneficiary,
    Distribution,
    DistributionLine,
    DonationLine,
    HelpProgram,
    Item,
    Pairing,
    StockLevel,
    StockMovement,
    Visit,
)
from assistance.reports import assistance_figures
from centers import demo_data
from centers.models import Center
from centers.sections import demo_loaders

pytestmark = pytest.mark.django_db

YEAR = (date(2026, 1, 1), date(2026, 12, 31))


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """`seed_demo` once for the module, in a transaction rolled back after its last test."""
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=hashers),
        transaction.atomic(),
    ):
        yield seed()
        transaction.set_rollback(True)


def station():
    return AidStation.objects.get(center__slug=demo.JINYUWENYUAN)


def figures(slug):
    center = Center.objects.get(slug=slug)
    return {f.key: f.value for f in assistance_figures(center, *YEAR)}


def test_loader_is_registered_for_seed_demo():
    loader = demo_loaders.items["assistance"]

    assert loader.load is demo.load_demo_assistance
    assert loader.order == 30


def test_zhanlanguan_visits_reach_fifty_residents_in_2026(seeded):
    visits = Visit.objects.filter(
        beneficiary__center__slug=demo.ZHANLANGUAN, visited_on__range=YEAR
    )

    assert visits.values("beneficiary").distinct().count() >= 50
    assert not visits.filter(visited_on__gt=timezone.localdate()).exists()
    assert "帮扶对象 66，" in seeded and "走访记录" in seeded


def test_zhanlanguan_pairs_everybody_with_the_partner_unit_and_some_with_party_members(seeded):
    pairings = Pairing.objects.filter(beneficiary__center__slug=demo.ZHANLANGUAN)
    partner = pairings.filter(helper_team__name=demo.PARTNER_UNIT)

    assert partner.count() == Beneficiary.objects.filter(center__slug=demo.ZHANLANGUAN).count()
    assert {p.helper_team.kind for p in partner.select_related("helper_team")} == {"partner"}
    assert set(partner.values_list("helper_team__center__slug", flat=True)) == {demo.ZHANLANGUAN}
    members = pairings.filter(helper_user__isnull=False)
    assert members.values("helper_user").distinct().count() == len(demo.HELPERS)
    assert set(members.values_list("frequency", flat=True)) == {"weekly", "monthly"}
    # Visits logged under a pairing are the pairing's beneficiary's.
    assert (
        not Visit.objects.exclude(pairing=None)
        .exclude(pairing__beneficiary=F("beneficiary"))
        .exists()
    )


def test_spring_festival_drive_reaches_fifty_residents(seeded):
    program = HelpProgram.objects.get(center__slug=demo.ZHANLANGUAN, name="2026年春节走访慰问")

    visits = program.visits.all()
    assert visits.values("beneficiary").distinct().count() >= 50
    assert {v.visited_on.month for v in visits} <= {1, 2}
    assert all(program.starts_on <= v.visited_on <= program.ends_on for v in visits)
    assert set(visits.values_list("kind", flat=True)) == {Visit.Kind.HOLIDAY}


def test_a_few_pairings_are_left_overdue_on_purpose(seeded):
    today = timezone.localdate()
    pairings = Pairing.objects.active(today).annotate(last=Max("visits__visited_on"))
    overdue = {
        p.beneficiary.name
        for p in pairings.select_related("beneficiary")
        if p.is_overdue(p.last, today)
    }

    assert set(demo.OVERDUE) <= overdue
    if today <= date(2026, 12, 31):
        # While the demo's year lasts, everybody else is visited on time.
        assert overdue == set(demo.OVERDUE)


def test_the_resident_who_moved_away_is_closed_with_ended_pairings(seeded):
    ((name, (closed_on, _note)),) = demo.CLOSED.items()
    beneficiary = Beneficiary.objects.get(center__slug=demo.ZHANLANGUAN, name=name)

    assert beneficiary.status == Beneficiary.Status.CLOSED
    assert set(beneficiary.pairings.values_list("ended_on", flat=True)) == {closed_on}
    assert beneficiary.visits.aggregate(last=Max("visited_on"))["last"] <= closed_on


def test_register_holds_plausible_private_data(seeded):
    register = Beneficiary.objects.filter(center__slug__in=demo.BENEFICIARIES)

    assert register.count() == sum(len(rows) for rows in demo.BENEFICIARIES.values())
    with_id = [b for b in register if b.id_number]
    assert 10 <= len(with_id) < register.count()
    for beneficiary in register:
        assert beneficiary.phone.startswith("1350000") and len(beneficiary.phone) == 11
        assert beneficiary.consent_on <= timezone.localtime(beneficiary.created_at).date()
        assert beneficiary.types.exists()
    for beneficiary in with_id:
        number = beneficiary.id_number
        assert number.startswith("150105") and number[6:10] == str(beneficiary.birth_year)
        assert int(number[16]) % 2 == (beneficiary.gender == "m")


def test_jinyuwenyuan_station_stock_equals_its_ledger_for_every_item(seeded):
    aid_station = station()
    ledger = dict(
        aid_station.movements.values_list("item").annotate(total=Sum("quantity")).order_by()
    )
    levels = dict(aid_station.levels.values_list("item", "quantity"))

    assert levels == ledger
    assert sum(levels.values()) > 0
    assert not StockLevel.objects.filter(quantity__lt=0).exists()
    for item_id, quantity in levels.items():
        latest = aid_station.movements.filter(item=item_id).order_by("created_at", "pk").last()
        assert latest.balance_after == quantity


def test_jinyuwenyuan_station_has_a_catalogue_wishes_and_a_year_of_donations(seeded):
    aid_station = station()

    assert aid_station.intro and aid_station.how_to_donate and aid_station.opening_hours
    assert aid_station.wishes.count() == len(demo.WISHES)
    assert Item.objects.count() >= 15
    assert len(set(Item.objects.values_list("category", flat=True))) >= 8
    donations = aid_station.donations.all()
    assert donations.count() == len(demo.DONATIONS)
    assert donations.filter(is_anonymous=True).exists()
    assert {d.received_on.year for d in donations} == {2026}
    assert aid_station.movements.filter(kind=StockMovement.Kind.ADJUSTMENT).count() == len(
        demo.ADJUSTMENTS
    )


def test_ledger_timestamps_are_the_days_things_happened(seeded):
    movements = station().movements.select_related("donation", "distribution")

    for movement in movements:
        day = timezone.localtime(movement.created_at).date()
        assert movement.actor_id and movement.reason
        if movement.donation_id:
            assert day == movement.donation.received_on
            assert timezone.localtime(movement.donation.created_at).date() == day
        if movement.distribution_id:
            assert day == movement.distribution.distributed_on
    for request in station().requests.exclude(decided_at=None):
        assert request.created_at <= request.decided_at


def test_requests_are_in_every_state_and_distributions_never_exceed_stock(seeded):
    requests = station().requests.all()
    states = dict(requests.values_list("status").annotate(n=Count("pk")).order_by())

    assert set(states) == set(AidRequest.Status.values)
    assert requests.filter(beneficiary=None).exclude(requester_name="").exists()
    assert (
        requests.exclude(beneficiary=None)
        .filter(beneficiary__center__slug=demo.JINYUWENYUAN)
        .exists()
    )
    assert not requests.filter(status="declined", decline_reason="").exists()
    for request in requests.filter(status="fulfilled"):
        assert request.distribution.distributed_on >= timezone.localtime(request.created_at).date()
    assert Distribution.objects.filter(request=None, beneficiary=None).exists()
    assert Distribution.objects.filter(request=None).exclude(beneficiary=None).exists()
    # Every line handed out left the stock as one ledger movement.
    for line in DistributionLine.objects.select_related("distribution"):
        movement = line.distribution.movements.get(item=line.item_id)
        assert movement.quantity == -line.quantity


def test_qiaohua_rehabilitation_users_are_visited(seeded):
    register = Beneficiary.objects.filter(center__slug=demo.QIAOHUA)

    assert register.count() >= 4
    for beneficiary in register:
        assert "disabled" in set(beneficiary.types.values_list("type", flat=True))
        assert beneficiary.visits.filter(visited_on__range=YEAR).count() >= 3
        assert beneficiary.health_notes


def test_party_member_helpers_sign_in_with_the_demo_password(seeded):
    for spec in demo.HELPERS:
        user = authenticate(phone=spec["phone"], password=demo_data.DEMO_PASSWORD)
        assert user is not None and user.name == spec["name"]
        assert not user.staff_roles.exists() and user.pairings.exists()


def test_report_figures_for_2026(seeded):
    zhanlanguan = figures(demo.ZHANLANGUAN)
    jinyuwenyuan = figures(demo.JINYUWENYUAN)

    assert zhanlanguan["visited"] >= 50 and zhanlanguan["residents_reached"] >= 50
    assert zhanlanguan["active_pairings"] >= 80
    assert 0.8 < zhanlanguan["on_time_visit_rate"] < 1
    assert jinyuwenyuan["donated"] == DonationLine.objects.aggregate(n=Sum("quantity"))["n"]
    assert jinyuwenyuan["stock_on_hand"] == station().levels.aggregate(n=Sum("quantity"))["n"]
    assert 0 < jinyuwenyuan["distributed"] < jinyuwenyuan["donated"]
    assert jinyuwenyuan["residents_reached"] >= 10


def snapshot():
    """Every row of the assistance app, and every model's row count."""
    rows = {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_app_config("assistance").get_models()
    }
    counts = {model._meta.label: model.objects.count() for model in apps.get_models()}
    return rows, counts


def test_second_run_creates_and_changes_nothing(seeded):
    first_rows, first_counts = snapshot()

    output = seed()

    second_rows, second_counts = snapshot()
    assert second_counts == first_counts
    assert second_rows == first_rows
    assert "没有需要新建的内容" in output


def test_run_with_nothing_to_do_is_cheap(seeded, django_assert_num_queries):
    # savepoint; the three centers; the register's keys; the helpers; the partner unit;
    # pairings; programs; visits; the station; the catalogue; the station's donations,
    # adjustments, requests and distributions; release.
    started = clock.perf_counter()
    with django_assert_num_queries(15):
        assert demo.load_demo_assistance() == {}
    assert clock.perf_counter() - started < 1


def test_rerun_restores_a_deleted_visit_and_keeps_edits(seeded):
    visit = Visit.objects.filter(beneficiary__center__slug=demo.QIAOHUA).first()
    key = (visit.beneficiary_id, visit.visited_on, visit.kind)
    visit.delete()
    Beneficiary.objects.filter(center__slug=demo.QIAOHUA).update(needs="改过的需求")

    created = demo.load_demo_assistance()

    assert created == {Visit: 1}
    assert Visit.objects.filter(beneficiary=key[0], visited_on=key[1], kind=key[2]).exists()
    assert set(
        Beneficiary.objects.filter(center__slug=demo.QIAOHUA).values_list("needs", flat=True)
    ) == {"改过的需求"}


def test_the_station_year_is_written_in_date_order():
    for rows in (demo.DONATIONS, demo.ADJUSTMENTS, demo.DISTRIBUTIONS):
        days = [row[0] for row in rows]
        assert days == sorted(days)
    assert [r["on"] for r in demo.REQUESTS] == sorted(r["on"] for r in demo.REQUESTS)
