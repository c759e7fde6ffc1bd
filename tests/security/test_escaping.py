"""Stored markup is escaped on every page: the fast half of the escaping test (no browser).

The world of `tests.security.hostile` has a script, an event handler and a broken-out attribute
in every text field of every model. Every page of the URL configuration is rendered with the
test client by the user who would open it; the payload's markup must never reach the HTML as
markup, only as text. tests/browser/test_escaping.py opens the same pages in Chromium.
"""

import csv
import io

import pytest
from django.db import transaction
from django.test import Client, override_settings
from icalendar import Calendar

from tests.security import hostile

pytestmark = pytest.mark.django_db

PAGES = hostile.pages()

#: What the payloads look like when they were not escaped.
RAW = (
    "<script>window.__xss",
    "<img src=x",
    "<svg onload",
    '"window.__xss=1">',
    "<s id=xs>",
    'href="javascript:',
    "href='javascript:",
)
#: ... and when they were: the page shows the text.
ESCAPED = ("&lt;script&gt;window.__xss", "&lt;img src=x", "&lt;s id=xs&gt;")

#: 200 HTML pages that show no stored text at all, and why.
NO_STORED_TEXT = {
    "deliberation:track_lookup": "a form asking for a tracking code",
    "login": "the sign-in form",
    "signup": "the sign-up form",
    "admin:login": "the admin's sign-in form",
    "healthz": "a health check",
    "readyz": "a health check",
}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The hostile world, built once for the module in a transaction rolled back at its end."""
    once = override_settings(
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    with django_db_blocker.unblock(), once, transaction.atomic():
        yield hostile.build()
        transaction.set_rollback(True)


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_every_text_field_is_filled(world):
    """A guard against a vacuous sweep: the fields were found, and the rows hold the payload."""
    assert len(world.fields) > 80
    for field in world.fields:
        stored = field.model._base_manager.values_list(field.name, flat=True).first()
        assert stored.startswith(field.payload(0)[:8]), field


@pytest.mark.parametrize("page", PAGES, ids=[str(page) for page in PAGES])
def test_stored_markup_is_escaped_on_the_page(page, world):
    response = client_for(page.user(world)).get(page.url(world))

    assert response.status_code < 500
    body = b"".join(response.streaming_content) if response.streaming else response.content
    content_type = response.get("Content-Type", "")
    text = body.decode("utf-8", errors="replace")
    if content_type.startswith("text/html"):
        assert not [raw for raw in RAW if raw in text], page.url(world)
        if response.status_code == 200 and page.key not in NO_STORED_TEXT:
            assert any(escaped in text for escaped in ESCAPED), f"{page}: shows no stored text"
    elif content_type.startswith("text/csv"):
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
        # A title line, then the header and the rows: all as wide as the header.
        assert len({len(row) for row in rows[1:]}) == 1, "a payload broke the CSV's columns"
        assert any("window.__xss" in cell or "<s id=xs>" in cell for row in rows for cell in row)
    elif content_type.startswith("text/calendar"):
        calendar = Calendar.from_ical(text)
        assert not [line for line in text.splitlines() if line.startswith("X-INJECTED")]
        events = list(calendar.walk("VEVENT"))
        assert events and all("window.__xss" in str(e["SUMMARY"]) for e in events)
