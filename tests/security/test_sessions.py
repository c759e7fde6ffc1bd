"""Sessions: they end after inactivity (not at login + a fixed time, not at browser close),
cost no write on most requests, end when the password changes, and travel in safe cookies."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("manage:dashboard")
AGE = timedelta(seconds=settings.SESSION_COOKIE_AGE)
REFRESH = timedelta(seconds=settings.SESSION_IDLE_REFRESH_SECONDS)


@pytest.fixture
def clock(monkeypatch):
    """Moves Django's clock (sessions, the idle stamp) forward by `clock.advance(delta)`."""
    real_now = timezone.now
    offset = timedelta()

    class Clock:
        def advance(self, delta):
            nonlocal offset
            offset += delta

    monkeypatch.setattr(timezone, "now", lambda: real_now() + offset)
    return Clock()


def log_in(client, user):
    response = client.post(reverse("login"), {"username": user.phone, "password": PASSWORD})
    assert response.status_code == 302
    return response


def session_writes(queries):
    return [q["sql"] for q in queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]


def test_sessions_do_not_end_when_the_browser_closes():
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is False


def test_an_active_session_outlives_its_first_expiry(client, clock, community_worker):
    log_in(client, community_worker)
    clock.advance(AGE - timedelta(minutes=10))
    assert client.get(DASHBOARD).status_code == 200  # active: pushes the expiry forward

    clock.advance(timedelta(minutes=20))  # past login + AGE

    assert client.get(DASHBOARD).status_code == 200


def test_an_idle_session_ends(client, clock, community_worker):
    log_in(client, community_worker)
    assert client.get(DASHBOARD).status_code == 200

    clock.advance(AGE + timedelta(minutes=1))
    response = client.get(DASHBOARD)

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_requests_within_the_refresh_interval_write_nothing(client, clock, community_worker):
    log_in(client, community_worker)
    clock.advance(REFRESH - timedelta(seconds=30))
    with CaptureQueriesContext(connection) as queries:
        client.get(DASHBOARD)
    assert session_writes(queries.captured_queries) == []

    clock.advance(timedelta(minutes=1))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(DASHBOARD)

    # One UPDATE per refresh interval, and the cookie is sent again with its new lifetime.
    assert len(session_writes(queries.captured_queries)) == 1
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == AGE.seconds


def test_anonymous_pages_create_no_session(client):
    response = client.get(reverse("home"))

    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert not Session.objects.exists()


def test_changing_the_password_signs_out_every_other_session(client, community_worker):
    client.force_login(community_worker)
    assert client.get(DASHBOARD).status_code == 200

    community_worker.set_password("a-new-password-2026")
    community_worker.save(update_fields=["password"])
    response = client.get(DASHBOARD)

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_session_cookie_is_secure_httponly_and_samesite_in_production(
    client, settings, community_worker
):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    response = client.post(
        reverse("login"), {"username": community_worker.phone, "password": PASSWORD}, secure=True
    )

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"
