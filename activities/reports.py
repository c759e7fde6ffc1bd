"""The activities section of the district reports: figures for a center subtree and period.

`activity_figures` is the registered build; `activity_figures_by_child` and
`activity_figures_by_month` compute the same figures grouped by direct child center or by
month in the same one query, for the dashboard and the section page (see centers.reports).
Every figure but the attendance rate adds up over children.
"""

from collections import defaultdict
from datetime import datetime, time, timedelta

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, Occurrence, Registration
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


def _span(start, end):
    """The dates start..end (inclusive) as a half-open range of aware datetimes in the
    district's time zone, whatever zone a request activated (as the month grouping uses)."""
    tz = timezone.get_default_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
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


def _queue_counts(batch, held):
    """Queue on `batch` the raw counts of the occurrences `held`: ({group: {held,
    participants}}, {group: {signups, present, hours}}), filled in by `batch.run()`. Sessions
    held with their participants; confirmed sign-ups with attendance and volunteer hours."""
    totals = batch.aggregate(
        held,
        path="activity__center__path",
        when="starts_at",
        held=Count("pk"),
        participants=_participants(),
    )
    regs = batch.aggregate(
        Registration.objects.filter(
            occurrence__in=held.values("pk"), status=Registration.Status.CONFIRMED
        ),
        path="occurrence__activity__center__path",
        when="occurrence__starts_at",
        signups=Count("pk"),
        present=Count("pk", filter=Q(attended=True)),
        hours=Sum("hours_credited", filter=Q(attended=True)),
    )
    return totals, regs


#: Up to this many days, the live part of a period counts each session's sign-ups by
#: subqueries on the session (half the time of joining the sign-ups for a month at a
#: district's scale); longer periods join them.
SHORT_DAYS = 62


def _queue_per_session(batch, held):
    """Queue on `batch` the summary's columns of the occurrences `held`, each session's
    sign-ups counted by subqueries on it; {group: {column: value}} filled in by `run`."""
    confirmed = Registration.objects.filter(status=Registration.Status.CONFIRMED)
    present = confirmed.filter(attended=True)
    return batch.aggregate(
        held,
        path="activity__center__path",
        when="starts_at",
        held=Count("pk"),
        participants=_participants(),
        signups=Sum(_per_session(confirmed, Count("pk"))),
        present=Sum(_per_session(present, Count("pk"))),
        hours=Sum(_per_session(present, Sum("hours_credited"))),
    )


def _held_on(center, ranges):
    """Occurrences in the subtree that took place (not cancelled) on the dates `ranges`
    ((start, end) pairs, inclusive)."""
    when = Q(pk__in=[])
    for start, end in ranges:
        start_at, end_at = _span(start, end)
        when |= Q(starts_at__gte=start_at, starts_at__lt=end_at)
    return Occurrence.objects.in_subtree(center).filter(when, status=Occurrence.Status.SCHEDULED)


def _grouped(center, start, end, group, *, categories=True, summarised=True):
    """{group value: [Figure]} over the subtree and period; `group` a grouping of
    centers.reports (or None: one group, keyed None). One query (a Batch), and one for the
    summary's state outside `centers.summaries.reading()`: with `summarised`, the months the
    monthly summary holds are read from it and only the rest of the period from the sessions
    (a grouping by branch or none: summary rows group by their center like sessions do);
    the sessions per category are always counted live."""
    part = summaries.split(SUMMARY, start, end) if summarised else None
    live = part.live if part is not None else [(start, end)]
    batch = Batch(group)
    summed = summaries.queue(batch, SUMMARY, center, part) if part is not None else {}
    totals, regs = {}, {}
    if live:
        held = _held_on(center, live)
        if sum((last - first).days + 1 for first, last in live) <= SHORT_DAYS:
            totals = _queue_per_session(batch, held)
        else:
            totals, regs = _queue_counts(batch, held)
    by_category = {}
    if categories:
        by_category = batch.tally(
            _held_on(center, [(start, end)]),
            "activity__category",
            Count("pk"),
            path="activity__center__path",
            when="starts_at",
        )
    batch.run()
    counts = summaries.totals(SUMMARY, summed, totals, regs)
    empty = {} if categories else None
    result = defaultdict(lambda: _figures({}, {}, empty))
    for key in {*counts, *by_category}:
        result[key] = _figures(counts.get(key), counts.get(key), by_category.get(key, empty))
    return result


# -- The monthly summary (centers.summaries) ----------------------------------------------------

SUMMARY = "activities"
SUMMARY_COLUMNS = ("held", "participants", "signups", "present", "hours")


def monthly_counts(center_ids, first, last):
    """The summary's cells: {(center id, month): {column: value}} for the centers (None: all)
    and the months first..last, by the month a session starts. One query."""
    start_at, end_at = _span(first, summaries.last_day(last))
    held = Occurrence.objects.filter(
        status=Occurrence.Status.SCHEDULED, starts_at__gte=start_at, starts_at__lt=end_at
    )
    if center_ids is not None:
        held = held.filter(activity__center_id__in=center_ids)
    batch = Batch(by_center_and_month())
    totals, regs = _queue_counts(batch, held)
    batch.run()
    cells = defaultdict(lambda: dict.fromkeys(SUMMARY_COLUMNS, 0))
    for rows in (totals, regs):
        for (center_id, month), row in rows.items():
            cells[center_id, as_month(month)].update({k: v or 0 for k, v in row.items()})
    return dict(cells)


def occurrence_cells(occurrences):
    """The summary cells of occurrences ((center id, first of the local month they start))."""
    return {
        (o.activity.center_id, timezone.localtime(o.starts_at).date().replace(day=1))
        for o in occurrences
    }


def _per_session(registrations, value):
    """A subquery: `value` aggregated over the session's `registrations` (0 for none)."""
    return Coalesce(
        Subquery(
            registrations.filter(occurrence=OuterRef("pk"))
            .order_by()
            .values("occurrence")
            .annotate(n=value)
            .values("n")
        ),
        Value(0),
        output_field=registrations.model._meta.get_field("hours_credited")
        if isinstance(value, Sum)
        else IntegerField(),
    )


def _participants():
    """An occurrence's participants, summed: the head count staff recorded, else its ticked
    attendees."""
    return Sum(
        Coalesce(
            "head_count", _per_session(Registration.objects.filter(attended=True), Count("pk"))
        )
    )


def activity_figures_key_by_child(center, start, end):
    """The dashboard's figures by child: the summarised months from the monthly summary, the
    rest of the period (the current month, a partial month at the start) live. One query,
    and one for the summary's state outside `centers.summaries.reading()`."""
    grouped = _grouped(center, start, end, by_child_of(center), categories=False)
    return only_key_figures(grouped, activity_figures.report)


def activity_figures(center, start, end):
    """Activities held, sign-ups, attendance and its rate, participants, volunteer hours, by
    category.

    One query whatever the data size (the months the monthly summary holds read from it, the
    rest from the sessions), and one for the summary's state outside
    `centers.summaries.reading()`. Participants count the recorded head count of an
    occurrence where staff wrote one, else its ticked attendees.
    """
    return _grouped(center, start, end, None)[None]


def activity_figures_by_child(center, start, end):
    """`activity_figures` for each direct child of `center` and for the center's own
    activities, keyed by branch path (centers.reports.child_branch); one query."""
    return _grouped(center, start, end, by_child_of(center))


def activity_figures_by_month(center, start, end):
    """The figures but categories for each month of the period, by the local date an
    occurrence starts; keyed by the first of the month. One query, from the sessions (a
    summary row's month and a session's local month are not one expression)."""
    grouped = _grouped(center, start, end, by_month_of(), categories=False, summarised=False)
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
