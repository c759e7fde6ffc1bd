"""Page reads for the staff side of the deliberation station.

Each function returns what its template needs, already joined, in a fixed number of queries
whatever the number of issues, events or agenda items.
"""

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.core.validators import slug_re
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from centers import scoping
from centers.models import Center, StaffRole
from centers.selectors import ancestors_of
from deliberation.models import (
    AgendaItem,
    Issue,
    Meeting,
    MeetingParticipant,
    normalize_code,
    overdue_q,
)

INBOX_PAGE_SIZE = 30
MEETINGS_PAGE_SIZE = 30
#: How many open issues of the same center the merge form offers (older ones by code).
MERGE_CHOICES = 30
#: How many open issues a meeting's agenda offers as checkboxes, newest first.
AGENDA_CHOICES = 200

#: The "status" filter's extra values: every open state at once (the inbox opens on it), and
#: every state.
OPEN = "open"
ALL = "all"


def _scope_tops_q(user) -> Q:
    """The highest centers of the user's scope and their direct children, as a lookup.

    The tops come from the roles already loaded for the staff check (no query). This only
    chooses what to offer; `Center.objects.for_user` still decides what is in scope.
    """
    if user.is_superuser:
        return Q(depth__lte=2)
    paths = sorted({path for path, _role in scoping.user_roles(user)})
    tops = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
    lookup = Q(path__in=tops)
    for path in tops:
        lookup |= Q(path__startswith=path, depth=len(path) // Center.steplen + 1)
    return lookup


def inbox_centers(user, *, chosen: str = "") -> list[Center]:
    """The centers the inbox's center filter offers, tree order.

    The tops of the user's scope and their children; and when `chosen` is the slug of a center
    in scope, that center's ancestors inside the scope, the center and its children. Deeper
    centers are reached by choosing a parent first. Listing the whole scope would be thousands
    of options for a district. A `chosen` slug that is malformed, unknown or outside the scope
    adds nothing (the form then rejects it as it rejects any value it does not offer).
    Queries: the chosen center (only when a slug is given), the offered centers.
    """
    scope = Center.objects.for_user(user).only("path", "depth", "slug", "short_name")
    offered = _scope_tops_q(user)
    # A query string may carry anything, NUL bytes included, which PostgreSQL refuses.
    if chosen and slug_re.fullmatch(chosen):
        selected = scope.filter(slug=chosen).first()
        if selected is not None:
            offered |= Q(path__in=[*selected.ancestor_paths, selected.path])
            offered |= selected.children_q()
    return list(scope.filter(offered).order_by("path"))


def _filtered_issues(
    user,
    *,
    category: str = "",
    center: Center | None = None,
    overdue: bool = False,
    mine: bool = False,
    q: str = "",
) -> QuerySet[Issue]:
    issues = Issue.objects.for_user(user)
    if category:
        issues = issues.filter(category=category)
    if center is not None:
        issues = issues.in_subtree(center)
    if overdue:
        issues = issues.overdue()
    if mine:
        issues = issues.filter(assigned_to=user)
    if q:
        code = normalize_code(q)
        match = Q(title__icontains=q)
        if code:
            match |= Q(tracking_code__startswith=code)
        issues = issues.filter(match)
    return issues


def inbox(
    user,
    *,
    status: str = "",
    category: str = "",
    center: Center | None = None,
    overdue: bool = False,
    mine: bool = False,
    q: str = "",
    page: int | str = 1,
) -> dict:
    """The staff inbox: a page of issues in scope, newest first, and counts for the summary.

    The counts are of the open issues only, per state and overdue, and follow every filter but
    the status, so each count is what its link shows. Closed states are not counted: at a
    district's scale that means every issue ever received (a scan of the whole table), and the
    inbox is about the work still to do; their listing gives its own count.
    Queries: the open counts (with the overdue count), the page (centers and assignees joined),
    and the paginator's count only when the listing is not one the open counts already give.
    """
    issues = _filtered_issues(
        user, category=category, center=center, overdue=overdue, mine=mine, q=q
    )
    open_counts = {
        row["status"]: row
        for row in issues.open()
        .order_by()
        .values("status")
        .annotate(n=Count("pk"), late=Count("pk", filter=overdue_q()))
    }
    by_status = {value: row["n"] for value, row in open_counts.items()}
    late = sum(row["late"] for row in open_counts.values())
    known_count = None
    if status == OPEN:
        issues = issues.open()
        known_count = sum(by_status.values())
    elif status and status != ALL:
        issues = issues.filter(status=status)
        if status in Issue.OPEN_STATES:
            known_count = by_status.get(status, 0)
    listed = issues.select_related("center", "assigned_to").order_by("-created_at", "-pk")
    paginator = Paginator(listed, INBOX_PAGE_SIZE)
    if known_count is not None:
        # The open counts above already tell the paginator what its count query would.
        paginator.count = known_count
    page_obj: Page = paginator.get_page(page)
    # The open states with issues in them and their counts, then the closed ones as links.
    counts = [
        (value, label, by_status[value])
        for value, label in Issue.Status.choices
        if by_status.get(value, 0)
    ] + [
        (value, label, None)
        for value, label in Issue.Status.choices
        if value not in Issue.OPEN_STATES
    ]
    return {
        "page_obj": page_obj,
        "status_counts": counts,
        "open_count": sum(by_status.values()),
        "overdue_count": late,
    }


def assignee_choices(center: Center) -> QuerySet:
    """Colleagues who may work an issue at `center`: a manager or editor role on it or above."""
    paths = [*center.ancestor_paths, center.path]
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            staff_roles__center__path__in=paths,
            staff_roles__role__in=[StaffRole.Role.MANAGER, StaffRole.Role.EDITOR],
        )
        .distinct()
        .order_by("name", "pk")
    )


def merge_choices(issue: Issue, user) -> QuerySet[Issue]:
    """Other open issues at the same center that this one may be merged into."""
    return (
        Issue.objects.for_user(user)
        .open()
        .filter(center=issue.center_id)
        .exclude(pk=issue.pk)
        .order_by("-created_at", "-pk")[:MERGE_CHOICES]
    )


def issue_page(issue: Issue) -> dict:
    """Everything on the staff issue page but the forms.

    Queries: ancestors (breadcrumbs and the escalation target), photos, the timeline with
    actors, issues merged into this one, meetings that discussed it.
    """
    ancestors = ancestors_of(issue.center)
    return {
        "ancestors": ancestors,
        "parent_center": ancestors[-1] if ancestors else None,
        "photos": list(issue.photos.all()),
        "events": list(issue.events.select_related("actor", "center")),
        "merged_here": list(issue.merged_issues.only("pk", "title", "tracking_code", "status")),
        "agenda_items": list(
            issue.agenda_items.select_related("meeting").order_by("-meeting__held_at")
        ),
    }


def meetings(user, *, page: int | str = 1) -> Page:
    """A page of meetings in scope, latest first, with agenda and participant totals.

    Totals come from subqueries: joining both reverse sets would multiply the rows.
    """
    agenda = (
        AgendaItem.objects.filter(meeting=OuterRef("pk"))
        .order_by()
        .values("meeting")
        .annotate(n=Count("pk"))
        .values("n")
    )
    people = (
        MeetingParticipant.objects.filter(meeting=OuterRef("pk"))
        .order_by()
        .values("meeting")
        .annotate(n=Sum("count"))
        .values("n")
    )
    listed = (
        Meeting.objects.for_user(user)
        .select_related("center")
        .annotate(
            agenda_count=Coalesce(Subquery(agenda, output_field=IntegerField()), 0),
            people_count=Coalesce(Subquery(people, output_field=IntegerField()), 0),
        )
        .order_by("-held_at", "-pk")
    )
    return Paginator(listed, MEETINGS_PAGE_SIZE).get_page(page)


def agenda_choices(user, center: Center, meeting: Meeting | None = None) -> list[Issue]:
    """Issues a meeting at `center` may discuss: open ones at the center and below that the
    user may work on, plus whatever is already on the meeting's agenda."""
    candidates = Issue.objects.for_user(user, "change").in_subtree(center)
    wanted = Q(status__in=Issue.OPEN_STATES)
    if meeting is not None and meeting.pk:
        wanted |= Q(agenda_items__meeting=meeting)
    return list(
        candidates.filter(wanted)
        .select_related("center")
        .distinct()
        .order_by("-created_at", "-pk")[:AGENDA_CHOICES]
    )


def meeting_page(meeting: Meeting) -> dict:
    """A meeting's participants and agenda, the agenda with each issue and its center."""
    return {
        "ancestors": ancestors_of(meeting.center),
        "participants": list(meeting.participants.all()),
        "agenda": list(meeting.agenda.select_related("issue__center")),
    }
