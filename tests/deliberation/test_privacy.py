"""No public page carries who raised an issue, nor what staff noted internally (PIPL)."""

import io
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from centers.sections import PageSection, center_page_sections
from deliberation import sections, services
from deliberation.models import Issue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
S = Issue.Status

NAME = "隐私测试张三"
PHONE = "13912345678"
MASKED_PHONE = "139****5678"
INTERNAL = "内部备注-不得公开"
SECRETS = [NAME, PHONE, MASKED_PHONE, INTERNAL, "隐*****"]


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "deliberation-privacy-tests",
        }
    }
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def station_section():
    """The station on center pages, registered here unless apps.py already did."""
    if any(s.build is sections.center_station for s in center_page_sections):
        yield
        return
    center_page_sections.register(
        PageSection(
            key="deliberation-test",
            template="deliberation/includes/center_section.html",
            build=sections.center_station,
            order=20,
        )
    )
    yield
    center_page_sections.unregister("deliberation-test")


def _photo():
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (10, 120, 60)).save(out, format="JPEG")
    return SimpleUploadedFile(f"{NAME}{PHONE}.jpg", out.getvalue(), content_type="image/jpeg")


def _data(title, **extra):
    return {
        "title": title,
        "description": f"请联系我：{NAME}，电话{PHONE}。",
        "category": "drainage",
        "location": "园艺所西巷",
        "submitter_name": NAME,
        "submitter_phone": PHONE,
        **extra,
    }


@pytest.fixture
def issues(client, tree, community_worker, street_staff):
    """Issues in every public state, raised by 张三 and worked with internal notes throughout."""
    account = UserFactory(name=NAME, phone=PHONE)
    due = timezone.localdate() + timedelta(days=7)

    # Raised through the public form with a photo whose file name carries the name and phone.
    client.post(
        reverse("deliberation:new"),
        {**_data("园艺所西巷雨天积水"), "center": tree.community.slug, "photo1": _photo()},
    )
    resolved = Issue.objects.get()
    assert resolved.photos.count() == 1
    services.issue_transition(
        actor=community_worker,
        issue=resolved,
        to_status=S.ACCEPTED,
        due_date=due,
        public_note="已受理。",
        internal_note=INTERNAL,
    )
    services.issue_assign(
        actor=community_worker, issue=resolved, assignee=community_worker, internal_note=INTERNAL
    )
    services.issue_progress(
        actor=community_worker, issue=resolved, public_note="已现场查看。", internal_note=INTERNAL
    )
    services.issue_transition(
        actor=community_worker,
        issue=resolved,
        to_status=S.DELIBERATING,
        public_note="提交居民议事会协商。",
        internal_note=INTERNAL,
    )
    meeting = services.meeting_save(
        actor=community_worker,
        center=tree.community,
        data={
            "title": "红色邻里代表议事会",
            "held_at": timezone.now() - timedelta(days=1),
            "place": "社区议事厅",
            "minutes": "代表们同意由社区协调市政疏通。",
        },
        participants=[("party_member", "刘建国、赵红", 2), ("resident_rep", "", 6)],
        issues=[resolved],
    )
    services.meeting_decide(
        actor=community_worker,
        item=meeting.agenda.get(),
        decision="由社区协调市政疏通排水管网。",
        to_status=S.IN_PROGRESS,
    )
    services.meeting_publish(actor=community_worker, meeting=meeting)
    services.issue_transition(
        actor=community_worker,
        issue=resolved,
        to_status=S.RESOLVED,
        resolution="排水管网已疏通，雨天不再积水。",
        internal_note=INTERNAL,
    )

    from_account = services.issue_submit(
        center=tree.community, data=_data("煤田小区路面破损"), user=account
    )
    escalated = services.issue_submit(center=tree.community, data=_data("燃气管道破路审批"))
    services.issue_transition(
        actor=community_worker,
        issue=escalated,
        to_status=S.ESCALATED,
        public_note="需街道协调，已上报。",
        internal_note=INTERNAL,
    )
    services.issue_transition(
        actor=street_staff, issue=escalated, to_status=S.ACCEPTED, due_date=due
    )
    services.issue_transition(actor=street_staff, issue=escalated, to_status=S.IN_PROGRESS)
    services.issue_transition(
        actor=street_staff,
        issue=escalated,
        to_status=S.RESOLVED,
        resolution="街道已协调燃气公司办理破路手续。",
        internal_note=INTERNAL,
    )
    rejected = services.issue_submit(center=tree.community, data=_data("楼上邻居装修噪音"))
    services.issue_transition(
        actor=community_worker,
        issue=rejected,
        to_status=S.REJECTED,
        public_note="属于民事纠纷，建议申请人民调解。",
        internal_note=INTERNAL,
    )
    merged = services.issue_submit(
        center=tree.community, data=_data("西巷积水又来了", is_anonymous=True)
    )
    services.issue_transition(
        actor=community_worker,
        issue=merged,
        to_status=S.MERGED,
        merged_into=resolved,
        internal_note=INTERNAL,
    )
    return {
        "resolved": resolved,
        "from_account": from_account,
        "escalated": escalated,
        "rejected": rejected,
        "merged": merged,
        "meeting": meeting,
    }


def test_no_public_page_shows_the_submitter_or_internal_notes(
    client, tree, issues, station_section
):
    client.logout()
    resolved = issues["resolved"]
    urls = [
        reverse("home"),
        reverse("centers:list"),
        reverse("centers:detail", args=[tree.district.slug]),
        reverse("centers:detail", args=[tree.community.slug]),
        reverse("centers:detail", args=[tree.street.slug]),
        reverse("activities:calendar"),
        *(issue.get_absolute_url() for key, issue in issues.items() if key != "meeting"),
        issues["meeting"].get_absolute_url(),
        reverse("deliberation:new"),
        reverse("deliberation:new") + f"?center={tree.community.slug}",
        reverse("deliberation:track_lookup"),
        reverse("deliberation:track_lookup") + f"?code={resolved.tracking_code}",
        "/sitemap.xml",
        "/robots.txt",
        "/no-such-page/",
        "/deliberation/track/AAAAAAAAAAAA/",
    ]
    pages = {url: client.get(url) for url in urls}
    # A rating sent with a wrong phone comes back as a form: it must not echo the real one.
    pages["rate with a wrong phone"] = client.post(
        reverse("deliberation:rate", args=[resolved.tracking_code]),
        {"satisfaction": "satisfied", "phone": "13800000000"},
    )
    for url, response in pages.items():
        assert response.status_code in (200, 302, 404), url
        html = response.content.decode()
        for secret in SECRETS:
            assert secret not in html, f"{secret!r} on {url}"

    # The pages did show the issues, so the check above looked at real content.
    community = pages[reverse("centers:detail", args=[tree.community.slug])].content.decode()
    assert "园艺所西巷雨天积水" in community and "排水管网已疏通" in community
    street = pages[reverse("centers:detail", args=[tree.street.slug])].content.decode()
    assert "燃气管道破路审批" in street
    tracking = pages[resolved.get_absolute_url()].content.decode()
    assert "提交居民议事会协商。" in tracking and resolved.photos.get().thumbnail.url in tracking
    meeting = pages[issues["meeting"].get_absolute_url()].content.decode()
    assert "刘建国、赵红" in meeting and "园艺所西巷雨天积水" in meeting
    assert pages["rate with a wrong phone"].status_code == 200


def test_stored_photo_name_does_not_carry_the_uploaded_file_name(issues):
    photo = issues["resolved"].photos.get()
    assert NAME not in photo.image.name and PHONE not in photo.image.name
    assert NAME not in photo.thumbnail.name and PHONE not in photo.thumbnail.name
