import pytest
from django.urls import reverse

from centers.sections import PageSection, center_page_sections

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered():
    calls = []

    def build(center, request):
        calls.append(center.slug)
        if center.level != "community":
            return None
        return {
            "key": "demo",
            "title": "测试栏目",
            "items": [{"title": "老年大学书法课", "url": "/x/", "meta": "每周二 9:00"}],
        }

    center_page_sections.register(
        PageSection(key="demo", template="includes/center_section.html", build=build, order=10)
    )
    yield calls
    center_page_sections.unregister("demo")


def test_a_registered_section_appears_on_center_pages(client, tree, registered):
    html = client.get(reverse("centers:detail", args=["chuangye"])).content.decode()
    assert "测试栏目" in html and "老年大学书法课" in html and "每周二 9:00" in html
    assert registered == ["chuangye"]


def test_a_section_that_returns_none_stays_hidden(client, tree, registered):
    html = client.get(reverse("centers:detail", args=["zhongzhuanlu"])).content.decode()
    assert "测试栏目" not in html
