"""Anonymous public pages come from the cache until something they show changes."""

import pytest
from django.urls import reverse
from django.utils import timezone

from activities import services as activity_services
from centers import services
from centers.models import Room
from tests.factories import ActivityFactory, IssueFactory, RoomFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.CACHE_MIDDLEWARE_SECONDS = 600


def test_second_anonymous_visit_is_served_from_the_cache(client, tree, django_assert_num_queries):
    url = reverse("centers:detail", args=["chuangye"])
    first = client.get(url)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second.content == first.content
    assert "no-cache" in second["Cache-Control"]
    # Served before the inner middleware runs, the hit still carries what it added.
    assert second["X-Frame-Options"] == first["X-Frame-Options"] == "DENY"
    assert second["Content-Language"] == "zh-hans"


def test_a_staff_edit_is_visible_on_the_next_request(client, tree, community_worker):
    url = reverse("centers:detail", args=["chuangye"])
    RoomFactory(center=tree.community, name="书香苑阅览室")
    assert "书香苑阅览室" in client.get(url).content.decode()
    room = Room.objects.get()
    services.content_update(actor=community_worker, item=room, data={"name": "党建活动室"})
    html = client.get(url).content.decode()
    assert "党建活动室" in html and "书香苑阅览室" not in html


def test_a_new_signup_is_visible_on_the_next_request(client, tree):
    occurrence = ActivityFactory(
        center=tree.community, capacity=5, title="书法课"
    ).occurrences.get()
    url = occurrence.get_absolute_url()
    assert "已报 0 / 5" in client.get(url).content.decode()
    activity_services.registration_create(user=UserFactory(), occurrence=occurrence)
    assert "已报 1 / 5" in client.get(url).content.decode()


def test_logged_in_pages_never_come_from_the_shared_cache(client, tree, community_worker):
    url = reverse("centers:detail", args=["chuangye"])
    anonymous = client.get(url).content.decode()
    assert "编辑本中心" not in anonymous
    client.force_login(community_worker)
    mine = client.get(url).content.decode()
    assert "编辑本中心" in mine
    client.logout()
    assert "编辑本中心" not in client.get(url).content.decode()


def test_forms_with_a_csrf_token_are_not_cached(client, tree, django_assert_num_queries):
    url = reverse("deliberation:new")
    client.get(url)
    fresh = client.__class__()
    response = fresh.get(url)
    assert response.status_code == 200
    assert "csrfmiddlewaretoken" in response.content.decode()
    assert response.cookies.get("csrftoken")


def test_language_switch_is_a_link_and_sets_the_cookie(client, tree):
    response = client.get(reverse("switch_language", args=["en"]) + "?next=/centers/")
    assert response.status_code == 302 and response["Location"] == "/centers/"
    assert response.cookies["django_language"].value == "en"
    assert client.get(reverse("switch_language", args=["xx"])).status_code == 404
    unsafe = client.get(reverse("switch_language", args=["en"]) + "?next=https://evil.example/")
    assert unsafe["Location"] == "/"


def test_health_probes_bypass_the_page_cache(client, settings, monkeypatch):
    from centers import caching

    def fail():
        raise AssertionError("the probe touched the cache")

    monkeypatch.setattr(caching, "generation", fail)
    assert client.get("/healthz").content == b"ok"
    assert client.get("/readyz").content == b"ok"


def test_a_tracking_page_with_its_rating_form_comes_from_the_cache(
    client, tree, django_assert_num_queries
):
    issue = IssueFactory(center=tree.community, status="resolved", resolved_at=timezone.now())
    url = reverse("deliberation:track", args=[issue.tracking_code])
    first = client.get(url)
    assert "评价办理结果" in first.content.decode()
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second.content == first.content


def test_a_page_showing_a_flash_message_is_neither_stored_nor_served_from_the_cache(client, tree):
    issue = IssueFactory(center=tree.community, status="resolved", resolved_at=timezone.now())
    url = reverse("deliberation:track", args=[issue.tracking_code])
    client.get(url)  # stored for everybody, without a message
    rated = client.post(
        reverse("deliberation:rate", args=[issue.tracking_code]),
        {"satisfaction": "satisfied", "phone": issue.submitter_phone},
    )
    assert rated.status_code == 302 and "messages" in client.cookies
    thanked = client.get(url).content.decode()
    assert "感谢您的评价" in thanked
    stranger = client.__class__()
    assert "感谢您的评价" not in stranger.get(url).content.decode()


def test_a_form_page_is_never_stored_with_a_visitors_token(client, tree):
    url = reverse("deliberation:new")
    client.get(url)  # sets the CSRF cookie
    mine = client.get(url)  # sent with the cookie: the page carries this visitor's token
    token = mine.content.decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    stranger = client.__class__()
    assert token not in stranger.get(url).content.decode()
