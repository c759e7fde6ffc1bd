"""Page reads for the activity calendar: each returns what its template needs, already joined."""

import calendar as pycalendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.paginator import Paginator
from django.db.models import Count, F, Q, Sum, Window
from django.db.models.functions import RowNumber, TruncDate
from django.http import Http404
from django.utils import timezone

from activities.models import Activity, Occurrence, OccurrencePhoto, Registration
from centers.models import Center

LIST_PAGE_SIZE = 30
MONTH_CELL_LIMIT = 3


def _local_midnight(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def public_center(slug):
    """The published center for a calendar filter; None when no slug, 404 when unknown."""
    if not slug:
        return None
    center = Center.objects.published().filter(slug=slug).first()
    if center is None:
        raise Http404
    return center


def _calendar_occurrences(*, center=None, category="", audience=""):
    qs = Occurrence.objects.published().select_related(
        "activity", "activity__center", "activity__room", "room"
    )
    if center is not None:
        qs = qs.in_subtree(center)
    if category:
        qs = qs.filter(activity__category=category)
    if audience:
        qs = qs.filter(activity__audience__in=[audience, Activity.Audience.ALL])
    return qs


@dataclass
class DayCell:
    day: date
    occurrences: list
    total: int
    in_month: bool
    is_today: bool

    @property
    def more(self):
        return self.total - len(self.occurrences)


def calendar_list(*, center=None, category="", audience="", start=None, page=1):
    """Occurrences from `start` (default now) onwards, a page at a time."""
    start_at = _local_midnight(start) if start else timezone.now()
    qs = _calendar_occurrences(center=center, category=category, audience=audience).filter(
        ends_at__gte=start_at
    )
    page_obj = Paginator(qs.order_by("starts_at", "pk"), LIST_PAGE_SIZE).get_page(page)
    days = []
    for occurrence in page_obj.object_list:
        day = timezone.localtime(occurrence.starts_at).date()
        if not days or days[-1][0] != day:
            days.append((day, []))
        days[-1][1].append(occurrence)
    return page_obj, days


def calendar_grid(*, first_day, last_day, month=None, center=None, category="", audience=""):
    """Day cells from `first_day` to `last_day`, each with its first few occurrences and a total.

    Two queries whatever the number of occurrences: the first few per day (a window
    function numbers them within their local day) and the count per day.
    """
    start, end = _local_midnight(first_day), _local_midnight(last_day + timedelta(days=1))
    base = _calendar_occurrences(center=center, category=category, audience=audience).filter(
        starts_at__gte=start, starts_at__lt=end
    )
    day = TruncDate("starts_at", tzinfo=timezone.get_current_timezone())
    firsts = (
        base.annotate(
            local_day=day,
            n=Window(
                RowNumber(), partition_by=[day], order_by=[F("starts_at").asc(), F("pk").asc()]
            ),
        )
        .filter(n__lte=MONTH_CELL_LIMIT)
        .order_by("starts_at", "pk")
    )
    totals = dict(
        base.annotate(local_day=day).values_list("local_day").annotate(total=Count("pk")).order_by()
    )
    by_day = {}
    for occurrence in firsts:
        by_day.setdefault(occurrence.local_day, []).append(occurrence)
    today = timezone.localdate()
    cells = []
    current = first_day
    while current <= last_day:
        cells.append(
            DayCell(
                day=current,
                occurrences=by_day.get(current, []),
                total=totals.get(current, 0),
                in_month=month is None or current.month == month,
                is_today=current == today,
            )
        )
        current += timedelta(days=1)
    return cells


def month_bounds(anchor):
    """The Monday-to-Sunday span covering `anchor`'s month."""
    first = anchor.replace(day=1)
    last = anchor.replace(day=pycalendar.monthrange(anchor.year, anchor.month)[1])
    return first - timedelta(days=first.weekday()), last + timedelta(days=6 - last.weekday())


def week_bounds(anchor):
    monday = anchor - timedelta(days=anchor.weekday())
    return monday, monday + timedelta(days=6)


def activity_detail(pk, *, user=None):
    """A published activity with its upcoming occurrences and the user's sign-ups for them."""
    activity = (
        Activity.objects.published()
        .select_related("center", "room", "organizer")
        .filter(pk=pk)
        .first()
    )
    if activity is None:
        raise Http404
    upcoming = list(activity.occurrences.upcoming().select_related("room")[:20])
    mine = {}
    if user is not None and user.is_authenticated and upcoming:
        mine = {
            r.occurrence_id: r
            for r in Registration.objects.filter(user=user, occurrence__in=upcoming).exclude(
                status=Registration.Status.CANCELLED
            )
        }
    for occurrence in upcoming:
        occurrence.my_registration = mine.get(occurrence.pk)
    latest = (
        activity.occurrences.filter(ends_at__lt=timezone.now())
        .exclude(summary="")
        .order_by("-starts_at")[:3]
    )
    past = list(latest)
    # One query whether or not there are records (a prefetch would skip it when there are none).
    photos = {}
    for photo in OccurrencePhoto.objects.filter(occurrence__in=latest.values("pk")):
        photos.setdefault(photo.occurrence_id, []).append(photo)
    for occurrence in past:
        occurrence.record_photos = photos.get(occurrence.pk, [])
    return activity, upcoming, past


def occurrence_detail(pk, *, user=None):
    occurrence = (
        Occurrence.objects.published()
        .select_related("activity", "activity__center", "activity__organizer", "room")
        .filter(pk=pk)
        .first()
    )
    if occurrence is None:
        raise Http404
    occurrence.my_registration = None
    occurrence.waitlist_ahead = 0
    if user is not None and user.is_authenticated:
        occurrence.my_registration = (
            occurrence.registrations.filter(user=user)
            .exclude(status=Registration.Status.CANCELLED)
            .first()
        )
    return occurrence


def waitlist_position(registration):
    """1 for the first in line."""
    return (
        Registration.objects.filter(
            occurrence=registration.occurrence_id, status=Registration.Status.WAITLISTED
        )
        .filter(
            Q(created_at__lt=registration.created_at)
            | Q(created_at=registration.created_at, pk__lte=registration.pk)
        )
        .count()
    )


def my_registrations(user):
    """The user's sign-ups (upcoming first, then past) and their volunteer hours."""
    now = timezone.now()
    base = Registration.objects.filter(user=user).select_related(
        "occurrence", "occurrence__activity", "occurrence__activity__center", "occurrence__room"
    )
    upcoming = list(
        base.filter(occurrence__ends_at__gte=now)
        .exclude(status=Registration.Status.CANCELLED)
        .order_by("occurrence__starts_at")
    )
    past = list(base.filter(occurrence__ends_at__lt=now).order_by("-occurrence__starts_at")[:50])
    totals = Registration.objects.filter(user=user, attended=True).aggregate(
        hours=Sum("hours_credited"), count=Count("pk")
    )
    return upcoming, past, totals["hours"] or 0, totals["count"]


def center_upcoming(center, *, limit=5):
    """The next occurrences in a center's subtree, for its page."""
    return list(
        _calendar_occurrences(center=center)
        .scheduled()
        .filter(starts_at__gte=timezone.now())
        .order_by("starts_at", "pk")[:limit]
    )


def feed_activities(*, center=None, category=""):
    """Published activities for an iCalendar feed, with every occurrence prefetched."""
    from django.db.models import Prefetch

    qs = Activity.objects.published().select_related("center", "room")
    if center is not None:
        qs = qs.in_subtree(center)
    if category:
        qs = qs.filter(category=category)
    since = feed_since()
    return (
        qs.filter(occurrences__ends_at__gte=since)
        .distinct()
        .prefetch_related(
            Prefetch(
                "occurrences",
                # Only the feed's window: a recurring activity's events start from its first
                # session in the window (a district's three years of sessions would otherwise
                # be loaded, tens of megabytes, for events no calendar shows).
                queryset=Occurrence.objects.filter(ends_at__gte=since)
                .select_related("room")
                .order_by("original_start"),
            )
        )
    )


#: How far back an iCalendar feed reaches. A subscribed calendar shows what the feed holds, so
#: the last month stays visible; older sessions would only make every poll heavier (a
#: district's feed held 37,000 sessions going back 90 days, 4.8 MB before compression).
FEED_DAYS_BACK = 30


def feed_since():
    return timezone.now() - timedelta(days=FEED_DAYS_BACK)


# -- Staff ---------------------------------------------------------------------------------


def staff_activities(user, *, q="", center=None, page=1):
    qs = (
        Activity.objects.for_user(user)
        .select_related("center", "room")
        .annotate(
            upcoming=Count(
                "occurrences",
                filter=Q(
                    occurrences__ends_at__gte=timezone.now(),
                    occurrences__status=Occurrence.Status.SCHEDULED,
                ),
            )
        )
        .order_by("-created_at", "-pk")
    )
    if q:
        qs = qs.filter(title__icontains=q)
    if center is not None:
        qs = qs.in_subtree(center)
    return Paginator(qs, 30).get_page(page)


def staff_activity(activity):
    occurrences = list(
        activity.occurrences.select_related("room")
        .annotate(
            waitlisted=Count(
                "registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED)
            ),
            attended=Count("registrations", filter=Q(registrations__attended=True)),
        )
        .order_by("starts_at")
    )
    return occurrences


def roster(occurrence):
    """The occurrence's sign-ups, confirmed first then waiting list, with users."""
    regs = list(
        occurrence.registrations.exclude(status=Registration.Status.CANCELLED)
        .select_related("user")
        .order_by("status", "created_at", "pk")
    )
    confirmed = [r for r in regs if r.status == Registration.Status.CONFIRMED]
    waitlisted = [r for r in regs if r.status == Registration.Status.WAITLISTED]
    return confirmed, waitlisted
