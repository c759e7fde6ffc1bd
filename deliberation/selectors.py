"""Page reads for the public side of the deliberation station.

Nothing here returns a submitter's name or phone, an internal note or who acted: public pages
are built from these reads only. Staff reads live in `staff_selectors.py`.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import Http404
from django.utils import timezone

from centers.models import Center
from centers.selectors import ancestors_of
from deliberation.models import AgendaItem, Issue, IssueEvent, IssuePhoto, Meeting

MY_ISSUES_PAGE_SIZE = 30
STATION_RECENT = 5
STATION_MEETINGS = 3
#: Personal data that public pages never need; deferring it means a template that reached for
#: it would cost a query and fail the query-count tests instead of quietly showing it.
PRIVATE_FIELDS = ("submitter_name", "submitter_phone")


def community_choices():
    """Published community centers grouped by street, in tree order, for the issue form.

    Returns (grouped choices [(street name, [(slug, name), …]), …], {slug: Center}), in one
    query. A community whose street is missing or unpublished is listed under its own name.
    """
    rows = list(
        Center.objects.filter(
            Q(level=Center.Level.COMMUNITY, is_published=True) | Q(level=Center.Level.STREET)
        ).order_by("path")
    )
    streets = {c.path: c for c in rows if c.level == Center.Level.STREET}
    groups, by_slug = [], {}
    for center in rows:
        if center.level != Center.Level.COMMUNITY:
            continue
        street = streets.get(center.path[: -center.steplen])
        label = street.short_name if street is not None and street.is_published else ""
        if groups and groups[-1][0] == label:
            groups[-1][1].append((center.slug, center.short_name))
        else:
            groups.append((label, [(center.slug, center.short_name)]))
        by_slug[center.slug] = center
    # A group without a label renders as plain options.
    choices = []
    for label, options in groups:
        choices.extend(options) if not label else choices.append((label, options))
    return choices, by_slug


def code_exists(code):
    return Issue.objects.filter(tracking_code=code).exists()


def _public_events(issue):
    """Timeline rows a resident may see: status changes and progress with a public note.

    Assignments and progress that carries only an internal note are staff-only; the actor and
    the internal note are not even loaded.
    """
    return list(
        IssueEvent.objects.filter(issue=issue)
        .filter(
            Q(kind__in=[IssueEvent.Kind.TRANSITION, IssueEvent.Kind.RATING])
            | (Q(kind=IssueEvent.Kind.PROGRESS) & ~Q(public_note=""))
        )
        .select_related("center")
        .only("kind", "from_status", "to_status", "public_note", "created_at", "center__short_name")
        .order_by("created_at", "pk")
    )


@dataclass
class TrackingPage:
    issue: Issue
    events: list
    photos: list
    #: AgendaItems (with their meeting) of published meetings that discussed the issue.
    agenda: list


def tracking_page(code):
    """An issue by its tracking code with its public timeline, photos and meetings; or None.

    Four queries whatever the number of events and photos: the issue (with its center and the
    issue it was merged into), the public events, the photos, the published agenda items.
    """
    issue = (
        Issue.objects.select_related("center", "merged_into")
        .defer(*PRIVATE_FIELDS, *(f"merged_into__{name}" for name in PRIVATE_FIELDS))
        .annotate(
            has_contact_phone=ExpressionWrapper(~Q(submitter_phone=""), output_field=BooleanField())
        )
        .filter(tracking_code=code)
        .first()
    )
    if issue is None:
        return None
    agenda = list(
        AgendaItem.objects.filter(issue=issue, meeting__in=Meeting.objects.published())
        .select_related("meeting")
        .order_by("meeting__held_at", "pk")
    )
    return TrackingPage(
        issue=issue,
        events=_public_events(issue),
        photos=list(IssuePhoto.objects.filter(issue=issue)),
        agenda=agenda,
    )


def my_issues(user, *, page=1):
    """The issues a resident raised from their account, newest first, a page at a time."""
    qs = (
        Issue.objects.filter(submitted_by=user)
        .select_related("center")
        .defer(*PRIVATE_FIELDS)
        .order_by("-created_at", "-pk")
    )
    return Paginator(qs, MY_ISSUES_PAGE_SIZE).get_page(page)


@dataclass
class MeetingResult:
    meeting: Meeting
    ancestors: list
    participants: list
    total_participants: int
    agenda: list
    #: Agenda issues the center chose not to publish: counted, not named.
    unlisted: int


def meeting_result(pk):
    """A published meeting's result (结果公示); 404 if missing or not published.

    Four queries: the meeting with its center, the center's ancestors, the participants,
    the agenda items with their issues.
    """
    meeting = Meeting.objects.published().select_related("center").filter(pk=pk).first()
    if meeting is None:
        raise Http404
    participants = list(meeting.participants.all())
    items = list(
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("issue")
        .defer(*(f"issue__{name}" for name in PRIVATE_FIELDS))
        .order_by("pk")
    )
    public = [item for item in items if item.issue.is_public]
    return MeetingResult(
        meeting=meeting,
        ancestors=[*ancestors_of(meeting.center), meeting.center],
        participants=participants,
        total_participants=sum(p.count for p in participants),
        agenda=public,
        unlisted=len(items) - len(public),
    )


def _year_bounds(year):
    """The local calendar year as [start, end) instants."""
    return timezone.make_aware(datetime(year, 1, 1)), timezone.make_aware(datetime(year + 1, 1, 1))


@dataclass
class Station:
    center: Center
    year: int
    resolved_this_year: int
    recent: list
    meetings: list
    #: Communities take issues in; streets and the district show their subtree's figures.
    takes_issues: bool


def station(center, *, year=None):
    """The deliberation station on a center's page, for the center's whole subtree.

    Three queries whatever the data size: issues resolved this calendar year (counted by
    `resolved_at`, resolved or closed now), the latest publicly resolved issues (title and
    resolution only), the latest published meetings.
    """
    year = year or timezone.localdate().year
    start, end = _year_bounds(year)
    in_subtree = Issue.objects.in_subtree(center)
    resolved_this_year = in_subtree.filter(
        status__in=[Issue.Status.RESOLVED, Issue.Status.CLOSED],
        resolved_at__gte=start,
        resolved_at__lt=end,
    ).count()
    recent = list(
        in_subtree.publicly_resolved()
        .filter(resolved_at__isnull=False)
        .select_related("center")
        .only("title", "category", "resolution", "resolved_at", "center__short_name")
        .order_by("-resolved_at", "-pk")[:STATION_RECENT]
    )
    meetings = list(
        Meeting.objects.published()
        .filter(center__path__startswith=center.path)
        .select_related("center")
        .only("title", "held_at", "place", "center__short_name")
        .order_by("-held_at", "-pk")[:STATION_MEETINGS]
    )
    return Station(
        center=center,
        year=year,
        resolved_this_year=resolved_this_year,
        recent=recent,
        meetings=meetings,
        takes_issues=center.level == Center.Level.COMMUNITY,
    )
