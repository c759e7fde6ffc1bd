import random

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from assistance import services
from assistance.models import AidRequest, StockLevel, StockMovement
from tests.factories import AidStationFactory, BeneficiaryFactory, ItemFactory

pytestmark = pytest.mark.django_db


def level(station, item):
    row = StockLevel.objects.filter(station=station, item=item).first()
    return row.quantity if row else 0


def donate(actor, station, item, quantity):
    return services.donation_receive(
        actor=actor,
        station=station,
        data={"donor_name": "李女士", "received_on": timezone.localdate()},
        lines=[(item, quantity, "good", True)],
    )


def test_donation_adds_stock_and_writes_the_ledger(tree, community_worker):
    station, item = AidStationFactory(center=tree.community), ItemFactory()
    donate(community_worker, station, item, 12)
    assert level(station, item) == 12
    movement = StockMovement.objects.get()
    assert (movement.kind, movement.quantity, movement.balance_after) == ("donation", 12, 12)
    assert movement.actor == community_worker and "李女士" in movement.reason


def test_distributing_more_than_in_stock_says_how_many_are_left(tree, community_worker):
    station, item = AidStationFactory(center=tree.community), ItemFactory(name="棉被", unit="床")
    donate(community_worker, station, item, 3)
    with pytest.raises(ValidationError, match="只剩 3 床"):
        services.distribution_create(
            actor=community_worker,
            station=station,
            lines=[(item, 4)],
            distributed_on=timezone.localdate(),
            recipient_name="王大爷",
        )
    assert level(station, item) == 3
    assert not StockMovement.objects.filter(kind="distribution").exists()


def test_the_database_refuses_a_negative_level(tree):
    station, item = AidStationFactory(center=tree.community), ItemFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.create(station=station, item=item, quantity=-1)


@pytest.mark.parametrize("quantity", [0, -5, 10_001])
def test_bad_quantities_are_refused(tree, community_worker, quantity):
    station, item = AidStationFactory(center=tree.community), ItemFactory()
    with pytest.raises(ValidationError):
        donate(community_worker, station, item, quantity)
    assert not StockMovement.objects.exists()


def test_request_approve_then_distribute_fulfils_it(tree, community_worker):
    station, item = AidStationFactory(center=tree.community), ItemFactory()
    donate(community_worker, station, item, 5)
    person = BeneficiaryFactory(center=tree.community)
    request = services.aid_request_file(
        actor=community_worker,
        station=station,
        beneficiary=person,
        reason="冬季御寒",
        lines=[(item, 2)],
    )
    with pytest.raises(ValidationError):
        services.distribution_create(
            actor=community_worker,
            station=station,
            lines=[(item, 2)],
            distributed_on=timezone.localdate(),
            request=request,
        )
    services.aid_request_approve(actor=community_worker, request=request)
    distribution = services.distribution_create(
        actor=community_worker,
        station=station,
        lines=[(item, 2)],
        distributed_on=timezone.localdate(),
        request=request,
    )
    request.refresh_from_db()
    assert request.status == AidRequest.Status.FULFILLED
    assert distribution.beneficiary == person
    assert level(station, item) == 3
    with pytest.raises(ValidationError, match="已经处理过"):
        services.aid_request_approve(actor=community_worker, request=request)


def test_request_for_a_beneficiary_out_of_scope_is_refused(tree, community_worker):
    station = AidStationFactory(center=tree.community)
    stranger = BeneficiaryFactory(center=tree.other_community)
    with pytest.raises(ValidationError):
        services.aid_request_file(
            actor=community_worker,
            station=station,
            beneficiary=stranger,
            reason="x",
            lines=[(ItemFactory(), 1)],
        )


def test_staff_of_another_community_cannot_move_stock(tree, outsider):
    station, item = AidStationFactory(center=tree.community), ItemFactory()
    with pytest.raises(PermissionDenied):
        donate(outsider, station, item, 1)


def test_reversal_undoes_a_movement_once(tree, community_worker):
    station, item = AidStationFactory(center=tree.community), ItemFactory()
    donation = donate(community_worker, station, item, 4)
    movement = donation.movements.get()
    services.movement_reverse(actor=community_worker, movement=movement, reason="录入错误")
    assert level(station, item) == 0
    with pytest.raises(ValidationError, match="冲正过"):
        services.movement_reverse(actor=community_worker, movement=movement, reason="再次")


def test_transfer_moves_stock_between_stations(tree, street_staff):
    a, b = AidStationFactory(center=tree.community), AidStationFactory(center=tree.sibling)
    item = ItemFactory()
    donate(street_staff, a, item, 6)
    services.stock_transfer(
        actor=street_staff, source=a, target=b, item=item, quantity=4, reason="调剂"
    )
    assert (level(a, item), level(b, item)) == (2, 4)


def test_level_always_equals_the_sum_of_the_ledger_after_random_operations(tree, street_staff):
    rng = random.Random(20261128)
    stations = [AidStationFactory(center=tree.community), AidStationFactory(center=tree.sibling)]
    items = [ItemFactory() for _ in range(3)]
    for _ in range(120):
        station, item = rng.choice(stations), rng.choice(items)
        op = rng.choice(["donate", "give", "adjust", "transfer", "reverse"])
        try:
            if op == "donate":
                donate(street_staff, station, item, rng.randint(1, 20))
            elif op == "give":
                services.distribution_create(
                    actor=street_staff,
                    station=station,
                    lines=[(item, rng.randint(1, 15))],
                    distributed_on=timezone.localdate(),
                    recipient_name="居民",
                )
            elif op == "adjust":
                services.stock_adjust(
                    actor=street_staff,
                    station=station,
                    item=item,
                    quantity=rng.choice([-3, -1, 2, 5]),
                    reason="盘点",
                )
            elif op == "transfer":
                other = stations[1] if station == stations[0] else stations[0]
                services.stock_transfer(
                    actor=street_staff,
                    source=station,
                    target=other,
                    item=item,
                    quantity=rng.randint(1, 8),
                    reason="调剂",
                )
            else:
                movement = (
                    StockMovement.objects.filter(
                        kind__in=["donation", "adjustment", "distribution"]
                    )
                    .order_by("?")
                    .first()
                )
                if movement:
                    services.movement_reverse(actor=street_staff, movement=movement, reason="更正")
        except ValidationError:
            pass
    for row in StockLevel.objects.all():
        ledger = (
            StockMovement.objects.filter(station=row.station, item=row.item).aggregate(
                s=Sum("quantity")
            )["s"]
            or 0
        )
        assert row.quantity == ledger >= 0
    assert StockMovement.objects.count() > 50
