"""The deliberation story in Chromium: a resident raises an issue and gets a code; staff accept,
deliberate and resolve it; the resident rates it; the tracking page shows the public timeline."""

import pytest

from centers.models import Center, StaffRole
from deliberation.models import Issue
from tests.factories import PASSWORD, CenterFactory, StaffRoleFactory

pytestmark = pytest.mark.browser


def log_in(page, base, phone):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("手机号码").fill(phone)
    page.get_by_label("密码").fill(PASSWORD)
    page.locator("form.form").get_by_role("button", name="登录").click()


def take_step(page, label, fields=None):
    """Open a step's <details> on the staff issue page, fill it and submit."""
    step = page.locator("details.dm-step", has=page.get_by_text(label, exact=True).first)
    step.locator("summary").click()
    for name, value in (fields or {}).items():
        step.get_by_label(name, exact=True).fill(value)
    step.get_by_role("button", name=label).click()


def test_issue_from_intake_to_rating(live_server, transactional_db, new_page, artifacts_dir):
    street = CenterFactory(
        name="中专路街道党群服务中心",
        short_name="中专路街道",
        slug="zhongzhuanlu",
        level=Center.Level.STREET,
    )
    CenterFactory(
        parent=street, name="创业社区党群服务中心", short_name="创业社区", slug="chuangye"
    )
    staff = StaffRoleFactory(center=street, role=StaffRole.Role.EDITOR).user
    base = live_server.url

    resident = new_page()
    resident.goto(f"{base}/centers/chuangye/")
    resident.get_by_role("link", name="我要反映问题").click()
    resident.get_by_label("问题标题").fill("园艺所西巷雨天积水")
    resident.get_by_label("类别").select_option("drainage")
    resident.get_by_label("具体情况").fill("一下雨巷子里积水没过脚踝，老人出行不便。")
    resident.get_by_label("您的姓名").fill("张大爷")
    resident.get_by_label("手机号码").fill("13712345678")
    resident.locator("form").get_by_role("button", name="提交").click()
    code = resident.locator(".code-display strong").inner_text()
    assert len(code.replace("-", "")) == 12
    issue = Issue.objects.get()
    assert issue.display_code == code
    resident.screenshot(path=artifacts_dir / "issue-code-phone.png", full_page=True)

    desk = new_page()
    log_in(desk, base, staff.phone)
    desk.goto(f"{base}/manage/deliberation/")
    desk.get_by_role("link", name="园艺所西巷雨天积水").click()
    take_step(desk, "受理", {"公开说明": "已受理，将组织居民议事。"})
    desk.get_by_text("已受理。").first.wait_for()
    take_step(desk, "提交协商", {"公开说明": "召开居民议事会协商排水方案。"})
    take_step(desk, "记录协商结果，转入办理", {"协商结果": "议定由社区协调市政疏通。"})
    take_step(desk, "办结", {"办理结果": "市政已疏通雨水管网，积水问题解决。"})
    desk.get_by_text("已办结，等待居民评价。").first.wait_for()
    issue.refresh_from_db()
    assert issue.status == Issue.Status.RESOLVED

    resident.goto(f"{base}/deliberation/track/")
    resident.get_by_label("查询码").fill(code.lower())
    resident.locator("form").get_by_role("button").first.click()
    resident.get_by_label("满意", exact=True).check()
    resident.get_by_label("反映问题时留下的手机号码").fill("13712345678")
    resident.locator("#rate form").get_by_role("button").click()
    resident.get_by_text("感谢您的评价").first.wait_for()
    issue.refresh_from_db()
    assert issue.status == Issue.Status.CLOSED

    timeline = resident.locator("body").inner_text()
    for note in [
        "已受理，将组织居民议事。",
        "召开居民议事会协商排水方案。",
        "议定由社区协调市政疏通。",
        "市政已疏通雨水管网",
    ]:
        assert note in timeline
    assert "张大爷" not in timeline and "13712345678" not in timeline
    resident.screenshot(path=artifacts_dir / "issue-timeline-phone.png", full_page=True)
    assert resident.console_errors == [] and desk.console_errors == []
