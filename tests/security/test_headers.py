"""Security headers on every public page, with the settings production runs on.

The production values come from config/settings.py itself, evaluated with DEBUG off (as
gunicorn would load it), not from a copy here. Requests are made over HTTPS, as nginx forwards
them, since browsers only honour HSTS there and Django only sends it there.
"""

import runpy
from pathlib import Path

import pytest

from tests.security.test_access import PUBLIC_CASES, _skip_uncovered, url_for

pytestmark = pytest.mark.django_db

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "config" / "settings.py"
#: The settings that shape security headers and cookies.
SECURITY_SETTINGS = [
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "SECURE_CSP",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "X_FRAME_OPTIONS",
    "PERMISSIONS_POLICY",
]


@pytest.fixture(scope="module")
def production_values():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DEBUG", "False")
        mp.setenv("SECRET_KEY", "a-production-like-key-for-the-header-tests-7d1e0f9a8b2c3d4e5f6a")
        mp.setenv("FIELD_ENCRYPTION_SALT", "a-salt-for-the-header-tests")
        for name in ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_PRELOAD"):
            mp.delenv(name, raising=False)
        values = runpy.run_path(str(SETTINGS_FILE))
    return {name: values[name] for name in SECURITY_SETTINGS if name in values}


@pytest.fixture
def production(settings, production_values):
    for name, value in production_values.items():
        setattr(settings, name, value)
    return settings


def test_production_settings_turn_on_https_only_protections(production):
    assert production.SECURE_SSL_REDIRECT
    assert production.SECURE_HSTS_SECONDS >= 31536000
    assert production.SECURE_HSTS_INCLUDE_SUBDOMAINS
    assert production.SESSION_COOKIE_SECURE and production.CSRF_COOKIE_SECURE


@pytest.mark.parametrize("case", PUBLIC_CASES, ids=[str(c) for c in PUBLIC_CASES])
def test_every_public_page_sends_the_security_headers(case, production, world, client):
    _skip_uncovered(case)
    response = client.get(url_for(case, world), secure=True)

    csp = response["Content-Security-Policy"]
    # Only this origin (and data: images): no inline code, no CDN, nothing third-party.
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "http" not in csp.replace("https:", "").lower()
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    policy = {part.strip() for part in response["Permissions-Policy"].split(",")}
    assert {"camera=()", "microphone=()", "geolocation=()"} <= policy


def test_plain_http_is_sent_to_https_in_production(production, client):
    response = client.get("/", secure=False)
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    assert "camera=()" in response["Permissions-Policy"]


def test_error_pages_carry_the_headers_too(production, client):
    response = client.get("/no-such-page/", secure=True)
    assert response.status_code == 404
    assert "Content-Security-Policy" in response and "Permissions-Policy" in response
