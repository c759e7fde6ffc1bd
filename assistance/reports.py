"""The assistance section of the district reports: help and aid figures for a subtree and period.

Aggregates only: every figure is a count or a sum, never a name, so a report may be shown to
anybody who may see the dashboard. Periods are the dates start..end, inclusive; visits,
donations and distributions carry dates of their own (no time zone involved), registrations
are timestamps read in the district's time zone (Asia/Shanghai).
"""

from datetime import datetime, time, timedelta

from django.db.models import (
    CharField,
    Count,
    Exists,
    OuterRef,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from assistance.models import (
    FREQUENCY_DAYS,
    Beneficiary,
    BeneficiaryType,
    Distribution,
    DistributionLine,
    DonationLine,
    Item,
    Pairing,
    StockLevel,
    Visit,
)
from centers.sections import Figure


def _end_of(day):
    """The first instant after the local date `day`, in the district's time zone."""
    tz = timezone.get_default_timezone()
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)


def _rate(part, whole):
    return part / whole if whole else None


def _on_time(as_of):
    """A Q for the pairings not overdue on `as_of` (see `assistance_figures`): per frequency,
    visited under the pairing within the window ending on `as_of`, or started within it."""
    on_time = Q(pk__in=[])
    for frequency, days in FREQUENCY_DAYS.items():
        window_start = as_of - timedelta(days=days)
        visited = Visit.objects.filter(
            pairing=OuterRef("pk"), visited_on__range=(window_start, as_of)
        )
        on_time |= Q(frequency=frequency) & (Q(Exists(visited)) | Q(started_on__gte=window_start))
    return on_time


def assistance_figures(center, start, end):
    """Beneficiaries by type and tier, pairings and the on-time visit rate, visits, residents
    reached, goods in and out by category and stock on hand, for the subtree of `center` and the
    dates start..end (inclusive).

    - beneficiaries: those of the subtree's communities whose status is "active" now and who
      were registered by the end of the period (status changes keep no history, so a
      beneficiary closed since is not counted for an earlier period either); by type (one
      beneficiary may have several types, so the types add up to more than the total) and by
      tier;
    - active pairings: pairings of the subtree's beneficiaries running on the as-of day, which
      is the period's last day, or today while the period has not ended;
    - on-time visit rate (按时探访率): the share of those pairings that are not overdue on the
      as-of day, by the same rule as the staff dashboard's overdue flag
      (`Pairing.is_overdue`): a pairing is on time when it had a visit of its own (a visit
      logged under it) within its window before the as-of day (7 days weekly, 31 monthly,
      92 quarterly), or when it started less than a window ago;
    - visits: visits to the subtree's beneficiaries dated in the period, and the distinct
      beneficiaries they reached;
    - residents reached: distinct beneficiaries who were visited (subtree beneficiaries) or
      received goods (from a subtree station) in the period, plus the distinct recipients of
      goods who are not on the register, told apart by (station, recipient's name);
    - donations in / distributions out: units by item category, by the donation's received date
      and the distribution's date, from the stations of the subtree (units of different items
      add up as they are: 件, 床, 袋 …);
    - stock on hand: units at the subtree's stations now, whatever the period.

    Rates are floats in 0..1, or None when there was nothing to count. Nine queries whatever the
    data size.
    """
    today = timezone.localdate()
    as_of = min(end, today)
    beneficiaries = Beneficiary.objects.in_subtree(center).filter(
        status=Beneficiary.Status.ACTIVE, created_at__lt=_end_of(end)
    )
    # 1. Active beneficiaries, in total and by tier.
    tiers = beneficiaries.aggregate(
        total=Count("pk"),
        **{value: Count("pk", filter=Q(tier=value)) for value in Beneficiary.Tier.values},
    )
    # 2. Active beneficiaries by type.
    by_type = dict(
        BeneficiaryType.objects.filter(beneficiary__in=beneficiaries)
        .values_list("type")
        .annotate(n=Count("pk"))
        .order_by()
    )
    # 3. Pairings running on the as-of day, and how many of them are on time.
    pairings = (
        Pairing.objects.in_subtree(center)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=as_of), started_on__lte=as_of)
        .aggregate(active=Count("pk"), on_time=Count("pk", filter=_on_time(as_of)))
    )
    # 4. Visits in the period and the beneficiaries they reached.
    visits_in_period = Visit.objects.in_subtree(center).filter(visited_on__range=(start, end))
    visits = visits_in_period.aggregate(
        made=Count("pk"), beneficiaries=Count("beneficiary", distinct=True)
    )
    # 5. Registered residents reached: visited, or given goods by a station of the subtree.
    distributions = Distribution.objects.in_subtree(center).filter(
        distributed_on__range=(start, end)
    )
    reached_registered = Beneficiary.objects.filter(
        Q(pk__in=visits_in_period.values("beneficiary"))
        | Q(pk__in=distributions.exclude(beneficiary=None).values("beneficiary"))
    ).count()
    # 6. Distributions in the period, and their recipients who are not on the register.
    handed_out = distributions.aggregate(
        made=Count("pk"),
        unregistered=Count(
            Concat(Cast("station_id", CharField()), Value("|"), "recipient_name"),
            filter=Q(beneficiary=None),
            distinct=True,
        ),
    )
    # 7. Units donated in the period, by category.
    donated = dict(
        DonationLine.objects.filter(
            donation__station__center__path__startswith=center.path,
            donation__received_on__range=(start, end),
        )
        .values_list("item__category")
        .annotate(n=Sum("quantity"))
        .order_by()
    )
    # 8. Units handed out in the period, by category.
    distributed = dict(
        DistributionLine.objects.filter(distribution__in=distributions)
        .values_list("item__category")
        .annotate(n=Sum("quantity"))
        .order_by()
    )
    # 9. Units in stock now.
    stock = StockLevel.objects.in_subtree(center).aggregate(units=Sum("quantity"))["units"] or 0

    figures = [Figure("beneficiaries", _("帮扶对象（人）"), tiers["total"])]
    figures += [
        Figure(f"tier_{value}", format_lazy("{}：{}", _("关注等级"), label), tiers[value])
        for value, label in Beneficiary.Tier.choices
    ]
    figures += [
        Figure(f"type_{value}", format_lazy("{}：{}", _("类型"), label), by_type.get(value, 0))
        for value, label in BeneficiaryType.Type.choices
    ]
    figures += [
        Figure("active_pairings", _("结对帮扶（对）"), pairings["active"]),
        Figure(
            "on_time_visit_rate",
            _("按时探访率"),
            _rate(pairings["on_time"], pairings["active"]),
            unit="%",
        ),
        Figure("visits", _("走访慰问（次）"), visits["made"]),
        Figure("visited", _("走访慰问（人）"), visits["beneficiaries"]),
        Figure("distributions", _("物资发放（次）"), handed_out["made"]),
        Figure(
            "residents_reached",
            _("惠及居民（人）"),
            reached_registered + handed_out["unregistered"],
        ),
        Figure("donated", _("接收捐赠物资（件）"), sum(donated.values())),
        Figure("distributed", _("发放物资（件）"), sum(distributed.values())),
        Figure("stock_on_hand", _("现有库存（件）"), stock),
    ]
    figures += [
        Figure(
            f"donated_{value}", format_lazy("{}：{}", _("接收捐赠"), label), donated.get(value, 0)
        )
        for value, label in Item.Category.choices
    ]
    figures += [
        Figure(
            f"distributed_{value}",
            format_lazy("{}：{}", _("发放物资"), label),
            distributed.get(value, 0),
        )
        for value, label in Item.Category.choices
    ]
    return figures
