import pytest
from django.urls import reverse

from centers.models import Center
from tests.factories import (
    CenterFactory,
    ExhibitionFactory,
    PhotoFactory,
    RoomFactory,
    ServiceFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db


def test_home_shows_counts_per_level_and_streets_with_communities(client, tree):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "测试区党群服务中心" in html
    assert "中专路街道" in html
    assert 'href="/centers/chuangye/"' in html
    overview = response.context["overview"]
    counts = {value: n for _label, n, value in overview.level_counts}
    assert counts == {"district": 1, "street": 2, "community": 3, "park": 0, "building": 0}
    assert overview.total == 6


def test_home_sends_a_street_with_many_communities_to_the_directory(client, tree):
    for i in range(30):
        CenterFactory(parent=tree.street, short_name=f"新建社区{i}")
    html = client.get(reverse("home")).content.decode()
    # 32 communities under 中专路: a link to the directory instead of 32 chips.
    assert "新建社区7" not in html and 'href="/centers/chuangye/"' not in html
    assert f'href="/centers/?street={tree.street.slug}"' in html and "查看全部 32 个中心" in html
    # The other street keeps its chips.
    assert 'href="/centers/jiankang/"' in html
    listed = client.get(f"/centers/?street={tree.street.slug}").content.decode()
    assert "创业社区" in listed


def test_home_hides_unpublished_centers(client, tree):
    Center.objects.filter(pk=tree.sibling.pk).update(is_published=False)
    html = client.get(reverse("home")).content.decode()
    assert "展览馆社区" not in html


def test_directory_lists_tree_and_filters_by_level_street_and_name(client, tree):
    url = reverse("centers:list")
    rows = client.get(url).context["rows"]
    assert [c.slug for c in rows] == [
        "district",
        "renminlu",
        "jiankang",
        "zhongzhuanlu",
        "chuangye",
        "zhanlanguan",
    ] or len(rows) == 6
    by_level = client.get(url, {"level": "community"}).context["rows"]
    assert {c.slug for c in by_level} == {"chuangye", "zhanlanguan", "jiankang"}
    by_street = client.get(url, {"street": "zhongzhuanlu", "level": "community"}).context["rows"]
    assert {c.slug for c in by_street} == {"chuangye", "zhanlanguan"}
    assert all(c.parent_center.slug == "zhongzhuanlu" for c in by_street)
    by_name = client.get(url, {"q": "创业"}).context["rows"]
    assert [c.slug for c in by_name] == ["chuangye"]


@pytest.mark.parametrize(
    "params",
    [{"level": "nonsense"}, {"street": "no-such-street"}, {"q": "x" * 500}, {"page": "abc"}],
)
def test_directory_with_bad_filters_answers_200_not_500(client, tree, params):
    response = client.get(reverse("centers:list"), params)
    assert response.status_code == 200


def test_directory_search_with_no_match_says_so(client, tree):
    response = client.get(reverse("centers:list"), {"q": "不存在的社区"})
    assert "没有找到符合条件的中心" in response.content.decode()


def test_center_page_shows_breadcrumbs_children_and_content(client, tree):
    RoomFactory(center=tree.community, name="书香苑阅览室", capacity=40)
    ExhibitionFactory(center=tree.community, name="党建文史馆", halls="党史展厅\n民俗展厅")
    ServiceFactory(center=tree.community, name="居民议事站")
    TeamFactory(center=tree.community, name="快板队")
    PhotoFactory(center=tree.community, caption="活动掠影")
    Center.objects.filter(pk=tree.community.pk).update(brand="众心向和谐", phone="0471-1234567")
    response = client.get(reverse("centers:detail", args=["chuangye"]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ["书香苑阅览室", "可容纳 40 人", "党建文史馆", "民俗展厅", "居民议事站", "快板队"]:
        assert text in html
    assert "活动掠影" in html and "众心向和谐" in html and "0471-1234567" in html
    assert [a.slug for a in response.context["page"].ancestors] == ["district", "zhongzhuanlu"]
    street_page = client.get(reverse("centers:detail", args=["zhongzhuanlu"]))
    assert [c.slug for c in street_page.context["page"].children] == ["chuangye", "zhanlanguan"]


def test_unpublished_or_missing_center_page_is_404_in_chinese(client, tree):
    Center.objects.filter(pk=tree.community.pk).update(is_published=False)
    response = client.get(reverse("centers:detail", args=["chuangye"]))
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
    assert client.get("/centers/no-such-center/").status_code == 404


def test_public_pages_answer_405_to_post(client, tree):
    assert client.post(reverse("centers:detail", args=["chuangye"])).status_code == 405
    assert client.post(reverse("home")).status_code == 405


def _build_tree(size):
    root = CenterFactory(level=Center.Level.DISTRICT)
    streets = [CenterFactory(parent=root, level=Center.Level.STREET) for _ in range(3)]
    for i in range(size - 4):
        CenterFactory(parent=streets[i % 3])
    return root


def test_directory_runs_fixed_queries_with_10_and_300_centers(client, django_assert_num_queries):
    _build_tree(10)
    # 1 streets for the filter, 2 count for the paginator, 3 the page of centers,
    # 4 their parents.
    with django_assert_num_queries(4):
        assert client.get(reverse("centers:list")).status_code == 200
    for _ in range(290):
        CenterFactory(parent=Center.objects.filter(level="street").first())
    with django_assert_num_queries(4):
        response = client.get(reverse("centers:list"))
    assert response.context["page_obj"].paginator.count == 300


def test_home_runs_fixed_queries_whatever_the_tree_size(client, django_assert_num_queries):
    _build_tree(10)
    # 1 root, 2 counts per level, 3 streets and their communities.
    with django_assert_num_queries(3):
        client.get(reverse("home"))
    for _ in range(100):
        CenterFactory(parent=Center.objects.filter(level="street").first())
    with django_assert_num_queries(3):
        client.get(reverse("home"))


def test_center_page_runs_fixed_queries_with_1_and_50_items(
    client, tree, django_assert_num_queries
):
    center = tree.community
    url = reverse("centers:detail", args=[center.slug])

    def add(n):
        for _ in range(n):
            RoomFactory(center=center)
            TeamFactory(center=center)
            ServiceFactory(center=center)
            ExhibitionFactory(center=center)
            PhotoFactory(center=center)
            CenterFactory(parent=center, level=Center.Level.BUILDING)

    add(1)
    # 1 center, 2 children, 3 teams, 4 ancestors, 5 rooms, 6 exhibitions, 7 services, 8 photos;
    # the sections other apps register: 9 upcoming activities, 10 issues resolved this year,
    # 11 recently resolved issues, 12 published meetings, 13 the aid station and its wishes.
    with django_assert_num_queries(13):
        assert client.get(url).status_code == 200
    add(49)
    with django_assert_num_queries(13):
        response = client.get(url)
    assert len(response.context["page"].rooms) == 50
    assert len(response.context["page"].children) == 50
