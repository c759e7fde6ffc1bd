"""The activities section of the district reports: figures for a center subtree and period."""

from datetime import datetime, time, timedelta

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, Occurrence, Registration
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


def activity_figures(center, start, end):
    """Activities held, sign-ups, attendance rate, participants, volunteer hours, by category.

    Three queries whatever the data size. Participants count the recorded head count of an
    occurrence where staff wrote one, else its ticked attendees.
    """
    held = held_occurrences(center, start, end)
    ticked = (
        Registration.objects.filter(occurrence=OuterRef("pk"), attended=True)
        .order_by()
        .values("occurrence")
        .annotate(n=Count("pk"))
        .values("n")
    )
    totals = held.aggregate(
        held=Count("pk"),
        participants=Sum(
            Coalesce("head_count", Subquery(ticked, output_field=IntegerField()), Value(0))
        ),
    )
    regs = Registration.objects.filter(
        occurrence__in=held.values("pk"), status=Registration.Status.CONFIRMED
    ).aggregate(
        signups=Count("pk"),
        present=Count("pk", filter=Q(attended=True)),
        hours=Sum("hours_credited", filter=Q(attended=True)),
    )
    by_category = dict(held.values_list("activity__category").annotate(n=Count("pk")).order_by())
    rate = regs["present"] / regs["signups"] if regs["signups"] else None
    figures = [
        Figure("held", _("举办活动（场）"), totals["held"]),
        Figure("signups", _("报名（人次）"), regs["signups"]),
        Figure("attendance_rate", _("到场率"), rate, unit="%"),
        Figure("participants", _("参与（人次）"), totals["participants"] or 0),
        Figure("volunteer_hours", _("志愿服务时长（小时）"), regs["hours"] or 0),
    ]
    figures += [
        Figure(f"category_{value}", label, by_category.get(value, 0))
        for value, label in Activity.Category.choices
    ]
    return figures
