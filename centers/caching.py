"""Whole-page caching of public pages for anonymous visitors, invalidated by any write.

Anonymous GET responses are kept in the cache (Redis in production) under a key prefix that
carries a *generation* number. Every committed write to a model of the portal's apps bumps the
generation, so the next request after an edit, a sign-up or a resolved issue renders afresh.
Requests carrying a session cookie (logged-in users) never read or fill the shared cache, and
browsers are told to revalidate, so nobody sees a page older than the last write.
"""

import hashlib
import time

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
    return f"page:{digest.hexdigest()}"


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


class FetchPublicCacheMiddleware:
    """Serve an anonymous visitor's GET from the cache, in one cache round trip.

    A page is stored with the generation it was rendered in; one `get_many` reads the current
    generation and the page, and the page is served only if the two agree. A request that
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
            response = stored[1]
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
            _cache().set(key, (seen, response), settings.CACHE_MIDDLEWARE_SECONDS)
        return response
