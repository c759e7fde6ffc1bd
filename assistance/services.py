"""Every write to help records and the aid station: one function each, atomic, audited.

Stock locking: a movement first makes sure the (station, item) level row exists, then locks it
with SELECT … FOR UPDATE, checks the new level is not negative, and writes the level and the
ledger row in the same transaction. Several levels are locked in item order, so two operations
never wait on each other in opposite orders. A CHECK on the level is the backstop.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assistance.models import (
    MAX_QUANTITY,
    AidRequest,
    AidRequestLine,
    AidStation,
    Beneficiary,
    BeneficiaryType,
    Distribution,
    DistributionLine,
    Donation,
    DonationLine,
    GoodsOffer,
    HelpProgram,
    Item,
    Pairing,
    StockLevel,
    StockMovement,
    Visit,
    WishListItem,
)
from centers import scoping
from centers.models import AuditEntry, Center
from centers.services import audit

Kind = StockMovement.Kind


def _check_quantity(quantity):
    if not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationError(_("数量应为 1 到 %(max)s 之间的整数。") % {"max": MAX_QUANTITY})


def _locked_levels(station, items):
    """The level rows of `items` at `station`, created if missing, locked, keyed by item id."""
    ids = sorted({item.pk for item in items})
    StockLevel.objects.bulk_create(
        [StockLevel(station=station, item_id=pk, quantity=0) for pk in ids], ignore_conflicts=True
    )
    levels = (
        StockLevel.objects.select_for_update()
        .filter(station=station, item_id__in=ids)
        .order_by("item_id")
    )
    return {level.item_id: level for level in levels}


def _move(level, *, actor, station, item, quantity, kind, reason, **links):
    new = level.quantity + quantity
    if new < 0:
        raise ValidationError(
            _("“%(item)s”只剩 %(n)s %(unit)s，不够 %(want)s %(unit)s。")
            % {"item": item.name, "n": level.quantity, "unit": item.unit, "want": -quantity}
        )
    level.quantity = new
    level.save(update_fields=["quantity"])
    return StockMovement.objects.create(
        station=station,
        item=item,
        kind=kind,
        quantity=quantity,
        balance_after=new,
        reason=reason,
        actor=actor,
        **links,
    )


# -- Stock -------------------------------------------------------------------------------------


@transaction.atomic
def donation_receive(*, actor, station: AidStation, data: dict, lines: list) -> Donation:
    """Take in a donation; its lines (item, quantity, condition, disinfected) go into stock."""
    scoping.require(actor, "change", station.center)
    if not lines:
        raise ValidationError(_("请至少填写一种物品。"))
    donation = Donation(station=station, recorded_by=actor)
    for name in ("donor_name", "is_anonymous", "received_on", "note"):
        if name in data:
            setattr(donation, name, data[name])
    if donation.is_anonymous:
        donation.donor_name = ""
    donation.full_clean()
    donation.save()
    levels = _locked_levels(station, [line[0] for line in lines])
    for item, quantity, condition, disinfected in lines:
        _check_quantity(quantity)
        DonationLine.objects.create(
            donation=donation,
            item=item,
            quantity=quantity,
            condition=condition,
            disinfected=disinfected,
        )
        _move(
            levels[item.pk],
            actor=actor,
            station=station,
            item=item,
            quantity=quantity,
            kind=Kind.DONATION,
            reason=_("接收捐赠：%(donor)s") % {"donor": donation.display_donor},
            donation=donation,
        )
    audit(
        actor=actor,
        center=station.center,
        action=AuditEntry.Action.CREATE,
        obj=donation,
        summary=f"接收捐赠：{donation}",
    )
    return donation


@transaction.atomic
def stock_adjust(*, actor, station: AidStation, item, quantity: int, reason: str) -> StockMovement:
    """Correct the level after a count (盘点): a signed quantity and a reason."""
    scoping.require(actor, "change", station.center)
    if not reason.strip():
        raise ValidationError({"reason": _("请写明调整原因。")})
    _check_quantity(abs(quantity))
    level = _locked_levels(station, [item])[item.pk]
    return _move(
        level,
        actor=actor,
        station=station,
        item=item,
        quantity=quantity,
        kind=Kind.ADJUSTMENT,
        reason=reason,
    )


@transaction.atomic
def stock_transfer(
    *, actor, source: AidStation, target: AidStation, item, quantity: int, reason: str
):
    """Move goods from one station to another (both in the actor's scope)."""
    scoping.require(actor, "change", source.center)
    scoping.require(actor, "change", target.center)
    if source.pk == target.pk:
        raise ValidationError({"target": _("请选择另一个援助站。")})
    _check_quantity(quantity)
    # Lock the two stations' rows in id order, so concurrent transfers cannot deadlock.
    first, second = sorted([source, target], key=lambda s: s.pk)
    levels = {
        first.pk: _locked_levels(first, [item])[item.pk],
        second.pk: _locked_levels(second, [item])[item.pk],
    }
    out = _move(
        levels[source.pk],
        actor=actor,
        station=source,
        item=item,
        quantity=-quantity,
        kind=Kind.TRANSFER_OUT,
        reason=reason,
    )
    into = _move(
        levels[target.pk],
        actor=actor,
        station=target,
        item=item,
        quantity=quantity,
        kind=Kind.TRANSFER_IN,
        reason=reason,
    )
    out.counterpart = into
    out.save(update_fields=["counterpart"])
    into.counterpart = out
    into.save(update_fields=["counterpart"])
    return out, into


@transaction.atomic
def movement_reverse(*, actor, movement: StockMovement, reason: str) -> StockMovement:
    """Undo a ledger line with an opposite one (the original is never edited)."""
    movement = (
        StockMovement.objects.select_for_update()
        .select_related("station__center", "item")
        .get(pk=movement.pk)
    )
    scoping.require(actor, "change", movement.station.center)
    if not reason.strip():
        raise ValidationError({"reason": _("请写明冲正原因。")})
    if movement.kind == Kind.REVERSAL or StockMovement.objects.filter(reverses=movement).exists():
        raise ValidationError(_("这条记录已经冲正过，不能再冲正。"))
    if movement.kind in (Kind.TRANSFER_IN, Kind.TRANSFER_OUT):
        raise ValidationError(_("调拨请通过反向调拨更正。"))
    level = _locked_levels(movement.station, [movement.item])[movement.item_id]
    return _move(
        level,
        actor=actor,
        station=movement.station,
        item=movement.item,
        quantity=-movement.quantity,
        kind=Kind.REVERSAL,
        reason=reason,
        reverses=movement,
    )


# -- Requests and distributions ---------------------------------------------------------------


@transaction.atomic
def aid_request_submit(*, station: AidStation, data: dict) -> AidRequest:
    """A resident asks for help through the station's public form (reviewed by staff)."""
    request = AidRequest(station=station)
    for name in ("requester_name", "requester_phone", "reason", "items_wanted"):
        setattr(request, name, data.get(name, ""))
    request.full_clean()
    request.save()
    return request


@transaction.atomic
def aid_request_file(
    *, actor, station: AidStation, beneficiary: Beneficiary, reason: str, lines: list
) -> AidRequest:
    """Staff file a request for a beneficiary in their scope. `lines` are (item, quantity)."""
    scoping.require(actor, "change", station.center)
    if not Beneficiary.objects.for_user(actor, "change").filter(pk=beneficiary.pk).exists():
        raise ValidationError({"beneficiary": _("只能为您负责的帮扶对象申请。")})
    request = AidRequest(station=station, beneficiary=beneficiary, reason=reason, created_by=actor)
    request.full_clean()
    request.save()
    for item, quantity in lines:
        _check_quantity(quantity)
        AidRequestLine.objects.create(request=request, item=item, quantity=quantity)
    return request


def _decide(actor, request, status, decline_reason=""):
    request = (
        AidRequest.objects.select_for_update().select_related("station__center").get(pk=request.pk)
    )
    scoping.require(actor, "change", request.station.center)
    if request.status != AidRequest.Status.PENDING:
        raise ValidationError(
            _("这份申请已经处理过了（%(s)s）。") % {"s": request.get_status_display()}
        )
    request.status = status
    request.decline_reason = decline_reason
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decline_reason", "decided_by", "decided_at"])
    audit(
        actor=actor,
        center=request.station.center,
        action=AuditEntry.Action.UPDATE,
        obj=request,
        summary=f"审核物资申请：{request.get_status_display()}",
    )
    return request


@transaction.atomic
def aid_request_approve(*, actor, request: AidRequest) -> AidRequest:
    """Approve a pending request; it is fulfilled by a distribution."""
    return _decide(actor, request, AidRequest.Status.APPROVED)


@transaction.atomic
def aid_request_decline(*, actor, request: AidRequest, reason: str) -> AidRequest:
    """Decline a pending request with a reason."""
    if not reason.strip():
        raise ValidationError({"reason": _("请写明未批准的原因。")})
    return _decide(actor, request, AidRequest.Status.DECLINED, reason)


@transaction.atomic
def distribution_create(
    *,
    actor,
    station: AidStation,
    lines: list,
    distributed_on,
    request: AidRequest | None = None,
    beneficiary: Beneficiary | None = None,
    recipient_name: str = "",
    note: str = "",
) -> Distribution:
    """Hand out goods (lines of (item, quantity)) from stock; fulfils an approved request if given.

    Raises ValidationError when an item is short ("只剩 N 件"), the request is not approved, or
    the beneficiary is out of the actor's scope.
    """
    scoping.require(actor, "change", station.center)
    if not lines:
        raise ValidationError(_("请至少填写一种物品。"))
    if request is not None:
        request = AidRequest.objects.select_for_update().get(pk=request.pk)
        if request.station_id != station.pk or request.status != AidRequest.Status.APPROVED:
            raise ValidationError(_("只能为本站已批准的申请发放。"))
        beneficiary = beneficiary or request.beneficiary
        recipient_name = recipient_name or request.requester_name
    if (
        beneficiary is not None
        and not Beneficiary.objects.for_user(actor).filter(pk=beneficiary.pk).exists()
    ):
        raise ValidationError({"beneficiary": _("只能为您负责的帮扶对象发放。")})
    if beneficiary is None and not recipient_name.strip():
        raise ValidationError({"recipient_name": _("请填写领取人。")})
    distribution = Distribution.objects.create(
        station=station,
        request=request,
        beneficiary=beneficiary,
        recipient_name=recipient_name,
        distributed_on=distributed_on,
        note=note,
        recorded_by=actor,
    )
    merged = {}
    for item, quantity in lines:
        _check_quantity(quantity)
        merged.setdefault(item.pk, [item, 0])[1] += quantity
    levels = _locked_levels(station, [item for item, _q in merged.values()])
    for item, quantity in merged.values():
        DistributionLine.objects.create(distribution=distribution, item=item, quantity=quantity)
        _move(
            levels[item.pk],
            actor=actor,
            station=station,
            item=item,
            quantity=-quantity,
            kind=Kind.DISTRIBUTION,
            reason=_("物资发放 %(no)s") % {"no": distribution.receipt_number},
            distribution=distribution,
        )
    if request is not None:
        request.status = AidRequest.Status.FULFILLED
        request.save(update_fields=["status"])
    audit(
        actor=actor,
        center=station.center,
        action=AuditEntry.Action.CREATE,
        obj=distribution,
        summary=f"物资发放：{distribution.receipt_number}",
    )
    return distribution


@transaction.atomic
def goods_offer_submit(*, station: AidStation, data: dict) -> GoodsOffer:
    """A resident offers goods through the public form; staff contact them."""
    offer = GoodsOffer(
        station=station,
        name=data.get("name", ""),
        phone=data.get("phone", ""),
        items=data.get("items", ""),
    )
    offer.full_clean()
    offer.save()
    return offer


@transaction.atomic
def item_create(*, actor, data: dict) -> Item:
    """Add an entry to the district-wide catalogue. Any staff member who can edit somewhere may."""
    if not Center.objects.for_user(actor, "change").exists():
        raise PermissionDenied
    item = Item(
        category=data.get("category"),
        name=data.get("name", "").strip(),
        unit=data.get("unit", "").strip(),
    )
    item.full_clean()
    item.save()
    audit(
        actor=actor,
        center=None,
        action=AuditEntry.Action.CREATE,
        obj=item,
        summary=f"新增物资品类：{item}",
    )
    return item


@transaction.atomic
def goods_offer_set_status(*, actor, offer: GoodsOffer, status: str) -> GoodsOffer:
    """Move a goods offer to another status (contacted, received, closed), audited."""
    offer = (
        GoodsOffer.objects.select_for_update(of=("self",))
        .select_related("station__center")
        .get(pk=offer.pk)
    )
    scoping.require(actor, "change", offer.station.center)
    offer.status = status
    offer.full_clean()
    offer.save(update_fields=["status"])
    audit(
        actor=actor,
        center=offer.station.center,
        action=AuditEntry.Action.UPDATE,
        obj=offer,
        summary=f"捐赠意向：{offer.get_status_display()}",
    )
    return offer


@transaction.atomic
def station_save(*, actor, center, data: dict, wishes=None) -> AidStation:
    """Create or update a center's aid station and its wish list (items needed now)."""
    scoping.require(actor, "change", center)
    station = AidStation.objects.filter(center=center).first() or AidStation(center=center)
    for name in ("name", "intro", "how_to_donate", "opening_hours", "is_public"):
        if name in data:
            setattr(station, name, data[name])
    station.full_clean()
    station.save()
    if wishes is not None:
        station.wishes.exclude(item__in=list(wishes)).delete()
        WishListItem.objects.bulk_create(
            [WishListItem(station=station, item=item) for item in wishes], ignore_conflicts=True
        )
    return station


# -- Beneficiaries, pairings, visits ------------------------------------------------------------

BENEFICIARY_FIELDS = [
    "name",
    "gender",
    "birth_year",
    "phone",
    "id_number",
    "address",
    "tier",
    "needs",
    "health_notes",
    "guardian_name",
    "guardian_phone",
    "consent_purpose",
    "consent_on",
    "consent_withdrawn_on",
    "status",
]


@transaction.atomic
def beneficiary_save(
    *, actor, center, data: dict, types: list, beneficiary: Beneficiary | None = None
) -> Beneficiary:
    """Create or update a beneficiary at a community in the actor's scope, with their types."""
    scoping.require(actor, "change", center)
    if not types:
        raise ValidationError({"types": _("请至少选择一种类型。")})
    creating = beneficiary is None
    beneficiary = beneficiary or Beneficiary(center=center)
    beneficiary.center = center
    for name in BENEFICIARY_FIELDS:
        if name in data:
            setattr(beneficiary, name, data[name])
    beneficiary.full_clean()
    beneficiary.save()
    beneficiary.types.exclude(type__in=types).delete()
    BeneficiaryType.objects.bulk_create(
        [BeneficiaryType(beneficiary=beneficiary, type=t) for t in types], ignore_conflicts=True
    )
    audit(
        actor=actor,
        center=center,
        action=AuditEntry.Action.CREATE if creating else AuditEntry.Action.UPDATE,
        obj=beneficiary,
        summary=f"{'登记' if creating else '修改'}帮扶对象：{beneficiary.masked_name}",
    )
    return beneficiary


def beneficiary_view_full(*, actor, beneficiary: Beneficiary) -> Beneficiary:
    """Open a beneficiary's full record: allowed in scope, and written to the access log."""
    scoping.require(actor, "view", beneficiary.center)
    audit(
        actor=actor,
        center=beneficiary.center,
        action=AuditEntry.Action.VIEW_PERSONAL,
        obj=beneficiary,
        summary=f"查看帮扶对象完整信息：{beneficiary.masked_name}",
    )
    return beneficiary


def beneficiaries_export_logged(*, actor, center, count: int) -> None:
    """Write an export of beneficiaries to the access log."""
    scoping.require(actor, "view", center)
    audit(
        actor=actor,
        center=center,
        action=AuditEntry.Action.EXPORT,
        obj=center,
        summary=f"导出帮扶对象名单（{count} 人）",
    )


@transaction.atomic
def pairing_create(*, actor, beneficiary: Beneficiary, data: dict) -> Pairing:
    """Pair a helper (a party member or a partner unit) with a beneficiary."""
    scoping.require(actor, "change", beneficiary.center)
    pairing = Pairing(beneficiary=beneficiary)
    for name in ("helper_user", "helper_team", "started_on", "ended_on", "frequency", "note"):
        if name in data:
            setattr(pairing, name, data[name])
    line = [*beneficiary.center.ancestor_paths, beneficiary.center.path]
    if pairing.helper_team is not None and (
        pairing.helper_team.kind != "partner" or pairing.helper_team.center.path not in line
    ):
        raise ValidationError({"helper_team": _("请选择本社区或上级中心的共建单位。")})
    pairing.full_clean()
    pairing.save()
    audit(
        actor=actor,
        center=beneficiary.center,
        action=AuditEntry.Action.CREATE,
        obj=pairing,
        summary=f"新增结对：{pairing}",
    )
    return pairing


@transaction.atomic
def pairing_end(*, actor, pairing: Pairing, ended_on) -> Pairing:
    """End a pairing on a date (not before it started)."""
    pairing = (
        Pairing.objects.select_for_update(of=("self",))
        .select_related("beneficiary__center")
        .get(pk=pairing.pk)
    )
    scoping.require(actor, "change", pairing.beneficiary.center)
    if pairing.ended_on is not None:
        raise ValidationError(_("这个结对已经结束了。"))
    pairing.ended_on = ended_on
    pairing.full_clean()
    pairing.save(update_fields=["ended_on"])
    audit(
        actor=actor,
        center=pairing.beneficiary.center,
        action=AuditEntry.Action.UPDATE,
        obj=pairing,
        summary=f"结束结对：{pairing}",
    )
    return pairing


@transaction.atomic
def visit_log(*, actor, beneficiary: Beneficiary, data: dict) -> Visit:
    """Log a visit to a beneficiary (optionally under a pairing and a help program)."""
    scoping.require(actor, "change", beneficiary.center)
    visit = Visit(beneficiary=beneficiary, recorded_by=actor)
    for name in (
        "pairing",
        "program",
        "visited_on",
        "kind",
        "helper_name",
        "findings",
        "items_given",
        "follow_up",
    ):
        if name in data:
            setattr(visit, name, data[name])
    if visit.pairing_id and visit.pairing.beneficiary_id != beneficiary.pk:
        raise ValidationError({"pairing": _("请选择这位帮扶对象的结对。")})
    if visit.visited_on and visit.visited_on > timezone.localdate():
        raise ValidationError({"visited_on": _("走访日期不能晚于今天。")})
    line = [*beneficiary.center.ancestor_paths, beneficiary.center.path]
    if visit.program_id and visit.program.center.path not in line:
        raise ValidationError({"program": _("请选择本社区或上级中心的帮扶活动。")})
    visit.full_clean()
    visit.save()
    audit(
        actor=actor,
        center=beneficiary.center,
        action=AuditEntry.Action.CREATE,
        obj=visit,
        summary=f"记录走访：{beneficiary.masked_name} {visit.visited_on}",
    )
    return visit


@transaction.atomic
def program_save(*, actor, center, data: dict, program: HelpProgram | None = None) -> HelpProgram:
    """Create or update a help program (e.g. a Spring Festival condolence drive)."""
    scoping.require(actor, "change", center)
    program = program or HelpProgram(center=center)
    for name in ("name", "starts_on", "ends_on", "description"):
        if name in data:
            setattr(program, name, data[name])
    creating = program.pk is None
    program.full_clean()
    program.save()
    audit(
        actor=actor,
        center=center,
        action=AuditEntry.Action.CREATE if creating else AuditEntry.Action.UPDATE,
        obj=program,
        summary=f"{'新增' if creating else '修改'}帮扶活动：{program}",
    )
    return program
