"""District reports in Chromium over the demo district: a district admin drills from the district
to a street to a community and back, reads a section's charts, exports XLSX whose totals match
the page, and opens the annual report; axe finds nothing serious on the report pages, and the
pages work without JavaScript."""

import contextlib
import json
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from centers.demo_data import DEMO_PASSWORD, DEMO_USERS
from centers.reports import display

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_district")]

BLOCKING_IMPACTS = {"serious", "critical"}
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "is_mobile": False, "has_touch": False}
DISTRICT_ADMIN = next(u for u in DEMO_USERS if u["role"] == "manager" and u["center"] == "saihan")


def log_in(page, base):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("手机号码").fill(DISTRICT_ADMIN["phone"])
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.locator("form.form").get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("工作台")


def summary(page):
    return page.locator("#table-summary")


def page_totals(page, table_id="summary"):
    return page.locator(f"#table-{table_id} tfoot td").all_inner_texts()


def annual_report_url(slug, year):
    """The other half of the reports (the annual work report), if it has landed."""
    for name, args in (
        ("reports:annual", [slug, year]),
        ("reports:annual", []),
        ("annual_report", [slug, year]),
    ):
        with contextlib.suppress(NoReverseMatch):
            return reverse(name, args=args)
    return None


def assert_accessible(page, artifacts_dir, name):
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


def test_district_admin_drills_down_exports_xlsx_and_opens_the_annual_report(
    live_server, new_page, artifacts_dir
):
    base = live_server.url
    page = new_page()
    log_in(page, base)

    page.goto(base + reverse("reports:dashboard"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("工作报表")
    expect(page.locator(".report-header .subtitle")).to_contain_text("赛罕区党群服务中心")
    expect(summary(page).locator("tbody tr")).to_have_count(10)  # nine streets and 本级
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    page.screenshot(path=artifacts_dir / "reports-district-phone.png", full_page=True)

    # District → street.
    summary(page).get_by_role("link", name="中专路街道", exact=True).click()
    expect(page.locator(".report-header .subtitle")).to_contain_text("中专路街道党群服务中心")
    crumbs = page.get_by_role("navigation", name="位置")
    expect(crumbs.get_by_role("link", name="区党群服务中心")).to_be_visible()
    street_totals = page_totals(page)

    # The street's table exports as XLSX; its totals are the page's.
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("^Excel（XLSX）")).first.click()
    download = download_info.value
    assert download.suggested_filename.startswith("report-zhongzhuanlu-")
    saved = artifacts_dir / "reports-street.xlsx"
    download.save_as(saved)
    workbook = load_workbook(saved)
    sheet = workbook.active
    header = next(row for row in sheet.iter_rows() if row[0].value == "中心")
    total = next(row for row in sheet.iter_rows() if row[0].value == "合计")
    assert all(cell.font.bold for cell in header)
    assert [display(cell.value, cell.number_format == "0.0%") for cell in total[1:]] == (
        street_totals
    )

    # Street → community, and back up by the breadcrumbs.
    summary(page).get_by_role("link", name="创业社区", exact=True).click()
    expect(page.locator(".report-header .subtitle")).to_contain_text("创业社区党群服务中心")
    expect(summary(page).locator("tbody tr")).to_have_count(1)  # a community: its own row
    crumbs = page.get_by_role("navigation", name="位置")
    expect(crumbs.locator("[aria-current=page]")).to_have_text("创业社区")
    page.screenshot(path=artifacts_dir / "reports-community-phone.png", full_page=True)
    crumbs.get_by_role("link", name="中专路街道").click()
    expect(page.locator(".report-header .subtitle")).to_contain_text("中专路街道党群服务中心")
    assert page_totals(page) == street_totals

    # The street's deliberation page: charts drawn beside tables with the same numbers.
    page.get_by_role("navigation", name="报表内容").get_by_role("link", name="居民议事").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("居民议事")
    charts = page.locator("figure.report-chart")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 3
    assert page.locator("canvas[role=img]").count() == charts.count()
    expect(page.locator("#table-by-month caption")).to_have_text("居民议事：每月趋势")
    page.screenshot(path=artifacts_dir / "reports-section-phone.png", full_page=True)

    # The period selector: choosing a quarter shows the quarter, hides the dates.
    page.get_by_label("统计周期").select_option("quarter")
    expect(page.get_by_label("季度", exact=True)).to_be_visible()
    expect(page.get_by_label("开始日期")).to_be_hidden()
    page.get_by_label("季度", exact=True).select_option("1")
    page.get_by_label("年份").select_option(str(timezone.localdate().year))
    page.get_by_role("button", name="查看").click()
    expect(page).to_have_url(re.compile(r"period=quarter.*quarter=1"))
    expect(page.locator(".report-header .subtitle")).to_contain_text("第一季度")
    expect(page.locator("#table-by-month tbody tr")).to_have_count(3)

    annual = annual_report_url("zhongzhuanlu", timezone.localdate().year)
    if annual is not None:
        page.get_by_role("navigation", name="报表内容").get_by_role(
            "link", name=re.compile("年度工作报告")
        ).click()
        expect(page).to_have_url(base + annual)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.screenshot(path=artifacts_dir / "reports-annual-phone.png", full_page=True)
    assert page.console_errors == []


def test_report_pages_on_a_desktop_screen(live_server, new_page, artifacts_dir):
    page = new_page(**DESKTOP)
    log_in(page, live_server.url)

    page.goto(live_server.url + reverse("reports:dashboard"))
    expect(summary(page)).to_be_visible()
    page.screenshot(path=artifacts_dir / "reports-district-desktop.png", full_page=True)
    # Printed, the dashboard's wide table takes an A4 page across.
    pdf = page.pdf(path=artifacts_dir / "reports-district-a4.pdf", prefer_css_page_size=True)
    width, height = map(float, re.search(rb"/MediaBox\s*\[0 0 ([\d.]+) ([\d.]+)\]", pdf).groups())
    assert (round(width), round(height)) == (842, 595)
    page.goto(live_server.url + reverse("reports:section", args=["activities"]))
    expect(page.locator("figure.report-chart").first).to_be_visible()
    page.screenshot(path=artifacts_dir / "reports-activities-desktop.png", full_page=True)
    pdf = page.pdf(path=artifacts_dir / "reports-activities-a4.pdf", prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.emulate_media(media="print")
    page.screenshot(path=artifacts_dir / "reports-activities-print.png", full_page=True)
    expect(page.locator(".report-print-head")).to_be_visible()
    expect(page.locator(".report-period")).to_be_hidden()
    expect(page.get_by_role("navigation", name="位置")).to_be_hidden()
    assert page.console_errors == []


@pytest.mark.parametrize("page_key", ["dashboard", "section"])
def test_report_pages_have_no_serious_accessibility_violations(
    live_server, phone_page, artifacts_dir, page_key
):
    page = phone_page
    log_in(page, live_server.url)
    url = (
        reverse("reports:dashboard")
        if page_key == "dashboard"
        else reverse("reports:section", args=["assistance"]) + "?center=zhongzhuanlu"
    )
    page.goto(live_server.url + url)
    expect(page.locator(".report-table").first).to_be_visible()

    assert_accessible(page, artifacts_dir, f"reports-{page_key}")
    assert page.console_errors == []


def test_reports_work_without_javascript(live_server, new_page, artifacts_dir):
    page = new_page(java_script_enabled=False)
    log_in(page, live_server.url)
    page.goto(live_server.url + reverse("reports:section", args=["activities"]))

    # No charts without JavaScript; the tables carry the numbers.
    expect(page.locator("figure.report-chart").first).to_be_hidden()
    expect(page.locator("#table-by-month")).to_be_visible()
    page.get_by_label("统计周期").select_option("custom")
    page.get_by_label("开始日期").fill("2026-03-01")
    page.get_by_label("结束日期").fill("2026-02-01")
    page.get_by_role("button", name="查看").click()
    expect(page.get_by_role("alert")).to_contain_text("结束日期不能早于开始日期")

    page.get_by_label("开始日期").fill("2026-01-01")
    page.get_by_label("结束日期").fill("2026-03-31")
    page.get_by_role("button", name="查看").click()
    expect(page.locator(".report-header .subtitle")).to_contain_text("2026-01-01 至 2026-03-31")
    expect(page.locator("#table-by-month tbody tr")).to_have_count(3)
    page.screenshot(path=artifacts_dir / "reports-activities-nojs-phone.png", full_page=True)
