"""Page reads of the love aid station: one function per page, in a fixed number of queries.

Public reads return aggregates and catalogue data only: never a requester's, donor's or
recipient's name or phone.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Trim
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from assistance.models import (
    AidRequest,
    AidRequestLine,
    AidStation,
    Beneficiary,
    Distribution,
    GoodsOffer,
    Item,
    StockLevel,
    StockMovement,
    WishListItem,
    mask_name,
    mask_phone,
)
from centers import scoping
from centers.models import Center
from centers.selectors import ancestors_of

LEDGER_PAGE_SIZE = 30
#: How many open requests, new offers and recent distributions the staff station page lists.
OPEN_LIMIT = 50
RECENT_DISTRIBUTIONS = 10

OPEN_REQUEST_STATUSES = [AidRequest.Status.PENDING, AidRequest.Status.APPROVED]
OPEN_OFFER_STATUSES = [GoodsOffer.Status.NEW, GoodsOffer.Status.CONTACTED]


# -- Shared ------------------------------------------------------------------------------------


def catalogue():
    """Every catalogue item, in category order (one query)."""
    return list(Item.objects.order_by("category", "name", "pk"))


def levels_by_item(station):
    """{item id: quantity on hand} at the station (one query)."""
    return dict(StockLevel.objects.filter(station=station).values_list("item_id", "quantity"))


def stock_by_category(station_id):
    """[(category label, total on hand)] for the categories the station has anything of."""
    totals = dict(
        StockLevel.objects.filter(station_id=station_id, quantity__gt=0)
        .values_list("item__category")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    return [(label, totals[value]) for value, label in Item.Category.choices if totals.get(value)]


def _household_key():
    """Who a distribution went to, as one comparable value.

    A household is a beneficiary when the distribution names one; otherwise the recipient's
    name (trimmed) stands for it. Several distributions to the same beneficiary, or to the
    same name, count as one household.
    """
    return Case(
        When(
            beneficiary__isnull=False,
            then=Concat(Value("b:"), Cast("beneficiary_id", CharField())),
        ),
        default=Concat(Value("n:"), Trim("recipient_name")),
        output_field=CharField(),
    )


@dataclass(frozen=True)
class YearFigures:
    year: int
    items_given: int
    households: int


def year_figures(station_id, year=None):
    """Items given out in a calendar year and the households reached (one query).

    Items are the sum of the year's distribution lines; households are counted by
    `_household_key`. Reversed ledger lines do not change these figures: a distribution
    stays a distribution.
    """
    year = year or timezone.localdate().year
    totals = Distribution.objects.filter(
        station_id=station_id, distributed_on__year=year
    ).aggregate(
        items_given=Coalesce(Sum("lines__quantity"), 0),
        households=Count(_household_key(), distinct=True),
    )
    return YearFigures(year=year, **totals)


# -- Public ------------------------------------------------------------------------------------


def public_stations():
    """The public stations in tree order, with how many items each asks for (one query)."""
    return list(
        AidStation.objects.public()
        .select_related("center")
        .annotate(wish_count=Count("wishes"))
        .order_by("center__path")
    )


def public_station_or_404(slug):
    """The public station of the center `slug`, with its center (one query)."""
    station = AidStation.objects.public().select_related("center").filter(center__slug=slug).first()
    if station is None:
        raise Http404
    return station


@dataclass
class PublicStationPage:
    station: AidStation
    center: Center
    ancestors: list
    wishes: list
    stock: list
    figures: YearFigures


def public_station_page(slug):
    """Everything the public station page shows, in five queries whatever the data size:
    the station, the breadcrumbs, the wish list, stock by category, the year's figures.
    """
    station = public_station_or_404(slug)
    center = station.center
    ancestors = [c for c in ancestors_of(center) if c.is_published] + [center]
    wishes = list(
        WishListItem.objects.filter(station=station)
        .select_related("item")
        .order_by("item__category", "item__name")
    )
    return PublicStationPage(
        station=station,
        center=center,
        ancestors=ancestors,
        wishes=wishes,
        stock=stock_by_category(station.pk),
        figures=year_figures(station.pk),
    )


def center_station_block(center):
    """The center page's block: the public station, its wish list and stock (two queries)."""
    rows = list(
        AidStation.objects.public()
        .filter(center=center)
        .values("pk", "name", "wishes__item__name")
        .order_by("wishes__item__category", "wishes__item__name")
    )
    if not rows:
        return None
    return {
        "name": rows[0]["name"],
        "wishes": [row["wishes__item__name"] for row in rows if row["wishes__item__name"]],
        "stock": stock_by_category(rows[0]["pk"]),
    }


# -- Staff -------------------------------------------------------------------------------------


def _count_of(queryset):
    """A subquery counting `queryset`'s rows per station (0 when none)."""
    counted = (
        queryset.filter(station=OuterRef("pk"))
        .order_by()
        .values("station")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def staff_stations(user):
    """The stations in the user's scope with their open work and stock on hand (one query)."""
    on_hand = (
        StockLevel.objects.filter(station=OuterRef("pk"))
        .order_by()
        .values("station")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return list(
        AidStation.objects.for_user(user)
        .select_related("center")
        .annotate(
            pending=_count_of(AidRequest.objects.filter(status=AidRequest.Status.PENDING)),
            new_offers=_count_of(GoodsOffer.objects.filter(status=GoodsOffer.Status.NEW)),
            on_hand=Coalesce(Subquery(on_hand, output_field=IntegerField()), 0),
        )
        .order_by("center__path")
    )


def centers_without_station(user):
    """Centers where the user may open a station and none exists yet (one query)."""
    return list(
        Center.objects.for_user(user, "change")
        .filter(aid_station__isnull=True)
        .order_by("path")[:200]
    )


def station_for_user(user, slug, perm="view"):
    """The station of the center `slug` if in the user's scope (else 404) with `perm` (else 403)."""
    station = (
        AidStation.objects.for_user(user).select_related("center").filter(center__slug=slug).first()
    )
    if station is None:
        raise Http404
    if not scoping.has_perm(user, perm, station.center):
        raise PermissionDenied
    return station


def _masked_offer(offer):
    offer.masked_name = mask_name(offer.name)
    offer.masked_phone = mask_phone(offer.phone)
    return offer


def recipient_label(distribution):
    """Who received a distribution, masked: the beneficiary's or the recipient's name."""
    if distribution.beneficiary_id:
        return distribution.beneficiary.masked_name
    return mask_name(distribution.recipient_name)


@dataclass
class StaffStationPage:
    station: AidStation
    levels: list
    ledger: object
    requests: list
    offers: list
    distributions: list
    totals: dict = field(default_factory=dict)


def staff_station_page(station, *, page=1):
    """The staff station page, in seven queries whatever the data size: levels, the ledger
    (count and page), open requests and their lines, open offers, recent distributions.
    """
    levels = list(
        StockLevel.objects.filter(station=station)
        .select_related("item")
        .order_by("item__category", "item__name")
    )
    ledger = Paginator(
        StockMovement.objects.filter(station=station)
        .select_related("item", "actor")
        .annotate(is_reversed=Exists(StockMovement.objects.filter(reverses=OuterRef("pk"))))
        .order_by("-created_at", "-pk"),
        LEDGER_PAGE_SIZE,
    ).get_page(page)
    requests = list(
        AidRequest.objects.filter(station=station, status__in=OPEN_REQUEST_STATUSES)
        .select_related("beneficiary")
        .prefetch_related(Prefetch("lines", queryset=AidRequestLine.objects.select_related("item")))
        .order_by("created_at", "pk")[:OPEN_LIMIT]
    )
    offers = [
        _masked_offer(offer)
        for offer in GoodsOffer.objects.filter(
            station=station, status__in=OPEN_OFFER_STATUSES
        ).order_by("created_at", "pk")[:OPEN_LIMIT]
    ]
    distributions = list(
        Distribution.objects.filter(station=station)
        .select_related("beneficiary")
        .annotate(item_total=Coalesce(Sum("lines__quantity"), 0))
        .order_by("-distributed_on", "-pk")[:RECENT_DISTRIBUTIONS]
    )
    for distribution in distributions:
        distribution.recipient_label = recipient_label(distribution)
    return StaffStationPage(
        station=station,
        levels=levels,
        ledger=ledger,
        requests=requests,
        offers=offers,
        distributions=distributions,
        totals={
            "on_hand": sum(level.quantity for level in levels),
            "kinds": sum(1 for level in levels if level.quantity > 0),
        },
    )


def transfer_targets(user, station):
    """Other stations where the user may move stock to (one query)."""
    return list(
        AidStation.objects.for_user(user, "change")
        .exclude(pk=station.pk)
        .select_related("center")
        .order_by("center__path")
    )


def beneficiary_choices(user, station):
    """Active beneficiaries the user may file for, in the station's center subtree (one query)."""
    return list(
        Beneficiary.objects.for_user(user, "change")
        .in_subtree(station.center)
        .active()
        .select_related("center")
        .order_by("center__path", "pk")
    )


def request_for_user(user, pk, perm="view"):
    """A request if its station is in the user's scope (else 404), with `perm` (else 403)."""
    request = (
        AidRequest.objects.for_user(user)
        .select_related("station__center", "beneficiary", "decided_by", "created_by")
        .filter(pk=pk)
        .first()
    )
    if request is None:
        raise Http404
    if not scoping.has_perm(user, perm, request.station.center):
        raise PermissionDenied
    return request


def request_lines(request):
    """The request's lines with their items and the level on hand at its station (two queries)."""
    lines = list(request.lines.select_related("item").order_by("pk"))
    if lines:
        levels = dict(
            StockLevel.objects.filter(
                station=request.station_id, item__in=[line.item_id for line in lines]
            ).values_list("item_id", "quantity")
        )
        for line in lines:
            line.on_hand = levels.get(line.item_id, 0)
    return lines


def receipt(user, pk):
    """A distribution with its station, recipient and lines, if in the user's scope (else 404)."""
    distribution = (
        Distribution.objects.for_user(user)
        .select_related("station__center", "beneficiary", "recorded_by", "request")
        .filter(pk=pk)
        .first()
    )
    if distribution is None:
        raise Http404
    lines = list(distribution.lines.select_related("item").order_by("item__category", "pk"))
    return distribution, lines


def offer_for_user(user, pk, perm="view"):
    """A goods offer if its station is in the user's scope (else 404) with `perm` (else 403)."""
    offer = (
        GoodsOffer.objects.for_user(user).select_related("station__center").filter(pk=pk).first()
    )
    if offer is None:
        raise Http404
    if not scoping.has_perm(user, perm, offer.station.center):
        raise PermissionDenied
    return offer


def station_of_center(center):
    """The center's station with its wish list, or None (two queries)."""
    return AidStation.objects.filter(center=center).prefetch_related("wishes").first()


def movement_of(station, pk):
    """A ledger line of the station, marked when already reversed (else 404)."""
    movement = (
        StockMovement.objects.filter(station=station, pk=pk)
        .select_related("item", "actor")
        .annotate(is_reversed=Exists(StockMovement.objects.filter(reverses=OuterRef("pk"))))
        .first()
    )
    if movement is None:
        raise Http404
    return movement


def distribution_of(request):
    """The distribution that fulfilled a request, if any."""
    if request.status != AidRequest.Status.FULFILLED:
        return None
    return Distribution.objects.filter(request=request).first()


def receipt_recipient(distribution):
    """The recipient as the receipt prints it.

    For a beneficiary, the name is masked, and so is whoever collected for them (the paper
    receipt is signed by hand); anybody else is printed as entered.
    """
    if not distribution.beneficiary_id:
        return distribution.recipient_name
    name = distribution.beneficiary.masked_name
    collector = distribution.recipient_name.strip()
    if collector and collector != distribution.beneficiary.name:
        return _("%(name)s（代领：%(collector)s）") % {
            "name": name,
            "collector": mask_name(collector),
        }
    return name
