"""The activities section of the district reports: figures for a center subtree and period.

`activity_figures` is the registered build; `activity_figures_by_child` and
`activity_figures_by_month` compute the same figures grouped by direct child center or by
month in the same three queries, for the dashboard and the section page (see centers.reports).
Every figure but the attendance rate adds up over children.
"""

from collections import defaultdict
from datetime import datetime, time, timedelta

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, Occurrence, Registration
from centers.reports import (
    Breakdown,
    ReportSpec,
    aggregate,
    as_month,
    by_child_of,
    by_month_of,
    only_key_figures,
    tally,
)
from centers.sections import Figure


def _span(start, end):
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def held_occurrences(center, start, end):
    """Occurrences in the subtree that took place (not cancelled) between the dates."""
    start_at, end_at = _span(start, end)
    return Occurrence.objects.in_subtree(center).filter(
        status=Occurrence.Status.SCHEDULED, starts_at__gte=start_at, starts_at__lt=end_at
    )


def _figures(totals, regs, by_category=None):
    """The section's figures from one group's counts (missing counts are zeros)."""
    totals, regs = totals or {}, regs or {}
    signups, present = regs.get("signups") or 0, regs.get("present") or 0
    figures = [
        Figure("held", _("举办活动（场）"), totals.get("held") or 0),
        Figure("signups", _("报名（人次）"), signups),
        Figure("attended", _("到场（人次）"), present),
        Figure("attendance_rate", _("到场率"), present / signups if signups else None, unit="%"),
        Figure("participants", _("参与（人次）"), totals.get("participants") or 0),
        Figure("volunteer_hours", _("志愿服务时长（小时）"), regs.get("hours") or 0),
    ]
    if by_category is not None:
        figures += [
            Figure(f"category_{value}", label, by_category.get(value, 0))
            for value, label in Activity.Category.choices
        ]
    return figures


def _grouped(center, start, end, group, *, categories=True):
    """{group value: [Figure]} over the subtree and period; `group` a grouping of
    centers.reports (or None: one group, keyed None). Three queries, two without categories."""
    held = held_occurrences(center, start, end)
    ticked = (
        Registration.objects.filter(occurrence=OuterRef("pk"), attended=True)
        .order_by()
        .values("occurrence")
        .annotate(n=Count("pk"))
        .values("n")
    )
    # 1. Occurrences held and their participants.
    totals = aggregate(
        held,
        group,
        path="activity__center__path",
        when="starts_at",
        held=Count("pk"),
        participants=Sum(
            Coalesce("head_count", Subquery(ticked, output_field=IntegerField()), Value(0))
        ),
    )
    # 2. Confirmed sign-ups, attendance and volunteer hours.
    regs = aggregate(
        Registration.objects.filter(
            occurrence__in=held.values("pk"), status=Registration.Status.CONFIRMED
        ),
        group,
        path="occurrence__activity__center__path",
        when="occurrence__starts_at",
        signups=Count("pk"),
        present=Count("pk", filter=Q(attended=True)),
        hours=Sum("hours_credited", filter=Q(attended=True)),
    )
    # 3. Occurrences held by category.
    by_category = (
        tally(
            held,
            group,
            "activity__category",
            Count("pk"),
            path="activity__center__path",
            when="starts_at",
        )
        if categories
        else {}
    )
    empty = {} if categories else None
    result = defaultdict(lambda: _figures({}, {}, empty))
    for key in {*totals, *regs, *by_category}:
        result[key] = _figures(totals.get(key), regs.get(key), by_category.get(key, empty))
    return result


def activity_figures(center, start, end):
    """Activities held, sign-ups, attendance and its rate, participants, volunteer hours, by
    category.

    Three queries whatever the data size. Participants count the recorded head count of an
    occurrence where staff wrote one, else its ticked attendees.
    """
    return _grouped(center, start, end, None)[None]


def activity_figures_by_child(center, start, end):
    """`activity_figures` for each direct child of `center` and for the center's own
    activities, keyed by branch path (centers.reports.child_branch); three queries."""
    return _grouped(center, start, end, by_child_of(center))


def activity_figures_key_by_child(center, start, end):
    """The dashboard's figures by child (no categories): two queries."""
    grouped = _grouped(center, start, end, by_child_of(center), categories=False)
    return only_key_figures(grouped, activity_figures.report)


def activity_figures_by_month(center, start, end):
    """The figures but categories for each month of the period, by the local date an
    occurrence starts; keyed by the first of the month. Two queries."""
    grouped = _grouped(center, start, end, by_month_of(), categories=False)
    result = defaultdict(grouped.default_factory)
    result.update({as_month(key): figures for key, figures in grouped.items()})
    return result


activity_figures.report = ReportSpec(
    key_figures=("held", "participants", "attendance_rate", "volunteer_hours"),
    rates={"attendance_rate": ("attended", "signups")},
    by_child=activity_figures_by_child,
    key_by_child=activity_figures_key_by_child,
    by_month=activity_figures_by_month,
    breakdowns=(Breakdown("category_", _("活动类别")),),
)
