"""The annual work report: scope, prose from the numbers, every section's figures, no personal
data, the .docx export and its audit entry, and a query count independent of the data size."""

from datetime import date, datetime, timedelta
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx import Document

from assistance import services as assistance_services
from assistance.models import BeneficiaryType, Pairing, Visit
from centers import annual, annual_docx
from centers.models import AuditEntry, Center, Room, Team, User
from centers.sections import Figure, ReportSection, report_sections
from tests.conftest import client_for
from tests.factories import (
    AidStationFactory,
    BeneficiaryFactory,
    CenterFactory,
    ExhibitionFactory,
    IssueFactory,
    ItemFactory,
    RoomFactory,
    ServiceFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

THIS_YEAR = timezone.localdate().year

#: Personal data seeded below; none of it may reach the report or its .docx.
SUBMITTER = "欧阳独特"
SUBMITTER_PHONE = "13912345678"
PRIVATE_DESCRIPTION = "只有工作人员能看的具体情况"
HIDDEN_TITLE = "不公示的议题标题"
BENEFICIARY = "诸葛隐名"
BENEFICIARY_PHONE = "13698765432"
BENEFICIARY_ID = "150102194801019999"
BENEFICIARY_ADDRESS = "秘密小区9号楼3单元"
DONOR = "司马捐赠人"
RECIPIENT = "上官领取人"
HELPER = "东方走访员"
PERSONAL = [
    SUBMITTER,
    SUBMITTER_PHONE,
    PRIVATE_DESCRIPTION,
    HIDDEN_TITLE,
    BENEFICIARY,
    BENEFICIARY_PHONE,
    BENEFICIARY_ID,
    BENEFICIARY_ADDRESS,
    DONOR,
    RECIPIENT,
    HELPER,
]


def _url(center, year=THIS_YEAR, docx=False):
    name = "annual_report_docx" if docx else "annual_report"
    return reverse(name, args=[center.slug, year])


def _docx_text(content):
    document = Document(BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def _resolved_issue(center, title, resolution, *, ago=5, **fields):
    """A resolved issue, `ago` minutes old (minutes keep it in this year on any test day)."""
    now = timezone.now()
    return IssueFactory(
        center=center,
        title=title,
        resolution=resolution,
        status="resolved",
        created_at=now - timedelta(minutes=ago + 10),
        accepted_at=now - timedelta(minutes=ago + 9),
        response_due=now - timedelta(minutes=ago + 8),
        resolved_at=now - timedelta(minutes=ago),
        **fields,
    )


def _personal_data(tree, actor):
    """Issues and help at the community with distinctive names, phones and notes."""
    _resolved_issue(
        tree.community,
        "园艺所西巷雨天路面积水",
        "铺设排水管60米，积水已消除。",
        submitter_name=SUBMITTER,
        submitter_phone=SUBMITTER_PHONE,
        description=PRIVATE_DESCRIPTION,
    )
    _resolved_issue(tree.community, HIDDEN_TITLE, "已办结。", is_public=False, ago=2)
    beneficiary = BeneficiaryFactory(
        center=tree.community,
        name=BENEFICIARY,
        phone=BENEFICIARY_PHONE,
        id_number=BENEFICIARY_ID,
        address=BENEFICIARY_ADDRESS,
    )
    BeneficiaryType.objects.create(beneficiary=beneficiary, type="disabled")
    pairing = Pairing.objects.create(
        beneficiary=beneficiary,
        helper_user=UserFactory(name=HELPER),
        frequency="monthly",
        started_on=timezone.localdate() - timedelta(days=40),
    )
    Visit.objects.create(
        beneficiary=beneficiary,
        pairing=pairing,
        visited_on=timezone.localdate(),
        kind=Visit.Kind.HOME,
        helper_name=HELPER,
        recorded_by=actor,
    )
    station = AidStationFactory(center=tree.community)
    clothes = ItemFactory(category="clothing")
    today = timezone.localdate()
    assistance_services.donation_receive(
        actor=actor,
        station=station,
        data={"donor_name": DONOR, "received_on": today},
        lines=[(clothes, 6, "good", True)],
    )
    assistance_services.distribution_create(
        actor=actor,
        station=station,
        lines=[(clothes, 2)],
        distributed_on=today,
        recipient_name=RECIPIENT,
    )


# -- Who may see it ---------------------------------------------------------------------------


def test_district_admin_reads_the_report_with_its_chapters_in_order(client, tree, district_admin):
    response = client_for(client, district_admin).get(_url(tree.district))

    assert response.status_code == 200
    html = response.content.decode()
    assert f"{tree.district.name}{THIS_YEAR}年度工作报告" in html
    headings = ["一、阵地建设", "二、活动开展", "三、民意办理", "四、帮扶服务", "五、主要数据"]
    positions = [html.index(heading) for heading in headings]
    assert positions == sorted(positions)
    assert response["Cache-Control"].startswith("max-age=0")


def test_street_staff_reads_their_street_and_its_communities(client, tree, street_staff):
    client_for(client, street_staff)

    assert client.get(_url(tree.street)).status_code == 200
    assert client.get(_url(tree.community)).status_code == 200


@pytest.mark.parametrize("target", ["district", "other_street", "other_community"])
def test_a_center_outside_the_scope_is_404(client, tree, street_staff, target):
    client_for(client, street_staff)

    assert client.get(_url(getattr(tree, target))).status_code == 404
    assert client.get(_url(getattr(tree, target), docx=True)).status_code == 404
    assert not AuditEntry.objects.exists()


def test_a_resident_is_refused_with_403(client, tree, resident):
    client_for(client, resident)

    assert client.get(_url(tree.community)).status_code == 403
    assert client.get(_url(tree.community, docx=True)).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client, tree):
    response = client.get(_url(tree.community))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_missing_center_is_404(client, tree, district_admin):
    response = client_for(client, district_admin).get(
        reverse("annual_report", args=["nowhere", THIS_YEAR])
    )

    assert response.status_code == 404


@pytest.mark.parametrize("year", [annual.FIRST_YEAR - 1, THIS_YEAR + 1, 3000])
def test_a_year_without_a_report_is_404(client, tree, district_admin, year):
    client_for(client, district_admin)

    assert client.get(_url(tree.district, year)).status_code == 404
    assert client.get(_url(tree.district, year, docx=True)).status_code == 404


def test_the_report_is_read_only(client, tree, district_admin):
    client_for(client, district_admin)

    assert client.post(_url(tree.district)).status_code == 405
    assert client.post(_url(tree.district, docx=True)).status_code == 405


def test_the_url_wins_over_the_dashboard_include():
    assert reverse("annual_report", args=["saihan", 2026]) == "/manage/reports/annual/saihan/2026/"
    assert (
        reverse("annual_report_docx", args=["saihan", 2026])
        == "/manage/reports/annual/saihan/2026/report.docx"
    )


# -- What it says ------------------------------------------------------------------------------


def test_the_network_is_counted_by_level_with_rooms_brands_and_teams(tree):
    Center.objects.filter(pk=tree.community.pk).update(brand="众心向和谐", area_sqm=720)
    Center.objects.filter(pk=tree.sibling.pk).update(brand="困有所济·残有所助", area_sqm=480)
    RoomFactory(center=tree.community, kind=Room.Kind.SERVICE_HALL)
    RoomFactory(center=tree.sibling, kind=Room.Kind.SERVICE_HALL)
    RoomFactory(center=tree.sibling, kind=Room.Kind.READING)
    RoomFactory(center=tree.other_community, kind=Room.Kind.READING)
    TeamFactory(center=tree.community, kind=Team.Kind.VOLUNTEER, member_count=15)
    TeamFactory(center=tree.sibling, kind=Team.Kind.SOCIAL_ORG)
    ExhibitionFactory(center=tree.community, name="党建文史馆")
    ServiceFactory(center=tree.community, name="结对帮扶")
    street = Center.objects.get(pk=tree.street.pk)

    report = annual.annual_report(center=street, year=THIS_YEAR)

    network = report.chapters[0]
    assert network.heading == "一、阵地建设"
    text = "".join(network.paragraphs)
    assert "中专路街道共有党群服务中心3个，其中街道1个、社区2个" in text
    assert "形成街道、社区两级党群服务中心网络" in text
    assert "建筑面积合计1200平方米" in text
    assert "各中心共设有功能室3间，其中服务大厅2间、阅览室1间。" in text
    assert "建成党建文史馆等展馆1个" in text
    assert "打造了“众心向和谐”“困有所济·残有所助”2个服务品牌" in text
    assert "各中心联系志愿服务队1支、社会组织1家，成员合计15人" in text
    brands = next(t for t in network.tables if t.caption == "服务品牌")
    assert brands.rows == [("创业社区", "众心向和谐"), ("展览馆社区", "困有所济·残有所助")]


def test_one_community_is_described_on_its_own(tree):
    Center.objects.filter(pk=tree.community.pk).update(brand="众心向和谐", area_sqm=720)
    community = Center.objects.get(pk=tree.community.pk)

    report = annual.annual_report(center=community, year=THIS_YEAR)

    assert report.lead.startswith(f"{THIS_YEAR}年，创业社区党群服务中心以“众心向和谐”为服务品牌")
    assert report.chapters[0].paragraphs[0] == (
        "创业社区党群服务中心建筑面积720平方米，面向辖区党员群众开放。"
    )
    assert not report.children


def test_a_past_year_is_reported_in_full_and_this_year_up_to_today(tree):
    today = timezone.localdate()

    past = annual.annual_report(center=tree.district, year=THIS_YEAR - 1)
    current = annual.annual_report(center=tree.district, year=THIS_YEAR, today=today)

    assert (past.start, past.end, past.is_partial) == (
        date(THIS_YEAR - 1, 1, 1),
        date(THIS_YEAR - 1, 12, 31),
        False,
    )
    assert past.period_label == f"{THIS_YEAR - 1}年1月1日至12月31日"
    assert "全年" in past.chapters[1].paragraphs[0]
    assert current.end == today
    assert current.is_partial == (today != date(THIS_YEAR, 12, 31))
    if current.is_partial:
        assert f"截至{today.month}月{today.day}日" in current.chapters[1].paragraphs[0]


def test_the_figures_are_those_of_every_registered_section(tree):
    start, end = date(THIS_YEAR - 1, 1, 1), date(THIS_YEAR - 1, 12, 31)
    _resolved_issue(tree.community, "路灯不亮", "已更换路灯3盏。", ago=60 * 24 * 400)

    report = annual.annual_report(center=tree.district, year=THIS_YEAR - 1)

    assert [s.key for s in report.sections] == [s.key for s in report_sections]
    figures = report.chapters[-1]
    assert figures.heading == "五、主要数据"
    for section, table in zip(report_sections, figures.tables, strict=True):
        expected = section.build(tree.district, start, end)
        assert table.caption == str(section.title)
        assert table.rows == [(str(f.label), annual.display_value(f)) for f in expected]


def test_a_new_apps_section_appears_without_code_in_the_report(client, tree, district_admin):
    section = ReportSection(
        key="library",
        title="图书借阅",
        build=lambda center, start, end: [Figure("loans", "借阅（册次）", 42)],
        order=99,
    )
    report_sections.register(section)
    try:
        client_for(client, district_admin)
        html = client.get(_url(tree.district)).content.decode()
        text = _docx_text(client.get(_url(tree.district, docx=True)).content)
    finally:
        report_sections.unregister("library")

    for content in (html, text):
        assert "图书借阅" in content
        assert "借阅（册次）" in content


def test_a_missing_section_drops_its_chapter_and_the_rest_renumber(tree):
    _resolved_issue(tree.community, "路面积水", "已修复。")
    activities = report_sections.items["activities"]
    report_sections.unregister("activities")
    try:
        report = annual.annual_report(center=tree.district, year=THIS_YEAR)
    finally:
        report_sections.register(activities)

    assert [c.heading for c in report.chapters] == [
        "一、阵地建设",
        "二、民意办理",
        "三、帮扶服务",
        "四、主要数据",
    ]
    assert "举办" not in report.lead
    assert "居民议事站收到居民诉求1件、办结1件" in report.lead


def test_issue_examples_are_public_titles_and_resolutions_only(tree):
    _resolved_issue(tree.community, "快递无处存放", "设置智能快递柜2组。", ago=3)
    _resolved_issue(tree.other_community, "公共车位被私装地锁", "地锁已全部拆除。", ago=4)
    _resolved_issue(tree.sibling, "高空抛物隐患", "安装监控摄像头4个。", ago=5)
    _resolved_issue(tree.community, "流浪犬夜间扰民", "联系收容中心。", ago=6)
    _resolved_issue(tree.community, HIDDEN_TITLE, "内部处理。", is_public=False, ago=1)
    IssueFactory(center=tree.community, title="尚未办结的问题")

    report = annual.annual_report(center=tree.district, year=THIS_YEAR)

    chapter = next(c for c in report.chapters if c.key == "deliberation")
    # One per center first, newest first; the community's second issue is left for later.
    assert [(e.title, e.center, e.resolution) for e in chapter.examples] == [
        ("快递无处存放", "创业社区", "设置智能快递柜2组。"),
        ("公共车位被私装地锁", "健康社区", "地锁已全部拆除。"),
        ("高空抛物隐患", "展览馆社区", "安装监控摄像头4个。"),
    ]


def test_the_deliberation_prose_agrees_with_its_figures(tree):
    _resolved_issue(
        tree.community, "路面积水", "已修复。", satisfaction="satisfied", rated_at=timezone.now()
    )
    _resolved_issue(tree.other_community, "楼道堆物", "已清理。")
    IssueFactory(center=tree.community, title="待受理")
    start, end = date(THIS_YEAR, 1, 1), timezone.localdate()
    values = {
        f.key: f.value
        for f in report_sections.items["deliberation"].build(tree.district, start, end)
    }

    report = annual.annual_report(center=tree.district, year=THIS_YEAR)

    text = "".join(next(c for c in report.chapters if c.key == "deliberation").paragraphs)
    assert f"居民议事站共收到居民诉求{values['received']}件" in text
    assert f"办结{values['resolved']}件" in text
    assert "中专路街道收到2件、办结1件；人民路街道收到1件、办结1件" in text


# -- Nothing personal ---------------------------------------------------------------------------


def test_no_personal_data_in_the_page_or_the_docx(client, tree, district_admin):
    _personal_data(tree, district_admin)
    client_for(client, district_admin)

    for center in (tree.district, tree.street, tree.community):
        html = client.get(_url(center)).content.decode()
        text = _docx_text(client.get(_url(center, docx=True)).content)
        assert "园艺所西巷雨天路面积水" in html and "园艺所西巷雨天路面积水" in text
        assert "走访慰问1次" in html and "走访慰问1次" in text
        for secret in PERSONAL:
            assert secret not in html, secret
            assert secret not in text, secret


# -- The .docx export -----------------------------------------------------------------------------


def test_docx_export_is_a_word_document_with_the_page_text_and_is_audited(
    client, tree, district_admin
):
    _resolved_issue(tree.community, "快递无处存放", "设置智能快递柜2组。")
    client_for(client, district_admin)

    response = client.get(_url(tree.district, docx=True))

    assert response.status_code == 200
    assert response["Content-Type"] == annual_docx.DOCX_MIME
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    document = Document(BytesIO(response.content))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    report = annual.annual_report(center=tree.district, year=THIS_YEAR)
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == report.title
    assert report.lead in paragraphs
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [c.heading for c in report.chapters]
    tables = [
        [tuple(cell.text for cell in row.cells) for row in table.rows[1:]]
        for table in document.tables
    ]
    assert tables == [
        [tuple(str(v) for v in row) for row in table.rows]
        for chapter in report.chapters
        for table in chapter.tables
    ]
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.center, entry.action) == (
        district_admin,
        tree.district,
        AuditEntry.Action.EXPORT,
    )
    assert report.title in entry.summary


def test_viewing_the_page_writes_no_audit_entry(client, tree, district_admin):
    client_for(client, district_admin).get(_url(tree.district))

    assert not AuditEntry.objects.exists()


# -- Queries --------------------------------------------------------------------------------------


def _section_queries(center, start, end):
    """The queries of every section's build for a fresh copy of `center` (which reads its
    direct children once: `Center.children_in_order`)."""
    center = Center.objects.get(pk=center.pk)
    with CaptureQueriesContext(connection) as ctx:
        for section in report_sections:
            section.build(center, start, end)
    return len(ctx.captured_queries)


def _grow(tree, actor, n):
    """n more communities under the street, each with rooms, teams, content and issues, and
    help at the community."""
    for i in range(n):
        community = CenterFactory(parent=tree.street, brand=f"品牌{i}", area_sqm=100 + i)
        RoomFactory(center=community, kind=Room.Kind.SERVICE_HALL)
        RoomFactory(center=community, kind=Room.Kind.ELDERLY)
        TeamFactory(center=community, kind=Team.Kind.PARTNER, member_count=3)
        ExhibitionFactory(center=community)
        ServiceFactory(center=community)
        _resolved_issue(community, f"议题{i}", f"办理结果{i}", ago=i + 1)
        IssueFactory(center=community)
    for i in range(n):
        beneficiary = BeneficiaryFactory(center=tree.community)
        BeneficiaryType.objects.create(beneficiary=beneficiary, type="empty_nest")
        Visit.objects.create(
            beneficiary=beneficiary,
            visited_on=timezone.localdate() - timedelta(days=i + 1),
            kind=Visit.Kind.HOME,
            helper_name="志愿者",
            recorded_by=actor,
        )


def test_the_page_runs_a_fixed_number_of_queries(client, tree, district_admin):
    client_for(client, district_admin)
    start, end = date(THIS_YEAR, 1, 1), timezone.localdate()
    client.get(_url(tree.street))  # warm up: the session and the user's roles

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_url(tree.street)).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    _grow(tree, district_admin, 6)
    _personal_data(tree, district_admin)
    many = count()

    # 1 session, 2 user, 3 the user's roles, 4 the center in scope; the network: 5 centers by
    # level and area, rooms and teams by kind, team members (one batch), 6 brands, exhibitions
    # and services (one union); then each registered section's own fixed number, with the
    # direct children the page shares; 7 issue examples; 8 ancestors (for the breadcrumbs).
    assert few == many == 8 + _section_queries(tree.street, start, end)


# -- The demo district --------------------------------------------------------------------------


def get_demo_user(phone):
    return User.objects.get(phone=phone)


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """One seed_demo for the class (it takes seconds), rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.mark.usefixtures("demo")
class TestDemoDistrict:
    def test_the_district_report_opens_like_the_seed_document(self, client):
        admin = get_demo_user("13800000001")
        root = Center.objects.get(slug="saihan")
        levels = dict(Center.objects.values_list("level").annotate(n=Count("pk")).order_by())

        html = client_for(client, admin).get(_url(root, 2026)).content.decode()
        report = annual.annual_report(center=root, year=2026)

        assert report.lead.startswith(
            f"2026年，赛罕区共有党群服务中心{sum(levels.values())}个，"
            "覆盖街道社区、产业园区、商圈楼宇等各个领域"
        )
        assert report.lead in html
        assert f"街道{levels['street']}个、社区{levels['community']}个" in html
        assert "“众心向和谐”" in html and "“宜老益少”" in html

    def test_no_demo_resident_or_beneficiary_appears(self, client):
        from assistance.models import Beneficiary, Distribution, Donation
        from deliberation.demo import SUBMITTERS
        from deliberation.models import Issue

        admin = get_demo_user("13800000001")
        root = Center.objects.get(slug="saihan")
        client_for(client, admin)
        html = client.get(_url(root, 2026)).content.decode()
        text = _docx_text(client.get(_url(root, 2026, docx=True)).content)
        names = set(SUBMITTERS)
        names |= set(Beneficiary.objects.values_list("name", flat=True))
        names |= {b.phone for b in Beneficiary.objects.all() if b.phone}
        names |= set(
            Issue.objects.exclude(submitter_phone="").values_list("submitter_phone", flat=True)
        )
        names |= set(Donation.objects.exclude(donor_name="").values_list("donor_name", flat=True))
        names |= set(
            Distribution.objects.exclude(recipient_name="").values_list("recipient_name", flat=True)
        )
        hidden = set(Issue.objects.filter(is_public=False).values_list("title", flat=True))

        assert names
        for secret in names | hidden:
            assert secret not in html, secret
            assert secret not in text, secret

    def test_the_street_and_its_community_agree_with_the_sections(self):
        start, end = date(2026, 1, 1), min(date(2026, 12, 31), timezone.localdate())
        for slug in ("zhongzhuanlu", "chuangye"):
            center = Center.objects.get(slug=slug)
            report = annual.annual_report(center=center, year=2026)
            for section, table in zip(report_sections, report.chapters[-1].tables, strict=True):
                assert table.rows == [
                    (str(f.label), annual.display_value(f))
                    for f in section.build(center, start, end)
                ]


# -- Keeping the report of an ended year -----------------------------------------------------------


def test_an_ended_years_report_is_kept_until_that_years_figures_change(
    client, tree, district_admin, django_assert_num_queries, django_capture_on_commit_callbacks
):
    last_year = THIS_YEAR - 1
    when = timezone.make_aware(datetime(last_year, 6, 10, 10))
    IssueFactory(center=tree.community, created_at=when)
    client_for(client, district_admin)
    first = client.get(_url(tree.street, last_year))
    assert first.context["report"].sections[1].values()["received"] == 1
    # 1 session, 2 user, 3 roles, 4 the center in scope: the report itself is kept.
    with django_assert_num_queries(4):
        kept = client.get(_url(tree.street, last_year))
    assert kept.context["report"].sections[1].values()["received"] == 1
    # A late entry into that year makes the kept report stale at once.
    with django_capture_on_commit_callbacks(execute=True):
        IssueFactory(center=tree.community, created_at=when)
    again = client.get(_url(tree.street, last_year))
    assert again.context["report"].sections[1].values()["received"] == 2


def test_this_years_report_is_always_computed(client, tree, district_admin):
    client_for(client, district_admin)
    client.get(_url(tree.street))
    IssueFactory(center=tree.community)
    report = client.get(_url(tree.street)).context["report"]
    assert report.sections[1].values()["received"] == 1
