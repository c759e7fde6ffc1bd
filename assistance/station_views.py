"""Staff pages of the love aid station: stock on hand and its ledger, donations, adjustments,
transfers, reversals, requests and their review, distributions with a printable receipt.

Every object comes through the scoping helpers in `station_selectors`: outside the user's scope
is 404, in scope with too weak a role is 403. Every change goes through one service in
`assistance.services`. Personal data shows masked; opening a contact in full is logged.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assistance import services
from assistance import station_selectors as selectors
from assistance.models import AidRequest, AidStation, GoodsOffer, Item, StockMovement, mask_phone
from assistance.station_forms import (
    MAX_LINE_ROWS,
    DeclineForm,
    DistributionForm,
    DonationForm,
    DonationLineFormSet,
    ItemForm,
    ItemLineFormSet,
    OfferStatusForm,
    ReasonForm,
    RequestFileForm,
    StationForm,
    StockAdjustForm,
    StockTransferForm,
    line_formset,
)
from centers import scoping
from centers.models import AuditEntry
from centers.services import audit

Kind = StockMovement.Kind
#: Ledger lines that `services.movement_reverse` refuses (a transfer is undone by another one).
IRREVERSIBLE = {Kind.REVERSAL, Kind.TRANSFER_IN, Kind.TRANSFER_OUT}


def _require_staff(request):
    if not scoping.is_staff_member(request.user):
        raise PermissionDenied


def _add_errors(form, exc, field=None):
    """Show a service's ValidationError on the form: by field where it names one, else on
    `field` (the input the rule is about) or at the top of the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(field, exc)
        return
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _int_param(request, name):
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and len(value) < 12 else None


def _more_rows_url(request, lines):
    """A link to the same form with more blank rows, while under the limit."""
    shown = lines.total_form_count()
    if shown >= MAX_LINE_ROWS:
        return ""
    query = request.GET.copy()
    query["rows"] = min(shown + 5, MAX_LINE_ROWS)
    return f"{request.path}?{query.urlencode()}"


def _all_valid(*forms):
    # Every form is checked, not only up to the first invalid one: all the errors show at once.
    results = [form.is_valid() for form in forms]
    return all(results)


def _station_url(station):
    return reverse("assistance_manage:station", args=[station.center.slug])


# -- Stations --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def item_catalogue(request):
    """The district-wide catalogue of goods: every item with its unit; staff may add one."""
    _require_staff(request)
    form = ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.item_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("已添加物资品类“%(item)s”。") % {"item": item})
            return redirect("assistance_manage:items")
    items = Item.objects.order_by("category", "name")
    return render(request, "assistance/manage/item_catalogue.html", {"form": form, "items": items})


@require_GET
def station_list(request):
    _require_staff(request)
    return render(
        request,
        "assistance/manage/station_list.html",
        {
            "stations": selectors.staff_stations(request.user),
            "centers": selectors.centers_without_station(request.user),
        },
    )


def _reveal_offer(request, station, offers, can_edit):
    """The pk of the offer whose contact the user opened in full (written to the access log)."""
    pk = _int_param(request, "reveal_offer")
    offer = next((o for o in offers if o.pk == pk), None) if pk and can_edit else None
    if offer is None:
        return None
    audit(
        actor=request.user,
        center=station.center,
        action=AuditEntry.Action.VIEW_PERSONAL,
        obj=offer,
        summary=f"查看捐赠意向联系方式：{offer.masked_name}",
    )
    return offer.pk


@require_GET
def station_detail(request, slug):
    station = selectors.station_for_user(request.user, slug)
    can_edit = scoping.has_perm(request.user, "change", station.center)
    page = selectors.staff_station_page(station, page=request.GET.get("page", 1))
    return render(
        request,
        "assistance/manage/station_detail.html",
        {
            "station": station,
            "center": station.center,
            "page": page,
            "can_edit": can_edit,
            "revealed": _reveal_offer(request, station, page.offers, can_edit),
            "offer_statuses": GoodsOffer.Status.choices,
        },
    )


@require_http_methods(["GET", "POST"])
def station_edit(request, slug):
    """Edit a station, or open one at a center in scope that has none."""
    center = scoping.get_center_for_user(request.user, slug, "change")
    station = selectors.station_of_center(center)
    creating = station is None
    if creating:
        station = AidStation(
            center=center, name=_("%(center)s党群爱心援助站") % {"center": center.short_name}
        )
        initial = {}
    else:
        initial = {"wishes": [wish.item_id for wish in station.wishes.all()]}
    form = StationForm(
        request.POST or None, instance=station, initial=initial, items=selectors.catalogue()
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.station_save(
                actor=request.user,
                center=center,
                data=form.station_data(),
                wishes=form.wished_items(),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("援助站已开设。") if creating else _("援助站信息已保存。"))
            return redirect("assistance_manage:station", slug=center.slug)
    return render(
        request,
        "assistance/manage/station_form.html",
        {"form": form, "center": center, "station": station, "creating": creating},
    )


# -- Stock -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def donation_new(request, slug):
    station = selectors.station_for_user(request.user, slug, "change")
    data = request.POST if request.method == "POST" else None
    form = DonationForm(data, initial={"received_on": timezone.localdate()})
    lines = line_formset(
        DonationLineFormSet, data, items=selectors.catalogue(), rows=_int_param(request, "rows")
    )
    if data is not None and _all_valid(form, lines):
        rows = [row.line() for row in lines.filled_forms()]
        try:
            services.donation_receive(
                actor=request.user, station=station, data=form.service_data(), lines=rows
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _("捐赠已入库：%(kinds)s 行，共 %(n)s 件。")
                % {"kinds": len(rows), "n": sum(row[1] for row in rows)},
            )
            return redirect(_station_url(station))
    return render(
        request,
        "assistance/manage/donation_form.html",
        {
            "station": station,
            "form": form,
            "lines": lines,
            "more_rows_url": _more_rows_url(request, lines),
        },
    )


@require_http_methods(["GET", "POST"])
def stock_adjust(request, slug):
    station = selectors.station_for_user(request.user, slug, "change")
    levels = selectors.levels_by_item(station)
    form = StockAdjustForm(request.POST or None, items=selectors.catalogue(), levels=levels)
    if request.method == "POST" and form.is_valid():
        try:
            movement = services.stock_adjust(
                actor=request.user,
                station=station,
                item=form.cleaned_data["item"],
                quantity=form.cleaned_data["quantity"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            _add_errors(form, exc, "quantity")
        else:
            messages.success(
                request,
                _("已调整“%(item)s”%(q)+d，现有 %(n)s。")
                % {"item": movement.item, "q": movement.quantity, "n": movement.balance_after},
            )
            return redirect(_station_url(station))
    return render(
        request, "assistance/manage/stock_adjust.html", {"station": station, "form": form}
    )


@require_http_methods(["GET", "POST"])
def stock_transfer(request, slug):
    station = selectors.station_for_user(request.user, slug, "change")
    levels = selectors.levels_by_item(station)
    in_stock = [item for item in selectors.catalogue() if levels.get(item.pk, 0) > 0]
    targets = selectors.transfer_targets(request.user, station)
    form = StockTransferForm(request.POST or None, targets=targets, items=in_stock, levels=levels)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.stock_transfer(
                actor=request.user,
                source=station,
                target=data["target"],
                item=data["item"],
                quantity=data["quantity"],
                reason=data["reason"],
            )
        except ValidationError as exc:
            _add_errors(form, exc, "quantity")
        else:
            messages.success(
                request,
                _("已将“%(item)s”%(q)s 调往%(target)s。")
                % {"item": data["item"], "q": data["quantity"], "target": data["target"].name},
            )
            return redirect(_station_url(station))
    return render(
        request,
        "assistance/manage/stock_transfer.html",
        {"station": station, "form": form, "targets": targets, "in_stock": in_stock},
    )


@require_http_methods(["GET", "POST"])
def movement_reverse(request, slug, pk):
    """GET: what the reversal will do, and a reason to give. POST: reverse it."""
    station = selectors.station_for_user(request.user, slug, "change")
    movement = selectors.movement_of(station, pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reversal = services.movement_reverse(
                actor=request.user, movement=movement, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _("已冲正：“%(item)s”%(q)+d，现有 %(n)s。")
                % {"item": reversal.item, "q": reversal.quantity, "n": reversal.balance_after},
            )
            return redirect(_station_url(station))
    return render(
        request,
        "assistance/manage/movement_confirm_reverse.html",
        {
            "station": station,
            "movement": movement,
            "form": form,
            "reversible": movement.kind not in IRREVERSIBLE and not movement.is_reversed,
        },
    )


# -- Requests --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def request_new(request, slug):
    """Staff file a request for a beneficiary in their scope at this station's subtree."""
    station = selectors.station_for_user(request.user, slug, "change")
    data = request.POST if request.method == "POST" else None
    form = RequestFileForm(
        data,
        beneficiaries=selectors.beneficiary_choices(request.user, station),
        initial={"beneficiary": _int_param(request, "beneficiary")},
    )
    lines = line_formset(
        ItemLineFormSet,
        data,
        items=selectors.catalogue(),
        levels=selectors.levels_by_item(station),
        rows=_int_param(request, "rows"),
    )
    if data is not None and _all_valid(form, lines):
        try:
            aid_request = services.aid_request_file(
                actor=request.user,
                station=station,
                beneficiary=form.cleaned_data["beneficiary"],
                reason=form.cleaned_data["reason"],
                lines=[row.line() for row in lines.filled_forms()],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("申请已登记，等待审核。"))
            return redirect("assistance_manage:request", pk=aid_request.pk)
    return render(
        request,
        "assistance/manage/request_form.html",
        {
            "station": station,
            "form": form,
            "lines": lines,
            "more_rows_url": _more_rows_url(request, lines),
        },
    )


def _render_request(request, aid_request, *, decline_form=None, revealed=False, status=200):
    can_edit = scoping.has_perm(request.user, "change", aid_request.station.center)
    return render(
        request,
        "assistance/manage/request_detail.html",
        {
            "aid_request": aid_request,
            "station": aid_request.station,
            "lines": selectors.request_lines(aid_request),
            "distribution": selectors.distribution_of(aid_request),
            "can_edit": can_edit,
            "can_reveal": can_edit
            and not aid_request.beneficiary_id
            and bool(aid_request.requester_name or aid_request.requester_phone),
            "revealed": revealed,
            "masked_phone": mask_phone(aid_request.requester_phone),
            "decline_form": decline_form or DeclineForm(),
        },
        status=status,
    )


@require_GET
def request_detail(request, pk):
    aid_request = selectors.request_for_user(request.user, pk)
    revealed = False
    if request.GET.get("reveal") == "1" and not aid_request.beneficiary_id:
        if not scoping.has_perm(request.user, "change", aid_request.station.center):
            raise PermissionDenied
        audit(
            actor=request.user,
            center=aid_request.station.center,
            action=AuditEntry.Action.VIEW_PERSONAL,
            obj=aid_request,
            summary=f"查看物资申请人联系方式：{aid_request.masked_requester}",
        )
        revealed = True
    return _render_request(request, aid_request, revealed=revealed)


@require_POST
def request_approve(request, pk):
    aid_request = selectors.request_for_user(request.user, pk, "change")
    try:
        services.aid_request_approve(actor=request.user, request=aid_request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已批准。物资备好后请点“发放物资”，打印回执请领取人签字。"))
    return redirect("assistance_manage:request", pk=aid_request.pk)


@require_POST
def request_decline(request, pk):
    aid_request = selectors.request_for_user(request.user, pk, "change")
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.aid_request_decline(
                actor=request.user, request=aid_request, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                _add_errors(form, exc)
            else:
                messages.error(request, " ".join(exc.messages))
                return redirect("assistance_manage:request", pk=aid_request.pk)
        else:
            messages.success(request, _("已记录为未批准。"))
            return redirect("assistance_manage:request", pk=aid_request.pk)
    return _render_request(request, aid_request, decline_form=form)


# -- Distributions ---------------------------------------------------------------------------


def _request_problem(aid_request, station):
    """Why a distribution cannot fulfil `aid_request` at `station` ("" when it can)."""
    if aid_request.station_id != station.pk:
        return _("这份申请是%(station)s的，请在该站发放。") % {"station": aid_request.station.name}
    if aid_request.status != AidRequest.Status.APPROVED:
        return _("这份申请%(status)s，只能为已批准的申请发放。") % {
            "status": aid_request.get_status_display()
        }
    return ""


@require_http_methods(["GET", "POST"])
def distribution_new(request, slug):
    """Hand out goods: for an approved request (`?request=`), a beneficiary, or anybody."""
    station = selectors.station_for_user(request.user, slug, "change")
    aid_request, problem = None, ""
    if "request" in request.GET:
        request_pk = _int_param(request, "request")
        if request_pk is None:
            raise Http404
        aid_request = selectors.request_for_user(request.user, request_pk)
        problem = _request_problem(aid_request, station)
    initial = {"distributed_on": timezone.localdate()}
    line_initial = None
    if aid_request is None:
        initial["beneficiary"] = _int_param(request, "beneficiary")
    elif not problem:
        initial["recipient_name"] = aid_request.requester_name
        line_initial = [
            {"item": line.item_id, "quantity": line.quantity}
            for line in selectors.request_lines(aid_request)
        ]
    data = request.POST if request.method == "POST" else None
    form = DistributionForm(
        data,
        beneficiaries=None if aid_request else selectors.beneficiary_choices(request.user, station),
        initial=initial,
    )
    lines = line_formset(
        ItemLineFormSet,
        data,
        items=selectors.catalogue(),
        levels=selectors.levels_by_item(station),
        initial=line_initial,
        rows=_int_param(request, "rows"),
    )
    if data is not None and _all_valid(form, lines):
        try:
            distribution = services.distribution_create(
                actor=request.user,
                station=station,
                lines=[row.line() for row in lines.filled_forms()],
                distributed_on=form.cleaned_data["distributed_on"],
                request=aid_request,
                beneficiary=form.cleaned_data.get("beneficiary"),
                recipient_name=form.cleaned_data["recipient_name"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _("已发放，回执编号 %(no)s。请打印回执，请领取人签字。")
                % {"no": distribution.receipt_number},
            )
            return redirect("assistance_manage:receipt", pk=distribution.pk)
    return render(
        request,
        "assistance/manage/distribution_form.html",
        {
            "station": station,
            "form": form,
            "lines": lines,
            "aid_request": aid_request,
            "problem": problem,
            "more_rows_url": _more_rows_url(request, lines),
        },
    )


def _receipt_total(lines):
    """ "12 件" when every line counts in one unit, else how many kinds of goods."""
    units = {line.item.unit for line in lines}
    if len(units) == 1:
        return f"{sum(line.quantity for line in lines)} {units.pop()}"
    return _("%(n)s 种物品") % {"n": len(lines)}


@require_GET
def distribution_receipt(request, pk):
    distribution, lines = selectors.receipt(request.user, pk)
    return render(
        request,
        "assistance/manage/receipt.html",
        {
            "distribution": distribution,
            "station": distribution.station,
            "center": distribution.station.center,
            "lines": lines,
            "total": _receipt_total(lines),
            "recipient": selectors.receipt_recipient(distribution),
        },
    )


# -- Goods offers ----------------------------------------------------------------------------


@transaction.atomic
@require_POST
def offer_status(request, pk):
    offer = selectors.offer_for_user(request.user, pk, "change")
    form = OfferStatusForm(request.POST)
    if form.is_valid():
        offer = services.goods_offer_set_status(
            actor=request.user, offer=offer, status=form.cleaned_data["status"]
        )
        messages.success(
            request, _("捐赠意向已标记为“%(s)s”。") % {"s": offer.get_status_display()}
        )
    else:
        messages.error(request, _("请选择有效的状态。"))
    return redirect(_station_url(offer.station))
