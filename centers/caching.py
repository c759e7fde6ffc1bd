"""Whole-page caching of public pages for anonymous visitors, invalidated by any write.

Anonymous GET responses are kept in the cache (Redis in production) under a key prefix that
carries a *generation* number. Every committed write to a model of the portal's apps bumps the
generation, so the next request after an edit, a sign-up or a resolved issue renders afresh.
Requests carrying a session cookie (logged-in users) never read or fill the shared cache, and
browsers are told to revalidate, so nobody sees a page older than the last write.
"""

import time

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.middleware.cache import FetchFromCacheMiddleware, UpdateCacheMiddleware
from django.utils.cache import patch_cache_control

GENERATION_KEY = "public-pages:generation"
#: Apps whose writes can change a public page.
CONTENT_APPS = ("centers", "activities", "deliberation", "assistance")
#: Models whose writes never show on a public page (and happen on every request or view).
IGNORED_MODELS = {"centers.auditentry", "centers.notification"}


def _cache():
    return caches[settings.CACHE_MIDDLEWARE_ALIAS]


def generation():
    """The current generation of public pages (created on first use)."""
    cache = _cache()
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, int(time.time() * 1000), timeout=None)
        value = cache.get(GENERATION_KEY)
    return value


def bump():
    """Make every cached public page stale."""
    cache = _cache()
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # the key expired or was never set
        cache.set(GENERATION_KEY, int(time.time() * 1000), timeout=None)


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


class GenerationPrefix:
    """`key_prefix` read per request from the current generation."""

    @property
    def key_prefix(self):
        return f"page.{generation()}"

    @key_prefix.setter
    def key_prefix(self, value):
        pass


class UpdatePublicCacheMiddleware(GenerationPrefix, UpdateCacheMiddleware):
    @property
    def cache_timeout(self):
        return settings.CACHE_MIDDLEWARE_SECONDS

    @cache_timeout.setter
    def cache_timeout(self, value):
        pass

    def _should_update_cache(self, request, response):
        return (
            enabled()
            and _is_anonymous(request)
            and not _has_flash_message(request)
            # A response that sets a cookie (a CSRF token, a cleared message) is one visitor's.
            and not response.cookies
            and super()._should_update_cache(request, response)
        )

    def process_response(self, request, response):
        response = super().process_response(request, response)
        if getattr(request, "_cache_update_cache", False):
            # Stored for the next visitor; the browser itself must ask again every time.
            patch_cache_control(response, no_cache=True, max_age=0)
        return response


class FetchPublicCacheMiddleware(GenerationPrefix, FetchFromCacheMiddleware):
    def process_request(self, request):
        if (
            not enabled()
            or not _is_anonymous(request)
            or _has_flash_message(request)
            or request.path in UNCACHED_PATHS
        ):
            request._cache_update_cache = False
            return None
        response = super().process_request(request)
        if response is not None:
            patch_cache_control(response, no_cache=True, max_age=0)
        return response
