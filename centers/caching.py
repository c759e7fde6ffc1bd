"""Whole-page caching of public pages for anonymous visitors, invalidated by any write.

Anonymous GET responses are kept in the cache (Redis in production) under a key prefix that
carries a *generation* number. Every committed write to a model of the portal's apps bumps the
generation, so the next request after an edit, a sign-up or a resolved issue renders afresh.
Requests carrying a session cookie (logged-in users) never read or fill the shared cache, and
browsers are told to revalidate, so nobody sees a page older than the last write.

A large page (a district's calendar feed is half a megabyte gzipped) is stored as a *pointer*:
its status and headers, and the digest of its body, which is kept under a key of its own named
by that digest. Each process keeps the bodies it served last (`local_bodies`), so a hit still
reads only the generation and the small pointer from the cache; a body is fetched once per
process. A body is named by its content, so a kept copy is never stale: whether a page is
current is still decided by the generation alone.
"""

import copy
import hashlib
import threading
import time
from collections import OrderedDict

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils.cache import patch_cache_control
from django.utils.encoding import iri_to_uri
from django.utils.translation import get_language

GENERATION_KEY = "public-pages:generation"
#: Apps whose writes can change a public page.
CONTENT_APPS = ("centers", "activities", "deliberation", "assistance")
#: Models whose writes never show on a public page (and happen on every request or view).
IGNORED_MODELS = {
    "centers.auditentry",
    "centers.notification",
    # The report summaries (centers.summaries), read by staff only.
    "centers.summarystate",
    "activities.activitymonth",
    "deliberation.issuemonth",
    "assistance.aidmonth",
}


def _cache():
    return caches[settings.CACHE_MIDDLEWARE_ALIAS]


def current_generation(key):
    """The number kept in the cache under `key`, made from the clock on first use. Whatever is
    kept under a key that includes it goes stale when `bump_generation(key)` moves it on."""
    cache = _cache()
    value = cache.get(key)
    if value is None:
        cache.add(key, int(time.time() * 1000), timeout=None)
        value = cache.get(key)
    return value


def bump_generation(key):
    cache = _cache()
    try:
        cache.incr(key)
    except ValueError:  # the key expired or was never set
        cache.set(key, int(time.time() * 1000), timeout=None)


def generation():
    """The current generation of public pages."""
    return current_generation(GENERATION_KEY)


def bump():
    """Make every cached public page stale."""
    bump_generation(GENERATION_KEY)


def enabled():
    return settings.CACHE_MIDDLEWARE_SECONDS > 0


def bump_on_commit(**kwargs):
    # After commit: bumping inside the transaction would let a concurrent request cache the
    # old data under the new generation.
    if enabled():
        transaction.on_commit(bump)


def connect_signals():
    """Bump the generation on every save and delete of a content model."""
    for label in CONTENT_APPS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.label_lower in IGNORED_MODELS:
                continue
            post_save.connect(
                bump_on_commit, sender=model, dispatch_uid=f"pages-{model._meta.label_lower}-save"
            )
            post_delete.connect(
                bump_on_commit, sender=model, dispatch_uid=f"pages-{model._meta.label_lower}-delete"
            )


#: Probes that must stay as cheap as Django gets (the benchmark's baseline): no cache round trip.
UNCACHED_PATHS = {"/healthz", "/readyz"}


def _is_anonymous(request):
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


def _has_flash_message(request):
    """A message waiting for this visitor (django.contrib.messages keeps it in a cookie): the
    page must be rendered for them, and never stored for others."""
    return "messages" in request.COOKIES


def _page_key(request):
    """The cache key of an anonymous GET: the URL, the language, and whether the client takes
    gzip (the only encoding a page comes in; see activities.views.feed)."""
    encoding = "gzip" if "gzip" in request.headers.get("Accept-Encoding", "") else ""
    url = iri_to_uri(request.build_absolute_uri())
    digest = hashlib.md5(f"{url}|{get_language()}|{encoding}".encode(), usedforsecurity=False)
    # Renamed whenever the shape of an entry changes ("page:" held whole pages only): a worker
    # of the previous release, still serving during a deploy, would send a pointer as a page.
    return f"public-page:{digest.hexdigest()}"


#: Vary headers a stored page may carry: the language and the encoding are part of the key,
#: and a stored page was rendered for a request without cookies (see `_storable`).
KEYED_VARY = {"accept-language", "accept-encoding", "cookie"}


def _storable(request, response):
    """A response anyone may get for this URL: a plain 200 to an anonymous GET without cookies
    that sets none, varying on nothing but the language, the encoding and cookies. A page with
    a form sets the CSRF cookie when the request had none, and carries a visitor's token when
    it had one: it is never stored. A stored page may go to a visitor with cookies (a CSRF
    cookie from another page): it was made without any, and shows nothing of theirs."""
    if request.COOKIES or response.cookies:
        return False
    if response.status_code != 200 or response.streaming:
        return False
    if "private" in response.get("Cache-Control", "") or "no-store" in response.get(
        "Cache-Control", ""
    ):
        return False
    vary = {header.strip().lower() for header in response.get("Vary", "").split(",") if header}
    return vary <= KEYED_VARY


#: A page body this large or larger is stored apart from its pointer and kept by each process.
LARGE_PAGE_BYTES = 32 * 1024
#: Bytes of page bodies one process keeps at most (each sync worker is one process).
LOCAL_BODY_BYTES = 16 * 1024 * 1024


class LocalBodies:
    """Page bodies by digest, least recently used first out, `max_bytes` in all at most."""

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self.size = 0
        self._bodies = OrderedDict()
        # Sync workers serve one request at a time; a threaded worker must not corrupt it.
        self._lock = threading.Lock()

    def __len__(self):
        return len(self._bodies)

    def __contains__(self, digest):
        return digest in self._bodies

    def get(self, digest):
        with self._lock:
            body = self._bodies.get(digest)
            if body is not None:
                self._bodies.move_to_end(digest)
            return body

    def put(self, digest, body):
        with self._lock:
            if digest in self._bodies:
                self._bodies.move_to_end(digest)
                return
            if len(body) > self.max_bytes:
                return
            self._bodies[digest] = body
            self.size += len(body)
            while self.size > self.max_bytes:
                _digest, dropped = self._bodies.popitem(last=False)
                self.size -= len(dropped)

    def clear(self):
        with self._lock:
            self._bodies.clear()
            self.size = 0


#: This process's copies of large page bodies.
local_bodies = LocalBodies(LOCAL_BODY_BYTES)


def _body_key(digest):
    return f"page-body:{digest}"


def _stored_apart(body):
    """Whether a body goes under its own key: a large one, small enough for the local copies
    to keep (a larger one would be fetched on every hit: it stays in the entry itself, one
    round trip)."""
    return LARGE_PAGE_BYTES <= len(body) <= local_bodies.max_bytes // 2


def _store(key, seen, response):
    """Keep `response` under `key` for the generation `seen`: as (generation, response), or
    as (generation, pointer, digest) with the body under `_body_key(digest)`."""
    timeout = settings.CACHE_MIDDLEWARE_SECONDS
    body = response.content
    if not _stored_apart(body):
        _cache().set(key, (seen, response), timeout)
        return
    digest = hashlib.sha256(body).hexdigest()
    pointer = copy.copy(response)
    pointer.content = b""
    # One round trip; the body's lifetime starts again with every pointer to it, so it lasts
    # at least as long as they do (an evicted body is a miss, see `_stored_response`).
    _cache().set_many({key: (seen, pointer, digest), _body_key(digest): body}, timeout)
    local_bodies.put(digest, body)


def _stored_response(stored):
    """The response of a stored entry, its body joined again; None when the body is gone."""
    if len(stored) == 2:
        return stored[1]
    _generation, response, digest = stored
    body = local_bodies.get(digest)
    if body is None:
        body = _cache().get(_body_key(digest))
        if body is None:
            return None
        local_bodies.put(digest, body)
    response.content = body
    return response


class FetchPublicCacheMiddleware:
    """Serve an anonymous visitor's GET from the cache, in one cache round trip.

    A page is stored with the generation it was rendered in; one `get_many` reads the current
    generation and the page, and the page is served only if the two agree (a large page's
    body comes from this process's copy, or from the cache the first time). A request that
    misses carries the key and the generation it saw to `UpdatePublicCacheMiddleware`, so a
    page rendered while a write commits is stored under the older generation: stale at once.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method != "GET"
            or not enabled()
            or not _is_anonymous(request)
            or _has_flash_message(request)
            or request.path in UNCACHED_PATHS
        ):
            return self.get_response(request)
        key = _page_key(request)
        found = _cache().get_many([GENERATION_KEY, key])
        current = found.get(GENERATION_KEY)
        if current is None:
            current = generation()
        stored = found.get(key)
        if stored is not None and stored[0] == current:
            response = _stored_response(stored)
            if response is not None:
                patch_cache_control(response, no_cache=True, max_age=0)
                return response
        request._public_page = (key, current)
        return self.get_response(request)


class UpdatePublicCacheMiddleware:
    """Store what `FetchPublicCacheMiddleware` missed, when anyone may get it (`_storable`);
    the browser itself is told to ask again every time."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        pending = getattr(request, "_public_page", None)
        if pending is not None and _storable(request, response):
            key, seen = pending
            patch_cache_control(response, no_cache=True, max_age=0)
            _store(key, seen, response)
        return response
