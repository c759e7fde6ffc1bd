"""The deliberation section of the district reports: 12345 / 接诉即办 figures for a subtree.

Every figure but "overdue now" is about the cohort of issues *received* in the period (created
between the dates, inclusive, in Asia/Shanghai), counted at the center currently responsible
for each issue, so an escalated issue counts at the center it was escalated to. Counting one
cohort keeps every rate between 0 and 1 and makes the district's counts the sum of its
streets'.
"""

from collections import defaultdict
from datetime import datetime, time, timedelta
from statistics import median

from django.db import connections
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from centers import summaries
from centers.models import Center
from centers.reports import (
    Batch,
    Breakdown,
    ReportSpec,
    aggregate,
    as_month,
    by_center_and_month,
    by_child_of,
    by_month_of,
    only_key_figures,
)
from centers.sections import Figure
from deliberation.models import Issue, overdue_q

S = Issue.Status

#: Accepted: staff took the issue in (rejected and merged-on-intake issues never were).
ACCEPTED = Q(accepted_at__isnull=False)
#: Accepted within the acceptance deadline (one working day, restarted by an escalation).
ON_TIME = Q(accepted_at__lte=F("response_due"))
#: Resolved and not reopened since: an unsatisfied rating sends the issue back to work, and it
#: counts as unresolved until it is resolved again (resolved_at keeps the earlier time).
RESOLVED = Q(status__in=[S.RESOLVED, S.CLOSED], resolved_at__isnull=False)
RATED = ~Q(satisfaction="")
SATISFIED = Q(satisfaction__in=[Issue.Satisfaction.SATISFIED, Issue.Satisfaction.BASIC])

TIME_TO_RESOLVE = ExpressionWrapper(
    F("resolved_at") - F("created_at"), output_field=DurationField()
)


class Median(Aggregate):
    """PostgreSQL's ordered-set aggregate `percentile_cont(0.5)`, which interpolates like
    `statistics.median`; it takes intervals as well as numbers."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"


def _span(start, end):
    """The dates start..end (inclusive) as a half-open range of aware datetimes in the
    district's time zone (settings.TIME_ZONE, whatever zone a request activated)."""
    tz = timezone.get_default_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def received_issues(center, start, end):
    """Issues at the center or below, by their current center, created between the dates."""
    start_at, end_at = _span(start, end)
    return Issue.objects.in_subtree(center).filter(created_at__gte=start_at, created_at__lt=end_at)


def _days(value):
    return None if value is None else round(value.total_seconds() / 86400, 1)


def _median_days(resolved, group=None):
    """Median days from submission to (latest) resolution, {group value: days} for a grouping
    of centers.reports ({None: days} without one); one query."""
    if connections[resolved.db].vendor == "postgresql":
        rows = aggregate(
            resolved, group, path="center__path", when="created_at", median=Median(TIME_TO_RESOLVE)
        )
        return {key: _days(row["median"]) for key, row in rows.items()}
    # No percentile aggregate in SQLite: fetch the durations alone and take it here.
    took = resolved.annotate(took=TIME_TO_RESOLVE).order_by()
    if group is None:
        pairs = ((None, value) for value in took.values_list("took", flat=True))
    else:
        pairs = took.annotate(report_group=group("center__path", "created_at")).values_list(
            "report_group", "took"
        )
    durations = defaultdict(list)
    for key, value in pairs:
        durations[key].append(value)
    return {key: _days(median(values)) for key, values in durations.items()}


def _rate(part, whole):
    return part / whole if whole else None


def _figures(totals, median_days, overdue=None, by_category=None):
    """The section's figures from one group's counts (missing counts are zeros); the overdue
    figure and the categories only when given."""
    totals = totals or {}
    received, accepted, on_time, resolved, rated, satisfied = (
        totals.get(name) or 0
        for name in ("received", "accepted", "on_time", "resolved", "rated", "satisfied")
    )
    figures = [
        Figure("received", _("收到诉求（件）"), received),
        Figure("accepted", _("受理（件）"), accepted),
        Figure("accepted_on_time", _("按时受理（件）"), on_time),
        Figure("response_rate", _("响应率"), _rate(on_time, received), unit="%"),
        Figure("resolved", _("办结（件）"), resolved),
        Figure("resolution_rate", _("解决率"), _rate(resolved, accepted), unit="%"),
        Figure("rated", _("评价（件）"), rated),
        Figure("satisfied", _("满意及基本满意（件）"), satisfied),
        Figure("satisfaction_rate", _("满意率"), _rate(satisfied, rated), unit="%"),
        Figure("median_days_to_resolve", _("办结用时中位数（天）"), median_days),
    ]
    if overdue is not None:
        figures.append(Figure("overdue", _("当前超期（件）"), overdue))
    if by_category is not None:
        figures += [
            Figure(f"category_{value}", label, by_category.get(value, 0))
            for value, label in Issue.Category.choices
        ]
    return figures


def _cohort(within=None):
    """The cohort's counts as aggregates; with `within` (a Q), of the rows it matches only."""
    within = within or Q()
    return {
        "received": Count("pk", filter=within),
        "accepted": Count("pk", filter=within & ACCEPTED),
        "on_time": Count("pk", filter=within & ACCEPTED & ON_TIME),
        "resolved": Count("pk", filter=within & RESOLVED),
        "rated": Count("pk", filter=within & RATED),
        "satisfied": Count("pk", filter=within & RATED & SATISFIED),
    }


def _queue(batch, center, start, end, *, now=True):
    """Queue the cohort's counts on `batch` (a centers.reports.Batch); after `batch.run()`, the
    returned function reads the median time to resolve (one query of its own) and answers
    {group value: [Figure]}. Without `now`, no overdue figure (it is about today) and no
    categories."""
    received = received_issues(center, start, end)
    # The cohort's counts.
    totals = batch.aggregate(received, path="center__path", when="created_at", **_cohort())
    overdue, by_category = {}, {}
    if now:
        # Overdue now.
        overdue = batch.aggregate(
            Issue.objects.in_subtree(center).overdue(),
            path="center__path",
            when="created_at",
            n=Count("pk"),
        )
        # Received per category.
        by_category = batch.tally(
            received, "category", Count("pk"), path="center__path", when="created_at"
        )

    def finish():
        medians = _median_days(received.filter(RESOLVED), batch.group)

        def figures(key):
            return _figures(
                totals.get(key),
                medians.get(key),
                (overdue.get(key) or {}).get("n") or 0 if now else None,
                by_category.get(key, {}) if now else None,
            )

        result = defaultdict(lambda: figures(object()))
        for key in {*totals, *medians, *overdue, *by_category}:
            result[key] = figures(key)
        return result

    return finish


def _grouped(center, start, end, group, *, now=True):
    """{group value: [Figure]} for the subtree and period, `group` a grouping of
    centers.reports (None: one group keyed None). Two queries: the counts (a Batch) and the
    median time to resolve."""
    batch = Batch(group)
    finish = _queue(batch, center, start, end, now=now)
    batch.run()
    return finish()


def issue_figures(center, start, end):
    """Received, 响应率, 解决率, 满意率, median days to resolve, overdue now, by category and
    by direct child center, for the subtree of `center` and the dates start..end (inclusive).

    - received: issues created in the period (rejected, merged and still-pending ones included);
    - 响应率 = accepted on time (accepted_at <= response_due) / received;
    - 解决率 = resolved / accepted, where resolved means status resolved or closed now: an issue
      reopened after an unsatisfied rating is back at work and does not count until resolved
      again, and one merged after acceptance counts as accepted and unresolved (duplicates are
      merged on intake, before acceptance, where they count as received only);
    - 满意率 = (satisfied + basically satisfied) / rated, by the latest rating an issue got;
    - satisfied: rated satisfied or basically satisfied;
    - median days from submission to the latest resolution, over the resolved issues;
    - overdue now: open issues of the subtree past a deadline at the moment of the call, whenever
      they were received;
    - by category: received per category; by child: received and resolved per direct child of
      `center`, plus the center's own issues (escalated up to it, or taken in there).

    Rates are floats in 0..1, or None when nothing was there to count. Two queries whatever the
    data size (the counts in one, the median), and one for the direct children unless the
    center has read them already (`Center.children_in_order`).
    """
    batch = Batch()
    finish = _queue(batch, center, start, end)
    # Received and resolved per child, grouped on the child's part of the path; the center's
    # own issues group under its own, shorter path.
    received = received_issues(center, start, end).annotate(
        branch=Substr("center__path", 1, len(center.path) + Center.steplen)
    )
    by_branch = batch.tally(received, "branch", Count("pk"), path="center__path")
    resolved = batch.tally(received.filter(RESOLVED), "branch", Count("pk"), path="center__path")
    batch.run()
    figures = finish()[None]
    branches = {
        path: {"received": n, "resolved": resolved[None].get(path, 0)}
        for path, n in by_branch[None].items()
    }
    children = [(c.path, c.slug, c.short_name) for c in center.children_in_order]

    if children:
        rows = [("own", center.path, _("本级"))]
        rows += [(f"child_{slug}", path, name) for path, slug, name in children]
        for key, path, name in rows:
            row = branches.get(path, {})
            figures += [
                Figure(
                    f"{key}_received",
                    format_lazy("{}：{}", name, _("收到（件）")),
                    row.get("received", 0),
                ),
                Figure(
                    f"{key}_resolved",
                    format_lazy("{}：{}", name, _("办结（件）")),
                    row.get("resolved", 0),
                ),
            ]
    return figures


def issue_figures_by_child(center, start, end):
    """`issue_figures` but the rows by child, for each direct child of `center` and for the
    center's own issues, keyed by branch path (centers.reports.child_branch); two queries."""
    return _grouped(center, start, end, by_child_of(center))


# -- The monthly summary (centers.summaries) ----------------------------------------------------

SUMMARY = "deliberation"
SUMMARY_COLUMNS = ("received", "accepted", "on_time", "resolved", "rated", "satisfied")


def monthly_counts(center_ids, first, last):
    """The summary's cells: {(center id, month): {column: value}} for the centers (None: all)
    and the months first..last, by the month an issue was received. One query."""
    start_at, end_at = _span(first, summaries.last_day(last))
    issues = Issue.objects.filter(created_at__gte=start_at, created_at__lt=end_at)
    if center_ids is not None:
        issues = issues.filter(center_id__in=center_ids)
    rows = aggregate(
        issues, by_center_and_month(), path="center__path", when="created_at", **_cohort()
    )
    return {(center_id, as_month(month)): row for (center_id, month), row in rows.items()}


def issue_figures_key_by_child(center, start, end):
    """The dashboard's figures by child (counts, rates, overdue now): the summarised months
    from the monthly summary, the rest of the period and the overdue count live. One query (a
    Batch), and one for the summary's state outside `centers.summaries.reading()`."""
    part = summaries.split(SUMMARY, start, end)
    batch = Batch(by_child_of(center))
    summed = summaries.queue(batch, SUMMARY, center, part)
    # The live part of the cohort and the overdue count, in one pass over the rows of either.
    live = Q(pk__in=[])
    for live_start, live_end in part.live:
        start_at, end_at = _span(live_start, live_end)
        live |= Q(created_at__gte=start_at, created_at__lt=end_at)
    overdue = overdue_q()
    rows = batch.aggregate(
        Issue.objects.in_subtree(center).filter(live | overdue),
        path="center__path",
        when="created_at",
        overdue=Count("pk", filter=overdue),
        **_cohort(live),
    )
    batch.run()
    late = {branch: row.pop("overdue") for branch, row in rows.items()}
    counts = summaries.totals(SUMMARY, summed, rows)
    grouped = defaultdict(lambda: _figures({}, None, 0))
    for branch in {*counts, *late}:
        grouped[branch] = _figures(counts[branch], None, late.get(branch, 0))
    return only_key_figures(grouped, issue_figures.report)


def issue_figures_by_month(center, start, end):
    """The cohort's counts, rates and median for each month of the period, by the month an
    issue was received (Asia/Shanghai); keyed by the first of the month. Two queries."""
    grouped = _grouped(center, start, end, by_month_of(), now=False)
    result = defaultdict(grouped.default_factory)
    result.update({as_month(key): figures for key, figures in grouped.items()})
    return result


issue_figures.report = ReportSpec(
    key_figures=(
        "received",
        "response_rate",
        "resolution_rate",
        "satisfaction_rate",
        "overdue",
    ),
    rates={
        "response_rate": ("accepted_on_time", "received"),
        "resolution_rate": ("resolved", "accepted"),
        "satisfaction_rate": ("satisfied", "rated"),
    },
    not_additive=frozenset({"median_days_to_resolve"}),
    by_child=issue_figures_by_child,
    key_by_child=issue_figures_key_by_child,
    by_month=issue_figures_by_month,
    breakdowns=(Breakdown("category_", _("诉求类别")),),
)
