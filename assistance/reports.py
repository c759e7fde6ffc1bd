"""The assistance section of the district reports: help and aid figures for a subtree and period.

Aggregates only: every figure is a count or a sum, never a name, so a report may be shown to
anybody who may see the dashboard. Periods are the dates start..end, inclusive; visits,
donations and distributions carry dates of their own (no time zone involved), registrations
are timestamps read in the district's time zone (Asia/Shanghai).
"""

from collections import Counter, defaultdict
from datetime import datetime, time, timedelta

from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat
from django.db.models.lookups import Exact
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
from centers import summaries
from centers.reports import (
    Batch,
    Breakdown,
    ReportSpec,
    as_month,
    by_center_and_month,
    by_child_of,
    by_month_of,
    only_key_figures,
)
from centers.sections import Figure


def _end_of(day):
    """The first instant after the local date `day`, in the district's time zone."""
    tz = timezone.get_default_timezone()
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)


def _rate(part, whole):
    return part / whole if whole else None


def _window_start(as_of, frequency):
    """The first day of a pairing's visiting window ending on `as_of`, by its `frequency`
    (an expression: the pairing's field, or a reference to it from a subquery)."""
    return Case(
        *(
            When(Exact(frequency, value), then=Value(as_of - timedelta(days=days)))
            for value, days in FREQUENCY_DAYS.items()
        ),
        output_field=DateField(),
    )


def _on_time(as_of):
    """A Q for the pairings not overdue on `as_of` (see `assistance_figures`): visited under
    the pairing within the window ending on `as_of`, or started within it. One EXISTS a
    pairing, whatever its frequency."""
    visited = Visit.objects.filter(
        pairing=OuterRef("pk"),
        visited_on__gte=_window_start(as_of, OuterRef("frequency")),
        visited_on__lte=as_of,
    )
    return Q(Exists(visited)) | Q(started_on__gte=_window_start(as_of, F("frequency")))


def _figures(counts):
    """The section's figures from one group's counts (missing counts are zeros)."""
    tiers = counts.get("tiers") or {}
    by_type = counts.get("by_type") or {}
    pairings = counts.get("pairings") or {}
    visits = counts.get("visits") or {}
    handed_out = counts.get("handed_out") or {}
    donated = counts.get("donated") or {}
    distributed = counts.get("distributed") or {}
    active, on_time = pairings.get("active") or 0, pairings.get("on_time") or 0
    figures = [Figure("beneficiaries", _("帮扶对象（人）"), tiers.get("total") or 0)]
    figures += [
        Figure(f"tier_{value}", format_lazy("{}：{}", _("关注等级"), label), tiers.get(value) or 0)
        for value, label in Beneficiary.Tier.choices
    ]
    figures += [
        Figure(f"type_{value}", format_lazy("{}：{}", _("类型"), label), by_type.get(value, 0))
        for value, label in BeneficiaryType.Type.choices
    ]
    figures += [
        Figure("active_pairings", _("结对帮扶（对）"), active),
        Figure("on_time_pairings", _("按时探访（对）"), on_time),
        Figure("on_time_visit_rate", _("按时探访率"), _rate(on_time, active), unit="%"),
        Figure("visits", _("走访慰问（次）"), visits.get("made") or 0),
        Figure("visited", _("走访慰问（人）"), visits.get("beneficiaries") or 0),
        Figure("distributions", _("物资发放（次）"), handed_out.get("made") or 0),
        Figure(
            "residents_reached",
            _("惠及居民（人）"),
            (counts.get("reached") or 0) + (handed_out.get("unregistered") or 0),
        ),
        Figure("donated", _("接收捐赠物资（件）"), sum(donated.values())),
        Figure("distributed", _("发放物资（件）"), sum(distributed.values())),
        Figure("stock_on_hand", _("现有库存（件）"), counts.get("stock") or 0),
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


def _reached(visits_in_period, distributions):
    """The registered residents visited, or given goods by a station of the subtree."""
    return Beneficiary.objects.filter(
        Q(pk__in=visits_in_period.values("beneficiary"))
        | Q(pk__in=distributions.exclude(beneficiary=None).values("beneficiary"))
    )


def _reached_by_group(visits_in_period, distributions, group):
    """{group: registered residents visited or given goods}: one query. A resident counts once
    in each branch that reached them (visits by the resident's center, goods by the
    station's)."""
    visited = (
        visits_in_period.annotate(report_group=group("beneficiary__center__path", None))
        .values_list("report_group", "beneficiary_id")
        .order_by()
    )
    given = (
        distributions.exclude(beneficiary=None)
        .annotate(report_group=group("station__center__path", None))
        .values_list("report_group", "beneficiary_id")
        .order_by()
    )
    # UNION drops the repeated (branch, resident) pairs.
    return Counter(key for key, _beneficiary in visited.union(given).order_by())


def _pairings(center, as_of):
    """Pairings running on the as-of day, and how many of them are on time, as aggregates of
    the queryset they apply to."""
    return Pairing.objects.in_subtree(center).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=as_of), started_on__lte=as_of
    ), {"active": Count("pk"), "on_time": Count("pk", filter=_on_time(as_of))}


def _active_beneficiaries(center, end):
    """Beneficiaries of the subtree active now and registered by the end of the period."""
    return Beneficiary.objects.in_subtree(center).filter(
        status=Beneficiary.Status.ACTIVE, created_at__lt=_end_of(end)
    )


def _grouped(center, start, end, group):
    """{group value: [Figure]} for the subtree and period, `group` None (one group keyed None)
    or `by_child_of(center)`. One query (a centers.reports.Batch), and one more by child for
    the residents reached, a distinct count across two tables."""
    today = timezone.localdate()
    as_of = min(end, today)
    beneficiaries = _active_beneficiaries(center, end)
    batch = Batch(group)
    parts = {}
    # Active beneficiaries, in total and by tier.
    parts["tiers"] = batch.aggregate(
        beneficiaries,
        path="center__path",
        total=Count("pk"),
        **{value: Count("pk", filter=Q(tier=value)) for value in Beneficiary.Tier.values},
    )
    # Active beneficiaries by type.
    parts["by_type"] = batch.tally(
        BeneficiaryType.objects.filter(beneficiary__in=beneficiaries),
        "type",
        Count("pk"),
        path="beneficiary__center__path",
    )
    # Pairings running on the as-of day, and how many of them are on time.
    pairings, counts = _pairings(center, as_of)
    parts["pairings"] = batch.aggregate(pairings, path="beneficiary__center__path", **counts)
    # Visits in the period and the beneficiaries they reached.
    visits_in_period = Visit.objects.in_subtree(center).filter(visited_on__range=(start, end))
    parts["visits"] = batch.aggregate(
        visits_in_period,
        path="beneficiary__center__path",
        made=Count("pk"),
        beneficiaries=Count("beneficiary", distinct=True),
    )
    # Distributions in the period, and their recipients who are not on the register.
    distributions = Distribution.objects.in_subtree(center).filter(
        distributed_on__range=(start, end)
    )
    parts["handed_out"] = batch.aggregate(
        distributions,
        path="station__center__path",
        made=Count("pk"),
        unregistered=Count(
            Concat(Cast("station_id", CharField()), Value("|"), "recipient_name"),
            filter=Q(beneficiary=None),
            distinct=True,
        ),
    )
    # Units donated in the period, by category.
    parts["donated"] = batch.tally(
        DonationLine.objects.filter(
            donation__station__center__path__startswith=center.path,
            donation__received_on__range=(start, end),
        ),
        "item__category",
        Sum("quantity"),
        path="donation__station__center__path",
    )
    # Units handed out in the period, by category.
    parts["distributed"] = batch.tally(
        DistributionLine.objects.filter(distribution__in=distributions),
        "item__category",
        Sum("quantity"),
        path="distribution__station__center__path",
    )
    # Units in stock now.
    stock = batch.aggregate(
        StockLevel.objects.in_subtree(center), path="station__center__path", units=Sum("quantity")
    )
    # Registered residents reached: visited, or given goods by a station of the subtree.
    if group is None:
        reached = batch.aggregate(
            _reached(visits_in_period, distributions), path="center__path", n=Count("pk")
        )
    batch.run()
    if group is None:
        parts["reached"] = {None: reached[None]["n"]}
    else:
        parts["reached"] = _reached_by_group(visits_in_period, distributions, group)
    parts["stock"] = {key: row["units"] for key, row in stock.items()}

    counts = defaultdict(dict)
    for name, rows in parts.items():
        for key, value in rows.items():
            counts[key][name] = value
    result = defaultdict(lambda: _figures({}))
    for key, group_counts in counts.items():
        result[key] = _figures(group_counts)
    return result


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
      is the period's last day, or today while the period has not ended; on time: those of
      them not overdue on that day;
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

    Rates are floats in 0..1, or None when there was nothing to count. One query whatever the
    data size.

    Every figure adds up over the children of a center but "residents reached", a distinct
    count: a resident visited in one community and given goods by another's station counts
    once for the street and once for each community.
    """
    return _grouped(center, start, end, None)[None]


def assistance_figures_by_child(center, start, end):
    """`assistance_figures` for each direct child of `center` and for the center's own rows,
    keyed by branch path (centers.reports.child_branch); two queries."""
    return _grouped(center, start, end, by_child_of(center))


# -- The monthly summary (centers.summaries) ----------------------------------------------------

SUMMARY = "assistance"
SUMMARY_COLUMNS = ("visits", "distributed")


def _visits_and_units(visits, lines, batch):
    """Queue on `batch` the visits and the units of the distribution lines given, grouped by
    the batch's grouping (see centers.reports.aggregate): visits by the beneficiary's center,
    units by the station's. After `batch.run()`, the returned function answers
    {group value: {"visits": n, "distributed": units}}."""
    visited = batch.aggregate(
        visits, path="beneficiary__center__path", when="visited_on", n=Count("pk")
    )
    handed = batch.aggregate(
        lines,
        path="distribution__station__center__path",
        when="distribution__distributed_on",
        n=Sum("quantity"),
    )

    def counts():
        result = defaultdict(lambda: dict.fromkeys(SUMMARY_COLUMNS, 0))
        for key, row in visited.items():
            result[key]["visits"] += row["n"] or 0
        for key, row in handed.items():
            result[key]["distributed"] += row["n"] or 0
        return result

    return counts


def monthly_counts(center_ids, first, last):
    """The summary's cells: {(center id, month): {column: value}} for the centers (None: all)
    and the months first..last. One query."""
    visits = Visit.objects.filter(visited_on__range=(first, summaries.last_day(last)))
    lines = DistributionLine.objects.filter(
        distribution__distributed_on__range=(first, summaries.last_day(last))
    )
    if center_ids is not None:
        visits = visits.filter(beneficiary__center_id__in=center_ids)
        lines = lines.filter(distribution__station__center_id__in=center_ids)
    batch = Batch(by_center_and_month())
    read = _visits_and_units(visits, lines, batch)
    batch.run()
    counts = read()
    return {(center_id, as_month(month)): row for (center_id, month), row in counts.items()}


def assistance_figures_key_by_child(center, start, end):
    """The dashboard's figures by child: visits and units handed out in the summarised months
    from the monthly summary and in the rest of the period live; beneficiaries and pairings as
    of the period's end, live. One query (a Batch), and one for the summary's state outside
    `centers.summaries.reading()`."""
    part = summaries.split(SUMMARY, start, end)
    batch = Batch(by_child_of(center))
    summed = summaries.queue(batch, SUMMARY, center, part)
    live = None
    if part.live:
        days = Q(pk__in=[])
        for live_start, live_end in part.live:
            days |= Q(visited_on__range=(live_start, live_end))
        visits = Visit.objects.in_subtree(center).filter(days)
        on = Q(pk__in=[])
        for live_start, live_end in part.live:
            on |= Q(distribution__distributed_on__range=(live_start, live_end))
        lines = DistributionLine.objects.filter(
            on, distribution__station__center__path__startswith=center.path
        )
        live = _visits_and_units(visits, lines, batch)
    beneficiaries = batch.aggregate(
        _active_beneficiaries(center, end), path="center__path", total=Count("pk")
    )
    running, on_time = _pairings(center, min(end, timezone.localdate()))
    pairings = batch.aggregate(running, path="beneficiary__center__path", **on_time)
    batch.run()
    counts = summaries.totals(SUMMARY, summed, live() if live is not None else {})
    grouped = defaultdict(lambda: _figures({}))
    for branch in {*counts, *beneficiaries, *pairings}:
        row = counts[branch]
        grouped[branch] = _figures(
            {
                "tiers": beneficiaries.get(branch, {}),
                "pairings": pairings.get(branch, {}),
                "visits": {"made": row["visits"]},
                "distributed": {"all": row["distributed"]},
            }
        )
    return only_key_figures(grouped, assistance_figures.report)


def assistance_figures_by_month(center, start, end):
    """Visits, distributions and units donated and handed out in each month of the period,
    keyed by the first of the month. One query."""
    batch = Batch(by_month_of())
    visits = batch.aggregate(
        Visit.objects.in_subtree(center).filter(visited_on__range=(start, end)),
        path="beneficiary__center__path",
        when="visited_on",
        made=Count("pk"),
    )
    distributions = Distribution.objects.in_subtree(center).filter(
        distributed_on__range=(start, end)
    )
    handed_out = batch.aggregate(
        distributions, path="station__center__path", when="distributed_on", n=Count("pk")
    )
    donated = batch.aggregate(
        DonationLine.objects.filter(
            donation__station__center__path__startswith=center.path,
            donation__received_on__range=(start, end),
        ),
        path="donation__station__center__path",
        when="donation__received_on",
        units=Sum("quantity"),
    )
    distributed = batch.aggregate(
        DistributionLine.objects.filter(distribution__in=distributions),
        path="distribution__station__center__path",
        when="distribution__distributed_on",
        units=Sum("quantity"),
    )
    batch.run()

    def figures(key):
        return [
            Figure("visits", _("走访慰问（次）"), visits.get(key, {}).get("made") or 0),
            Figure("distributions", _("物资发放（次）"), handed_out.get(key, {}).get("n") or 0),
            Figure("donated", _("接收捐赠物资（件）"), donated.get(key, {}).get("units") or 0),
            Figure("distributed", _("发放物资（件）"), distributed.get(key, {}).get("units") or 0),
        ]

    result = defaultdict(lambda: figures(object()))
    for key in {*visits, *handed_out, *donated, *distributed}:
        result[as_month(key)] = figures(key)
    return result


assistance_figures.report = ReportSpec(
    key_figures=("beneficiaries", "visits", "on_time_visit_rate", "distributed"),
    rates={"on_time_visit_rate": ("on_time_pairings", "active_pairings")},
    not_additive=frozenset({"residents_reached"}),
    by_child=assistance_figures_by_child,
    key_by_child=assistance_figures_key_by_child,
    by_month=assistance_figures_by_month,
    breakdowns=(
        Breakdown("tier_", _("关注等级")),
        Breakdown("type_", _("帮扶对象类型")),
        Breakdown("donated_", _("捐赠物资类别")),
        Breakdown("distributed_", _("发放物资类别")),
    ),
)
