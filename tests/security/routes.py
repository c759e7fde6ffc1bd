"""The URL configuration as a flat list of routes, walked from the root resolver.

The access and header tests enumerate the URLs themselves, so a URL added anywhere is tested
(or makes a test fail until somebody says how to test it) without anybody remembering to.
"""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    """One URL pattern with the namespaces and prefixes of the includes above it."""

    key: str  #: "namespace:name", or the route text for an unnamed pattern
    route: str  #: the whole route, e.g. "manage/activities/<int:pk>/"
    kwargs: tuple[str, ...]  #: the captured arguments, in the order they appear
    callback: object

    @property
    def is_public(self):
        """Marked `@login_not_required`: LoginRequiredMiddleware lets anybody through."""
        return getattr(self.callback, "login_required", True) is False

    @property
    def is_admin(self):
        return self.route.startswith("admin/")

    @property
    def is_staff(self):
        return self.route.startswith("manage/")

    def __str__(self):
        return self.key


def _captured(pattern):
    # RoutePattern (path()) knows its converters; RegexPattern (re_path()) its groups.
    converters = getattr(pattern, "converters", None)
    if converters:
        return tuple(converters)
    return tuple(pattern.regex.groupindex)


def walk(resolver=None, *, prefix="", namespace=None, kwargs=()):
    """Every URLPattern under `resolver` (the root by default), includes followed."""
    resolver = get_resolver() if resolver is None else resolver
    routes = []
    for entry in resolver.url_patterns:
        text = prefix + str(entry.pattern)
        captured = kwargs + _captured(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            routes += walk(entry, prefix=text, namespace=inner, kwargs=captured)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            routes.append(
                Route(key=name or text, route=text, kwargs=captured, callback=entry.callback)
            )
    return routes
