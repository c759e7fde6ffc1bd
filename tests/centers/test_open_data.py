"""The public open-data page and its CSV files: the district's yearly figures from every
registered section, nothing personal, the same for every visitor, and cached."""

import csv
import re
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from centers import open_data
from centers.annual import display_value, plain_value
from centers.models import Center
from centers.sections import Figure, ReportSection, report_sections
from tests.centers.test_annual import PERSONAL, _personal_data, _resolved_issue
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

THIS_YEAR = timezone.localdate().year
YEARS = [THIS_YEAR, THIS_YEAR - 1, THIS_YEAR - 2]


def _period(year):
    return date(year, 1, 1), min(date(year, 12, 31), timezone.localdate())


def _csv_rows(response):
    text = response.content.decode("utf-8")
    return list(csv.reader(StringIO(text.removeprefix("\ufeff"))))


def _main(html):
    return re.search(r"<main.*?</main>", html, re.S).group(0)


def test_anonymous_visitors_see_every_sections_figures_explained(client, tree):
    response = client.get(reverse("open_data"))

    assert response.status_code == 200
    html = response.content.decode()
    for year in YEARS:
        assert f"{year}年" in html
        assert reverse("open_data_csv", args=[year]) in html
    for section in report_sections:
        assert str(section.title) in html
        figures = section.build(tree.district, *_period(THIS_YEAR))
        for figure in figures:
            assert str(figure.label) in html
            sentence = open_data.explanation(section.key, str(section.title), figure)
            assert sentence in html
    assert html.count('class="od-about"') == sum(
        len(s.build(tree.district, *_period(THIS_YEAR))) for s in report_sections
    )


def test_figures_are_explained_by_key_by_breakdown_or_plainly():
    held = Figure("held", "举办活动（场）", 3)
    culture = Figure("category_culture", "文体娱乐", 2)
    disabled = Figure("type_disabled", "类型：残疾人", 1)
    branch = Figure("child_zhongzhuanlu_received", "中专路街道：收到（件）", 4)
    unknown = Figure("loans", "借阅（册次）", 42)

    assert open_data.explanation("activities", "活动", held).startswith("当年实际举办")
    assert (
        open_data.explanation("activities", "活动", culture) == "当年举办的“文体娱乐”类活动场次。"
    )
    assert "“残疾人”" in open_data.explanation("assistance", "帮扶与援助", disabled)
    assert open_data.explanation("deliberation", "居民议事", branch) == (
        "中专路街道（含下属中心）当年收到的诉求件数。"
    )
    assert open_data.explanation("library", "图书借阅", unknown) == (
        "“图书借阅”栏目的“借阅（册次）”，按年度统计。"
    )


def test_the_page_shows_the_roots_figures_year_by_year(client, tree):
    _resolved_issue(tree.community, "路面积水", "已修复。")
    _resolved_issue(tree.other_community, "楼道堆物", "已清理。")

    page = open_data.open_data_page()

    assert [c.year for c in page.years] == YEARS
    assert page.place == "测试区"
    for section, shown in zip(report_sections, page.sections, strict=True):
        by_year = [
            {f.key: f for f in section.build(tree.district, *_period(year))} for year in YEARS
        ]
        assert [row.key for row in shown.rows] == [f"{section.key}.{key}" for key in by_year[0]]
        for row in shown.rows:
            key = row.key.split(".", 1)[1]
            assert row.values == [display_value(figures[key]) for figures in by_year]
    received = next(r for r in page.sections[1].rows if r.key == "deliberation.received")
    assert received.values[0] == "2"


def test_the_page_is_the_same_for_every_visitor_and_may_be_cached(
    client, tree, district_admin, resident
):
    anonymous = client.get(reverse("open_data"))
    client_for(client, district_admin)
    staff = client.get(reverse("open_data"))
    client_for(client, resident)
    member = client.get(reverse("open_data"))

    assert _main(anonymous.content.decode()) == _main(staff.content.decode())
    assert _main(anonymous.content.decode()) == _main(member.content.decode())
    assert "csrfmiddlewaretoken" not in anonymous.content.decode()


def test_anonymous_visitors_get_the_page_and_files_from_the_page_cache(
    client, tree, settings, django_assert_num_queries
):
    settings.CACHE_MIDDLEWARE_SECONDS = 600
    urls = [reverse("open_data"), reverse("open_data_csv", args=[THIS_YEAR])]
    first = [client.get(url) for url in urls]

    with django_assert_num_queries(0):
        second = [client.get(url) for url in urls]

    assert [r.content for r in second] == [r.content for r in first]
    assert all("no-cache" in r["Cache-Control"] for r in second)


def test_a_write_shows_on_the_next_view(client, tree, settings, django_capture_on_commit_callbacks):
    settings.CACHE_MIDDLEWARE_SECONDS = 600
    client.get(reverse("open_data"))
    before = open_data.open_data_page()

    with django_capture_on_commit_callbacks(execute=True):
        _resolved_issue(tree.community, "路面积水", "已修复。")
    after = open_data.open_data_page()

    def received(page):
        return next(r for r in page.sections[1].rows if r.key == "deliberation.received").values[0]

    assert (received(before), received(after)) == ("0", "1")
    rows = _csv_rows(client.get(reverse("open_data_csv", args=[THIS_YEAR])))
    assert next(r for r in rows if r[4] == "deliberation.received")[6] == "1"


def test_the_figures_come_from_the_cache_after_the_first_visit(client, tree):
    client.get(reverse("open_data"))

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("open_data")).status_code == 200
        assert client.get(reverse("open_data_csv", args=[THIS_YEAR])).status_code == 200

    # The root center, once for the page and once for the file.
    assert len(ctx.captured_queries) == 2


@pytest.mark.parametrize("year", YEARS)
def test_csv_has_a_bom_and_the_sections_figures_for_the_root(client, tree, year):
    _resolved_issue(tree.community, "路面积水", "已修复。")

    response = client.get(reverse("open_data_csv", args=[year]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    header, *rows = _csv_rows(response)
    assert header == [
        "年份",
        "统计范围",
        "统计期间",
        "栏目",
        "指标代码",
        "指标",
        "数值",
        "单位",
        "说明",
    ]
    start, end = _period(year)
    expected = [
        [
            str(year),
            tree.district.name,
            f"{start.isoformat()}至{end.isoformat()}",
            str(section.title),
            f"{section.key}.{figure.key}",
            str(figure.label),
            plain_value(figure),
            figure.unit,
            open_data.explanation(section.key, str(section.title), figure),
        ]
        for section in report_sections
        for figure in section.build(tree.district, start, end)
    ]
    assert rows == expected


def test_csv_rates_are_percentages_and_counts_plain_numbers():
    assert plain_value(Figure("rate", "响应率", 0.823529, unit="%")) == "82.4"
    assert plain_value(Figure("rate", "响应率", None, unit="%")) == ""
    assert plain_value(Figure("n", "收到（件）", 34)) == "34"
    assert plain_value(Figure("h", "时长（小时）", 103.5)) == "103.5"


@pytest.mark.parametrize("year", [THIS_YEAR + 1, THIS_YEAR - 3, 1999, 3000])
def test_a_year_not_on_the_page_is_404(client, tree, year):
    assert client.get(reverse("open_data_csv", args=[year])).status_code == 404


def test_post_is_refused(client, tree):
    assert client.post(reverse("open_data")).status_code == 405
    assert client.post(reverse("open_data_csv", args=[THIS_YEAR])).status_code == 405


def test_nothing_personal_on_the_page_or_in_the_files(client, tree, district_admin):
    _personal_data(tree, district_admin)

    html = client.get(reverse("open_data")).content.decode()
    files = [client.get(reverse("open_data_csv", args=[y])).content.decode() for y in YEARS]

    assert "走访慰问（次）" in html
    for secret in [*PERSONAL, "园艺所西巷雨天路面积水"]:
        assert secret not in html, secret
        for content in files:
            assert secret not in content, secret


def test_a_new_apps_section_appears_on_the_page_and_in_the_files(client, tree):
    section = ReportSection(
        key="library",
        title="图书借阅",
        build=lambda center, start, end: [Figure("loans", "借阅（册次）", 42)],
        order=99,
    )
    report_sections.register(section)
    try:
        html = client.get(reverse("open_data")).content.decode()
        rows = _csv_rows(client.get(reverse("open_data_csv", args=[THIS_YEAR])))
    finally:
        report_sections.unregister("library")

    assert "图书借阅" in html and "借阅（册次）" in html
    assert rows[-1][3:8] == ["图书借阅", "library.loans", "借阅（册次）", "42", ""]


def test_without_a_district_the_page_says_so(client, db):
    response = client.get(reverse("open_data"))

    assert response.status_code == 200
    assert "暂无数据" in response.content.decode()
    assert client.get(reverse("open_data_csv", args=[THIS_YEAR])).status_code == 404


# -- The demo district --------------------------------------------------------------------------


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """One seed_demo for the class (it takes seconds), rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.mark.usefixtures("demo")
class TestDemoDistrict:
    def test_the_csv_carries_the_districts_figures(self, client):
        root = Center.objects.get(slug="saihan")
        start, end = _period(THIS_YEAR)

        rows = _csv_rows(client.get(reverse("open_data_csv", args=[THIS_YEAR])))[1:]

        expected = {
            f"{section.key}.{figure.key}": plain_value(figure)
            for section in report_sections
            for figure in section.build(root, start, end)
        }
        assert {row[4]: row[6] for row in rows} == expected
        assert {row[1] for row in rows} == {"赛罕区党群服务中心"}
        assert int(expected["activities.held"]) > 0

    def test_no_demo_resident_or_beneficiary_appears(self, client):
        from assistance.models import Beneficiary, Distribution, Donation
        from deliberation.models import Issue

        html = client.get(reverse("open_data")).content.decode()
        files = [client.get(reverse("open_data_csv", args=[y])).content.decode() for y in YEARS]
        secrets = set(Beneficiary.objects.values_list("name", flat=True))
        secrets |= set(
            Issue.objects.exclude(submitter_name="").values_list("submitter_name", flat=True)
        )
        secrets |= set(
            Issue.objects.exclude(submitter_phone="").values_list("submitter_phone", flat=True)
        )
        secrets |= set(Donation.objects.exclude(donor_name="").values_list("donor_name", flat=True))
        secrets |= set(
            Distribution.objects.exclude(recipient_name="").values_list("recipient_name", flat=True)
        )

        assert secrets
        for secret in secrets:
            assert secret not in html, secret
            for content in files:
                assert secret not in content, secret
