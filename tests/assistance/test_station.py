"""The staff pages of the love aid station: scoping, each page's happy path, bad input shown
on the form (never a 500), masked personal data, query budgets, the receipt."""

import pytest
from django.urls import reverse
from django.utils import timezone

from assistance import services
from assistance.models import (
    AidRequest,
    AidStation,
    Distribution,
    Donation,
    GoodsOffer,
    Item,
    StockLevel,
    StockMovement,
)
from centers.models import AuditEntry
from tests.conftest import client_for
from tests.factories import AidStationFactory, BeneficiaryFactory, ItemFactory

pytestmark = pytest.mark.django_db

SLUG = "chuangye"


@pytest.fixture
def station(tree):
    return AidStationFactory(center=tree.community, name="创业社区党群爱心援助站")


@pytest.fixture
def coat(db):
    return ItemFactory(name="棉大衣", category=Item.Category.CLOTHING)


@pytest.fixture
def rice(db):
    return ItemFactory(name="大米", unit="袋", category=Item.Category.FOOD)


@pytest.fixture
def staff(client, community_worker):
    return client_for(client, community_worker)


def url(name, *args):
    return reverse(f"assistance_manage:{name}", args=args)


def level(station, item):
    row = StockLevel.objects.filter(station=station, item=item).first()
    return row.quantity if row else 0


def donate(actor, station, *lines):
    return services.donation_receive(
        actor=actor,
        station=station,
        data={"donor_name": "李女士", "received_on": timezone.localdate()},
        lines=[(item, quantity, "good", True) for item, quantity in lines],
    )


def lines_data(*rows, total=5, extra=None):
    """POST data of a line formset: `rows` of dicts, then blank rows up to `total`."""
    data = {"lines-TOTAL_FORMS": str(total), "lines-INITIAL_FORMS": "0"}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"lines-{i}-{key}"] = value
    data.update(extra or {})
    return data


def public_request(station, name="欧阳娜娜", phone="13912345678"):
    return services.aid_request_submit(
        station=station,
        data={"requester_name": name, "requester_phone": phone, "reason": "冬季缺被褥"},
    )


def filed_request(actor, station, beneficiary, *lines):
    return services.aid_request_file(
        actor=actor, station=station, beneficiary=beneficiary, reason="冬季御寒", lines=list(lines)
    )


# -- Scoping -----------------------------------------------------------------------------------


def _pages(station, item):
    """(method, url, data) for every staff page, with data that would be a valid change."""
    movement = donate_once(station, item)
    request = AidRequest.objects.create(station=station, reason="x")
    distribution = Distribution.objects.filter(station=station).first()
    offer = GoodsOffer.objects.create(station=station, name="王", phone="13800001111", items="书")
    return {
        "station": ("get", url("station", SLUG)),
        "station_edit": ("post", url("station_edit", SLUG)),
        "donation_new": ("post", url("donation_new", SLUG)),
        "stock_adjust": ("post", url("stock_adjust", SLUG)),
        "stock_transfer": ("post", url("stock_transfer", SLUG)),
        "movement_reverse": ("post", url("movement_reverse", SLUG, movement.pk)),
        "request_new": ("post", url("request_new", SLUG)),
        "distribution_new": ("post", url("distribution_new", SLUG)),
        "request": ("get", url("request", request.pk)),
        "request_approve": ("post", url("request_approve", request.pk)),
        "request_decline": ("post", url("request_decline", request.pk)),
        "receipt": ("get", url("receipt", distribution.pk)),
        "offer_status": ("post", url("offer_status", offer.pk)),
    }


def donate_once(station, item):
    from tests.factories import StaffRoleFactory

    worker = StaffRoleFactory(center=station.center).user
    donate(worker, station, (item, 3))
    services.distribution_create(
        actor=worker,
        station=station,
        lines=[(item, 1)],
        distributed_on=timezone.localdate(),
        recipient_name="王大爷",
    )
    return StockMovement.objects.filter(station=station, kind="donation").get()


def test_outsiders_get_404_on_every_page_and_change_nothing(client, station, coat, outsider):
    pages = _pages(station, coat)
    client_for(client, outsider)
    for name, (method, page) in pages.items():
        assert getattr(client, method)(page).status_code == 404, name
    assert StockMovement.objects.count() == 2


def test_a_resident_gets_403_or_404_and_never_the_data(client, station, coat, resident):
    pages = _pages(station, coat)
    client_for(client, resident)
    assert client.get(url("stations")).status_code == 403
    for name, (method, page) in pages.items():
        assert getattr(client, method)(page).status_code == 404, name


def test_a_viewer_sees_the_station_but_gets_403_on_every_write(
    client, station, coat, community_viewer
):
    pages = _pages(station, coat)
    client_for(client, community_viewer)
    for name, (method, page) in pages.items():
        expected = 200 if method == "get" else 403
        assert getattr(client, method)(page).status_code == expected, name
    for name in ("donation_new", "stock_adjust", "distribution_new", "station_edit"):
        assert client.get(pages[name][1]).status_code == 403, name
    html = client.get(url("station", SLUG)).content.decode()
    assert url("donation_new", SLUG) not in html
    assert AidRequest.objects.get().status == AidRequest.Status.PENDING


def test_anonymous_visitors_are_sent_to_log_in(client, station, coat):
    pages = _pages(station, coat)
    for name, (method, page) in {**pages, "stations": ("get", url("stations"))}.items():
        response = getattr(client, method)(page)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name


@pytest.mark.parametrize("name", ["request_approve", "request_decline", "offer_status"])
def test_post_only_pages_answer_405_to_get(staff, station, coat, name):
    pages = _pages(station, coat)
    assert staff.get(pages[name][1]).status_code == 405


# -- Station list and page ---------------------------------------------------------------------


def test_station_list_shows_stations_in_scope_with_their_open_work(
    client, tree, station, street_staff
):
    AidStationFactory(center=tree.other_community, name="健康社区援助站")
    public_request(station)
    GoodsOffer.objects.create(station=station, name="王", phone="13800001111", items="书")
    client_for(client, street_staff)

    html = client.get(url("stations")).content.decode()

    assert station.name in html and "健康社区援助站" not in html
    assert "待审核申请 <strong>1</strong>" in html
    # Centers in scope without a station can open one; the community with one is not offered.
    assert url("station_edit", "zhanlanguan") in html
    assert url("station_edit", SLUG) not in html


def test_station_page_masks_requesters_and_offerers_and_lists_the_ledger(
    staff, tree, station, coat, community_worker
):
    donate(community_worker, station, (coat, 4))
    public_request(station, name="欧阳娜娜", phone="13912345678")
    person = BeneficiaryFactory(center=tree.community, name="诸葛秀英")
    filed_request(community_worker, station, person, (coat, 1))
    GoodsOffer.objects.create(station=station, name="司马光明", phone="13887654321", items="书")

    response = staff.get(url("station", SLUG))

    html = response.content.decode()
    assert response.status_code == 200
    for secret in ("欧阳娜娜", "13912345678", "诸葛秀英", "司马光明", "13887654321"):
        assert secret not in html
    assert "欧****" in html or "欧**" in html
    assert "诸***" in html and "司***" in html and "138****4321" in html
    assert "接收捐赠：李女士" in html and "社区工作人员" in html
    assert "+4" in html and "棉大衣" in html


def test_opening_an_offers_contact_in_full_is_logged(staff, station, community_worker):
    offer = GoodsOffer.objects.create(
        station=station, name="司马光明", phone="13887654321", items="书"
    )

    html = staff.get(url("station", SLUG) + f"?reveal_offer={offer.pk}").content.decode()

    assert "司马光明" in html and "13887654321" in html
    entry = AuditEntry.objects.get(action=AuditEntry.Action.VIEW_PERSONAL)
    assert entry.actor == community_worker and entry.object_id == str(offer.pk)


def test_the_staff_station_page_runs_the_same_queries_for_few_and_many_rows(
    staff, tree, station, community_worker, django_assert_num_queries
):
    def add_rows(n):
        items = [ItemFactory() for _ in range(n)]
        donate(community_worker, station, *[(item, 5) for item in items])
        person = BeneficiaryFactory(center=tree.community)
        for item in items:
            public_request(station)
            filed_request(community_worker, station, person, (item, 1))
            GoodsOffer.objects.create(station=station, name="王", phone="13800001111", items="书")
            services.distribution_create(
                actor=community_worker,
                station=station,
                lines=[(item, 1)],
                distributed_on=timezone.localdate(),
                beneficiary=person,
            )

    add_rows(1)
    # Session and user; the station with its center; the user's roles; stock levels with
    # items; the ledger's count and page (items, actors, reversed flag); open requests with
    # their beneficiaries, and their lines with items; open offers; recent distributions.
    with django_assert_num_queries(11):
        assert staff.get(url("station", SLUG)).status_code == 200
    add_rows(15)
    with django_assert_num_queries(11):
        assert staff.get(url("station", SLUG)).status_code == 200


# -- The station form --------------------------------------------------------------------------


def test_staff_open_a_station_for_a_center_that_has_none(staff, tree, coat, rice):
    AidStation.objects.filter(center=tree.community).delete()
    form = staff.get(url("station_edit", SLUG))
    assert form.status_code == 200
    assert "创业社区党群爱心援助站" in form.content.decode()

    response = staff.post(
        url("station_edit", SLUG),
        {
            "name": "创业社区党群爱心援助站",
            "how_to_donate": "送到一楼大厅",
            "opening_hours": "周一至周五",
            "is_public": "on",
            "wishes": [str(rice.pk)],
        },
    )

    assert response.status_code == 302 and response["Location"] == url("station", SLUG)
    station = AidStation.objects.get(center=tree.community)
    assert station.is_public and [w.item for w in station.wishes.all()] == [rice]


def test_editing_the_wish_list_replaces_it(staff, station, coat, rice):
    station.wishes.create(item=coat)
    html = staff.get(url("station_edit", SLUG)).content.decode()
    assert f'value="{coat.pk}"' in html and "checked" in html

    staff.post(
        url("station_edit", SLUG),
        {"name": station.name, "wishes": [str(rice.pk)], "opening_hours": ""},
    )

    station.refresh_from_db()
    assert [w.item for w in station.wishes.all()] == [rice] and not station.is_public


def test_station_form_refuses_unknown_wish_items(staff, station):
    response = staff.post(url("station_edit", SLUG), {"name": station.name, "wishes": ["99999"]})
    assert response.status_code == 200
    assert "99999 不在可用的选项中" in response.content.decode()
    assert not station.wishes.exists()


def test_station_form_for_a_center_out_of_scope_is_404(staff, tree):
    assert staff.get(url("station_edit", "jiankang")).status_code == 404


# -- Donations ---------------------------------------------------------------------------------


def test_a_donation_with_several_lines_goes_into_stock(staff, station, coat, rice):
    response = staff.post(
        url("donation_new", SLUG),
        lines_data(
            {"item": coat.pk, "quantity": "6", "condition": "new", "disinfected": "on"},
            {"item": rice.pk, "quantity": "3", "condition": "good"},
            extra={"donor_name": "李女士", "received_on": timezone.localdate().isoformat()},
        ),
    )

    assert response.status_code == 302 and response["Location"] == url("station", SLUG)
    donation = Donation.objects.get()
    assert donation.donor_name == "李女士" and donation.lines.count() == 2
    assert (level(station, coat), level(station, rice)) == (6, 3)
    assert donation.lines.get(item=coat).disinfected


def test_the_donation_form_offers_blank_rows_and_more_on_request(staff, station):
    html = staff.get(url("donation_new", SLUG)).content.decode()
    assert 'name="lines-TOTAL_FORMS" value="5"' in html
    assert "?rows=10" in html
    html = staff.get(url("donation_new", SLUG) + "?rows=12").content.decode()
    assert 'name="lines-TOTAL_FORMS" value="12"' in html


def test_an_anonymous_donation_keeps_no_donor_name(staff, station, coat):
    staff.post(
        url("donation_new", SLUG),
        lines_data(
            {"item": coat.pk, "quantity": "1", "condition": "good"},
            extra={
                "donor_name": "不想留名",
                "is_anonymous": "on",
                "received_on": timezone.localdate().isoformat(),
            },
        ),
    )
    donation = Donation.objects.get()
    assert donation.donor_name == "" and donation.is_anonymous


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([{"item": "ITEM", "quantity": "-3", "condition": "good"}], "数量应为 1 到 10000"),
        ([{"item": "ITEM", "quantity": "0", "condition": "good"}], "数量应为 1 到 10000"),
        ([{"item": "ITEM", "quantity": "99999999999999999999", "condition": "good"}], "10000"),
        ([{"item": "ITEM", "quantity": "三", "condition": "good"}], "请填写整数"),
        ([{"item": "ITEM", "quantity": "", "condition": "good"}], "这个字段是必填项"),
        ([{"item": "", "quantity": "4", "condition": "good"}], "这个字段是必填项"),
        ([{"item": "", "quantity": "", "condition": "new"}], "请至少填写一种物品"),
        ([{"item": "99999", "quantity": "4", "condition": "good"}], "选择一个有效的选项"),
        ([], "请至少填写一种物品"),
    ],
    ids=[
        "negative",
        "zero",
        "huge",
        "not-a-number",
        "item-without-quantity",
        "quantity-without-item",
        "only-condition-set",
        "unknown-item",
        "no-lines",
    ],
)
def test_bad_donation_lines_are_shown_on_the_form_and_nothing_moves(
    staff, station, coat, rows, message
):
    rows = [{**row, "item": coat.pk if row["item"] == "ITEM" else row["item"]} for row in rows]
    response = staff.post(
        url("donation_new", SLUG),
        lines_data(*rows, extra={"received_on": timezone.localdate().isoformat()}),
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Donation.objects.exists() and not StockMovement.objects.exists()


def test_a_tampered_donation_post_is_a_form_error_not_a_500(staff, station, coat):
    for data in (
        {"received_on": "2026-01-01"},
        {"lines-TOTAL_FORMS": "100000", "lines-INITIAL_FORMS": "0", "received_on": "x"},
        {"lines-TOTAL_FORMS": "abc", "lines-INITIAL_FORMS": "0"},
    ):
        assert staff.post(url("donation_new", SLUG), data).status_code == 200
    assert not Donation.objects.exists()


def test_a_donation_dated_in_the_future_is_refused(staff, station, coat):
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    response = staff.post(
        url("donation_new", SLUG),
        lines_data(
            {"item": coat.pk, "quantity": "1", "condition": "good"},
            extra={"received_on": tomorrow.isoformat()},
        ),
    )
    assert "日期不能晚于今天" in response.content.decode()
    assert not Donation.objects.exists()


# -- Adjustments, transfers, reversals ---------------------------------------------------------


def test_an_adjustment_with_a_reason_moves_stock(staff, station, coat, community_worker):
    donate(community_worker, station, (coat, 5))

    response = staff.post(
        url("stock_adjust", SLUG), {"item": coat.pk, "quantity": "-2", "reason": "盘点破损 2 件"}
    )

    assert response.status_code == 302
    assert level(station, coat) == 3
    movement = StockMovement.objects.get(kind="adjustment")
    assert (movement.quantity, movement.reason, movement.actor) == (
        -2,
        "盘点破损 2 件",
        community_worker,
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"quantity": "-9", "reason": "盘点"}, "只剩 5 件"),
        ({"quantity": "0", "reason": "盘点"}, "调整数量不能为 0"),
        ({"quantity": "-20000", "reason": "盘点"}, "-10000 到 10000"),
        ({"quantity": "3", "reason": ""}, "这个字段是必填项"),
        ({"quantity": "3", "reason": "   "}, "这个字段是必填项"),
    ],
)
def test_bad_adjustments_are_form_errors(staff, station, coat, community_worker, data, message):
    donate(community_worker, station, (coat, 5))
    response = staff.post(url("stock_adjust", SLUG), {"item": coat.pk, **data})
    assert response.status_code == 200 and message in response.content.decode()
    assert level(station, coat) == 5


def test_street_staff_transfer_stock_to_another_station_in_scope(
    client, tree, station, coat, street_staff
):
    target = AidStationFactory(center=tree.sibling)
    donate(street_staff, station, (coat, 6))
    client_for(client, street_staff)

    response = client.post(
        url("stock_transfer", SLUG),
        {"target": target.pk, "item": coat.pk, "quantity": "4", "reason": "调剂"},
    )

    assert response.status_code == 302
    assert (level(station, coat), level(target, coat)) == (2, 4)


def test_transfers_go_only_to_other_stations_in_scope(
    client, tree, station, coat, community_worker, street_staff
):
    AidStationFactory(center=tree.sibling)
    elsewhere = AidStationFactory(center=tree.other_community)
    donate(community_worker, station, (coat, 6))
    # A community worker has no other station in scope: the page says so and offers no form.
    html = client_for(client, community_worker).get(url("stock_transfer", SLUG)).content.decode()
    assert "没有其他援助站" in html and 'name="target"' not in html

    client_for(client, street_staff)
    for target in (elsewhere, station):
        response = client.post(
            url("stock_transfer", SLUG),
            {"target": target.pk, "item": coat.pk, "quantity": "1", "reason": "调剂"},
        )
        assert response.status_code == 200
        assert "选择一个有效的选项" in response.content.decode()
    assert level(station, coat) == 6 and not StockMovement.objects.filter(kind="transfer_out")


def test_a_transfer_of_an_item_out_of_stock_or_beyond_it_is_a_form_error(
    client, tree, station, coat, rice, street_staff
):
    target = AidStationFactory(center=tree.sibling)
    donate(street_staff, station, (coat, 2))
    client_for(client, street_staff)
    for data, message in (
        ({"item": rice.pk, "quantity": "1"}, "选择一个有效的选项"),
        ({"item": coat.pk, "quantity": "3"}, "只剩 2 件"),
        ({"item": coat.pk, "quantity": "-1"}, "数量应为 1 到 10000"),
    ):
        response = client.post(
            url("stock_transfer", SLUG), {"target": target.pk, "reason": "调剂", **data}
        )
        assert response.status_code == 200 and message in response.content.decode()
    assert level(target, coat) == 0


def test_a_reversal_is_confirmed_then_posted_with_a_reason(staff, station, coat, community_worker):
    movement = donate(community_worker, station, (coat, 4)).movements.get()
    page = url("movement_reverse", SLUG, movement.pk)

    confirm = staff.get(page)
    assert confirm.status_code == 200 and "确定冲正" in confirm.content.decode()
    assert "这个字段是必填项" in staff.post(page, {"reason": ""}).content.decode()

    assert staff.post(page, {"reason": "录入重复"}).status_code == 302
    assert level(station, coat) == 0
    again = staff.get(page).content.decode()
    assert "已经冲正过" in again and "确定冲正" not in again
    assert "已经冲正过" in staff.post(page, {"reason": "再次"}).content.decode()
    assert StockMovement.objects.filter(kind="reversal").count() == 1


def test_a_movement_of_another_station_is_404(staff, tree, station, coat, street_staff):
    other = AidStationFactory(center=tree.sibling)
    movement = donate(street_staff, other, (coat, 4)).movements.get()
    assert staff.get(url("movement_reverse", SLUG, movement.pk)).status_code == 404


# -- Requests ----------------------------------------------------------------------------------


def test_staff_file_a_request_for_a_beneficiary_in_scope(staff, tree, station, coat):
    person = BeneficiaryFactory(center=tree.community, name="诸葛秀英")
    form = staff.get(url("request_new", SLUG) + f"?beneficiary={person.pk}").content.decode()
    assert f'value="{person.pk}" selected' in form and "诸***" in form and "诸葛秀英" not in form

    response = staff.post(
        url("request_new", SLUG),
        lines_data(
            {"item": coat.pk, "quantity": "2"},
            extra={"beneficiary": person.pk, "reason": "冬季御寒"},
        ),
    )

    request = AidRequest.objects.get()
    assert response["Location"] == url("request", request.pk)
    assert request.beneficiary == person and request.lines.get().quantity == 2


def test_a_request_for_a_beneficiary_out_of_scope_is_a_form_error(staff, tree, station, coat):
    BeneficiaryFactory(center=tree.community)
    stranger = BeneficiaryFactory(center=tree.other_community)
    response = staff.post(
        url("request_new", SLUG),
        lines_data(
            {"item": coat.pk, "quantity": "2"}, extra={"beneficiary": stranger.pk, "reason": "x"}
        ),
    )
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    assert not AidRequest.objects.exists()


def test_request_page_masks_the_requester_and_reveals_only_with_a_log(
    staff, station, community_worker
):
    request = public_request(station, name="欧阳娜娜", phone="13912345678")

    html = staff.get(url("request", request.pk)).content.decode()
    assert "欧阳娜娜" not in html and "13912345678" not in html and "139****5678" in html
    assert not AuditEntry.objects.exists()

    html = staff.get(url("request", request.pk) + "?reveal=1").content.decode()
    assert "欧阳娜娜" in html and "13912345678" in html
    assert AuditEntry.objects.get().action == AuditEntry.Action.VIEW_PERSONAL


def test_a_viewer_cannot_reveal_a_requesters_contact(client, station, community_viewer):
    request = public_request(station)
    client_for(client, community_viewer)
    assert client.get(url("request", request.pk)).status_code == 200
    assert client.get(url("request", request.pk) + "?reveal=1").status_code == 403


def test_staff_approve_a_pending_request_once(staff, station):
    request = public_request(station)

    assert staff.post(url("request_approve", request.pk)).status_code == 302
    request.refresh_from_db()
    assert request.status == AidRequest.Status.APPROVED

    html = staff.post(url("request_approve", request.pk), follow=True).content.decode()
    assert "已经处理过了" in html


def test_declining_needs_a_reason(staff, station):
    request = public_request(station)

    response = staff.post(url("request_decline", request.pk), {"reason": ""})
    assert response.status_code == 200 and "这个字段是必填项" in response.content.decode()
    request.refresh_from_db()
    assert request.status == AidRequest.Status.PENDING

    staff.post(url("request_decline", request.pk), {"reason": "不符合条件，已转介民政救助"})
    request.refresh_from_db()
    assert request.status == AidRequest.Status.DECLINED
    assert request.decline_reason == "不符合条件，已转介民政救助"


# -- Distributions and the receipt -------------------------------------------------------------


def test_distributing_an_approved_request_prefills_its_lines_and_prints_a_receipt(
    staff, tree, station, coat, rice, community_worker
):
    donate(community_worker, station, (coat, 5), (rice, 5))
    person = BeneficiaryFactory(center=tree.community, name="诸葛秀英")
    request = filed_request(community_worker, station, person, (coat, 2), (rice, 1))
    services.aid_request_approve(actor=community_worker, request=request)
    page = url("distribution_new", SLUG) + f"?request={request.pk}"

    form = staff.get(page).content.decode()
    assert f'<option value="{coat.pk}" selected>' in form
    assert 'name="lines-0-quantity" value="2"' in form

    response = staff.post(
        page,
        lines_data(
            {"item": coat.pk, "quantity": "2"},
            {"item": rice.pk, "quantity": "1"},
            extra={"distributed_on": timezone.localdate().isoformat(), "recipient_name": ""},
        ),
    )

    distribution = Distribution.objects.get()
    assert response["Location"] == url("receipt", distribution.pk)
    request.refresh_from_db()
    assert request.status == AidRequest.Status.FULFILLED
    assert (level(station, coat), level(station, rice)) == (3, 4)

    receipt = staff.get(response["Location"])
    html = receipt.content.decode()
    assert receipt.status_code == 200
    assert station.name in html and distribution.receipt_number in html
    assert "诸***" in html and "诸葛秀英" not in html
    assert "棉大衣" in html and "大米" in html and "合计" in html
    assert "领取人（签字）" in html and "发放人（签字）" in html


def test_a_standalone_distribution_names_its_recipient(staff, station, coat, community_worker):
    donate(community_worker, station, (coat, 5))
    response = staff.post(
        url("distribution_new", SLUG),
        lines_data(
            {"item": coat.pk, "quantity": "1"},
            extra={"distributed_on": timezone.localdate().isoformat(), "recipient_name": "王大爷"},
        ),
    )
    assert response.status_code == 302
    assert "王大爷" in staff.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"recipient_name": ""}, "请选择帮扶对象，或填写领取人"),
        ({"recipient_name": "王", "lines-0-quantity": "6"}, "只剩 5 件"),
        ({"recipient_name": "王", "lines-0-item": "RICE"}, "只剩 0 袋"),
        ({"recipient_name": "王", "lines-0-quantity": "-1"}, "数量应为 1 到 10000"),
        ({"recipient_name": "王", "lines-0-quantity": ""}, "这个字段是必填项"),
        ({"recipient_name": "王", "beneficiary": "STRANGER"}, "选择一个有效的选项"),
    ],
)
def test_bad_distributions_are_form_errors_and_nothing_moves(
    staff, tree, station, coat, rice, community_worker, data, message
):
    donate(community_worker, station, (coat, 5))
    stranger = BeneficiaryFactory(center=tree.other_community)
    post = lines_data(
        {"item": coat.pk, "quantity": "1"},
        extra={"distributed_on": timezone.localdate().isoformat()},
    )
    post.update(data)
    if post.get("lines-0-item") == "RICE":
        post["lines-0-item"] = rice.pk
    if post.get("beneficiary") == "STRANGER":
        post["beneficiary"] = stranger.pk

    response = staff.post(url("distribution_new", SLUG), post)

    assert response.status_code == 200 and message in response.content.decode()
    assert not Distribution.objects.exists() and level(station, coat) == 5


def test_a_request_of_another_station_cannot_be_distributed_here(
    client, tree, station, coat, community_worker, street_staff
):
    staff = client_for(client, street_staff)
    other = AidStationFactory(center=tree.sibling, name="展览馆社区援助站")
    donate(community_worker, station, (coat, 5))
    request = public_request(other)
    services.aid_request_approve(actor=street_staff, request=request)
    pending = public_request(station)
    page = url("distribution_new", SLUG) + f"?request={request.pk}"

    html = staff.get(page).content.decode()
    assert "这份申请是展览馆社区援助站的" in html and "发放并生成回执" not in html
    response = staff.post(
        page,
        lines_data(
            {"item": coat.pk, "quantity": "1"},
            extra={"distributed_on": timezone.localdate().isoformat(), "recipient_name": "王"},
        ),
    )
    assert response.status_code == 200 and "只能为本站已批准的申请发放" in response.content.decode()
    html = staff.get(url("distribution_new", SLUG) + f"?request={pending.pk}").content.decode()
    assert "只能为已批准的申请发放" in html
    assert not Distribution.objects.exists()


def test_distribution_for_a_request_out_of_scope_or_garbled_is_404(staff, tree, station):
    elsewhere = AidStationFactory(center=tree.other_community)
    request = public_request(elsewhere)
    assert staff.get(url("distribution_new", SLUG) + f"?request={request.pk}").status_code == 404
    assert staff.get(url("distribution_new", SLUG) + "?request=abc").status_code == 404


def test_a_receipt_of_another_community_is_404(client, tree, coat, outsider, community_worker):
    station = AidStationFactory(center=tree.community)
    donate(community_worker, station, (coat, 1))
    distribution = services.distribution_create(
        actor=community_worker,
        station=station,
        lines=[(coat, 1)],
        distributed_on=timezone.localdate(),
        recipient_name="王",
    )
    client_for(client, outsider)
    assert client.get(url("receipt", distribution.pk)).status_code == 404


def test_the_receipt_page_carries_the_print_styles(staff, station, coat, community_worker):
    donate(community_worker, station, (coat, 1))
    distribution = services.distribution_create(
        actor=community_worker,
        station=station,
        lines=[(coat, 1)],
        distributed_on=timezone.localdate(),
        recipient_name="王",
    )
    html = staff.get(url("receipt", distribution.pk)).content.decode()
    # The body class the print rules hang on, and the print style sheet itself.
    assert '<body class="console as-receipt-page">' in html
    assert 'css/print.css" media="print"' in html


# -- Goods offers ------------------------------------------------------------------------------


def test_staff_mark_an_offer_contacted(staff, station, community_worker):
    offer = GoodsOffer.objects.create(station=station, name="王", phone="13800001111", items="书")

    response = staff.post(url("offer_status", offer.pk), {"status": "contacted"})

    assert response["Location"] == url("station", SLUG)
    offer.refresh_from_db()
    assert offer.status == GoodsOffer.Status.CONTACTED
    assert AuditEntry.objects.get().actor == community_worker
    staff.post(url("offer_status", offer.pk), {"status": "bogus"})
    offer.refresh_from_db()
    assert offer.status == GoodsOffer.Status.CONTACTED
