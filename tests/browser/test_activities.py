"""The sign-up story in Chromium: a resident signs up, sees the QR code, cancels, signs up again;
staff tick the resident present."""

from datetime import timedelta

import pytest
from django.utils import timezone

from activities.models import Registration
from centers.models import StaffRole
from tests.factories import (
    PASSWORD,
    ActivityFactory,
    CenterFactory,
    RoomFactory,
    StaffRoleFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser


def log_in(page, base, phone):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("手机号码").fill(phone)
    page.get_by_label("密码").fill(PASSWORD)
    page.locator("form.form").get_by_role("button", name="登录").click()


def test_resident_signs_up_sees_qr_cancels_and_staff_mark_attendance(
    live_server, transactional_db, new_page, artifacts_dir
):
    community = CenterFactory(name="桥华社区党群服务中心", short_name="桥华社区", slug="qiaohua")
    room = RoomFactory(center=community, name="老年大学教室")
    # Starts within the hour: sign-up is still open and attendance may already be taken.
    activity = ActivityFactory(
        center=community,
        title="老年大学书法课",
        room=room,
        location="",
        starts_at=timezone.now() + timedelta(minutes=50),
        capacity=20,
        registration_closes_hours=0,
    )
    resident = UserFactory(name="王阿姨")
    staff = StaffRoleFactory(center=community, role=StaffRole.Role.EDITOR).user
    base = live_server.url

    page = new_page()
    log_in(page, base, resident.phone)
    page.goto(f"{base}/activities/")
    page.get_by_role("link", name="老年大学书法课").first.click()
    page.get_by_role("button", name="我要报名").click()
    page.get_by_text("报名成功", exact=True).first.wait_for()
    qr = page.get_by_role("img", name="签到二维码")
    assert qr.is_visible()
    assert qr.bounding_box()["width"] >= 200
    page.screenshot(path=artifacts_dir / "signup-ticket-phone.png", full_page=True)

    page.get_by_role("link", name="取消报名").click()
    page.get_by_role("button", name="确定取消报名").click()
    page.get_by_text("已取消报名").wait_for()
    assert Registration.objects.get(user=resident).status == Registration.Status.CANCELLED

    occurrence = activity.occurrences.get()
    page.goto(f"{base}{occurrence.get_absolute_url()}")
    page.get_by_role("button", name="我要报名").click()
    page.get_by_role("img", name="签到二维码").wait_for()

    staff_page = new_page()
    log_in(staff_page, base, staff.phone)
    staff_page.goto(f"{base}/manage/activities/occurrences/{occurrence.pk}/")
    staff_page.get_by_label("王阿姨").check()
    staff_page.get_by_role("button", name="保存签到").click()
    staff_page.get_by_text("签到已保存：1 人到场").wait_for()
    staff_page.screenshot(path=artifacts_dir / "attendance-phone.png", full_page=True)
    registration = Registration.objects.get(user=resident, status=Registration.Status.CONFIRMED)
    assert registration.attended
    assert page.console_errors == [] and staff_page.console_errors == []
