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
    Breakdown,
    ReportSpec,
    aggregate,
    as_month,
    by_center_and_month,
    by_child_of,
    by_month_of,
    only_key_figures,
    tally,
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


def _reached_registered(visits_in_period, distributions, group):
    """{group: registered residents visited or given goods}: one query. Grouped, a resident
    counts once in each branch that reached them (visits by the resident's center, goods by the
    station's)."""
    if group is None:
        return {
            None: Beneficiary.objects.filter(
                Q(pk__in=visits_in_period.values("beneficiary"))
                | Q(pk__in=distributions.exclude(beneficiary=None).values("beneficiary"))
            ).count()
        }
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


def _pairings(center, as_of, group):
    """Pairings running on the as-of day, and how many of them are on time. One query."""
    return aggregate(
        Pairing.objects.in_subtree(center).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=as_of), started_on__lte=as_of
        ),
        group,
        path="beneficiary__center__path",
        active=Count("pk"),
        on_time=Count("pk", filter=_on_time(as_of)),
    )


def _active_beneficiaries(center, end):
    """Beneficiaries of the subtree active now and registered by the end of the period."""
    return Beneficiary.objects.in_subtree(center).filter(
        status=Beneficiary.Status.ACTIVE, created_at__lt=_end_of(end)
    )


def _grouped(center, start, end, group):
    """{group value: [Figure]} for the subtree and period, `group` None (one group keyed None)
    or `by_child_of(center)`. Nine queries."""
    today = timezone.localdate()
    as_of = min(end, today)
    beneficiaries = _active_beneficiaries(center, end)
    counts = defaultdict(dict)

    def collect(name, rows):
        for key, value in rows.items():
            counts[key][name] = value

    # 1. Active beneficiaries, in total and by tier.
    collect(
        "tiers",
        aggregate(
            beneficiaries,
            group,
            path="center__path",
            total=Count("pk"),
            **{value: Count("pk", filter=Q(tier=value)) for value in Beneficiary.Tier.values},
        ),
    )
    # 2. Active beneficiaries by type.
    collect(
        "by_type",
        tally(
            BeneficiaryType.objects.filter(beneficiary__in=beneficiaries),
            group,
            "type",
            Count("pk"),
            path="beneficiary__center__path",
        ),
    )
    # 3. Pairings running on the as-of day, and how many of them are on time.
    collect("pairings", _pairings(center, as_of, group))
    # 4. Visits in the period and the beneficiaries they reached.
    visits_in_period = Visit.objects.in_subtree(center).filter(visited_on__range=(start, end))
    collect(
        "visits",
        aggregate(
            visits_in_period,
            group,
            path="beneficiary__center__path",
            made=Count("pk"),
            beneficiaries=Count("beneficiary", distinct=True),
        ),
    )
    # 5. Registered residents reached: visited, or given goods by a station of the subtree.
    distributions = Distribution.objects.in_subtree(center).filter(
        distributed_on__range=(start, end)
    )
    collect("reached", _reached_registered(visits_in_period, distributions, group))
    # 6. Distributions in the period, and their recipients who are not on the register.
    collect(
        "handed_out",
        aggregate(
            distributions,
            group,
            path="station__center__path",
            made=Count("pk"),
            unregistered=Count(
                Concat(Cast("station_id", CharField()), Value("|"), "recipient_name"),
                filter=Q(beneficiary=None),
                distinct=True,
            ),
        ),
    )
    # 7. Units donated in the period, by category.
    collect(
        "donated",
        tally(
            DonationLine.objects.filter(
                donation__station__center__path__startswith=center.path,
                donation__received_on__range=(start, end),
            ),
            group,
            "item__category",
            Sum("quantity"),
            path="donation__station__center__path",
        ),
    )
    # 8. Units handed out in the period, by category.
    collect(
        "distributed",
        tally(
            DistributionLine.objects.filter(distribution__in=distributions),
            group,
            "item__category",
            Sum("quantity"),
            path="distribution__station__center__path",
        ),
    )
    # 9. Units in stock now.
    stock = aggregate(
        StockLevel.objects.in_subtree(center),
        group,
        path="station__center__path",
        units=Sum("quantity"),
    )
    collect("stock", {key: row["units"] for key, row in stock.items()})

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

    Rates are floats in 0..1, or None when there was nothing to count. Nine queries whatever the
    data size.

    Every figure adds up over the children of a center but "residents reached", a distinct
    count: a resident visited in one community and given goods by another's station counts
    once for the street and once for each community.
    """
    return _grouped(center, start, end, None)[None]


def assistance_figures_by_child(center, start, end):
    """`assistance_figures` for each direct child of `center` and for the center's own rows,
    keyed by branch path (centers.reports.child_branch); nine queries."""
    return _grouped(center, start, end, by_child_of(center))


# -- The monthly summary (centers.summaries) ----------------------------------------------------

SUMMARY = "assistance"
SUMMARY_COLUMNS = ("visits", "distributed")


def _visits_and_units(visits, lines, group):
    """{group value: {"visits": n, "distributed": units}} of the visits and distribution lines
    given, grouped (see centers.reports.aggregate): visits by the beneficiary's center, units
    by the station's. Two queries."""
    counts = defaultdict(lambda: dict.fromkeys(SUMMARY_COLUMNS, 0))
    for key, row in aggregate(
        visits, group, path="beneficiary__center__path", when="visited_on", n=Count("pk")
    ).items():
        counts[key]["visits"] += row["n"]
    for key, row in aggregate(
        lines,
        group,
        path="distribution__station__center__path",
        when="distribution__distributed_on",
        n=Sum("quantity"),
    ).items():
        counts[key]["distributed"] += row["n"] or 0
    return counts


def monthly_counts(center_ids, first, last):
    """The summary's cells: {(center id, month): {column: value}} for the centers (None: all)
    and the months first..last. Two queries."""
    visits = Visit.objects.filter(visited_on__range=(first, summaries.last_day(last)))
    lines = DistributionLine.objects.filter(
        distribution__distributed_on__range=(first, summaries.last_day(last))
    )
    if center_ids is not None:
        visits = visits.filter(beneficiary__center_id__in=center_ids)
        lines = lines.filter(distribution__station__center_id__in=center_ids)
    counts = _visits_and_units(visits, lines, by_center_and_month())
    return {(center_id, as_month(month)): row for (center_id, month), row in counts.items()}


def assistance_figures_key_by_child(center, start, end):
    """The dashboard's figures by child: visits and units handed out in the summarised months
    from the monthly summary and in the rest of the period live; beneficiaries and pairings as
    of the period's end, live. Five queries, and one for the summary's state outside
    `centers.summaries.reading()`."""
    group = by_child_of(center)
    part = summaries.split(SUMMARY, start, end)
    counts = summaries.summarised(SUMMARY, center, part)
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
        summaries.add(counts, _visits_and_units(visits, lines, group))
    beneficiaries = aggregate(
        _active_beneficiaries(center, end), group, path="center__path", total=Count("pk")
    )
    pairings = _pairings(center, min(end, timezone.localdate()), group)
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
    keyed by the first of the month. Four queries."""
    month = by_month_of()
    visits = aggregate(
        Visit.objects.in_subtree(center).filter(visited_on__range=(start, end)),
        month,
        path="beneficiary__center__path",
        when="visited_on",
        made=Count("pk"),
    )
    distributions = Distribution.objects.in_subtree(center).filter(
        distributed_on__range=(start, end)
    )
    handed_out = aggregate(
        distributions, month, path="station__center__path", when="distributed_on", n=Count("pk")
    )
    donated = aggregate(
        DonationLine.objects.filter(
            donation__station__center__path__startswith=center.path,
            donation__received_on__range=(start, end),
        ),
        month,
        path="donation__station__center__path",
        when="donation__received_on",
        units=Sum("quantity"),
    )
    distributed = aggregate(
        DistributionLine.objects.filter(distribution__in=distributions),
        month,
        path="distribution__station__center__path",
        when="distribution__distributed_on",
        units=Sum("quantity"),
    )

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
