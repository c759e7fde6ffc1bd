"""The deliberation section of the district reports: 12345 / 接诉即办 figures for a subtree.

Every figure but "overdue now" is about the cohort of issues *received* in the period (created
between the dates, inclusive, in Asia/Shanghai), counted at the center currently responsible
for each issue, so an escalated issue counts at the center it was escalated to. Counting one
cohort keeps every rate between 0 and 1 and makes the district's counts the sum of its
streets'.
"""

from datetime import datetime, time, timedelta
from statistics import median

from django.db import connections
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from centers.models import Center
from centers.sections import Figure
from deliberation.models import Issue

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


def _median_days(resolved):
    """Median days from submission to (latest) resolution, in one query, or None."""
    if connections[resolved.db].vendor == "postgresql":
        value = resolved.aggregate(median=Median(TIME_TO_RESOLVE))["median"]
    else:
        # No percentile aggregate in SQLite: fetch the durations alone and take it here.
        durations = list(
            resolved.annotate(took=TIME_TO_RESOLVE).values_list("took", flat=True).order_by()
        )
        value = median(durations) if durations else None
    return None if value is None else round(value.total_seconds() / 86400, 1)


def _rate(part, whole):
    return part / whole if whole else None


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
    - median days from submission to the latest resolution, over the resolved issues;
    - overdue now: open issues of the subtree past a deadline at the moment of the call, whenever
      they were received;
    - by category: received per category; by child: received and resolved per direct child of
      `center`, plus the center's own issues (escalated up to it, or taken in there).

    Rates are floats in 0..1, or None when nothing was there to count. Six queries whatever the
    data size.
    """
    received = received_issues(center, start, end)
    # 1. The cohort's counts.
    totals = received.aggregate(
        received=Count("pk"),
        accepted=Count("pk", filter=ACCEPTED),
        on_time=Count("pk", filter=ACCEPTED & ON_TIME),
        resolved=Count("pk", filter=RESOLVED),
        rated=Count("pk", filter=RATED),
        satisfied=Count("pk", filter=RATED & SATISFIED),
    )
    # 2. The median time to resolve.
    median_days = _median_days(received.filter(RESOLVED))
    # 3. Overdue now.
    overdue = Issue.objects.in_subtree(center).overdue().count()
    # 4. Received per category.
    by_category = dict(received.values_list("category").annotate(n=Count("pk")).order_by())
    # 5. The direct children (not `get_children()`: it trusts a possibly stale `numchild`).
    children = list(
        Center.objects.filter(path__startswith=center.path, depth=center.depth + 1)
        .order_by("path")
        .values_list("path", "slug", "short_name")
    )
    # 6. Received and resolved per child, grouped on the child's part of the path; the center's
    # own issues group under its own, shorter path.
    branches = {
        row["branch"]: row
        for row in received.annotate(
            branch=Substr("center__path", 1, len(center.path) + Center.steplen)
        )
        .values("branch")
        .annotate(received=Count("pk"), resolved=Count("pk", filter=RESOLVED))
        .order_by()
    }

    figures = [
        Figure("received", _("收到诉求（件）"), totals["received"]),
        Figure("accepted", _("受理（件）"), totals["accepted"]),
        Figure("accepted_on_time", _("按时受理（件）"), totals["on_time"]),
        Figure(
            "response_rate", _("响应率"), _rate(totals["on_time"], totals["received"]), unit="%"
        ),
        Figure("resolved", _("办结（件）"), totals["resolved"]),
        Figure(
            "resolution_rate",
            _("解决率"),
            _rate(totals["resolved"], totals["accepted"]),
            unit="%",
        ),
        Figure("rated", _("评价（件）"), totals["rated"]),
        Figure(
            "satisfaction_rate",
            _("满意率"),
            _rate(totals["satisfied"], totals["rated"]),
            unit="%",
        ),
        Figure("median_days_to_resolve", _("办结用时中位数（天）"), median_days),
        Figure("overdue", _("当前超期（件）"), overdue),
    ]
    figures += [
        Figure(f"category_{value}", label, by_category.get(value, 0))
        for value, label in Issue.Category.choices
    ]
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
