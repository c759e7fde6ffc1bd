"""The public side of the deliberation station: raise an issue, follow it, rate it, read results."""

import io
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from centers import ratelimit
from centers.sections import PageSection, center_page_sections
from deliberation import sections, services
from deliberation.models import Issue, IssueEvent, IssuePhoto, Meeting, MeetingParticipant
from tests.factories import IssueFactory, UserFactory

pytestmark = pytest.mark.django_db
S = Issue.Status
NEW_URL = reverse("deliberation:new")
LOOKUP_URL = reverse("deliberation:track_lookup")


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Rate-limit counters live in the cache: a private local-memory one, empty for each test."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "deliberation-public-tests",
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


def jpeg_with_gps(size=(800, 600)):
    img = Image.new("RGB", size, (30, 90, 200))
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (40.0, 49.0, 12.0)
    gps[3] = "E"
    gps[4] = (111.0, 41.0, 30.0)
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def issue_data(**overrides):
    data = {
        "center": "chuangye",
        "title": "园艺所西巷雨天积水",
        "category": "drainage",
        "description": "一下雨巷子里积水没过脚踝，老人出行不便。",
        "location": "园艺所西巷北口",
        "submitter_name": "李阿姨",
        "submitter_phone": "138 0000 1234",
    }
    data.update(overrides)
    return data


def post_issue(client, ip="10.0.0.1", **overrides):
    return client.post(NEW_URL, issue_data(**overrides), REMOTE_ADDR=ip)


def track_url(issue):
    return reverse("deliberation:track", args=[issue.tracking_code])


def rate_url(issue):
    return reverse("deliberation:rate", args=[issue.tracking_code])


def resolved_issue(tree, **kwargs):
    return IssueFactory(
        center=tree.community,
        status=S.RESOLVED,
        accepted_at=timezone.now() - timedelta(days=5),
        due_date=timezone.localdate() + timedelta(days=5),
        resolved_at=timezone.now(),
        resolution="已协调市政疏通排水管网，积水问题已解决。",
        **kwargs,
    )


# -- Raising an issue ---------------------------------------------------------------------------


def test_visitor_raises_an_issue_with_a_photo_and_lands_on_its_tracking_page(client, tree):
    raw = jpeg_with_gps()
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(0x8825)  # the fixture really has GPS
    photo = SimpleUploadedFile("李阿姨家门口.jpg", raw, content_type="image/jpeg")
    response = post_issue(client, photo1=photo)

    issue = Issue.objects.get()
    assert response.status_code == 302
    assert response.url == track_url(issue)
    assert issue.center == tree.community
    assert issue.status == S.SUBMITTED
    assert issue.submitter_phone == "13800001234"  # spaces typed by the resident are dropped
    assert issue.submitted_by is None
    assert issue.events.get().to_status == S.SUBMITTED
    stored = issue.photos.get()
    assert "李阿姨" not in stored.image.name  # the resident's file name is not published
    with stored.image.open("rb") as f:
        image = Image.open(io.BytesIO(f.read()))
        assert image.format == "JPEG"
        assert not image.getexif()
        assert "exif" not in image.info

    page = client.get(response.url)
    html = page.content.decode()
    assert issue.display_code in html
    assert "data:image/svg+xml" in html  # the QR code of the tracking URL
    assert "提交成功" in html
    assert stored.thumbnail.url in html


def test_logged_in_resident_issue_is_linked_to_the_account_and_listed_in_my_issues(
    client, tree, resident
):
    client.force_login(resident)
    form = client.get(NEW_URL).context["form"]
    assert form["submitter_phone"].value() == resident.phone  # prefilled from the account
    post_issue(client, submitter_phone=resident.phone)
    issue = Issue.objects.get()
    assert issue.submitted_by == resident
    mine = client.get(reverse("deliberation:mine"))
    assert mine.status_code == 200
    assert issue.title in mine.content.decode()
    assert issue.display_code in mine.content.decode()


def test_my_issues_needs_an_account(client, tree):
    response = client.get(reverse("deliberation:mine"))
    assert response.status_code == 302
    assert reverse("login") in response.url


def test_new_issue_form_lists_communities_by_street_and_preselects_from_the_query(client, tree):
    html = client.get(NEW_URL, {"center": "chuangye"}).content.decode()
    assert '<optgroup label="中专路街道">' in html
    assert '<option value="chuangye" selected>创业社区</option>' in html
    assert 'value="zhongzhuanlu"' not in html  # streets take no issues directly
    assert 'enctype="multipart/form-data"' in html


def test_street_is_not_a_valid_choice(client, tree):
    response = post_issue(client, center="zhongzhuanlu")
    assert response.status_code == 200
    assert response.context["form"].errors["center"]
    assert not Issue.objects.exists()


def test_named_submission_needs_a_name_and_a_phone(client, tree):
    response = post_issue(client, submitter_name="", submitter_phone="")
    errors = response.context["form"].errors
    assert "请填写姓名" in errors["submitter_name"][0]
    assert "请填写手机号码" in errors["submitter_phone"][0]
    assert not Issue.objects.exists()


def test_anonymous_submission_without_contact_is_taken_in(client, tree):
    response = post_issue(client, submitter_name="", submitter_phone="", is_anonymous="on")
    assert response.status_code == 302
    issue = Issue.objects.get()
    assert issue.is_anonymous and issue.submitter_phone == "" and issue.submitter_name == ""


def test_wrong_phone_format_is_a_form_error(client, tree):
    response = post_issue(client, submitter_phone="12345")
    assert response.context["form"].errors["submitter_phone"]
    assert not Issue.objects.exists()


def test_too_long_title_is_a_form_error(client, tree):
    response = post_issue(client, title="积" * 81)
    assert response.status_code == 200
    assert response.context["form"].errors["title"]
    assert "form-errors" in response.content.decode()
    assert not Issue.objects.exists()


def test_text_file_as_photo_is_a_form_error(client, tree):
    fake = SimpleUploadedFile("photo.jpg", b"not an image\n" * 50, content_type="image/jpeg")
    response = post_issue(client, photo2=fake)
    assert "无法识别该文件" in response.context["form"].errors["photo2"][0]
    assert not Issue.objects.exists()


def test_filled_honeypot_saves_nothing_and_answers_like_success(client, tree):
    response = post_issue(client, website="http://spam.example/")
    assert response.status_code == 200
    assert "已收到" in response.content.decode()
    assert not Issue.objects.exists()


def test_honeypot_is_hidden_from_people_and_screen_readers(client, tree):
    html = client.get(NEW_URL).content.decode()
    assert '<div class="hp-field" aria-hidden="true">' in html
    assert 'name="website"' in html and 'tabindex="-1"' in html


def test_visitor_submissions_are_limited_per_address(client, tree):
    for _ in range(5):
        assert post_issue(client, ip="10.0.0.7").status_code == 302
    response = post_issue(client, ip="10.0.0.7")
    assert response.status_code == 429
    assert "提交太频繁" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert Issue.objects.count() == 5
    assert post_issue(client, ip="10.0.0.8").status_code == 302  # another address


def test_form_errors_do_not_use_up_the_submission_limit(client, tree):
    for _ in range(8):
        assert post_issue(client, ip="10.0.0.9", title="").status_code == 200
    assert post_issue(client, ip="10.0.0.9").status_code == 302


def test_logged_in_residents_are_not_limited_by_address(client, tree, resident):
    client.force_login(resident)
    for _ in range(6):
        assert post_issue(client, ip="10.0.0.7").status_code == 302


# -- Looking up a code ------------------------------------------------------------------------


def test_lookup_accepts_a_code_with_dashes_in_lower_case(client, tree):
    issue = IssueFactory(center=tree.community)
    typed = issue.display_code.lower()
    assert "-" in typed
    response = client.get(LOOKUP_URL, {"code": f" {typed} "})
    assert response.status_code == 302
    assert response.url == track_url(issue)


def test_unknown_code_is_a_form_error_not_a_404(client, tree):
    response = client.get(LOOKUP_URL, {"code": "AAAA-AAAA-AAAA"})
    assert response.status_code == 200
    assert "没有找到这个查询码" in response.content.decode()
    short = client.get(LOOKUP_URL, {"code": "ABC"})
    assert "查询码是 12 位" in short.content.decode()


def test_lookups_are_limited_per_address(client, tree):
    issue = IssueFactory(center=tree.community)
    for _ in range(30):
        client.get(LOOKUP_URL, {"code": "AAAA-AAAA-AAAA"}, REMOTE_ADDR="10.0.0.5")
    response = client.get(LOOKUP_URL, {"code": issue.tracking_code}, REMOTE_ADDR="10.0.0.5")
    assert response.status_code == 429
    assert "查询次数太多" in response.content.decode()
    # Trying codes in the URL counts against the same limit.
    assert client.get(track_url(issue), REMOTE_ADDR="10.0.0.5").status_code == 429
    assert client.get(track_url(issue), REMOTE_ADDR="10.0.0.6").status_code == 200


def test_unknown_codes_in_the_tracking_url_count_towards_the_limit(client, tree):
    url = "/deliberation/track/AAAAAAAAAAAA/"
    for _ in range(30):
        assert client.get(url, REMOTE_ADDR="10.1.0.1").status_code == 404
    assert client.get(url, REMOTE_ADDR="10.1.0.1").status_code == 429


def test_tracking_url_typed_loosely_redirects_to_the_canonical_one(client, tree):
    issue = IssueFactory(center=tree.community)
    response = client.get(f"/deliberation/track/{issue.display_code.lower()}/")
    assert response.status_code == 302
    assert response.url == track_url(issue)
    assert client.get("/deliberation/track/AAAAAAAAAAAA/").status_code == 404


# -- The tracking page ------------------------------------------------------------------------


def test_tracking_page_shows_public_notes_but_not_internal_notes_or_who_acted(
    client, tree, community_worker
):
    issue = services.issue_submit(
        center=tree.community,
        data={
            "title": "煤田小区后续工程",
            "description": "路面破损。",
            "category": "roads",
            "submitter_name": "王师傅",
            "submitter_phone": "13700002222",
        },
    )
    services.issue_transition(
        actor=community_worker,
        issue=issue,
        to_status=S.ACCEPTED,
        due_date=timezone.localdate() + timedelta(days=10),
        public_note="已受理，将联系物业现场查看。",
        internal_note="物业经理电话在台账里",
    )
    services.issue_progress(
        actor=community_worker, issue=issue, public_note="", internal_note="只写内部的进展"
    )
    services.issue_assign(actor=community_worker, issue=issue, assignee=community_worker)
    response = client.get(track_url(issue))
    html = response.content.decode()
    assert "已受理，将联系物业现场查看。" in html
    assert "物业经理电话在台账里" not in html
    assert "只写内部的进展" not in html
    assert "社区工作人员" not in html  # the actor's name
    assert "指派给" not in html
    assert "王师傅" not in html and "13700002222" not in html
    assert [e.to_status for e in response.context["events"]] == [S.SUBMITTED, S.ACCEPTED]
    assert issue.display_code in html
    due = timezone.localdate() + timedelta(days=10)
    assert f"{due.year}年{due.month}月{due.day}日" in html


def test_overdue_issue_is_flagged(client, tree):
    issue = IssueFactory(
        center=tree.community,
        status=S.IN_PROGRESS,
        accepted_at=timezone.now() - timedelta(days=20),
        due_date=timezone.localdate() - timedelta(days=2),
    )
    assert "已超期" in client.get(track_url(issue)).content.decode()


def test_rejected_issue_shows_its_public_reason(client, tree):
    issue = IssueFactory(
        center=tree.community, status=S.REJECTED, public_reason="属于物业合同纠纷，请向法院起诉。"
    )
    assert "属于物业合同纠纷" in client.get(track_url(issue)).content.decode()


def test_merged_issue_links_to_the_tracking_page_of_its_target(client, tree):
    target = IssueFactory(center=tree.community, title="金汉御园门前道路权属")
    issue = IssueFactory(center=tree.community, status=S.MERGED, merged_into=target)
    html = client.get(track_url(issue)).content.decode()
    assert f'href="{track_url(target)}"' in html and "金汉御园门前道路权属" in html


def test_description_is_shown_only_to_the_submitter_account(client, tree, resident):
    issue = IssueFactory(center=tree.community, submitted_by=resident, description="我家门口")
    assert "我家门口" not in client.get(track_url(issue)).content.decode()
    client.force_login(resident)
    assert "我家门口" in client.get(track_url(issue)).content.decode()


def _add_history(issue, n_events, n_photos):
    IssueEvent.objects.bulk_create(
        IssueEvent(
            issue=issue,
            kind=IssueEvent.Kind.PROGRESS,
            center=issue.center,
            public_note=f"进展{i}",
            internal_note=f"内部{i}",
        )
        for i in range(n_events)
    )
    IssuePhoto.objects.bulk_create(
        IssuePhoto(issue=issue, image=f"issues/2026/p{i}.jpg", thumbnail=f"issues/t/p{i}.jpg")
        for i in range(n_photos)
    )


def test_tracking_page_queries_do_not_grow_with_events_and_photos(
    client, tree, django_assert_num_queries
):
    target = IssueFactory(center=tree.community)
    issue = IssueFactory(center=tree.community, status=S.MERGED, merged_into=target)
    _add_history(issue, 2, 1)
    url = track_url(issue)
    # 1 the issue with its center and merge target, 2 published agenda items with meetings,
    # 3 public events with their centers, 4 photos.
    with django_assert_num_queries(4):
        assert client.get(url).status_code == 200
    _add_history(issue, 38, 2)
    with django_assert_num_queries(4):
        response = client.get(url)
    assert len(response.context["events"]) == 40
    assert len(response.context["photos"]) == 3


# -- Rating ------------------------------------------------------------------------------------


def test_satisfied_rating_closes_the_issue(client, tree):
    issue = resolved_issue(tree)
    page = client.get(track_url(issue)).content.decode()
    assert "评价办理结果" in page and issue.submitter_phone not in page
    response = client.post(
        rate_url(issue),
        {"satisfaction": "satisfied", "comment": "处理及时", "phone": issue.submitter_phone},
    )
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.status == S.CLOSED and issue.satisfaction == "satisfied"
    html = client.get(track_url(issue)).content.decode()
    assert "感谢您的评价" in html
    # The resident's own words stay with staff: they may name people or places.
    assert "处理及时" not in html
    assert issue.events.get(kind="rating").internal_note == "处理及时"


def test_unsatisfied_rating_reopens_the_issue(client, tree):
    issue = resolved_issue(tree)
    client.post(rate_url(issue), {"satisfaction": "unsatisfied", "phone": issue.submitter_phone})
    issue.refresh_from_db()
    assert issue.status == S.REOPENED


def test_rating_with_a_wrong_phone_is_a_form_error(client, tree):
    issue = resolved_issue(tree, submitter_phone="13912340000")
    response = client.post(rate_url(issue), {"satisfaction": "satisfied", "phone": "13800000000"})
    assert response.status_code == 200
    assert response.context["rating_form"].errors["phone"]
    assert "请填写反映问题时留下的手机号码" in response.content.decode()
    issue.refresh_from_db()
    assert issue.status == S.RESOLVED


def test_wrong_phones_are_limited_per_address(client, tree):
    issue = resolved_issue(tree, submitter_phone="13912340000")
    for _ in range(10):
        client.post(rate_url(issue), {"satisfaction": "satisfied", "phone": "13800000000"})
    response = client.post(rate_url(issue), {"satisfaction": "satisfied", "phone": "13912340000"})
    assert response.status_code == 429
    issue.refresh_from_db()
    assert issue.status == S.RESOLVED


def test_submitter_account_rates_without_a_phone(client, tree, resident):
    issue = resolved_issue(tree, submitted_by=resident, submitter_phone="")
    client.force_login(resident)
    form = client.get(track_url(issue)).context["rating_form"]
    assert "phone" not in form.fields
    client.post(rate_url(issue), {"satisfaction": "basic"})
    issue.refresh_from_db()
    assert issue.status == S.CLOSED and issue.satisfaction == "basic"


def test_anonymous_rating_form_carries_no_csrf_token_and_still_works(tree):
    # The tracking page is then cacheable; the code and the phone are what a forger lacks.
    issue = resolved_issue(tree)
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(track_url(issue))
    assert "csrfmiddlewaretoken" not in page.content.decode()
    assert not page.cookies
    response = browser.post(
        rate_url(issue), {"satisfaction": "satisfied", "phone": issue.submitter_phone}
    )
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.status == S.CLOSED


def test_signed_in_submitter_rating_keeps_its_csrf_check(tree, resident):
    issue = resolved_issue(tree, submitted_by=resident, submitter_phone="")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(resident)
    forged = browser.post(rate_url(issue), {"satisfaction": "unsatisfied"})
    assert forged.status_code == 403
    issue.refresh_from_db()
    assert issue.status == S.RESOLVED
    page = browser.get(track_url(issue)).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    browser.post(rate_url(issue), {"satisfaction": "basic", "csrfmiddlewaretoken": token})
    issue.refresh_from_db()
    assert issue.status == S.CLOSED


def test_issue_without_phone_or_account_explains_why_it_cannot_be_rated(client, tree):
    issue = resolved_issue(tree, submitter_phone="", submitter_name="", is_anonymous=True)
    response = client.get(track_url(issue))
    assert response.context["rating_form"] is None
    assert "没有留下手机号码" in response.content.decode()


def test_rating_an_unresolved_issue_gives_a_message_not_an_error(client, tree):
    issue = IssueFactory(center=tree.community, status=S.IN_PROGRESS)
    response = client.post(
        rate_url(issue),
        {"satisfaction": "satisfied", "phone": issue.submitter_phone},
        follow=True,
    )
    assert response.status_code == 200
    assert "只有已办结" in response.content.decode()
    issue.refresh_from_db()
    assert issue.status == S.IN_PROGRESS


def test_get_on_rate_is_405(client, tree):
    issue = resolved_issue(tree)
    assert client.get(rate_url(issue)).status_code == 405


# -- Meetings ---------------------------------------------------------------------------------


def make_meeting(tree, *, published=True, issues=()):
    meeting = Meeting.objects.create(
        center=tree.community,
        title="惠民社区红色邻里代表议事会",
        held_at=timezone.now() - timedelta(days=3),
        place="社区议事厅",
        minutes="与会代表一致同意由物业牵头疏通化粪池。",
        published_at=timezone.now() if published else None,
    )
    MeetingParticipant.objects.create(
        meeting=meeting, role="party_member", names="刘建国、赵红", count=2
    )
    MeetingParticipant.objects.create(meeting=meeting, role="resident_rep", count=5)
    for issue, decision in issues:
        meeting.agenda.create(issue=issue, decision=decision)
    return meeting


def test_published_meeting_shows_participants_decisions_and_minutes(client, tree):
    public = IssueFactory(center=tree.community, title="化粪池堵塞")
    private = IssueFactory(center=tree.community, title="邻里私事", is_public=False)
    meeting = make_meeting(tree, issues=[(public, "物业三日内疏通"), (private, "私下调解")])
    response = client.get(meeting.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    for text in ["红色邻里代表议事会", "社区议事厅", "刘建国、赵红", "居民代表", "化粪池堵塞"]:
        assert text in html
    assert "物业三日内疏通" in html and "疏通化粪池" in html
    assert "邻里私事" not in html and "私下调解" not in html
    assert "另有 1 项议题不公开" in html
    assert response.context["result"].total_participants == 7


def test_meeting_page_queries_do_not_grow_with_the_agenda(client, tree, django_assert_num_queries):
    meeting = make_meeting(tree, issues=[(IssueFactory(center=tree.community), "同意")])
    url = meeting.get_absolute_url()
    # 1 the meeting with its center, 2 the center's ancestors, 3 participants,
    # 4 agenda items with their issues.
    with django_assert_num_queries(4):
        assert client.get(url).status_code == 200
    for i in range(20):
        meeting.agenda.create(issue=IssueFactory(center=tree.community), decision=f"决定{i}")
    with django_assert_num_queries(4):
        assert len(client.get(url).context["result"].agenda) == 21


def test_my_issues_queries_do_not_grow_with_the_issues(
    client, tree, resident, django_assert_num_queries
):
    IssueFactory(center=tree.community, submitted_by=resident)
    client.force_login(resident)
    url = reverse("deliberation:mine")
    # 1 the session, 2 the user, 3 count for the paginator, 4 the user's staff roles (the
    # header's console link), 5 the page of issues with their centers.
    with django_assert_num_queries(5):
        assert client.get(url).status_code == 200
    for _ in range(20):
        IssueFactory(center=tree.sibling, submitted_by=resident)
    with django_assert_num_queries(5):
        assert len(client.get(url).context["page_obj"]) == 21


def test_unpublished_meeting_is_404(client, tree):
    meeting = make_meeting(tree, published=False)
    assert client.get(meeting.get_absolute_url()).status_code == 404


def test_tracking_page_links_the_published_meeting_that_discussed_the_issue(client, tree):
    issue = IssueFactory(center=tree.community)
    meeting = make_meeting(tree, issues=[(issue, "物业三日内疏通")])
    draft = make_meeting(tree, published=False, issues=[(issue, "草稿中的决定")])
    html = client.get(track_url(issue)).content.decode()
    assert meeting.get_absolute_url() in html and "物业三日内疏通" in html
    assert draft.get_absolute_url() not in html and "草稿中的决定" not in html


# -- The station on center pages ------------------------------------------------------------


def test_community_page_shows_the_station_with_this_years_count_and_recent_issues(
    client, tree, station_section
):
    for i in range(3):
        resolved_issue(tree, title=f"已解决{i}")
    IssueFactory(
        center=tree.community,
        status=S.CLOSED,
        resolved_at=timezone.now() - timedelta(days=400),
        title="去年的问题",
    )
    resolved_issue(tree, title="不公示的问题", is_public=False)
    IssueFactory(center=tree.community, status=S.IN_PROGRESS, title="还在办的问题")
    html = client.get(reverse("centers:detail", args=["chuangye"])).content.decode()
    year = timezone.localdate().year
    assert f"{year}年 解决居民热点问题" in html and "<strong>4</strong> 件" in html
    assert "我要反映问题" in html and f"{NEW_URL}?center=chuangye" in html
    assert "已解决0" in html and "已协调市政疏通排水管网" in html
    assert "不公示的问题" not in html and "还在办的问题" not in html
    assert "去年的问题" in html  # among the latest resolved, though not counted this year


def test_street_page_shows_its_subtree_figures_without_an_intake_button(
    client, tree, station_section
):
    resolved_issue(tree, title="社区里解决的问题")
    IssueFactory(center=tree.other_community, status=S.RESOLVED, resolved_at=timezone.now())
    html = client.get(reverse("centers:detail", args=["zhongzhuanlu"])).content.decode()
    year = timezone.localdate().year
    assert f"{year}年 解决居民热点问题" in html and "<strong>1</strong> 件" in html
    assert "社区里解决的问题" in html and "创业社区" in html
    assert f"{NEW_URL}?center=" not in html


def test_street_with_nothing_to_show_hides_the_station(rf, tree):
    assert sections.center_station(tree.other_street, rf.get("/")) is None
    assert sections.center_station(tree.sibling, rf.get("/")) is not None


def test_station_runs_three_queries_whatever_the_data_size(rf, tree, django_assert_num_queries):
    request = rf.get("/")
    # 1 count resolved this year, 2 latest publicly resolved issues, 3 latest published meetings.
    with django_assert_num_queries(3):
        sections.center_station(tree.street, request)
    for i in range(30):
        resolved_issue(tree, title=f"问题{i}")
    for _ in range(5):
        make_meeting(tree)
    with django_assert_num_queries(3):
        context = sections.center_station(tree.street, request)
    assert context["resolved_this_year"] == 30
    assert len(context["recent"]) == 5 and len(context["meetings"]) == 3


# -- The rate limiter ---------------------------------------------------------------------------


def test_rate_limiter_counts_per_key_within_a_window():
    assert all(ratelimit.hit("test:a", limit=3, window_seconds=60) for _ in range(3))
    assert not ratelimit.hit("test:a", limit=3, window_seconds=60)
    assert ratelimit.is_exceeded("test:a", limit=3, window_seconds=60)
    assert ratelimit.hit("test:b", limit=3, window_seconds=60)
    assert not ratelimit.is_exceeded("test:c", limit=3, window_seconds=60)


def test_client_ip_trusts_forwarded_for_only_when_configured(rf, settings):
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 1.2.3.4")
    assert ratelimit.client_ip(request) == "127.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert ratelimit.client_ip(request) == "1.2.3.4"


def test_a_second_account_cannot_see_anothers_issues(client, tree, resident):
    other = UserFactory()
    IssueFactory(center=tree.community, submitted_by=other, title="别人的问题")
    client.force_login(resident)
    assert "别人的问题" not in client.get(reverse("deliberation:mine")).content.decode()
