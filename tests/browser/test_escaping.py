"""Stored markup never runs and never becomes markup, on every page, in a real Chromium.

The world of `tests.security.hostile` has a script, an event handler and a broken-out attribute
in every text field of every model. Every HTML page of the URL configuration (the admin's are
left to tests/security/test_escaping.py) is opened by the user who would open it, with the
Content-Security-Policy switched off: the CSP would stop an inline script in production, and
this test is about escaping. On each page the payload must not have run (`window.__xss`, no
dialog), must not be in the DOM as elements or attributes, and must be shown as text.
"""

from collections import defaultdict

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.security import hostile
from tests.security.test_escaping import NO_STORED_TEXT

pytestmark = pytest.mark.browser

#: Runs in the page: what of the payload became markup, whether it ran, whether it shows.
INSPECT = """() => {
  const found = [];
  const LINKS = ["href", "src", "action", "formaction"];
  for (const script of document.querySelectorAll("script")) {
    if (script.textContent.includes("__xss")) found.push("a <script> with the payload");
  }
  if (document.querySelector('img[src="x"]')) found.push("an <img src=x>");
  if (document.getElementById("xs")) found.push("an <s id=xs>");
  const text = document.body.innerText;
  let shown = text.includes("__xss") || text.includes("id=xs");
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      const value = attribute.value;
      if (attribute.name.startsWith("on") && value.includes("__xss")) {
        found.push(`${element.tagName.toLowerCase()}[${attribute.name}]`);
      } else if (LINKS.includes(attribute.name) && /^\\s*javascript:/i.test(value)) {
        found.push(`${element.tagName.toLowerCase()}[${attribute.name}=javascript:]`);
      } else if (value.includes("__xss") || value.includes("id=xs")) {
        shown = true;
      }
    }
    if (String(element.value ?? "").includes("__xss")) shown = true;
  }
  return {found, ran: typeof window.__xss !== "undefined", shown};
}"""


def _html_pages(world):
    """The pages that answer their user 200 with HTML, found quickly with the test client."""
    clients, found = {}, []
    for page in hostile.pages():
        if page.key.startswith("admin"):
            continue
        if page.who not in clients:
            clients[page.who] = Client()
            user = page.user(world)
            if user is not None:
                clients[page.who].force_login(user)
        url = page.url(world)
        response = clients[page.who].get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            found.append((page, url))
    return found, {
        who: c.cookies.get(django_settings.SESSION_COOKIE_NAME) for who, c in clients.items()
    }


def test_stored_markup_never_runs_on_any_page(live_server, transactional_db, new_page, settings):
    settings.SECURE_CSP = {}
    world = hostile.build()
    pages, sessions = _html_pages(world)
    assert len(pages) > 80

    page = new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    problems = defaultdict(list)
    signed_in_as = object()
    for target, url in pages:
        if target.who != signed_in_as:
            page.context.clear_cookies()
            cookie = sessions[target.who]
            if cookie is not None:
                page.context.add_cookies(
                    [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
                )
            signed_in_as = target.who
        response = page.goto(live_server.url + url, wait_until="load")
        if response.status != 200:
            problems[str(target)].append(f"answered {response.status}")
            continue
        result = page.evaluate(INSPECT)
        problems[str(target)] += result["found"]
        if result["ran"]:
            problems[str(target)].append("window.__xss was set")
        if not result["shown"] and target.key not in NO_STORED_TEXT:
            problems[str(target)].append("shows no stored text")
    if dialogs:
        problems["dialogs"] = dialogs

    assert not {key: found for key, found in problems.items() if found}
