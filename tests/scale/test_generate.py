"""`generate_scale_data`: sizes by the documented ratios, determinism, invariants, refusal."""

from collections import Counter, defaultdict
from datetime import date, timedelta
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.test import override_settings
from django.utils import timezone

from activities import recurrence
from activities.models import Activity, Occurrence, Registration
from assistance.models import AidStation, Beneficiary, StockLevel, StockMovement, Visit
from centers import summaries
from centers.models import Center, StaffRole, SummaryState, User
from deliberation.models import RESIDENT_TRANSITIONS, TRANSITIONS, Issue, IssueEvent
from scale.generate import PREFIX, content_models, step_key
from scale.plan import Plan, split
from tests.centers.test_summaries import key_figures

ANCHOR = "2026-11-01"
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def generate(*args):
    out = StringIO()
    call_command(
        "generate_scale_data", *args, "--anchor", ANCHOR, "--seed", "1", stdout=out, verbosity=0
    )
    return out.getvalue()


def snapshot():
    """Row count, first and last rows of every table of the portal's apps."""
    result = {}
    for model in content_models():
        if model._meta.auto_created:
            continue
        rows = model.objects.order_by("pk")
        # When a report summary was built differs from run to run; what it holds may not.
        fields = [f.attname for f in model._meta.concrete_fields if f.name != "built_at"]
        result[model._meta.label] = (
            rows.count(),
            list(rows.values(*fields)[:3]),
            list(rows.reverse().values(*fields)[:3]),
        )
    return result


@pytest.fixture(scope="class")
def dataset(django_db_setup, django_db_blocker):
    """One tiny dataset (30 centers, one year) shared by a class's tests, rolled back after."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHER),
        transaction.atomic(),
    ):
        generate("--centers", "30", "--years", "1")
        yield Plan(centers=30, years=1)
        transaction.set_rollback(True)


@pytest.mark.django_db
class TestDataset:
    def test_counts_follow_the_documented_ratios(self, dataset):
        plan = dataset
        assert (plan.streets, plan.parks_and_buildings, plan.communities) == (1, 1, 27)
        levels = Counter(Center.objects.values_list("level", flat=True))
        assert levels == {"district": 1, "street": 1, "community": 27, "park": 1}
        assert Center.objects.count() == plan.centers == 30
        assert User.objects.count() == plan.users == 30 * 41
        assert StaffRole.objects.count() == plan.centers
        assert Activity.objects.count() == plan.activities == 30 * 9
        assert Occurrence.objects.count() == plan.occurrences == 30 * 50
        assert Registration.objects.count() == plan.registrations == 5000
        assert Issue.objects.count() == plan.issues == 30 * 50
        assert IssueEvent.objects.count() > 3 * plan.issues
        assert Beneficiary.objects.count() == plan.beneficiaries == 300
        assert Visit.objects.count() > plan.beneficiaries
        assert StockMovement.objects.count() == plan.movements == 5000
        assert AidStation.objects.count() == plan.stations == 28

    def test_full_size_plan_matches_the_issue(self):
        plan = Plan(centers=2000, years=3)
        assert (plan.streets, plan.communities, plan.parks_and_buildings) == (80, 1824, 95)
        assert plan.occurrences == 300_000
        assert plan.registrations == 1_000_000
        assert plan.issues == 300_000
        assert plan.beneficiaries == 20_000
        assert plan.movements == 1_000_000

    def test_tree_is_consistent_for_treebeard(self, dataset):
        assert all(not problems for problems in Center.objects.find_problems())
        root = Center.objects.get_first_root_node()
        assert root.slug == f"{PREFIX}district"
        assert Center.objects.get_descendant_count(root) == 29
        for center in Center.objects.all():
            assert center.numchild == Center.objects.filter(center.children_q()).count()
            assert center.slug.startswith(PREFIX)

    def test_confirmed_count_matches_confirmed_registrations_within_capacity(self, dataset):
        occurrences = Occurrence.objects.annotate(
            confirmed=Count("registrations", filter=Q(registrations__status="confirmed")),
            waiting=Count("registrations", filter=Q(registrations__status="waitlisted")),
        )
        full = 0
        for occurrence in occurrences:
            assert occurrence.confirmed_count == occurrence.confirmed
            if occurrence.capacity is not None:
                assert occurrence.confirmed_count <= occurrence.capacity
            if occurrence.waiting:
                # Only a full occurrence has a waiting list.
                assert occurrence.confirmed_count == occurrence.capacity
                full += 1
        assert full, "some occurrences should be full, with a waiting list"
        assert Registration.objects.filter(promoted_at__isnull=False).exists()
        assert not Registration.objects.filter(status="cancelled", cancelled_at=None).exists()

    def test_no_user_signs_up_twice_for_one_occurrence(self, dataset):
        duplicates = (
            Registration.objects.exclude(status="cancelled")
            .values("occurrence", "user")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
        )
        assert not duplicates.exists()

    def test_no_room_is_double_booked(self, dataset):
        by_room = defaultdict(list)
        scheduled = Occurrence.objects.filter(status="scheduled", room__isnull=False)
        for room, starts, ends in scheduled.values_list("room", "starts_at", "ends_at"):
            by_room[room].append((starts, ends))
        assert by_room
        for spans in by_room.values():
            spans.sort()
            for (_s1, e1), (s2, _e2) in pairwise(spans):
                assert e1 <= s2

    def test_recurring_occurrences_follow_their_rule(self, dataset):
        for activity in Activity.objects.exclude(recurrence="").order_by("pk")[:30]:
            starts = list(
                activity.occurrences.order_by("original_start").values_list(
                    "original_start", flat=True
                )
            )
            assert recurrence.slots(activity, until=starts[-1] + timedelta(days=400)) == starts

    def test_stock_levels_are_the_sum_of_the_ledger_and_never_negative(self, dataset):
        sums = {
            (row["station"], row["item"]): row["total"]
            for row in StockMovement.objects.values("station", "item").annotate(
                total=Sum("quantity")
            )
        }
        levels = {(lv.station_id, lv.item_id): lv.quantity for lv in StockLevel.objects.all()}
        assert levels == sums
        assert min(levels.values()) >= 0
        running = defaultdict(int)
        ledger = StockMovement.objects.order_by("created_at", "pk")
        for station, item, quantity, balance in ledger.values_list(
            "station", "item", "quantity", "balance_after"
        ):
            running[(station, item)] += quantity
            assert running[(station, item)] == balance >= 0
        kinds = set(StockMovement.objects.values_list("kind", flat=True))
        assert kinds == {
            "donation",
            "distribution",
            "adjustment",
            "reversal",
            "transfer_in",
            "transfer_out",
        }
        for movement in StockMovement.objects.filter(counterpart__isnull=False):
            assert movement.counterpart.counterpart_id == movement.pk
            assert movement.counterpart.quantity == -movement.quantity

    def test_issue_statuses_follow_the_transitions_with_events(self, dataset):
        events = defaultdict(list)
        rows = IssueEvent.objects.order_by("created_at", "pk").values_list(
            "issue", "kind", "from_status", "to_status", "created_at"
        )
        for issue, kind, from_status, to_status, at in rows:
            if kind in ("transition", "rating"):
                events[issue].append((from_status, to_status, at))
            else:
                # Assignments and progress notes happen only while the issue is open.
                assert events[issue][-1][1] in Issue.OPEN_STATES
        statuses = Counter()
        for issue in Issue.objects.all():
            history = events[issue.pk]
            assert history[0][:2] == ("", "submitted")
            assert history[0][2] == issue.created_at
            for (_f, previous, _a), (from_status, to_status, _at) in pairwise(history):
                assert from_status == previous
                assert to_status in TRANSITIONS[from_status] or (
                    (from_status, to_status) in RESIDENT_TRANSITIONS
                )
            assert history[-1][1] == issue.status
            statuses[issue.status] += 1
            if issue.status == "merged":
                assert issue.merged_into.status not in ("merged", "rejected")
            if issue.satisfaction:
                assert issue.rated_at is not None
        assert {"submitted", "in_progress", "resolved", "closed", "rejected"} <= set(statuses)
        assert statuses["closed"] > statuses["submitted"]

    def test_the_report_summaries_are_built_and_give_the_live_figures(self, dataset):
        assert SummaryState.objects.count() == len(summaries.summaries)
        district = Center.objects.get(depth=1)
        today = timezone.localdate()
        for start in (date(today.year - 1, 1, 1), date(today.year, 1, 1), today.replace(day=1)):
            dashboard, live = key_figures(district, start, today)
            assert dashboard == live, start

    def test_personal_data_is_obviously_fake(self, dataset):
        assert not User.objects.exclude(phone__startswith="199").exists()
        assert not User.objects.exclude(name__startswith="测试").exists()
        phones = [b.phone for b in Beneficiary.objects.exclude(phone=None)[:50]]
        assert phones and all(phone.startswith("1993") for phone in phones)
        admin = User.objects.get(phone="19900000001")
        assert admin.check_password("dangqun-scale")
        assert admin.staff_roles.get().center.depth == 1


@pytest.mark.django_db
@override_settings(PASSWORD_HASHERS=FAST_HASHER)
def test_same_seed_gives_the_same_data_and_a_rerun_replaces_it():
    generate("--centers", "8", "--years", "1")
    first = snapshot()
    generate("--centers", "8", "--years", "1")
    assert snapshot() == first
    assert first["centers.Center"][0] == 8


@pytest.mark.django_db
@override_settings(PASSWORD_HASHERS=FAST_HASHER)
def test_another_seed_gives_other_data():
    generate("--centers", "5", "--years", "1")
    first = list(Issue.objects.order_by("pk").values_list("tracking_code", "title"))
    call_command(
        "generate_scale_data", "--centers", "5", "--years", "1", "--seed", "2", verbosity=0
    )
    assert list(Issue.objects.order_by("pk").values_list("tracking_code", "title")) != first


@pytest.mark.django_db
@override_settings(PASSWORD_HASHERS=FAST_HASHER)
def test_refuses_a_database_with_demo_data_unless_forced():
    call_command("seed_demo", verbosity=0)
    demo = set(Center.objects.values_list("slug", "path"))
    with pytest.raises(CommandError, match="--force"):
        generate("--centers", "5", "--years", "1")
    assert set(Center.objects.values_list("slug", "path")) == demo

    generate("--centers", "5", "--years", "1", "--force")
    assert demo <= set(Center.objects.values_list("slug", "path"))
    assert Center.objects.filter(slug__startswith=PREFIX).count() == 5
    assert Center.objects.get_root_nodes().count() == 2
    assert all(not problems for problems in Center.objects.find_problems())
    # A second run could not tell its own rows from the demo's for replacing: it refuses.
    with pytest.raises(CommandError):
        generate("--centers", "5", "--years", "1", "--force")


def test_split_keeps_the_total_and_the_caps():
    assert split(10, [1, 1, 1]) == [4, 3, 3]
    assert split(7, [5, 1, 1], caps=[2, 10, 10]) == [2, 3, 2]
    assert sum(split(1000, [0.3, 2.5, 1.1, 0.01])) == 1000
    with pytest.raises(ValueError):
        split(5, [1, 1], caps=[2, 2])


def test_paths_follow_treebeards_alphabet():
    assert step_key(1) == "0001"
    assert step_key(36) == "0010"
    assert Center._get_path(None, 1, 1295) == step_key(1295)
