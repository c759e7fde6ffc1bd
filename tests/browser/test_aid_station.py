"""The love aid station in Chromium: staff take in a donation, a resident asks for help through
the public form, staff approve and distribute it, print the receipt, and the public page shows
the new counts."""

import json
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect

from assistance.models import AidRequest, Distribution, Item, StockLevel
from centers.models import StaffRole
from tests.factories import (
    PASSWORD,
    AidStationFactory,
    CenterFactory,
    ItemFactory,
    StaffRoleFactory,
)

pytestmark = pytest.mark.browser

REQUESTER = ("欧阳娜娜", "13912345678")
BLOCKING_IMPACTS = {"serious", "critical"}


def log_in(page, base, phone):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("手机号码").fill(phone)
    page.get_by_label("密码").fill(PASSWORD)
    page.locator("form.form").get_by_role("button", name="登录").click()


def assert_accessible(page, artifacts_dir, name):
    """No serious or critical axe violations; the full report goes to the artifacts."""
    results = Axe().run(page)
    report = {key: results.response[key] for key in ("testEngine", "violations", "incomplete")}
    (artifacts_dir / f"axe-{name}.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"axe on {name}:\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}; "
        f"nodes: {', '.join(' '.join(node['target']) for node in v['nodes'])}"
        for v in blocking
    )


def assert_fits_the_phone(page):
    width = page.evaluate("document.scrollingElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{page.url} is {width}px wide on a {viewport}px phone"


def stock_tile(page, category):
    return page.locator(".as-stock li").filter(has_text=category).locator(".as-stock-n")


def test_donation_request_approval_distribution_receipt_and_public_counts(
    live_server, transactional_db, new_page, artifacts_dir
):
    community = CenterFactory(
        name="金宇文苑社区党群服务中心",
        short_name="金宇文苑社区",
        slug="jinyuwenyuan",
        phone="0471-6661234",
    )
    station = AidStationFactory(
        center=community,
        name="金宇文苑社区党群爱心援助站",
        intro="收集居民闲置物品，整理消毒后送给有需要的邻居。",
        opening_hours="周一至周五 9:00–17:00",
    )
    quilt = ItemFactory(name="冬被", unit="床", category=Item.Category.BEDDING)
    coat = ItemFactory(name="儿童冬衣", unit="件", category=Item.Category.CLOTHING)
    station.wishes.create(item=quilt)
    staff = StaffRoleFactory(center=community, role=StaffRole.Role.EDITOR, user__name="李社工").user
    base = live_server.url
    station_manage = base + reverse("assistance_manage:station", args=[community.slug])
    station_public = base + station.get_absolute_url()

    # Staff take in a donation of two lines; the other rows stay blank.
    desk = new_page()
    log_in(desk, base, staff.phone)
    desk.goto(station_manage)
    desk.get_by_role("link", name="接收捐赠").click()
    desk.get_by_label("捐赠人", exact=True).fill("王女士")
    desk.locator("#id_lines-0-item").select_option(str(quilt.pk))
    desk.locator("#id_lines-0-quantity").fill("3")
    desk.locator("#id_lines-0-disinfected").check()
    desk.locator("#id_lines-1-item").select_option(str(coat.pk))
    desk.locator("#id_lines-1-quantity").fill("5")
    desk.locator("#id_lines-1-condition").select_option("new")
    desk.screenshot(path=artifacts_dir / "aid-donation-form-phone.png", full_page=True)
    desk.get_by_role("button", name="入库").click()
    expect(desk.get_by_role("status")).to_contain_text("捐赠已入库：2 行，共 8 件")
    expect(desk.locator(".as-ledger")).to_contain_text("接收捐赠：王女士")

    # A resident, in another browser, sees the counts and asks for help.
    resident = new_page()
    resident.goto(station_public)
    expect(resident.get_by_role("heading", level=1)).to_contain_text(station.name)
    expect(stock_tile(resident, "床品")).to_have_text("3")
    expect(stock_tile(resident, "衣物")).to_have_text("5")
    expect(resident.locator(".as-wishes")).to_contain_text("冬被")
    assert_accessible(resident, artifacts_dir, "aid-station")
    assert_fits_the_phone(resident)
    resident.get_by_role("link", name="我需要帮助").click()
    resident.get_by_label("您的姓名").fill(REQUESTER[0])
    resident.get_by_label("手机号码").fill(REQUESTER[1])
    resident.get_by_label("遇到了什么困难").fill("老伴住院，家里缺过冬的被子。")
    resident.get_by_label("需要哪些物品").fill("冬被 1 床")
    assert_accessible(resident, artifacts_dir, "aid-ask")
    resident.screenshot(path=artifacts_dir / "aid-ask-phone.png", full_page=True)
    resident.get_by_role("button", name="提交申请").click()
    expect(resident.get_by_role("heading", level=1)).to_have_text("申请已收到")
    assert REQUESTER[0] not in resident.content() and REQUESTER[1] not in resident.content()

    # Staff see the request masked, approve it and hand out a quilt.
    desk.goto(station_manage)
    requests = desk.get_by_role("region", name="待处理的物资申请")
    expect(requests).to_contain_text("欧***")
    expect(requests).not_to_contain_text(REQUESTER[0])
    assert_fits_the_phone(desk)
    desk.screenshot(path=artifacts_dir / "aid-station-staff-phone.png", full_page=True)
    requests.get_by_role("link", name=re.compile("的申请")).click()
    expect(desk.get_by_text("待审核", exact=True)).to_be_visible()
    desk.get_by_role("button", name="批准").click()
    expect(desk.get_by_role("status")).to_contain_text("已批准")
    desk.get_by_role("link", name="发放物资").click()
    expect(desk.get_by_label("领取人", exact=True)).to_have_value(REQUESTER[0])
    desk.locator("#id_lines-0-item").select_option(str(quilt.pk))
    desk.locator("#id_lines-0-quantity").fill("1")
    assert_accessible(desk, artifacts_dir, "aid-distribution-form")
    assert_fits_the_phone(desk)
    desk.screenshot(path=artifacts_dir / "aid-distribution-form-phone.png", full_page=True)
    desk.get_by_role("button", name="发放并生成回执").click()

    # The printable receipt.
    distribution = Distribution.objects.get()
    expect(desk.get_by_role("heading", level=1)).to_have_text("爱心物资发放回执")
    receipt = desk.locator(".as-receipt")
    expect(receipt).to_contain_text(distribution.receipt_number)
    expect(receipt).to_contain_text(station.name)
    expect(receipt).to_contain_text("冬被")
    expect(receipt).to_contain_text("领取人（签字）")
    expect(receipt.locator("tfoot")).to_contain_text("1 床")
    assert_accessible(desk, artifacts_dir, "aid-receipt")
    assert_fits_the_phone(desk)
    desk.screenshot(path=artifacts_dir / "receipt-phone.png", full_page=True)
    desk.set_viewport_size({"width": 794, "height": 1123})
    desk.emulate_media(media="print")
    expect(desk.locator(".site-header")).to_be_hidden()
    expect(desk.locator(".as-screen-only")).to_be_hidden()
    desk.screenshot(path=artifacts_dir / "receipt-print.png", full_page=True)
    desk.pdf(path=artifacts_dir / "receipt.pdf", format="A4", print_background=True)
    assert (artifacts_dir / "receipt.pdf").read_bytes().startswith(b"%PDF")

    request = AidRequest.objects.get()
    assert request.status == AidRequest.Status.FULFILLED
    assert StockLevel.objects.get(station=station, item=quilt).quantity == 2

    # The public page shows the new counts and the year's figures, and nobody's name.
    resident.goto(station_public)
    expect(stock_tile(resident, "床品")).to_have_text("2")
    expect(stock_tile(resident, "衣物")).to_have_text("5")
    expect(resident.locator(".as-figures-line")).to_have_text(
        re.compile(r"本年度已发放物资\s*1\s*件，惠及\s*1\s*户")
    )
    assert REQUESTER[0] not in resident.content()
    resident.screenshot(path=artifacts_dir / "aid-station-public-phone.png", full_page=True)
    assert desk.console_errors == [] and resident.console_errors == []
