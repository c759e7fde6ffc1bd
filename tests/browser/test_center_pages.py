"""A resident on a phone finds a community's center, in a real Chromium over the demo district."""

import json
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect

from centers.models import Center

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_district")]

STREET = "昭乌达路街道"
COMMUNITY = "大台什社区"
EXHIBITION = "党建文史馆"

# Impacts that fail the test; "moderate" and "minor" ones go to test-artifacts/axe-<page>.json.
BLOCKING_IMPACTS = {"serious", "critical"}


def _dataishi():
    return Center.objects.get(short_name=COMMUNITY)


def _path(page_key):
    if page_key == "home":
        return reverse("home")
    if page_key == "directory":
        return reverse("centers:list")
    return _dataishi().get_absolute_url()


def test_resident_reaches_dataishi_rooms_and_exhibition_from_home_on_phone(
    live_server, phone_page, artifacts_dir
):
    center = _dataishi()
    rooms = list(center.rooms.values_list("name", flat=True))
    exhibition = center.exhibitions.get(name=EXHIBITION)
    page = phone_page

    page.goto(live_server.url + reverse("home"))
    expect(page.get_by_role("heading", level=1)).to_have_text("赛罕区党群服务中心")

    # Each street is a <details>, only the first one open; the resident opens 昭乌达路街道's
    # unless it is that first one, and follows the link into the street.
    street = page.locator("details.street").filter(has=page.locator("summary", has_text=STREET))
    if street.get_attribute("open") is None:
        street.locator("summary").click()
    expect(street).to_have_attribute("open", "")
    expect(street.get_by_role("link", name=COMMUNITY, exact=True)).to_be_visible()
    street.get_by_role("link", name=re.compile(f"^进入{STREET}")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"{STREET}党群服务中心")
    page.get_by_role("link", name=re.compile(f"^社区\\s*{COMMUNITY}")).click()

    expect(page).to_have_url(live_server.url + center.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{COMMUNITY}党群服务中心")
    expect(page.get_by_role("navigation", name="位置")).to_contain_text(STREET)

    room_section = page.get_by_role("region", name="功能室")
    assert rooms, "seed_demo gave 大台什社区 no rooms"
    for name in rooms:
        expect(room_section.get_by_role("heading", name=name, exact=True)).to_be_visible()

    exhibition_section = page.get_by_role("region", name=EXHIBITION)
    expect(exhibition_section).to_be_visible()
    assert len(exhibition.hall_list) >= 2, "seed_demo gave 党建文史馆 fewer than two halls"
    halls = exhibition_section.get_by_role("listitem")
    expect(halls).to_have_count(len(exhibition.hall_list))
    for item, (hall, _note) in zip(halls.all(), exhibition.hall_list, strict=True):
        expect(item).to_be_visible()
        expect(item).to_contain_text(hall)

    page.screenshot(path=artifacts_dir / "dataishi-phone.png", full_page=True)
    # A blocked stylesheet (CSP) or a missing static file shows up here before anyone sees it.
    assert page.console_errors == []


@pytest.mark.parametrize("page_key", ["home", "directory", "dataishi"])
def test_page_has_no_serious_accessibility_violations(
    live_server, phone_page, artifacts_dir, page_key
):
    # The site's CSP (script-src 'self') does not stop axe: Playwright's evaluate() runs the
    # script over the DevTools protocol, which CSP does not govern, so no bypass_csp is needed.
    page = phone_page
    page.goto(live_server.url + _path(page_key))

    results = Axe().run(page)

    # Every violation, and what axe could not decide ("incomplete"), goes to a report to review.
    violations = results.response["violations"]
    report = {key: results.response[key] for key in ("testEngine", "violations", "incomplete")}
    (artifacts_dir / f"axe-{page_key}.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"axe found on {_path(page_key)}:\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}; "
        f"nodes: {', '.join(' '.join(node['target']) for node in v['nodes'])}"
        for v in blocking
    )
    assert page.console_errors == []


def test_directory_search_works_without_javascript(live_server, new_page, artifacts_dir):
    page = new_page(java_script_enabled=False)
    page.goto(live_server.url + reverse("centers:list"))

    page.get_by_label("搜索名称").fill("大台什")
    page.get_by_role("button", name="筛选").click()

    expect(page).to_have_url(re.compile(r"[?&]q=%E5%A4%A7%E5%8F%B0%E4%BB%80"))
    expect(page.get_by_label("搜索名称")).to_have_value("大台什")
    results = page.locator("ul.tree > li")
    expect(results.first).to_be_visible()
    expect(results.filter(has_not_text="大台什")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile(f"{COMMUNITY}党群服务中心"))).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(f"共 {results.count()} 个中心")
    page.screenshot(path=artifacts_dir / "directory-search-nojs.png", full_page=True)


@pytest.mark.parametrize("page_key", ["home", "dataishi"])
def test_page_fits_a_360px_phone_without_horizontal_scrolling(
    live_server, new_page, artifacts_dir, page_key
):
    page = new_page(viewport={"width": 360, "height": 740})
    page.goto(live_server.url + _path(page_key))

    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")

    page.screenshot(path=artifacts_dir / f"{page_key}-360.png", full_page=True)
    too_wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > 360)
            .slice(0, 10)
            .map(el => `${el.tagName.toLowerCase()}.${el.className} right=${
                Math.round(el.getBoundingClientRect().right)}`)"""
    )
    assert scroll_width <= 360, f"page is {scroll_width}px wide; widest elements: {too_wide}"
