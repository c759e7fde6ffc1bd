"""Page reads for the center tree: each returns what its template needs, already joined."""

from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404

from centers import scoping
from centers.models import AuditEntry, Center, Exhibition, Photo, Room, Service, Team
from centers.sections import console_links

DIRECTORY_PAGE_SIZE = 120


def ancestors_of(center):
    """The center's ancestors, root first, in one query."""
    if center.depth <= 1:
        return []
    return list(Center.objects.filter(path__in=center.ancestor_paths).order_by("depth"))


def _parents_by_path(centers):
    """{parent path: parent} for a list of centers, in one query (none for roots)."""
    paths = {c.path[: -c.steplen] for c in centers if c.depth > 1}
    if not paths:
        return {}
    return {p.path: p for p in Center.objects.filter(path__in=paths)}


@dataclass
class DistrictOverview:
    root: Center | None
    level_counts: list
    total: int
    streets: list = field(default_factory=list)


def district_overview():
    """The home page: the root center, counts per level, streets with their communities."""
    root = Center.objects.published().filter(depth=1).order_by("path").first()
    counts = dict(
        Center.objects.published().values_list("level").annotate(n=Count("pk")).order_by()
    )
    level_counts = [(label, counts.get(value, 0), value) for value, label in Center.Level.choices]
    streets = []
    if root is not None:
        nodes = (
            Center.objects.published()
            .filter(path__startswith=root.path, depth__in=[2, 3])
            .order_by("path")
        )
        for node in nodes:
            if node.depth == 2:
                node.child_list = []
                streets.append(node)
            elif streets and node.path.startswith(streets[-1].path):
                streets[-1].child_list.append(node)
    return DistrictOverview(
        root=root, level_counts=level_counts, total=sum(counts.values()), streets=streets
    )


def street_choices():
    return list(Center.objects.published().filter(level=Center.Level.STREET).order_by("path"))


def center_directory(*, streets, q="", level="", street="", page=1):
    """The public directory: published centers in tree order, filtered, with their parents."""
    centers = Center.objects.published().order_by("path")
    if q:
        centers = centers.filter(
            Q(name__icontains=q) | Q(short_name__icontains=q) | Q(brand__icontains=q)
        )
    if level:
        centers = centers.filter(level=level)
    if street:
        chosen = next((s for s in streets if s.slug == street), None)
        centers = centers.filter(path__startswith=chosen.path) if chosen else centers.none()
    paginator = Paginator(centers, DIRECTORY_PAGE_SIZE)
    page_obj = paginator.get_page(page)
    rows = list(page_obj.object_list)
    parents = _parents_by_path(rows)
    for row in rows:
        row.parent_center = parents.get(row.path[: -row.steplen])
    base_depth = min((row.depth for row in rows), default=1)
    for row in rows:
        row.indent = min(row.depth - base_depth, 3) if not (q or level) else 0
    return page_obj, rows


@dataclass
class CenterPage:
    center: Center
    ancestors: list
    children: list
    rooms: list
    exhibitions: list
    services: list
    teams_by_kind: list
    photos: list


def center_page(slug):
    """A public center page with everything on it; 404 if missing or unpublished."""
    try:
        center = Center.objects.published().get(slug=slug)
    except Center.DoesNotExist:
        raise Http404 from None
    children = list(Center.objects.published().filter(center.children_q()).order_by("path"))
    teams = list(Team.objects.filter(center=center))
    teams_by_kind = [
        (label, [t for t in teams if t.kind == value])
        for value, label in Team.Kind.choices
        if any(t.kind == value for t in teams)
    ]
    return CenterPage(
        center=center,
        ancestors=ancestors_of(center),
        children=children,
        rooms=list(Room.objects.filter(center=center)),
        exhibitions=list(Exhibition.objects.filter(center=center)),
        services=list(Service.objects.filter(center=center)),
        teams_by_kind=teams_by_kind,
        photos=list(Photo.objects.filter(center=center)),
    )


def manage_dashboard(user, *, q=""):
    """The console's start: the user's home centers, centers in scope, recent changes."""
    centers = Center.objects.for_user(user).order_by("path")
    if q:
        centers = centers.filter(Q(name__icontains=q) | Q(short_name__icontains=q))
    page = Paginator(centers, DIRECTORY_PAGE_SIZE).get_page(1)
    recent = AuditEntry.objects.filter(
        scoping.center_field_q(user, "view", field="center")
    ).select_related("actor", "center")[:10]
    return {
        "console_links": list(console_links),
        "home_centers": scoping.home_centers(user),
        "centers": page,
        "recent": list(recent),
    }


def manage_center(center):
    """Everything on a center's console page, one query per list."""
    return {
        "center": center,
        "ancestors": ancestors_of(center),
        "children": list(Center.objects.filter(center.children_q()).order_by("path")),
        "content": {
            "rooms": list(Room.objects.filter(center=center)),
            "exhibitions": list(Exhibition.objects.filter(center=center)),
            "services": list(Service.objects.filter(center=center)),
            "teams": list(Team.objects.filter(center=center)),
            "photos": list(Photo.objects.filter(center=center)),
        },
    }
