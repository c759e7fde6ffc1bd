"""Large cached pages: the body is kept by each process, only a pointer goes through the cache."""

import gzip
import hashlib
from datetime import datetime, time, timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from activities import services
from activities.forms import build_rule
from centers import caching
from tests.factories import ActivityFactory, CenterFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

FEED = reverse("activities:feed")
GZIP = {"accept-encoding": "gzip"}


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.CACHE_MIDDLEWARE_SECONDS = 600


@pytest.fixture(autouse=True)
def _no_local_copies():
    """Each test starts as a fresh worker, with no body kept in this process."""
    caching.local_bodies.clear()
    yield
    caching.local_bodies.clear()


def weekly_activities(center, count, *, title="太极拳"):
    today = timezone.localdate()
    first = today + timedelta(days=(1 - today.weekday() - 1) % 7 + 1)
    start = timezone.make_aware(datetime.combine(first, time(9)))
    return [
        ActivityFactory(
            center=center,
            title=f"{title}{n}",
            starts_at=start,
            recurrence=build_rule(freq="WEEKLY", weekdays=["TU"], until=first + timedelta(weeks=8)),
        )
        for n in range(count)
    ]


def stored_digest(body):
    """The digest a body is kept under, in this process and in the cache."""
    digest = hashlib.sha256(body).hexdigest()
    assert digest in caching.local_bodies
    assert cache.get(f"page-body:{digest}") == body
    return digest


@pytest.fixture
def large_from_1kb(monkeypatch):
    """Large pages from 1 KB on: a feed of a few dozen activities is one, compressed."""
    monkeypatch.setattr(caching, "LARGE_PAGE_BYTES", 1024)


@pytest.fixture
def big_feed(client, tree, large_from_1kb):
    """A compressed feed large enough to be stored apart, as its first request stored it."""
    weekly_activities(tree.community, 40)
    response = client.get(FEED, headers=GZIP)
    assert response["Content-Encoding"] == "gzip"
    assert len(response.content) >= caching.LARGE_PAGE_BYTES
    return response


def test_a_large_page_is_served_from_the_workers_copy(client, big_feed, django_assert_num_queries):
    digest = stored_digest(big_feed.content)
    # What a hit reads from the cache is the generation and a pointer without the body.
    with translation.override(big_feed["Content-Language"]):
        _generation, pointer, named = cache.get(caching._page_key(big_feed.wsgi_request))
    assert named == digest and pointer.content == b""
    # Gone from the cache: what is served next can only come from this process's copy.
    cache.delete(f"page-body:{digest}")
    with django_assert_num_queries(0):
        hit = client.get(FEED, headers=GZIP)
    assert hit.status_code == 200
    assert hit.content == big_feed.content
    for header in ("Content-Type", "Content-Encoding", "Content-Length", "Vary", "Cache-Control"):
        assert hit[header] == big_feed[header]
    assert "no-cache" in hit["Cache-Control"]
    assert int(hit["Content-Length"]) == len(hit.content)
    assert gzip.decompress(hit.content).startswith(b"BEGIN:VCALENDAR")


def test_a_worker_without_a_copy_fetches_the_body_from_the_cache(
    client, big_feed, django_assert_num_queries
):
    digest = stored_digest(big_feed.content)
    caching.local_bodies.clear()
    with django_assert_num_queries(0):
        hit = client.get(FEED, headers=GZIP)
    assert hit.content == big_feed.content
    assert hit["Content-Length"] == big_feed["Content-Length"]
    # Kept from now on.
    assert caching.local_bodies.get(digest) == big_feed.content


def test_a_body_gone_from_the_worker_and_the_cache_is_rendered_and_stored_again(client, big_feed):
    digest = stored_digest(big_feed.content)
    caching.local_bodies.clear()
    cache.delete(f"page-body:{digest}")
    response = client.get(FEED, headers=GZIP)
    assert response.content == big_feed.content
    assert stored_digest(response.content) == digest


def test_after_a_change_the_new_body_is_served_on_the_next_request(
    client, tree, community_worker, big_feed
):
    assert "SUMMARY:太极拳7\r\n" in gzip.decompress(big_feed.content).decode()
    activity = tree.community.activities.get(title="太极拳7")
    services.activity_update(actor=community_worker, activity=activity, data={"title": "八段锦"})
    changed = client.get(FEED, headers=GZIP)
    text = gzip.decompress(changed.content).decode()
    assert "SUMMARY:八段锦\r\n" in text and "SUMMARY:太极拳7\r\n" not in text
    stored_digest(changed.content)
    # Both bodies are kept; the pointer of the new generation names the new one.
    assert len(caching.local_bodies) == 2
    assert client.get(FEED, headers=GZIP).content == changed.content


def test_after_a_sign_up_the_feeds_body_is_the_one_already_kept(client, tree, big_feed):
    digest = stored_digest(big_feed.content)
    activity = tree.community.activities.get(title="太极拳7")
    # A sign-up makes every public page stale, but not the feed: rendered again, the page is
    # the same bytes (compressed without random padding), kept under the same digest.
    generation = caching.generation()
    services.registration_create(
        user=UserFactory(), occurrence=activity.occurrences.order_by("starts_at").first()
    )
    assert caching.generation() != generation
    assert client.get(FEED, headers=GZIP).content == big_feed.content
    assert len(caching.local_bodies) == 1 and digest in caching.local_bodies


def test_small_pages_stay_whole_in_the_cache(client, tree):
    url = reverse("centers:detail", args=["chuangye"])
    page = client.get(url).content
    assert len(page) < caching.LARGE_PAGE_BYTES
    assert client.get(url).content == page
    assert len(caching.local_bodies) == 0


def test_the_local_copies_stay_within_their_byte_bound(
    client, tree, large_from_1kb, monkeypatch, django_assert_num_queries
):
    slugs = [f"big-{n}" for n in range(4)]
    for slug in slugs:
        weekly_activities(CenterFactory(parent=tree.district, slug=slug), 10, title=slug)
    urls = [f"{FEED}?center={slug}" for slug in slugs]
    sizes = [len(client.get(url).content) for url in urls]
    assert min(sizes) >= caching.LARGE_PAGE_BYTES
    # Room for two of the four feeds, each small enough to be kept (half the bound at most).
    bound = 2 * max(sizes) + min(sizes) // 2
    assert 3 * min(sizes) > bound
    monkeypatch.setattr(caching, "local_bodies", caching.LocalBodies(bound))
    cache.clear()
    first = {url: client.get(url).content for url in urls}
    assert caching.local_bodies.size <= bound
    assert len(caching.local_bodies) == 2
    # Every page still comes from the cache, an evicted body fetched again.
    for _ in range(2):
        for url in urls:
            with django_assert_num_queries(0):
                assert client.get(url).content == first[url]
            assert caching.local_bodies.size <= bound
    # The two served last.
    assert caching.local_bodies.size == len(first[urls[2]]) + len(first[urls[3]])
