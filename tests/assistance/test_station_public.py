"""The public pages of the love aid station: what it needs and has, the year's figures, the
offer and ask forms; never anybody's name or phone."""

import re
from datetime import date

import pytest
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from assistance import sections, services
from assistance.models import AidRequest, GoodsOffer, Item, WishListItem
from tests.factories import AidStationFactory, BeneficiaryFactory, ItemFactory

pytestmark = pytest.mark.django_db

REQUESTER = ("欧阳娜娜", "13912345678")
OFFERER = ("司马光明", "13887654321")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def station(tree):
    return AidStationFactory(
        center=tree.community,
        name="创业社区党群爱心援助站",
        intro="收集居民闲置物品，送给有需要的邻居。",
        opening_hours="周一至周五 9:00–17:00",
    )


def text_of(response):
    """The page's text without tags and whitespace, for matching sentences."""
    html = response.content.decode()
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", html))


def donate(actor, station, *lines):
    return services.donation_receive(
        actor=actor,
        station=station,
        data={"donor_name": "李女士", "received_on": timezone.localdate()},
        lines=[(item, quantity, "good", True) for item, quantity in lines],
    )


def give(actor, station, lines, *, on=None, **recipient):
    return services.distribution_create(
        actor=actor,
        station=station,
        lines=lines,
        distributed_on=on or timezone.localdate(),
        **recipient,
    )


def offer_url(station, kind="offer"):
    return reverse(f"assistance:{kind}", args=[station.center.slug])


# -- Pages -------------------------------------------------------------------------------------


def test_station_list_shows_public_stations_only(client, tree, station):
    hidden = AidStationFactory(center=tree.sibling, name="未公开的援助站", is_public=False)
    tree.other_community.is_published = False
    tree.other_community.save()
    AidStationFactory(center=tree.other_community, name="未公开中心的援助站")
    WishListItem.objects.create(station=station, item=ItemFactory())

    response = client.get(reverse("assistance:stations"))

    assert response.status_code == 200
    html = response.content.decode()
    assert station.name in html and station.get_absolute_url() in html
    assert "急需 1 种物资" in html
    assert hidden.name not in html and "未公开中心的援助站" not in html


def test_station_page_shows_wishes_counts_by_category_and_the_years_figures(
    client, tree, station, community_worker
):
    coat = ItemFactory(name="棉大衣", category=Item.Category.CLOTHING)
    sweater = ItemFactory(name="毛衣", category=Item.Category.CLOTHING)
    rice = ItemFactory(name="大米", unit="袋", category=Item.Category.FOOD)
    quilt = ItemFactory(name="冬被", unit="床", category=Item.Category.BEDDING)
    WishListItem.objects.create(station=station, item=quilt, note="冬季急需")
    donate(community_worker, station, (coat, 10), (sweater, 6), (rice, 8))
    person = BeneficiaryFactory(center=tree.community)
    give(community_worker, station, [(coat, 2), (rice, 1)], beneficiary=person)
    give(community_worker, station, [(sweater, 1)], beneficiary=person)
    give(community_worker, station, [(rice, 2)], recipient_name="王大爷")
    give(community_worker, station, [(coat, 1)], recipient_name=" 王大爷 ")
    last_year = date(timezone.localdate().year - 1, 12, 31)
    give(community_worker, station, [(coat, 3)], recipient_name="张阿姨", on=last_year)

    response = client.get(station.get_absolute_url())

    assert response.status_code == 200
    text = text_of(response)
    # This year: 2 + 1 + 1 + 2 + 1 = 7 items, to one beneficiary and one name: 2 households.
    assert "本年度已发放物资7件，惠及2户" in text
    # On hand: clothing 10 + 6 - 3 - 1 - 3 = 9, food 8 - 3 = 5; bedding none (not listed).
    assert "9衣物" in text and "5粮油食品" in text and "床品" not in text.split("现在急需")[0]
    assert "冬被" in text and "冬季急需" in text
    assert "棉大衣" not in text, "stock shows counts by category, not items"
    assert "工作日9:00–17:00送到服务大厅。" in text and "周一至周五9:00–17:00" in text
    assert reverse("assistance:offer", args=["chuangye"]) in response.content.decode()
    assert reverse("assistance:ask", args=["chuangye"]) in response.content.decode()


def test_public_pages_never_show_a_requesters_or_offerers_name_or_phone(
    client, tree, station, community_worker
):
    item = ItemFactory()
    donate(community_worker, station, (item, 5))
    services.aid_request_submit(
        station=station,
        data={
            "requester_name": REQUESTER[0],
            "requester_phone": REQUESTER[1],
            "reason": "家中老人卧床，冬季缺少被褥。",
        },
    )
    request = AidRequest.objects.get()
    services.aid_request_approve(actor=community_worker, request=request)
    give(community_worker, station, [(item, 1)], request=request)
    services.goods_offer_submit(
        station=station, data={"name": OFFERER[0], "phone": OFFERER[1], "items": "儿童冬衣 5 件"}
    )
    person = BeneficiaryFactory(center=tree.community, name="诸葛秀英", phone="13700001111")
    give(community_worker, station, [(item, 1)], beneficiary=person)

    pages = [
        reverse("assistance:stations"),
        station.get_absolute_url(),
        offer_url(station),
        offer_url(station, "ask"),
        offer_url(station) + "?sent=1",
        offer_url(station, "ask") + "?sent=1",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for secret in (*REQUESTER, *OFFERER, "诸葛秀英", "13700001111", "家中老人卧床"):
            assert secret not in html, (url, secret)
    assert "惠及2户" in text_of(client.get(station.get_absolute_url()))


@pytest.mark.parametrize("kind", ["station", "offer", "ask"])
def test_unknown_or_hidden_stations_answer_404(client, tree, kind):
    AidStationFactory(center=tree.community, is_public=False)
    tree.sibling.is_published = False
    tree.sibling.save()
    AidStationFactory(center=tree.sibling)
    for slug in ("chuangye", "zhanlanguan", "no-such-center", "jiankang"):
        assert client.get(reverse(f"assistance:{kind}", args=[slug])).status_code == 404


def test_the_station_page_runs_the_same_queries_for_few_and_many_rows(
    client, tree, station, community_worker, django_assert_num_queries
):
    def add_rows(n):
        items = [
            ItemFactory(category=Item.Category.values[i % len(Item.Category.values)])
            for i in range(n)
        ]
        donate(community_worker, station, *[(item, 5) for item in items])
        for item in items:
            WishListItem.objects.create(station=station, item=item)
            give(community_worker, station, [(item, 1)], recipient_name=f"领取人{item.pk}")

    add_rows(1)
    # The station with its center, the breadcrumbs, the wish list, stock by category and
    # the year's figures (items and households in one aggregate).
    with django_assert_num_queries(5):
        assert client.get(station.get_absolute_url()).status_code == 200
    add_rows(12)
    with django_assert_num_queries(5):
        response = client.get(station.get_absolute_url())
    assert "惠及13户" in text_of(response)


# -- The center page block ---------------------------------------------------------------------


def test_center_block_shows_wishes_stock_and_a_link_in_two_queries(
    tree, station, community_worker, rf, django_assert_num_queries
):
    quilt = ItemFactory(name="冬被", unit="床", category=Item.Category.BEDDING)
    WishListItem.objects.create(station=station, item=quilt)
    WishListItem.objects.create(station=station, item=ItemFactory(name="电饭煲"))
    donate(community_worker, station, (quilt, 4))

    with django_assert_num_queries(2):
        block = sections.center_aid_station(tree.community, rf.get("/"))

    # Wishes in catalogue order: bedding before clothing.
    assert block["wishes"] == ["冬被", "电饭煲"]
    assert block["stock"] == [("床品", 4)]
    html = render_to_string(
        "assistance/includes/center_section.html", {"section": block, "center": tree.community}
    )
    assert station.name in html and "冬被" in html
    assert reverse("assistance:station", args=["chuangye"]) in html


def test_center_block_is_hidden_without_a_public_station(tree, rf, django_assert_num_queries):
    AidStationFactory(center=tree.sibling, is_public=False)
    with django_assert_num_queries(1):
        assert sections.center_aid_station(tree.community, rf.get("/")) is None
    assert sections.center_aid_station(tree.sibling, rf.get("/")) is None


# -- Offer and ask forms -----------------------------------------------------------------------


def test_a_resident_offers_goods_and_the_success_page_repeats_nothing(client, station):
    response = client.post(
        offer_url(station),
        {"name": OFFERER[0], "phone": "+86 138-8765-4321", "items": "儿童冬衣 5 件，八成新"},
    )

    assert response.status_code == 302
    assert response["Location"] == offer_url(station) + "?sent=1"
    offer = GoodsOffer.objects.get()
    assert (offer.name, offer.phone, offer.status) == (OFFERER[0], OFFERER[1], "new")
    page = client.get(response["Location"])
    assert "感谢您的爱心" in page.content.decode()
    assert OFFERER[0] not in page.content.decode() and "8765" not in page.content.decode()


def test_a_resident_asks_for_help_and_the_request_waits_for_review(client, station):
    response = client.post(
        offer_url(station, "ask"),
        {
            "requester_name": REQUESTER[0],
            "requester_phone": REQUESTER[1],
            "reason": "老伴住院，家里缺过冬的被子。",
            "items_wanted": "冬被 1 床",
        },
        follow=True,
    )

    assert response.status_code == 200
    assert "申请已收到" in response.content.decode()
    request = AidRequest.objects.get()
    assert request.status == AidRequest.Status.PENDING and request.beneficiary is None
    assert (request.requester_name, request.requester_phone) == REQUESTER
    assert request.items_wanted == "冬被 1 床" and not request.lines.exists()
    assert REQUESTER[0] not in response.content.decode()


@pytest.mark.parametrize(
    ("kind", "data", "field_error"),
    [
        ("offer", {"name": "王女士", "phone": "12345", "items": "书"}, "请输入11位手机号码"),
        ("offer", {"name": "", "phone": "13800001111", "items": "书"}, "这个字段是必填项"),
        ("ask", {"requester_name": "王女士", "requester_phone": "13800001111"}, "这个字段是必填项"),
        (
            "ask",
            {"requester_name": "王", "requester_phone": "1380000111", "reason": "困难"},
            "请输入11位手机号码",
        ),
    ],
)
def test_bad_public_input_is_shown_on_the_form_and_nothing_is_saved(
    client, station, kind, data, field_error
):
    response = client.post(offer_url(station, kind), data)

    assert response.status_code == 200
    assert field_error in response.content.decode()
    assert not GoodsOffer.objects.exists() and not AidRequest.objects.exists()


@pytest.mark.parametrize("kind", ["offer", "ask"])
def test_a_filled_honeypot_looks_like_success_but_saves_nothing(client, station, kind):
    data = {
        "name": OFFERER[0],
        "phone": OFFERER[1],
        "items": "书",
        "requester_name": REQUESTER[0],
        "requester_phone": REQUESTER[1],
        "reason": "困难",
        "website": "http://spam.example",
    }
    response = client.post(offer_url(station, kind), data)

    assert response.status_code == 302 and response["Location"].endswith("?sent=1")
    assert not GoodsOffer.objects.exists() and not AidRequest.objects.exists()


@pytest.mark.parametrize("kind", ["offer", "ask"])
def test_submissions_are_limited_per_address(client, station, kind):
    data = {
        "name": "王女士",
        "phone": "13800001111",
        "items": "书",
        "requester_name": "王女士",
        "requester_phone": "13800001111",
        "reason": "困难",
    }
    for _ in range(10):
        assert client.post(offer_url(station, kind), data).status_code == 302

    refused = client.post(offer_url(station, kind), data)

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "请一小时后再试" in refused.content.decode()
    assert GoodsOffer.objects.count() + AidRequest.objects.count() == 10
    other = client.post(offer_url(station, kind), data, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302


def test_a_signed_in_resident_finds_their_contact_filled_in(client, station, resident):
    client.force_login(resident)
    html = client.get(offer_url(station)).content.decode()
    assert f'value="{resident.phone}"' in html and f'value="{resident.name}"' in html


def test_public_pages_answer_405_to_other_methods(client, station):
    assert client.post(station.get_absolute_url()).status_code == 405
    assert client.put(offer_url(station)).status_code == 405
