"""Security middleware that Django does not ship (Permissions-Policy, idle session expiry,
malformed headers refused), and the client address that login throttling counts failures
against."""

import ipaddress
import re

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone

from centers import ratelimit

#: Session key holding when a logged-in session was last pushed forward (Unix seconds).
LAST_SEEN_KEY = "_dangqun_seen"


class PermissionsPolicyMiddleware:
    """Send `Permissions-Policy` from `settings.PERMISSIONS_POLICY` on every response.

    `{"camera": [], "geolocation": ["self"]}` becomes `camera=(), geolocation=(self)`: an empty
    list switches the browser feature off for the page and for anything it embeds.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        policy = getattr(settings, "PERMISSIONS_POLICY", {})
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})" for feature, origins in policy.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


#: Characters that may not appear in a header value (RFC 9110, section 5.5): NUL, CR, LF and the
#: other control characters except tab; the same set gunicorn refuses.
INVALID_IN_HEADER = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


class RejectInvalidHeadersMiddleware:
    """Answer 400 to a request with a control character in a header value.

    gunicorn refuses such a request before Django sees it; other servers (and the test client)
    pass it on, and django-axes would then store the User-Agent of a failed or successful login
    in PostgreSQL, which cannot hold NUL in text: a server error instead of a refusal.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for key, value in request.META.items():
            if (
                key.startswith("HTTP_")
                and isinstance(value, str)
                and INVALID_IN_HEADER.search(value)
            ):
                raise SuspiciousOperation(f"Control character in the {key[5:]} header")
        return self.get_response(request)


class SessionIdleTimeoutMiddleware:
    """A signed-in session ends `SESSION_COOKIE_AGE` seconds after its last request.

    Django counts a session's age from its last save. `SESSION_SAVE_EVERY_REQUEST` would save
    on every request of a signed-in user (an UPDATE each time, which also broke 17 query-budget
    tests); this saves at most once per `SESSION_IDLE_REFRESH_SECONDS`, so a session may end up to
    that much before the full idle time.

    The first stamp rides on the save that signing in makes anyway. A session without one (from
    before this middleware, or `force_login` in tests) is never saved just to add it: it keeps its
    fixed expiry, which ends it sooner, never later. Only a session the request already loaded is
    looked at, so an anonymous page costs nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.accessed or SESSION_KEY not in session:
            return response
        now = int(timezone.now().timestamp())
        last_seen = session.get(LAST_SEEN_KEY)
        if last_seen is None:
            stale = session.modified
        else:
            stale = now - last_seen >= settings.SESSION_IDLE_REFRESH_SECONDS
        if stale:
            # Marks the session modified: SessionMiddleware saves it with a new expiry date and
            # sends the cookie again with a new max-age.
            session[LAST_SEEN_KEY] = now
        return response


def login_client_ip(request):
    """The client address for django-axes (`AXES_CLIENT_IP_CALLABLE`), or None.

    The same address the rate limits use (`TRUSTED_PROXY_COUNT` hops into X-Forwarded-For), so
    a client behind nginx is not counted as nginx. Axes stores it in an IP address column: anything
    that is not an address (a unix-socket peer has none) becomes None instead of a database error.
    """
    address = ratelimit.client_ip(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
