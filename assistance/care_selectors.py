"""Page reads for the staff care pages: beneficiaries, pairings, visits and help programs.

Each function returns what its template needs, already joined, prefetched and annotated, in a
fixed number of queries whatever the number of rows.

Overdue rule. A pairing promises that its helper visits at its frequency, so only visits logged
*under the pairing* count for it (a visit by somebody else, logged without the pairing, does not
keep the pairing on time). A pairing is overdue when the later of its start and its last visit
lies more than its window (FREQUENCY_DAYS) before today; on the last day of the window it is
still on time (the same rule as `Pairing.is_overdue`). Visits dated before the pairing started
are ignored. Only pairings of beneficiaries who are "帮扶中" are checked: a paused or closed case
is not expected to be visited.

Visit rate (月探访率). Active pairings of active beneficiaries with at least one visit under the
pairing within the window that ends today, divided by all such pairings.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    Max,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assistance.models import (
    FREQUENCY_DAYS,
    Beneficiary,
    BeneficiaryType,
    HelpProgram,
    Pairing,
    Visit,
)
from centers import scoping
from centers.models import AuditEntry, Center, StaffRole, Team

BENEFICIARY_PAGE_SIZE = 30
PROGRAM_PAGE_SIZE = 30
PROGRAM_VISITS_PAGE_SIZE = 50
#: How many overdue pairings and recent visits the dashboard lists.
DASHBOARD_LIST_SIZE = 20
#: How many visits and access-log lines the beneficiary page shows.
RECORD_VISITS = 50
RECORD_ACCESS_LOG = 10
#: Centers where beneficiaries are registered.
CARE_LEVELS = (Center.Level.COMMUNITY,)
#: Short tier names for the dashboard's figures (the full labels name the visit frequency too).
TIER_SHORT = {
    Beneficiary.Tier.HIGH: _("重点"),
    Beneficiary.Tier.MEDIUM: _("一般"),
    Beneficiary.Tier.LOW: _("关注"),
}
#: Beneficiary fields a page showing masked names only never loads (nor decrypts).
PERSONAL_FIELDS = (
    "phone",
    "id_number",
    "address",
    "needs",
    "health_notes",
    "guardian_name",
    "guardian_phone",
)


def _personal(prefix="", *, keep=()):
    """Field paths to `defer()`: the personal fields a list does not show."""
    return [prefix + name for name in PERSONAL_FIELDS if name not in keep]


# -- Visit windows -------------------------------------------------------------------------------


def _cutoffs(today: date) -> dict[str, date]:
    """Per frequency, the first day still inside the window that ends today."""
    return {freq: today - timedelta(days=days) for freq, days in FREQUENCY_DAYS.items()}


def with_visit_state(pairings: QuerySet[Pairing], *, today: date) -> QuerySet[Pairing]:
    """Annotate `last_visit_on`, `due_since`, `is_overdue` and `visited_in_window` (see module doc).

    One aggregate over the pairing's visits; the window per frequency is a constant date, so
    the flags are plain comparisons that SQLite and PostgreSQL both run.
    """
    cutoffs = _cutoffs(today)
    overdue = Q()
    in_window = Q()
    for freq, cutoff in cutoffs.items():
        overdue |= Q(frequency=freq, due_since__lt=cutoff)
        in_window |= Q(frequency=freq, last_visit_on__gte=cutoff)
    return pairings.annotate(
        last_visit_on=Max(
            "visits__visited_on",
            filter=Q(visits__visited_on__gte=F("started_on"), visits__visited_on__lte=today),
        ),
        due_since=Coalesce("last_visit_on", "started_on"),
        is_overdue=Case(
            When(overdue, then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
        visited_in_window=Case(
            When(in_window, then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
    )


def _checked_pairings(user, today: date) -> QuerySet[Pairing]:
    return with_visit_state(
        Pairing.objects.for_user(user)
        .active(today)
        .filter(beneficiary__status=Beneficiary.Status.ACTIVE),
        today=today,
    )


def days_late(pairing: Pairing, today: date) -> int:
    """How many days past its window an annotated pairing is (0 when on time)."""
    return max((today - pairing.due_since).days - pairing.window_days, 0)


# -- Dashboard -----------------------------------------------------------------------------------


@dataclass
class Dashboard:
    tiers: list  # (tier value, label, count)
    active_total: int
    consent_withdrawn_active: int
    pairings_active: int
    pairings_overdue: int
    pairings_visited: int
    overdue: list
    recent_visits: list
    month_visits: int
    month_reached: int
    today: date

    @property
    def visit_rate(self) -> float | None:
        """月探访率 in percent, or None when there is no active pairing to visit."""
        if not self.pairings_active:
            return None
        return 100 * self.pairings_visited / self.pairings_active


def care_dashboard(user, *, today: date | None = None) -> Dashboard:
    """The care dashboard for the user's scope: five queries whatever the numbers."""
    today = today or timezone.localdate()
    by_tier = {
        row["tier"]: row
        for row in Beneficiary.objects.for_user(user)
        .active()
        .order_by()
        .values("tier")
        .annotate(
            n=Count("pk"), withdrawn=Count("pk", filter=Q(consent_withdrawn_on__isnull=False))
        )
    }
    tiers = [(value, TIER_SHORT[value], by_tier.get(value, {}).get("n", 0)) for value in TIER_SHORT]
    figures = _checked_pairings(user, today).aggregate(
        active=Count("pk"),
        overdue=Count("pk", filter=Q(is_overdue=True)),
        visited=Count("pk", filter=Q(visited_in_window=True)),
    )
    overdue = list(
        _checked_pairings(user, today)
        .filter(is_overdue=True)
        .select_related("beneficiary__center", "helper_user", "helper_team")
        .defer(*_personal("beneficiary__"))
        .order_by("due_since", "pk")[:DASHBOARD_LIST_SIZE]
    )
    for pairing in overdue:
        pairing.days_late = days_late(pairing, today)
    recent = list(
        Visit.objects.for_user(user)
        .select_related("beneficiary__center", "program")
        .defer(*_personal("beneficiary__"))
        .order_by("-visited_on", "-pk")[:DASHBOARD_LIST_SIZE]
    )
    month = (
        Visit.objects.for_user(user)
        .filter(visited_on__gte=today.replace(day=1), visited_on__lte=today)
        .aggregate(n=Count("pk"), reached=Count("beneficiary", distinct=True))
    )
    return Dashboard(
        tiers=tiers,
        active_total=sum(n for _v, _l, n in tiers),
        consent_withdrawn_active=sum(row["withdrawn"] for row in by_tier.values()),
        pairings_active=figures["active"],
        pairings_overdue=figures["overdue"],
        pairings_visited=figures["visited"],
        overdue=overdue,
        recent_visits=recent,
        month_visits=month["n"],
        month_reached=month["reached"],
        today=today,
    )


# -- Beneficiaries -------------------------------------------------------------------------------


def care_centers(user, perm: str = "view") -> list[Center]:
    """Centers in the user's scope, tree order: the list's community filter and "new" links."""
    return list(Center.objects.for_user(user, perm).order_by("path"))


def _beneficiaries(
    user,
    *,
    center: Center | None = None,
    type: str = "",
    tier: str = "",
    status: str = "",
    q: str = "",
) -> QuerySet[Beneficiary]:
    qs = Beneficiary.objects.for_user(user)
    if center is not None:
        qs = qs.in_subtree(center)
    if type:
        qs = qs.filter(types__type=type)
    if tier:
        qs = qs.filter(tier=tier)
    if status:
        qs = qs.filter(status=status)
    if q:
        # Only the name can be searched: phone and ID numbers are encrypted (non-deterministic).
        qs = qs.filter(name__icontains=q)
    return (
        qs.select_related("center")
        .annotate(last_visit_on=Max("visits__visited_on"))
        .prefetch_related(Prefetch("types", queryset=BeneficiaryType.objects.order_by("type")))
        .order_by("center__path", "pk")
    )


def beneficiary_page(user, *, page=1, **filters) -> Page:
    """A page of beneficiaries in scope (count, rows with center and last visit, their types)."""
    rows = _beneficiaries(user, **filters).defer(*_personal(keep=["phone"]))
    return Paginator(rows, BENEFICIARY_PAGE_SIZE).get_page(page)


def beneficiary_export_rows(user, **filters) -> list[Beneficiary]:
    """Every beneficiary the filters select, except those who withdrew their consent."""
    rows = _beneficiaries(user, **filters).filter(consent_withdrawn_on__isnull=True)
    return list(rows.defer(*_personal(keep=["phone", "id_number"])))


@dataclass
class Record:
    types: list
    pairings: list
    visits: list
    visit_count: int
    access_log: list


def beneficiary_record(beneficiary: Beneficiary, *, today: date | None = None) -> Record:
    """Everything on a beneficiary's page: types, pairings with their visit state, visits, log."""
    today = today or timezone.localdate()
    pairings = list(
        with_visit_state(beneficiary.pairings.all(), today=today)
        .select_related("helper_user", "helper_team")
        .order_by(F("ended_on").desc(nulls_first=True), "-started_on", "-pk")
    )
    checked = beneficiary.status == Beneficiary.Status.ACTIVE
    for pairing in pairings:
        pairing.is_active = pairing.started_on <= today and (
            pairing.ended_on is None or pairing.ended_on >= today
        )
        pairing.flag_overdue = checked and pairing.is_active and pairing.is_overdue
        pairing.days_late = days_late(pairing, today) if pairing.flag_overdue else 0
    visits = list(
        beneficiary.visits.select_related("program", "pairing__helper_user", "pairing__helper_team")
        .annotate(total=Window(Count("pk")))
        .order_by("-visited_on", "-pk")[:RECORD_VISITS]
    )
    access_log = list(
        AuditEntry.objects.filter(object_type="beneficiary", object_id=str(beneficiary.pk))
        .select_related("actor")
        .order_by("-created_at", "-pk")[:RECORD_ACCESS_LOG]
    )
    return Record(
        types=list(beneficiary.types.order_by("type")),
        pairings=pairings,
        visits=visits,
        visit_count=visits[0].total if visits else 0,
        access_log=access_log,
    )


def _lineage_paths(center: Center) -> list[str]:
    return [*center.ancestor_paths, center.path]


def helper_users(center: Center) -> QuerySet:
    """Users with a staff role at the center or one of its ancestors (the party members on hand)."""
    from django.contrib.auth import get_user_model

    roles = StaffRole.objects.filter(center__path__in=_lineage_paths(center))
    return get_user_model().objects.filter(pk__in=roles.values("user")).order_by("name", "pk")


def helper_teams(center: Center) -> QuerySet[Team]:
    """Partner units (共建单位) of the center or one of its ancestors."""
    return (
        Team.objects.filter(kind=Team.Kind.PARTNER, center__path__in=_lineage_paths(center))
        .select_related("center")
        .order_by("center__path", "sort_order", "name")
    )


def visit_pairings(beneficiary: Beneficiary) -> QuerySet[Pairing]:
    """The beneficiary's pairings a visit can be logged under: open ones first."""
    return beneficiary.pairings.select_related("helper_user", "helper_team").order_by(
        F("ended_on").desc(nulls_first=True), "-started_on", "-pk"
    )


def programs_for(center: Center) -> QuerySet[HelpProgram]:
    """Help programs a visit at `center` can belong to: the center's and its ancestors'."""
    return (
        HelpProgram.objects.filter(center__path__in=_lineage_paths(center))
        .select_related("center")
        .order_by("-starts_on", "-pk")
    )


# -- Help programs -------------------------------------------------------------------------------


def programs_visible_to(user) -> QuerySet[HelpProgram]:
    """Programs in the user's scope and those of the centers above it (whose visits they log).

    A district drive is visible to a community worker, but only the visits to beneficiaries in
    their own scope are shown or counted (see `program_page` and `program_visits`).
    """
    above = set()
    for path, _role in scoping.user_roles(user):
        above.update(path[:i] for i in range(Center.steplen, len(path), Center.steplen))
    q = scoping.center_field_q(user)
    if above:
        q |= Q(center__path__in=sorted(above))
    return HelpProgram.objects.filter(q)


def _program_figures(user, programs) -> dict[int, dict]:
    rows = (
        Visit.objects.for_user(user)
        .filter(program__in=[p.pk for p in programs])
        .order_by()
        .values("program")
        .annotate(visits=Count("pk"), reached=Count("beneficiary", distinct=True))
    )
    return {row["program"]: row for row in rows}


def program_page(user, *, page=1) -> Page:
    """A page of programs with visits made and residents reached (within the user's scope)."""
    page_obj = Paginator(
        programs_visible_to(user).select_related("center").order_by("-starts_on", "-pk"),
        PROGRAM_PAGE_SIZE,
    ).get_page(page)
    figures = _program_figures(user, page_obj.object_list) if page_obj.object_list else {}
    for program in page_obj.object_list:
        row = figures.get(program.pk, {})
        program.visit_count = row.get("visits", 0)
        program.reached = row.get("reached", 0)
    return page_obj


def program_visits(user, program: HelpProgram, *, page=1) -> tuple[Page, dict]:
    """The program's visits in the user's scope, a page at a time, and its figures."""
    visits = Visit.objects.for_user(user).filter(program=program)
    figures = visits.aggregate(
        visits=Count("pk"),
        reached=Count("beneficiary", distinct=True),
        communities=Count("beneficiary__center", distinct=True),
    )
    page_obj = Paginator(
        visits.select_related("beneficiary__center")
        .defer(*_personal("beneficiary__"))
        .order_by("-visited_on", "-pk"),
        PROGRAM_VISITS_PAGE_SIZE,
    ).get_page(page)
    return page_obj, figures
