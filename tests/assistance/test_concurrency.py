"""Two staff distributing the last units at the same moment, on PostgreSQL."""

import pytest
from django.utils import timezone

from assistance import services
from assistance.models import StockLevel, StockMovement
from centers.models import StaffRole
from tests.concurrency import postgres_only, run_concurrently
from tests.factories import AidStationFactory, CenterFactory, ItemFactory, StaffRoleFactory

pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]


def test_two_staff_distributing_the_last_3_units_get_one_success_and_one_clear_error():
    center = CenterFactory()
    station, item = AidStationFactory(center=center), ItemFactory(name="米", unit="袋")
    staff = [StaffRoleFactory(center=center, role=StaffRole.Role.EDITOR).user for _ in range(2)]
    services.donation_receive(
        actor=staff[0],
        station=station,
        data={"received_on": timezone.localdate()},
        lines=[(item, 3, "new", False)],
    )
    errors = run_concurrently(
        [
            lambda s=s: services.distribution_create(
                actor=s,
                station=station,
                lines=[(item, 3)],
                distributed_on=timezone.localdate(),
                recipient_name="居民",
            )
            for s in staff
        ]
    )
    assert len(errors) == 1 and "只剩 0 袋" in str(errors[0])
    assert StockLevel.objects.get(station=station, item=item).quantity == 0
    assert StockMovement.objects.filter(kind="distribution").count() == 1
